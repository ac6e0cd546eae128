"""Headless runs: drive a scenario at full speed and write what happened.

Formats: ``jsonl`` (one JSON object per event, and per line the program prints, as it
happens; then an ``end`` line), ``chrome`` (Trace
Event Format for Perfetto), and ``run`` (a run file, as the app's save writes). The same
configuration always writes byte-identical output.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from ..core.errors import ControlRefused, OutsideSchedule
from ..core.history import History
from ..debuggee.host import ProcessRuntime, RawLines
from ..debuggee.process import ProcessEnded, describe_status
from ..lesson.scenario import RunConfig
from ..runtime import Runtime
from ..snapshot.model import Event, OutputLine, Snapshot, ThreadState
from . import runfile
from .chrome_trace import Column, chrome_trace

DEFAULT_TRACE_STEPS = 10_000
FORMATS = ("jsonl", "chrome", "run")
DELIVERY_INTERVAL = 0.05
"""Seconds between two deliveries of what the run reported, while it runs."""


STUCK_PATIENCE = 10.0
"""Real seconds a step may last before a headless run gives up on it (as ``explore`` does):
its thread runs outside the schedule and may never reach a checkpoint."""


STUCK_LOOK = 1.0
"""Real seconds between two looks for a stuck thread while a run goes on (each takes a
snapshot, which waits for a gap between steps)."""

STUCK_STOP = 1.0
"""Real seconds to wait for the threads of a stuck run to stop."""

DEFAULT_STOP = 5.0
"""Real seconds to wait for the threads of any other run to stop (``Runtime.stop``'s)."""


class RunStuck(Exception):
    """A headless run's thread stayed away from every checkpoint for ``seconds``."""

    def __init__(self, thread: str, line: int | None, seconds: float) -> None:
        super().__init__(f"{thread} ran outside the schedule for {seconds:.0f} s")
        self.thread = thread
        self.line = line
        self.seconds = seconds


class HistoryLost(Exception):
    """The program ended its process: the run's history went with it (a run file needs it)."""

    def __init__(self, step: int, status: int | None) -> None:
        super().__init__(
            f"the program ended its process at step {step} ({describe_status(status)}), "
            "so its run cannot be saved as a run file (trace it as jsonl or chrome)"
        )


def _stuck(runtime: Runtime | ProcessRuntime, patience: float) -> RunStuck | None:
    """The thread whose step has lasted ``patience`` real seconds, if one has."""
    for view in runtime.snapshot().threads:
        if view.outside_for is not None and view.outside_for >= patience:
            return RunStuck(view.name, runtime.line_now(view.name) or view.line, view.outside_for)
    return None


@dataclass(frozen=True)
class HeadlessRun:
    final: Snapshot
    history: History | None
    """None when the program ended its process (``os._exit``, a crash)."""
    program_files: tuple[str, ...] = ()
    """A program of the user's own: its file and the files of its own modules it imported."""


def event_line(event: Event) -> str:
    return json.dumps(event.as_dict(), ensure_ascii=False)


def output_line(line: OutputLine) -> str:
    """A line the program printed, as a record of its own kind (never mixed into the
    JSON lines' own text)."""
    return json.dumps(
        {
            "step": line.step,
            "thread": line.thread,
            "kind": "output",
            "stream": line.stream,
            "text": line.text,
        },
        ensure_ascii=False,
    )


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
            "exit_status": snapshot.exit_status,
        },
        ensure_ascii=False,
    )


