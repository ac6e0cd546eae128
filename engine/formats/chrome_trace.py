"""Export a run in the Trace Event Format that Perfetto and chrome://tracing open.

One track per thread; the spans when it was running, blocked, waiting or working are
slices; signals, spurious wakeups and verdicts are instant events. One step is shown as
one millisecond.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lesson.scenario import RunConfig
from ..snapshot.model import Event, ThreadState

STEP_US = 1000
"""Microseconds per step on the trace's time axis."""

SLICE_STATES = {
    ThreadState.RUNNING,
    ThreadState.BLOCKED,
    ThreadState.WAITING,
    ThreadState.WORKING,
    ThreadState.SLEEPING,
}
INSTANT_KINDS = {"signal", "broadcast", "spurious", "violation", "deadlock", "fail", "finished"}
GLOBAL_KINDS = {"violation", "deadlock", "finished"}

Column = tuple[int, tuple[tuple[str, ThreadState], ...]]
"""A step and every thread's (name, state) during it."""


def chrome_trace(
    config: RunConfig, columns: Sequence[Column], events: Sequence[Event]
) -> dict[str, object]:
    # Every thread of the run, in the order it first appears (a program starts threads
    # as it runs: the first column holds only its main thread).
    names = list(dict.fromkeys(name for _, states in columns for name, _ in states))
    tids = {name: index for index, name in enumerate(names, start=1)}
    trace: list[dict[str, object]] = [
        {"ph": "M", "pid": 1, "tid": 0, "name": "process_name", "args": {"name": _title(config)}}
    ]
    for name, tid in tids.items():
        trace.append(
            {"ph": "M", "pid": 1, "tid": tid, "name": "thread_name", "args": {"name": name}}
        )
        trace.append(
            {
                "ph": "M",
                "pid": 1,
                "tid": tid,
                "name": "thread_sort_index",
                "args": {"sort_index": tid},
            }
        )
    for name, tid in tids.items():
        trace.extend(_slices(name, tid, columns))
    for event in events:
        if event.kind not in INSTANT_KINDS:
            continue
        instant: dict[str, object] = {
            "ph": "i",
            "pid": 1,
            "tid": tids.get(event.thread or "", 0),
            "ts": event.step * STEP_US,
            "name": f"{event.kind} {event.primitive}" if event.primitive else event.kind,
            "cat": "event",
            "s": "g" if event.kind in GLOBAL_KINDS or event.thread is None else "t",
            "args": {"detail": event.detail, "step": event.step},
        }
        trace.append(instant)
    return {
        "traceEvents": trace,
        "displayTimeUnit": "ms",
        "otherData": {
            "scenario": config.scenario.name,
            "variant": config.variant,
            "seed": config.seed,
            "params": dict(config.params),
            "step_us": STEP_US,
        },
    }


def _slices(name: str, tid: int, columns: Sequence[Column]) -> list[dict[str, object]]:
    """Merge consecutive steps in the same state into one complete ('X') slice."""
    slices: list[dict[str, object]] = []
    current: ThreadState | None = None
    start = 0
    for step, states in columns:
        state = dict(states).get(name)  # None before the thread is started
        if state is not current:
            if current in SLICE_STATES:
                slices.append(_slice(tid, current, start, step - 1))
            current, start = state, step - 1
    if current in SLICE_STATES and columns:
        slices.append(_slice(tid, current, start, columns[-1][0]))
    return slices


def _slice(tid: int, state: ThreadState | None, first: int, end: int) -> dict[str, object]:
    assert state is not None
    return {
        "ph": "X",
        "pid": 1,
        "tid": tid,
        "ts": first * STEP_US,
        "dur": (end - first) * STEP_US,
        "name": state.value,
        "cat": "state",
        "args": {"from_step": first + 1, "to_step": end},
    }


def _title(config: RunConfig) -> str:
    return f"threadlab {config.scenario.name} · {config.variant} · seed {config.seed}"
