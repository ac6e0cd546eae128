"""Render only what changed: which part of a snapshot each panel draws.

Every panel draws from the snapshot, but each reads only part of it: the threads panel its
threads, the status line the step, run state and speed, and so on. The screen hands a new
snapshot only to the panels whose part changed; a panel whose part is the same is not
touched, so it is neither re-rendered nor re-laid out. At max speed most panels change
every frame, but the source, watches, verdict and hint usually do not.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection, Hashable, Iterable
from typing import Protocol

from ...engine.snapshot.model import RunState, Snapshot, ThreadState
from ..widgets.hint import hint_for
from ..widgets.output import OUTPUT_ROWS

PanelPart = Callable[[Snapshot], Hashable]
"""The part of a snapshot a panel draws, as a value that compares equal when unchanged."""

PanelShape = Callable[[Snapshot], Snapshot]
"""What a panel is handed of a snapshot, when it need not see all of it."""


class SnapshotPanel(Protocol):
    """A panel that draws itself from a snapshot."""

    snapshot: Snapshot | None


def _names(snapshot: Snapshot) -> tuple[tuple[str, int], ...]:
    """Thread names and numbers: most panels colour threads by number."""
    return tuple((t.name, t.index) for t in snapshot.threads)


def source_part(snapshot: Snapshot) -> Hashable:
    """The code (each file's), each live thread's line and file, and who the panel keeps
    in view (the verdict's threads, else the thread that acted last)."""
    markers = tuple(
        (t.name, t.index, None if t.state is ThreadState.DONE else t.line, t.file)
        for t in snapshot.threads
    )
    last_actor = next((e.thread for e in reversed(snapshot.events) if e.thread is not None), None)
    verdict_threads = snapshot.verdict.threads if snapshot.verdict is not None else ()
    return (snapshot.source, snapshot.files, markers, verdict_threads, last_actor)


def threads_part(snapshot: Snapshot) -> Hashable:
    """Each thread's row; primitive names set the width of the waits-on column."""
    return (snapshot.threads, tuple(p.name for p in snapshot.primitives))


def primitives_part(snapshot: Snapshot) -> Hashable:
    return (snapshot.primitives, _names(snapshot))


def events_part(snapshot: Snapshot) -> Hashable:
    return (snapshot.events, _names(snapshot))


def timeline_part(snapshot: Snapshot) -> Hashable:
    """The columns, and how far the recorded run goes past the step shown."""
    return (snapshot.timeline, snapshot.step, snapshot.history_length, _names(snapshot))


def watches_part(snapshot: Snapshot) -> Hashable:
    return (snapshot.watches, _names(snapshot))


def output_part(snapshot: Snapshot) -> Hashable:
    """The lines shown (the latest few), and thread numbers for their colours."""
    return (snapshot.output[-OUTPUT_ROWS:], _names(snapshot))


def status_part(snapshot: Snapshot) -> Hashable:
    return (
        snapshot.scenario,
        snapshot.variant,
        snapshot.seed,
        snapshot.step,
        snapshot.history_length,
        snapshot.run_state,
        snapshot.speed,
        snapshot.exit_status,
    )


def verdict_part(snapshot: Snapshot) -> Hashable:
    return (snapshot.verdict, snapshot.run_state, _names(snapshot))


def hint_part(snapshot: Snapshot) -> Hashable:
    # at step 0 the hint says the challenge's goal (the hint line knows it), after it not
    return hint_for(snapshot), snapshot.step == 0


PANEL_PARTS: dict[str, PanelPart] = {
    "source": source_part,
    "threads": threads_part,
    "primitives": primitives_part,
    "events": events_part,
    "timeline": timeline_part,
    "watches": watches_part,
    "output": output_part,
    "status": status_part,
    "verdict": verdict_part,
    "hint": hint_part,
}
"""Each panel's id on the scenario screen, and the part of a snapshot it draws."""

SLOW_PANELS = ("primitives", "source", "events", "watches", "output")
"""The panels that cost the most to draw: updated less often while the run goes flat out."""


def recent_events(snapshot: Snapshot, rows: int) -> Snapshot:
    """``snapshot`` with only as many of the latest events as ``rows`` (at least one), while
    the run goes flat out; as it is otherwise.

    At max speed a frame brings a snapshot's whole window of events (200): logging them all
    costs far more than a frame, they scroll by unread, and only the last few rows are in
    view. At any other pace (or paused) a frame brings a few events and the log keeps them
    all, so its scrollback is whole.
    """
    keep = max(rows, 1)
    flat_out = snapshot.speed is None and snapshot.run_state is RunState.RUNNING
    if not flat_out or len(snapshot.events) <= keep:
        return snapshot
    return dataclasses.replace(snapshot, events=snapshot.events[-keep:])


SLOW_PANEL_EVERY = 0.08
"""Seconds at least between two updates of a costly panel while the run goes flat out."""


class PanelFeed:
    """Hands each snapshot to the panels whose part of it changed.

    While the run goes flat out (max speed), the ``slow`` panels (the costly ones to draw,
    which change faster than anyone reads them then) are updated at most every
    ``SLOW_PANEL_EVERY`` seconds, so that the screen shows more frames. The run stops going
    flat out with a new snapshot (paused, ended, slowed down), which brings every panel up
    to date.

    Args:
        panels: each panel with the function that picks its part of a snapshot, and
            optionally one that shapes what it is handed (by default the whole snapshot).
        slow: the panels updated less often while the run goes flat out.
    """

    def __init__(
        self,
        panels: Iterable[tuple[SnapshotPanel, PanelPart, PanelShape | None]],
        slow: Collection[SnapshotPanel] = (),
    ) -> None:
        self._panels = tuple(panels)
        self._drawn: list[Hashable | None] = [None] * len(self._panels)
        self._fed = [False] * len(self._panels)
        self._slow = [any(panel is s for s in slow) for panel, _part, _shape in self._panels]
        self._updated_at = [-SLOW_PANEL_EVERY] * len(self._panels)

    def publish(self, snapshot: Snapshot) -> int:
        """Give ``snapshot`` to every panel whose part changed; how many were updated."""
        updated = 0
        flat_out = snapshot.speed is None and snapshot.run_state is RunState.RUNNING
        now = time.monotonic()
        for position, (panel, part, shape) in enumerate(self._panels):
            if (
                flat_out
                and self._slow[position]
                and now - self._updated_at[position] < SLOW_PANEL_EVERY
            ):
                continue  # drawn again at a later frame, or with the run's next state
            view = part(snapshot)
            if self._fed[position] and view == self._drawn[position]:
                continue
            self._drawn[position] = view
            self._fed[position] = True
            self._updated_at[position] = now
            panel.snapshot = shape(snapshot) if shape is not None else snapshot
            updated += 1
        return updated

    def forget(self) -> None:
        """Feed every panel the next snapshot, changed or not (after a re-execution)."""
        self._fed = [False] * len(self._panels)
