"""The timeline: one lane per thread, one cell per step, coloured by the thread's state.

The newest step is on the right; marks above the lanes show where signals, spurious
wakeups and verdicts happened.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style as RichStyle
from rich.text import Text
from textual.content import Content, Span
from textual.geometry import Size
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget

from threadlab.engine.model import Snapshot, ThreadState, TimelineColumn
from threadlab.tui.widgets.palette import thread_style

CELLS: dict[ThreadState, str] = {
    ThreadState.RUNNING: "█",
    ThreadState.RUNNABLE: "·",
    ThreadState.BLOCKED: "▒",
    ThreadState.WAITING: "░",
    ThreadState.WORKING: "▓",
    ThreadState.DONE: " ",
    ThreadState.FAILED: "✗",
}
"""A cell per state, so lanes read without colour too."""

MAX_LABEL = 8
"""Thread names longer than this are cut in the lane labels."""
LEGEND = (" ", "█ ran", "· ready", "▒ blocked", "░ waiting", "▓ working")


class TimelinePanel(Widget):
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
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, layout=True)
    """The run whose recent steps are drawn."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # The axis, the marks and a lane per thread: known without drawing them, which
        # saves a whole render at every layout (the panel re-lays out at every snapshot).
        snapshot = self.snapshot
        if snapshot is None or not snapshot.threads:
            return 1
        return 2 + len(snapshot.threads)

    def render(self) -> Content:
        snapshot = self.snapshot
        if snapshot is None or not snapshot.threads:
            return Content("")
        label = min(MAX_LABEL, max(len(t.name) for t in snapshot.threads)) + 1
        room = max(1, self.size.width - label)
        columns = snapshot.timeline[-room:]
        text = Text(no_wrap=True, overflow="crop")
        text.append_text(self._axis(snapshot, columns))
        text.append("\n")
        text.append(" " * label)
        text.append_text(self._marks(columns))
        for thread in snapshot.threads:
            text.append("\n")
            text.append(f"{thread.name:<{label - 1}.{label - 1}} ", thread_style(thread.index))
            text.append_text(self._lane(thread.index, columns))
        return self._content(text)

    def _content(self, text: Text) -> Content:
        """``text`` as Textual content, converting each distinct style once.

        The same as Textual's own conversion, span for span, but a timeline has a span per
        cell and only a dozen styles: converting each span's style anew cost most of a frame.
        """
        theme = self.app.ansi_theme
        converted: dict[RichStyle, Style] = {}
        spans = []
        for start, end, style in text.spans:
            assert isinstance(style, RichStyle)  # every style here is a Style, not a name
            textual_style = converted.get(style)
            if textual_style is None:
                textual_style = converted[style] = Style.from_rich_style(style, theme)
            spans.append(Span(start, end, textual_style))
        return Content(text.plain, spans)

    def _axis(self, snapshot: Snapshot, columns: tuple[TimelineColumn, ...]) -> Text:
        style = self.get_component_rich_style("timeline--axis")
        if not columns:
            return Text("step 0: nothing has run yet", style=style)
        first, last = columns[0].step, columns[-1].step
        words = f"steps {first}–{last}" if first != last else f"step {last}"
        if snapshot.history_length > snapshot.step:
            words += f" · rewound: {snapshot.history_length - snapshot.step} later steps kept"
        # The legend goes as far as there is room for it, whole entries only.
        for entry in LEGEND:
            if len(words) + len(entry) + 2 > self.size.width:
                break
            words += "  " + entry
        return Text(words, style=style)

    def _marks(self, columns: tuple[TimelineColumn, ...]) -> Text:
        mark = self.get_component_rich_style("timeline--mark")
        verdict = self.get_component_rich_style("timeline--verdict")
        text = Text()
        for column in columns:
            if not column.marks:
                text.append(" ")
            elif any(m in column.marks for m in "VDF"):
                text.append(column.marks[-1], verdict)
            else:
                text.append(column.marks[-1], mark)
        return text

    def _lane(self, index: int, columns: tuple[TimelineColumn, ...]) -> Text:
        running = thread_style(index)
        styles = {
            ThreadState.RUNNING: running,
            ThreadState.RUNNABLE: self.get_component_rich_style("timeline--runnable"),
            ThreadState.BLOCKED: self.get_component_rich_style("timeline--blocked"),
            ThreadState.WAITING: self.get_component_rich_style("timeline--waiting"),
            ThreadState.WORKING: self.get_component_rich_style("timeline--working"),
            ThreadState.FAILED: self.get_component_rich_style("timeline--failed"),
        }
        text = Text()
        for column in columns:
            state = column.state(index)
            text.append(CELLS[state], styles.get(state))
        return text
