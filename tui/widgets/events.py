"""The event log: what happened at each step, newest at the bottom.

Snapshots carry only the most recent events, so the log appends what is new since the
snapshot it drew last, and starts over when the run restarts.
"""

from __future__ import annotations

from typing import Self

from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.reactive import reactive
from textual.widgets import RichLog

from threadlab.engine.model import Event, RunState, Snapshot
from threadlab.tui.widgets.palette import YOU, thread_style

KIND_STYLES: dict[str, str] = {
    "block": "red",
    "wait": "yellow",
    "signal": "green",
    "broadcast": "green",
    "spurious": "magenta",
    "violation": "bold red",
    "never-awaited": "bold red",
    "deadlock": "bold red",
    "fail": "bold red",
    "finished": "bold",
    "done": "dim",
}

ENGINE_KINDS = frozenset({"violation", "deadlock", "finished", "fail"})
"""Kinds of event the engine itself logs with no thread (verdicts, the end): not 'you'."""


def new_events(old: tuple[Event, ...], new: tuple[Event, ...]) -> tuple[Event, ...] | None:
    """The events in ``new`` that came after ``old``, or None when ``new`` does not continue
    ``old`` (the run restarted, or more events happened than a snapshot carries).

    Events are only ever appended (the oldest drop off), so ``new`` continues ``old`` when
    it holds ``old``'s last event; everything after that one is new.
    """
    if not old:
        return new
    last = old[-1]
    for position in range(len(new) - 1, -1, -1):
        if new[position] == last:
            return new[position + 1 :]
    return None


class EventLog(RichLog):
    """Step, thread (or you), kind, primitive and detail of every recent event."""

    DEFAULT_CSS = """
    EventLog { background: transparent; }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The run whose events are logged; only the new ones are appended."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(max_lines=1000, wrap=False, markup=False, id=id, classes=classes)
        self._drawn: tuple[Event, ...] = ()
        self._flat_out = False

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        # The log's own size is set by the layout, not by its lines: while the run goes
        # flat out, a line more or less must not lay the whole screen out again (that costs
        # more than the rest of a frame). The scrollbars catch up when the pace drops.
        return super().refresh(
            *regions, repaint=repaint, layout=layout and not self._flat_out, recompose=recompose
        )

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        # The screen gives the log the rows the code does not fill, after the lines are
        # written: the latest stay in view whatever the order of the two.
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        flat_out = snapshot.speed is None and snapshot.run_state is RunState.RUNNING
        if self._flat_out and not flat_out:
            self._flat_out = False
            self.refresh(layout=True)
        self._flat_out = flat_out
        events = snapshot.events
        fresh = new_events(self._drawn, events)
        if fresh is None:
            self.clear()
            fresh = events
        if fresh:
            indices = {t.name: t.index for t in snapshot.threads}
            width = max((len(t.name) for t in snapshot.threads), default=3)
            width = max(width, len(YOU))
            for event in fresh:
                self.write(self._line(event, indices, width))
        self._drawn = events

    @staticmethod
    def _line(event: Event, indices: dict[str, int], width: int) -> Text:
        if event.thread is None and event.kind in ENGINE_KINDS:
            who = Text("—".ljust(width), style="dim")
        elif event.thread is None:
            who = Text(YOU.ljust(width), style="bold italic")
        else:
            who = Text(event.thread.ljust(width), style=thread_style(indices.get(event.thread, 0)))
        return Text.assemble(
            (f"{event.step:>5}  ", "dim"),
            who,
            "  ",
            (event.kind.ljust(9), KIND_STYLES.get(event.kind, "")),
            " ",
            ((event.primitive or "").ljust(10), "bold"),
            " ",
            event.detail,
        )
