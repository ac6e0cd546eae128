"""The source panel: the scenario's own code, each thread's current line marked in the gutter.

A program with modules of its own shows one file at a time (its title names it): the file
the user chose with f, else the file of the thread it keeps in view; only the threads in
that file are marked.

The gutter has one lane per thread, so a thread keeps its column as it moves through the
code. The panel scrolls to keep the marked lines in view.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.reactive import reactive

from threadlab.engine.model import ProgramFile, Snapshot, SourceLine, ThreadState, ThreadView
from threadlab.tui.screens.selection import shown_file
from threadlab.tui.widgets.palette import thread_style
from threadlab.tui.widgets.source_rows import SourceRows

CACHED_ROWS = 2_000
"""Source rows kept built (each row with each set of markers it has had)."""
MAX_LANES_WIDTH = 18
NUMBERED_WIDTH = 56
"""Narrower than this, line numbers give their room to the code."""
"""Above this many cells of per-thread lanes, the gutter lists names compactly instead."""


@lru_cache(maxsize=8)
def _highlighted(source: tuple[SourceLine, ...]) -> tuple[Text, ...]:
    """Each source line with Python syntax colours (computed once per scenario source)."""
    code = "\n".join(line.text for line in source)
    text = Syntax(code, "python", theme="monokai", background_color="default").highlight(code)
    text.rstrip()
    lines = text.split("\n", allow_blank=True)
    return tuple(lines[i] if i < len(lines) else Text() for i in range(len(source)))


class SourcePanel(VerticalScroll, can_focus=False):
    """Scenario source with a gutter that shows where each thread is."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "source--marked",
        "source--lineno",
    }

    DEFAULT_CSS = """
    SourcePanel {
        & > .source--marked { background: $primary-muted; }
        & > .source--lineno { color: $text-disabled; }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, repaint=False)
    """The run to draw; the panel redraws and scrolls when it changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: dict[tuple[object, ...], Text] = {}
        self._rows_layout: tuple[object, ...] | None = None
        self.chosen_file: str | None = None
        """The file the user chose to see (its path); None: the file of the thread in view."""
        self.shown: ProgramFile | None = None
        """The file shown, when the program has more than one."""

    def show_file(self, path: str | None) -> None:
        """Show the program file at ``path`` (None: follow the thread in view)."""
        self.chosen_file = path
        self.watch_snapshot(self.snapshot)

    def compose(self) -> ComposeResult:
        yield SourceRows(id="source-text")

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        self.shown = shown_file(snapshot, self.chosen_file)
        source, path, title = snapshot.source, None, "Source"
        if self.shown is not None:
            source, path = self.shown.source, self.shown.path
            if path == snapshot.files[0].path:
                path = None
            title = f"Source · {self.shown.name}"
        if self.border_title != title:
            self.border_title = title
        here = tuple(t for t in snapshot.threads if t.file == path)
        rows, marked_rows = self._render_source(snapshot, source, here)
        self.query_one(SourceRows).show(rows)
        if marked_rows:
            focus = self._focus_row(snapshot, source, here)
            self.call_after_refresh(self._keep_in_view, min(marked_rows), max(marked_rows), focus)

    @staticmethod
    def _focus_row(
        snapshot: Snapshot, source: tuple[SourceLine, ...], here: tuple[ThreadView, ...]
    ) -> int | None:
        """The row that must stay in view when not every marked row fits: the line of the
        first thread the verdict names, else of the thread that did the latest event."""
        names: list[str] = []
        if snapshot.verdict is not None:
            names.extend(snapshot.verdict.threads)
        names.extend(e.thread for e in reversed(snapshot.events) if e.thread is not None)
        rows = {line.lineno: row for row, line in enumerate(source) if line.lineno}
        lines = {t.name: t.line for t in here}
        for name in names:
            line = lines.get(name)
            if line is not None and line in rows:
                return rows[line]
        return None

    def on_resize(self) -> None:
        self.watch_snapshot(self.snapshot)  # the gutter and line numbers depend on the width

    def _keep_in_view(self, top: int, bottom: int, focus: int | None) -> None:
        visible = max(self.scrollable_content_region.height, 1)
        if bottom - top + 1 > visible:
            if focus is not None and focus >= top + visible:
                top = focus - visible + 1
            bottom = top + visible - 1
        if self.scroll_y <= top and bottom < self.scroll_y + visible:
            return  # already in view: scrolling would only repaint the panel
        self.scroll_to_region(
            Region(0, top, 1, bottom - top + 1), animate=False, immediate=True, force=True
        )

    def _render_source(
        self, snapshot: Snapshot, source: tuple[SourceLine, ...], in_file: tuple[ThreadView, ...]
    ) -> tuple[list[Text], list[int]]:
        """The ``source`` a Text a row, and the rows that carry a marker of a thread
        ``in_file`` (the threads in that file)."""
        at_line: dict[int, list[ThreadView]] = {}
        for thread in in_file:
            if thread.line is not None and thread.state is not ThreadState.DONE:
                at_line.setdefault(thread.line, []).append(thread)
        lane_width = max((len(t.name) for t in snapshot.threads), default=2) + 1
        lanes_width = lane_width * len(snapshot.threads)
        view_width = self.scrollable_content_region.width
        use_lanes = lanes_width <= min(MAX_LANES_WIDTH, view_width // 4)
        gutter_width = (
            lanes_width
            if use_lanes
            else max((_compact_width(here) for here in at_line.values()), default=0)
        )
        # Long thread names ('ThreadPoolExecutor-0_0') are cut: the code keeps most of the room.
        gutter_width = max(min(gutter_width, view_width // 4), 3)
        numbered = view_width >= NUMBERED_WIDTH
        marked_style = self.get_component_rich_style("source--marked", partial=True)
        lineno_style = self.get_component_rich_style("source--lineno", partial=True)
        highlighted = _highlighted(source)
        code_width = max((c.cell_len for c in highlighted), default=0)
        width = max(gutter_width + 4 + code_width, view_width)
        output: list[Text] = []
        marked_rows: list[int] = []
        # A row is built again only when what it shows changed (its markers, the layout):
        # at max speed the markers move on a few rows a frame.
        names = tuple(t.name for t in snapshot.threads)
        layout = (names, use_lanes, lane_width, gutter_width, numbered, width, marked_style)
        if layout != self._rows_layout:
            self._rows_layout = layout
            self._rows.clear()
        for row, (line, code) in enumerate(zip(source, highlighted, strict=True)):
            here = at_line.get(line.lineno, []) if line.lineno else []
            if here:
                marked_rows.append(row)
            key = (row, line, tuple((t.name, t.index) for t in here))
            cached = self._rows.get(key)
            if cached is not None:
                output.append(cached)
                continue
            gutter = Text()
            if use_lanes:
                for thread in snapshot.threads:
                    name = thread.name if thread in here else ""
                    gutter.append(name.ljust(lane_width), thread_style(thread.index))
            else:
                for thread in here:
                    gutter.append(thread.name, thread_style(thread.index))
                    gutter.append(" ")
                gutter.align("right", gutter_width)
            gutter.truncate(gutter_width, pad=True)
            number = (f"{line.lineno:>3} " if line.lineno else "    ") if numbered else ""
            rendered = Text.assemble(gutter, (number, lineno_style), code)
            rendered.pad_right(width - rendered.cell_len)
            if here:
                rendered.stylize(marked_style)
            rendered.no_wrap = True
            if len(self._rows) > CACHED_ROWS:
                self._rows.clear()
            self._rows[key] = rendered
            output.append(rendered)
        return output, marked_rows


def _compact_width(threads: list[ThreadView]) -> int:
    return sum(len(t.name) + 1 for t in threads)
