"""The event log: what happened at each step, newest at the bottom.

Snapshots carry only the most recent events, so the log appends what is new since the
snapshot it drew last, and starts over when the run restarts. When the theme changes, the
lines it shows are written again in the new theme's colours.
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar, Self

from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.reactive import reactive
from textual.theme import Theme
from textual.widgets import RichLog

from ...engine.snapshot.model import Event, RunState, Snapshot
from .palette import YOU, dark_theme, thread_style

KIND_CLASSES: dict[str, str] = {
    "block": "events--block",
    "wait": "events--wait",
    "signal": "events--signal",
    "broadcast": "events--signal",
    "spurious": "events--spurious",
    "os-signal": "events--signal",
    "violation": "events--verdict",
    "never-awaited": "events--verdict",
    "deadlock": "events--verdict",
    "fail": "events--verdict",
    "finished": "events--finished",
    "done": "events--done",
}
"""The component class that colours each kind of event (the others are plain)."""

MAX_LINES = 1000
"""Lines the log keeps."""

ENGINE_KINDS = frozenset({"violation", "deadlock", "finished", "fail", "os-signal"})
"""Kinds of event the engine itself logs with no thread (verdicts, the end, a timer that
rings on the run's clock): not 'you'."""


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

    COMPONENT_CLASSES: ClassVar[set[str]] = set(KIND_CLASSES.values())

    DEFAULT_CSS = """
    EventLog {
        background: transparent;
        & > .events--block { color: ansi_red; }
        & > .events--wait { color: ansi_yellow; }
        & > .events--signal { color: ansi_green; }
        & > .events--spurious { color: ansi_magenta; }
        & > .events--verdict { color: ansi_red; text-style: bold; }
        & > .events--finished { text-style: bold; }
        & > .events--done { text-style: dim; }
        /* a light theme's own text colours: ANSI yellow and green are faint on white */
        &:light {
            & > .events--block { color: $text-error; }
            & > .events--wait { color: $text-warning; }
            & > .events--signal { color: $text-success; }
            & > .events--spurious { color: $text-accent; }
            & > .events--verdict { color: $text-error; }
        }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The run whose events are logged; only the new ones are appended."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(max_lines=MAX_LINES, wrap=False, markup=False, id=id, classes=classes)
        self._drawn: tuple[Event, ...] = ()
        self._written: deque[tuple[Event, dict[str, int], int]] = deque(maxlen=MAX_LINES)
        """What each line shows (event, thread numbers, name width), to write it again."""
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

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: Theme) -> None:
        """Write every line again: its colours were the old theme's."""
        lines = list(self._written)
        super().clear()
        for event, indices, width in lines:
            self.write(self._line(event, indices, width))
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def clear(self) -> Self:
        self._written.clear()
        return super().clear()

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
                self._written.append((event, indices, width))
                self.write(self._line(event, indices, width))
        self._drawn = events

    def _line(self, event: Event, indices: dict[str, int], width: int) -> Text:
        if event.thread is None and event.kind in ENGINE_KINDS:
            who = Text("—".ljust(width), style="dim")
        elif event.thread is None:
            who = Text(YOU.ljust(width), style="bold italic")
        else:
            style = thread_style(indices.get(event.thread, 0), dark=dark_theme(self))
            who = Text(event.thread.ljust(width), style=style)
        kind_class = KIND_CLASSES.get(event.kind)
        kind = self.get_component_rich_style(kind_class, partial=True) if kind_class else ""
        return Text.assemble(
            (f"{event.step:>5}  ", "dim"),
            who,
            "  ",
            (event.kind.ljust(9), kind),
            " ",
            ((event.primitive or "").ljust(10), "bold"),
            " ",
            event.detail,
        )
