"""Headless runs: drive a scenario at full speed and write its events as JSON lines.

The same configuration always writes byte-identical output, so a trace can be diffed,
replayed or checked in to a bug report.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

from engine.model import Event, Snapshot
from engine.runtime import ControlRefused, Runtime
from engine.scenario import RunConfig

DEFAULT_TRACE_STEPS = 10_000


def event_line(event: Event) -> str:
    return json.dumps(event.as_dict(), ensure_ascii=False)


def end_line(snapshot: Snapshot) -> str:
    verdict = snapshot.verdict
    return json.dumps(
        {
            "step": snapshot.step,
            "thread": None,
            "kind": "end",
            "primitive": None,
            "state": snapshot.run_state.value,
            "verdict": verdict.text if verdict is not None else None,
            "verdict_kind": verdict.kind.value if verdict is not None else None,
            "threads": list(verdict.threads) if verdict is not None else [],
            "idle": snapshot.idle_reason,
        },
        ensure_ascii=False,
    )


def run_headless(config: RunConfig, steps: int, on_event: Callable[[Event], None]) -> Snapshot:
    """Run up to ``steps`` steps as fast as possible (stopping early at a verdict or the
    end), calling ``on_event`` for every event; returns the final snapshot."""
    runtime = Runtime(config, paused=True, speed=None, event_sink=on_event)
    runtime.start()
    try:
        # Refused when nothing can run from the start: the end line then says why.
        with contextlib.suppress(ControlRefused):
            runtime.step(steps)
        runtime.wait_idle(timeout=None)
        return runtime.snapshot()
    finally:
        runtime.stop()


def write_trace(config: RunConfig, steps: int, write: Callable[[str], object]) -> Snapshot:
    """Write one JSON object per event, then the ``end`` line, each ending in a newline."""
    snapshot = run_headless(config, steps, lambda event: write(event_line(event) + "\n"))
    write(end_line(snapshot) + "\n")
    return snapshot