def run_headless(
    config: RunConfig,
    steps: int,
    on_event: Callable[[Event], None] | None = None,
    on_step: Callable[[int, tuple], None] | None = None,
    on_output: Callable[[OutputLine], None] | None = None,
    patience: float = STUCK_PATIENCE,
    in_process: bool = False,
) -> HeadlessRun:
    """Run up to ``steps`` steps as fast as possible (stopping early at a verdict or the
    end), reporting every event and step as it happens. The program runs in a process of
    its own (``debuggee``) unless ``in_process``; what that process writes to its file
    descriptors goes to ``on_output`` too.

    Raises:
        RunStuck: a step lasted ``patience`` real seconds (its thread is named).

    The reports are made in the calling thread, never in a scenario thread: a report that
    fails (a closed pipe) stops the run and is raised here, and cannot wedge the run.
    """
    outbox: SimpleQueue[tuple[Callable[..., None], tuple[Any, ...]]] = SimpleQueue()

    def deliver() -> None:
        while not outbox.empty():
            report, arguments = outbox.get()
            report(*arguments)

    event_sink = step_sink = None
    if on_event is not None:
        report_event = on_event

        def event_sink(event: Event) -> None:
            outbox.put((report_event, (event,)))

    if on_step is not None:
        report_step = on_step

        def step_sink(step: int, states: tuple[tuple[str, ThreadState], ...]) -> None:
            outbox.put((report_step, (step, states)))

    output_sink = None
    if on_output is not None:
        report_output = on_output

        def output_sink(line: OutputLine) -> None:
            outbox.put((report_output, (line,)))

    runtime: Runtime | ProcessRuntime
    if in_process:
        runtime = Runtime(
            config,
            paused=True,
            speed=None,
            event_sink=event_sink,
            step_sink=step_sink,
            output_sink=output_sink,
        )
        raw = None
    else:
        raw = RawLines(output_sink if on_output is not None else None, lambda: process.last_step)
        runtime = process = ProcessRuntime(
            config,
            paused=True,
            speed=None,
            event_sink=event_sink,
            step_sink=step_sink,
            output_sink=output_sink,
            on_raw_output=raw.write,
        )
    patience_to_stop = DEFAULT_STOP
    runtime.start()
    try:
        # Refused when nothing can run from the start: the final snapshot then says why.
        while True:
            try:
                runtime.step(steps)
            except OutsideSchedule:
                # A thread computes or waits outside the schedule: wait for it, a while.
                deliver()
                stuck = _stuck(runtime, patience)
                if stuck is not None:
                    raise stuck from None
                continue
            except ControlRefused:
                pass
            break
        looked = time.monotonic()
        while not runtime.wait_idle(timeout=DELIVERY_INTERVAL):
            deliver()
            if time.monotonic() - looked >= STUCK_LOOK:  # a snapshot a second, not more
                looked = time.monotonic()
                stuck = _stuck(runtime, patience)
                if stuck is not None:
                    raise stuck
        final = runtime.snapshot()
        try:
            history: History | None = runtime.history()
        except ProcessEnded:
            history = None  # the program ended its process: its history went with it
        program_files = runtime.program_files()
        if raw is not None:
            runtime.stop(patience_to_stop)  # its output read to the end
            raw.flush()
        deliver()
        return HeadlessRun(final, history, program_files)
    except RunStuck:
        patience_to_stop = STUCK_STOP  # its stuck thread will not stop: no use waiting long
        raise
    finally:
        runtime.stop(patience_to_stop)


def write_trace(
    config: RunConfig,
    steps: int,
    write: Callable[[str], object],
    fmt: str = "jsonl",
    *,
    in_process: bool = False,
) -> Snapshot:
    """Write the run in ``fmt``; returns the final snapshot. The program runs in a process of
    its own unless ``in_process``."""
    if fmt == "jsonl":

        def sink(event: Event) -> None:
            write(event_line(event) + "\n")

        def printed(line: OutputLine) -> None:
            write(output_line(line) + "\n")

        run = run_headless(config, steps, sink, on_output=printed, in_process=in_process)
        write(end_line(run.final) + "\n")
        return run.final
    if fmt == "run":
        runfile.check_steps(steps)
        writer = runfile.RunFileWriter(write, config)
        run = run_headless(config, steps, writer.event, in_process=in_process)
        if run.history is None:
            raise HistoryLost(run.final.step, run.final.exit_status)
        writer.finish(run.history, run.final, run.program_files)
        return run.final
    if fmt != "chrome":
        raise ValueError(f"unknown format {fmt!r} (valid: {', '.join(FORMATS)})")
    events: list[Event] = []
    columns: list[Column] = []
    run = run_headless(
        config,
        steps,
        events.append,
        lambda step, states: columns.append((step, states)),
        in_process=in_process,
    )
    write(json.dumps(chrome_trace(config, columns, events), ensure_ascii=False) + "\n")
    return run.final
