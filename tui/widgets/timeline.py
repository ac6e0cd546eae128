"""The timeline: one lane per thread, one cell per step, coloured by the thread's state.

The newest step is on the right; marks above the lanes show where signals, spurious
wakeups and verdicts happened (several at one step stacked in its column). In a schedule
the explorer found, the step where a thread preempted another (it ran although the one
before it could have gone on) shows a ``P`` in that thread's lane, in place of its "ran"
cell.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip

from ...cli.explore_text import PREEMPTION_MARK
from ...engine.snapshot.model import Snapshot, ThreadState, TimelineColumn
from .fitted import FittedPanel
from .palette import dark_theme, thread_style

CELLS: dict[ThreadState, str] = {
    ThreadState.RUNNING: "█",
    ThreadState.RUNNABLE: "·",
    ThreadState.BLOCKED: "▒",
    ThreadState.WAITING: "░",
    ThreadState.WORKING: "▓",
    ThreadState.SLEEPING: "~",
    ThreadState.DONE: " ",
    ThreadState.FAILED: "✗",
}
"""A cell per state, so lanes read without colour too."""

MAX_LABEL = 8
"""Thread names longer than this are cut in the lane labels."""
PREEMPT_STYLE = RichStyle(bold=True, reverse=True)
"""A preemption's cell: the lane's colour behind the mark."""
STYLE_CACHE = 50_000
"""Cell styles kept between frames (a style a state, cell and lane, for a few widths)."""
LEGEND = (" ", "█ ran", "· ready", "▒ blocked", "░ waiting", "~ sleeping", "▓ working")
VERDICT_MARKS = frozenset("VDF")
"""The marks of a verdict (drawn in the verdict's style)."""
STALL_CELL = "▚"
"""A step where the thread holds its event loop in a blocking call (``time.sleep`` inside a
coroutine): no task of the loop can run, so it is not drawn as a step that ran."""
STALL_LEGEND = f"{STALL_CELL} stalls its loop"
"""The legend's entry while such a step is in view."""
PREEMPTION_LEGEND = f"{PREEMPTION_MARK} preempts"
"""The legend's first entry while a preemption is in view."""


def mark_rows(columns: tuple[TimelineColumn, ...]) -> int:
    """How many rows the marks above the lanes take: the most marks at one step (at
    least 1, so the lanes never move when the first mark comes)."""
    return max((len(column.marks) for column in columns), default=0) or 1


class TimelinePanel(FittedPanel):
    """Swimlanes of the most recent steps that fit the width."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--runnable",
        "timeline--blocked",
        "timeline--waiting",
        "timeline--working",
        "timeline--failed",
        "timeline--mark",
        "timeline--verdict",
        "timeline--axis",
    }

    DEFAULT_CSS = """
    TimelinePanel {
        height: auto;
        & > .timeline--runnable { color: $text-muted; }
        & > .timeline--blocked { color: $error; }
        & > .timeline--waiting { color: $warning; }
        & > .timeline--working { color: $accent; }
        & > .timeline--failed { color: $error; text-style: bold; }
        & > .timeline--mark { color: $warning; text-style: bold; }
        & > .timeline--verdict { color: $error; text-style: bold reverse; }
        & > .timeline--axis { color: $text-muted; }
        /* a light theme's own text colours: its warning and accent are faint on white */
        &:light {
            & > .timeline--waiting { color: $text-warning; }
            & > .timeline--working { color: $text-accent; }
            & > .timeline--mark { color: $text-warning; }
        }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The run whose recent steps are drawn."""
    preemptions: reactive[tuple[tuple[int, int], ...]] = reactive(())
    """(step, thread number) of each preemption to mark: where that thread ran although the
    one before it could have gone on (the switches a schedule the explorer found needs)."""

    _strips: list[Strip] = []  # noqa: RUF012 - replaced, never changed in place

    def on_mount(self) -> None:
        self._styles: dict[tuple[RichStyle | None, int, int], RichStyle] = {}
        self._styles_base: RichStyle | None = None
        """The panel's own style the cached cell styles were made over (a new theme: anew)."""

    def watch_snapshot(self) -> None:
        self.refit()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # The axis, the marks and a lane per thread: known without drawing them, which
        # saves a whole render at every layout (the panel re-lays out at every snapshot).
        snapshot = self.snapshot
        if snapshot is None or not snapshot.threads:
            return 1
        _label, columns = self._in_view(snapshot, width)
        return 1 + mark_rows(columns) + len(snapshot.threads)

    @staticmethod
    def _in_view(snapshot: Snapshot, width: int) -> tuple[int, tuple[TimelineColumn, ...]]:
        """The lane labels' width, and the most recent columns that fit beside them."""
        label = min(MAX_LABEL, max(len(t.name) for t in snapshot.threads)) + 1
        room = max(1, width - label)
        return label, snapshot.timeline[-room:]

    def render_lines(self, crop: Region) -> list[Strip]:
        # Drawn line by line from segments: a timeline has a styled cell per step and
        # thread, and going through Content for every frame cost most of the frame.
        self._strips = self._draw()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        strips = self._strips
        return strips[y] if y < len(strips) else Strip.blank(self.size.width, self.rich_style)

    def _draw(self) -> list[Strip]:
        snapshot = self.snapshot
        width = self.size.width
        if snapshot is None or not snapshot.threads:
            return []
        base = self.rich_style
        dark = dark_theme(self)
        label, columns = self._in_view(snapshot, width)
        preempted = self._preempted(columns)
        stalled = any(column.stalls for column in columns)
        rows = [
            self._axis(snapshot, columns, bool(preempted), stalled),
            *self._marks(columns, label),
        ]
        for thread in snapshot.threads:
            name = f"{thread.name:<{label - 1}.{label - 1}} "
            lane = self._lane(thread.index, columns, preempted, dark)
            rows.append([Segment(name, thread_style(thread.index, dark=dark)), *lane])
        # A segment a cell over the widget's own style, each cell's style carrying its
        # offset as Textual's own text does (so cells never merge into one run, which
        # exported screenshots would draw out of step). Styles are cached per cell.
        cache = self._styles
        if len(cache) > STYLE_CACHE or base != self._styles_base:
            cache.clear()
            self._styles_base = base
        strips = []
        for y, row in enumerate(rows):
            segments = []
            x = 0
            for text, style, _ in row:
                key = (style, x, y)
                cell_style = cache.get(key)
                if cell_style is None:
                    cell_style = cache[key] = (
                        base + style if style else base
                    ) + RichStyle.from_meta({"offset": (x, y)})
                segments.append(Segment(text, cell_style))
                x += len(text)
            strips.append(Strip(segments).crop_extend(0, width, base))
        return strips

    def _preempted(self, columns: tuple[TimelineColumn, ...]) -> dict[int, int]:
        """Step -> thread number, of the preemptions among ``columns``."""
        if not self.preemptions or not columns:
            return {}
        first, last = columns[0].step, columns[-1].step
        return {step: thread for step, thread in self.preemptions if first <= step <= last}

    def _axis(
        self,
        snapshot: Snapshot,
        columns: tuple[TimelineColumn, ...],
        preempted: bool,
        stalled: bool = False,
    ) -> list[Segment]:
        style = self.get_component_rich_style("timeline--axis")
        if not columns:
            return [Segment("step 0: nothing has run yet", style)]
        first, last = columns[0].step, columns[-1].step
        words = f"steps {first}–{last}" if first != last else f"step {last}"
        if snapshot.history_length > snapshot.step:
            words += f" · rewound: {snapshot.history_length - snapshot.step} later steps kept"
        # The legend goes as far as there is room for it, whole entries only.
        special = (PREEMPTION_LEGEND,) * preempted + (STALL_LEGEND,) * stalled
        legend = (LEGEND[0], *special, *LEGEND[1:])
        for entry in legend:
            if len(words) + len(entry) + 2 > self.size.width:
                break
            words += "  " + entry
        return [Segment(words, style)]

    def _marks(self, columns: tuple[TimelineColumn, ...], lead: int) -> list[list[Segment]]:
        """The rows of marks above the lanes, after ``lead`` blank cells; blanks in one run.

        Several marks at one step (a signal, a broadcast and a spurious wakeup between two
        steps) are stacked in their column, the latest nearest the lanes, so none hides
        another; there are as many rows as the most marks at one step in view (at least 1).
        """
        mark = self.get_component_rich_style("timeline--mark")
        verdict = self.get_component_rich_style("timeline--verdict")
        height = mark_rows(columns)
        rows = []
        for row in range(height):
            segments = []
            blank = lead
            for column in columns:
                at = row - (height - len(column.marks))  # marks sit on the bottom rows
                if at < 0:
                    blank += 1
                    continue
                if blank:
                    segments.append(Segment(" " * blank))
                    blank = 0
                char = column.marks[at]
                segments.append(Segment(char, verdict if char in VERDICT_MARKS else mark))
            if blank:
                segments.append(Segment(" " * blank))
            rows.append(segments)
        return rows

    def _lane(
        self,
        index: int,
        columns: tuple[TimelineColumn, ...],
        preempted: dict[int, int],
        dark: bool,
    ) -> list[Segment]:
        running = thread_style(index, dark=dark)
        styles = {
            ThreadState.RUNNING: running,
            ThreadState.RUNNABLE: self.get_component_rich_style("timeline--runnable"),
            ThreadState.BLOCKED: self.get_component_rich_style("timeline--blocked"),
            ThreadState.WAITING: self.get_component_rich_style("timeline--waiting"),
            ThreadState.WORKING: self.get_component_rich_style("timeline--working"),
            ThreadState.SLEEPING: self.get_component_rich_style("timeline--runnable"),
            ThreadState.FAILED: self.get_component_rich_style("timeline--failed"),
        }
        cells = {state: Segment(CELLS[state], styles.get(state)) for state in CELLS}
        unstarted = Segment(" ")  # a column from before the program started this thread
        stall = Segment(STALL_CELL, self.get_component_rich_style("timeline--blocked"))
        lane = [
            (stall if index in column.stalls else cells[column.state(index)])
            if index <= len(column.states)
            else unstarted
            for column in columns
        ]
        if preempted:
            # the thread's colour behind a bold P: it still reads as a step it took
            mark = Segment(PREEMPTION_MARK, running + PREEMPT_STYLE)
            for position, column in enumerate(columns):
                if preempted.get(column.step) == index:
                    lane[position] = mark
        return lane
