"""The source panel: the scenario's own code, each thread's current line marked in the gutter.

A program with modules of its own shows one file at a time (its title names it): the file
the user chose with f, else the file of the thread it keeps in view; only the threads in
that file are marked.

The gutter has one lane per thread, so a thread keeps its column as it moves through the
code. Where lanes of names would take too much room, each marked line lists its threads'
names; in a narrow panel (no line numbers) their numbers instead, the keys that step them,
in the threads' colours, so the code keeps the room. A line longer than the panel wraps:
its next rows start further in, after a dim ↪, with no line number and an empty gutter,
so every line is read whole at any size. The panel scrolls to keep the marked lines in
view: the line of the thread it keeps in view first, then as many of the other marked lines
as fit, the nearest first.

The code's colours follow the app's theme: a dark syntax theme on a dark one, a light syntax
theme on a light one, never a background of their own (the panel's shows through); the
panel draws again when the theme changes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from rich.style import Style
from rich.syntax import Syntax
from rich.text import Span, Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.reactive import reactive
from textual.theme import Theme

from ...engine.snapshot.model import ProgramFile, Snapshot, SourceLine, ThreadState, ThreadView
from ..screens.selection import in_view_order, shown_file
from .palette import dark_theme, thread_style
from .source_rows import SourceRows

CACHED_ROWS = 2_000
"""Source rows kept built (each row with each set of markers it has had)."""
MAX_LANES_WIDTH = 18
"""Above this many cells of per-thread lanes, the gutter lists names compactly instead."""
NUMBERED_WIDTH = 56
"""Narrower than this, line numbers give their room to the code."""
HANG = 4
"""How much further in than its line's indentation a wrapped line's next rows start."""
KEYS_GUTTER = 2
"""The narrowest gutter of a narrow panel, whose threads are marked by their numbers."""
MIN_CODE_WIDTH = 16
"""Less room than this for the code and long lines are not wrapped (the panel scrolls)."""
BREAKS = ",.([{"
"""Where a long run of code with no space in it may be cut (after one of these)."""
CONTINUED = "↪ "
"""What starts a wrapped line's next rows, before its code."""
DARK_SYNTAX = "monokai"
"""The Pygments style of the code on a dark theme."""
LIGHT_SYNTAX = "xcode"
"""The Pygments style of the code on a light theme: its colours keep a contrast of about 4.5
with every light theme's background (3.5 on a marked line)."""


def syntax_theme(theme: Theme) -> str:
    """The syntax theme for the code on ``theme``: by its darkness; Rich's ANSI ones on a
    theme drawn in the terminal's own colours (whose background is the terminal's)."""
    if theme.background is not None and theme.background.startswith("ansi"):
        return "ansi_dark" if theme.dark else "ansi_light"
    return DARK_SYNTAX if theme.dark else LIGHT_SYNTAX


@lru_cache(maxsize=8)
def _highlighted(source: tuple[SourceLine, ...], syntax: str) -> tuple[Text, ...]:
    """Each source line with Python syntax colours of the theme ``syntax`` (computed once
    per scenario source and syntax theme), with no background of their own."""
    code = "\n".join(line.text for line in source)
    text = Syntax(code, "python", theme=syntax).highlight(code)
    text.style = ""  # the syntax theme's background: the panel's shows through instead
    text.spans = [Span(span.start, span.end, _foreground(span.style)) for span in text.spans]
    text.rstrip()
    lines = text.split("\n", allow_blank=True)
    return tuple(lines[i] if i < len(lines) else Text() for i in range(len(source)))


def _foreground(style: str | Style) -> Style:
    """``style`` (a syntax token's) without its background."""
    style = Style.parse(style) if isinstance(style, str) else style
    return Style(color=style.color, bold=style.bold, italic=style.italic, underline=style.underline)


@lru_cache(maxsize=8)
def _longest(source: tuple[SourceLine, ...]) -> int:
    """The cells of the longest line of ``source`` (computed once per source; the same
    with every syntax theme)."""
    return max((c.cell_len for c in _highlighted(source, DARK_SYNTAX)), default=0)


class SourcePanel(VerticalScroll, can_focus=False):
    """Scenario source with a gutter that shows where each thread is."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "source--marked",
        "source--lineno",
    }

    DEFAULT_CSS = """
    SourcePanel {
        & > .source--marked { background: $primary-muted; }
        & > .source--lineno { color: $text-muted; }
        /* a light theme's muted primary is too dark behind its code: a lighter tint */
        &:light > .source--marked { background: $primary 15%; }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, repaint=False)
    """The run to draw; the panel redraws and scrolls when it changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: dict[tuple[object, ...], tuple[Text, ...]] = {}
        self._rows_layout: tuple[object, ...] | None = None
        self.chosen_file: str | None = None
        """The file the user chose to see (its path); None: the file of the thread in view."""
        self.shown: ProgramFile | None = None
        """The file shown, when the program has more than one."""
        self._natural = 0
        """The width that shows the longest line unwrapped (see ``_natural_width``)."""

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: Theme) -> None:
        """Draw the code again in the new theme's colours."""
        self.watch_snapshot(self.snapshot)

    def show_file(self, path: str | None) -> None:
        """Show the program file at ``path`` (None: follow the thread in view)."""
        self.chosen_file = path
        self.watch_snapshot(self.snapshot)

    def compose(self) -> ComposeResult:
        yield SourceRows(id="source-text")

    def get_content_width(self, container: Size, viewport: Size) -> int:
        # As wide as the longest line when there is room (``container``: the room beside the
        # side panel); narrower, the long lines wrap to the width the panel gets.
        drawn = super().get_content_width(container, viewport)
        return max(drawn, min(self._natural, container.width))

    @property
    def wanted_height(self) -> int:
        """The height that shows every row (with the borders and a horizontal scrollbar)."""
        rows = self.query_one(SourceRows).row_count
        return rows + self.gutter.height + self.scrollbar_size_horizontal

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
        rows, spans, focus = self._render_source(snapshot, source, here)
        natural = self._natural_width(snapshot, source)
        if natural != self._natural:
            self._natural = natural
            self.refresh(layout=True)
        self.query_one(SourceRows).show(rows)
        if spans:
            self.call_after_refresh(self._keep_in_view, spans, focus)

    @staticmethod
    def _natural_width(snapshot: Snapshot, source: tuple[SourceLine, ...]) -> int:
        """The width the panel asks for: the longest line with line numbers and the gutter
        (a narrower panel wraps the long lines)."""
        lane_width = max((len(t.name) for t in snapshot.threads), default=2) + 1
        gutter_width = min(lane_width * len(snapshot.threads), MAX_LANES_WIDTH)
        return gutter_width + 4 + _longest(source)

    @staticmethod
    def _focus_line(snapshot: Snapshot, here: tuple[ThreadView, ...]) -> int | None:
        """The line that must stay in view when not every marked line fits: that of the
        first thread of ``in_view_order`` here."""
        lines = {t.name: t.line for t in here if t.state is not ThreadState.DONE}
        for name in in_view_order(snapshot):
            line = lines.get(name)
            if line is not None:
                return line
        return None

    def on_resize(self) -> None:
        self.watch_snapshot(self.snapshot)  # the gutter, line numbers and wrapping depend on it

    def _keep_in_view(self, spans: list[tuple[int, int]], focus: tuple[int, int] | None) -> None:
        visible = max(self.scrollable_content_region.height, 1)
        top, bottom = rows_to_show(spans, focus, visible)
        # Where the panel scrolls depends on the rows to keep alone, never on where it was:
        # the same snapshot always shows the same rows, however many frames led to it.
        target = min(scroll_target(top, bottom, visible), int(self.max_scroll_y))
        if self.scroll_y != target:
            self.scroll_to(y=target, animate=False, immediate=True, force=True)

    def _render_source(
        self, snapshot: Snapshot, source: tuple[SourceLine, ...], in_file: tuple[ThreadView, ...]
    ) -> tuple[list[Text], list[tuple[int, int]], tuple[int, int] | None]:
        """The ``source`` as rows of Text (a long line wraps onto several), the first and last
        row of each line that carries a marker of a thread ``in_file`` (the threads in that
        file), and those of the line to keep in view above all (None: no such line)."""
        at_line: dict[int, list[ThreadView]] = {}
        for thread in in_file:
            if thread.line is not None and thread.state is not ThreadState.DONE:
                at_line.setdefault(thread.line, []).append(thread)
        focus_line = self._focus_line(snapshot, in_file)
        lane_width = max((len(t.name) for t in snapshot.threads), default=2) + 1
        lanes_width = lane_width * len(snapshot.threads)
        view_width = self.scrollable_content_region.width
        use_lanes = lanes_width <= min(MAX_LANES_WIDTH, view_width // 4)
        numbered = view_width >= NUMBERED_WIDTH
        by_key = not use_lanes and not numbered  # narrow: the threads' numbers, not names
        gutter_width = (
            lanes_width
            if use_lanes
            else max((_compact_width(here, by_key) for here in at_line.values()), default=0)
        )
        # Long thread names ('ThreadPoolExecutor-0_0') are cut: the code keeps most of the room.
        gutter_width = max(min(gutter_width, view_width // 4), KEYS_GUTTER if by_key else 3)
        number_width = 4 if numbered else 0
        room = view_width - gutter_width - number_width
        wrap = room >= MIN_CODE_WIDTH
        # Only the marked line's background and the line numbers' colour, resolved over the
        # panel's background (a colour with some transparency, "auto" text)
        marked_style = Style(bgcolor=self.get_component_rich_style("source--marked").bgcolor)
        lineno_style = Style(color=self.get_component_rich_style("source--lineno").color)
        dark = dark_theme(self)
        syntax = syntax_theme(self.app.current_theme)
        highlighted = _highlighted(source, syntax)
        code_width = _longest(source)
        # Wrapped rows are no wider than the panel, nor than the longest line needs, so the
        # panel can shrink again (its width follows them: ``get_content_width``).
        natural = gutter_width + number_width + code_width
        width = min(view_width, natural) if wrap else max(natural, view_width)
        output: list[Text] = []
        spans: list[tuple[int, int]] = []
        focus: tuple[int, int] | None = None
        # A line is built again only when what it shows changed (its markers, the layout):
        # at max speed the markers move on a few lines a frame.
        names = tuple(t.name for t in snapshot.threads)
        looks = (marked_style, lineno_style, syntax)
        layout = (
            names,
            use_lanes,
            by_key,
            lane_width,
            gutter_width,
            numbered,
            width,
            wrap,
            *looks,
        )
        if layout != self._rows_layout:
            self._rows_layout = layout
            self._rows.clear()
        blank_gutter = Text(" " * gutter_width)
        for row, (line, code) in enumerate(zip(source, highlighted, strict=True)):
            here = at_line.get(line.lineno, []) if line.lineno else []
            key = (row, line, tuple((t.name, t.index) for t in here))
            built = self._rows.get(key)
            if built is None:
                gutter = Text()
                if use_lanes:
                    for thread in snapshot.threads:
                        name = thread.name if thread in here else ""
                        gutter.append(name.ljust(lane_width), thread_style(thread.index, dark=dark))
                else:
                    for thread in here:
                        marker = str(thread.index) if by_key else thread.name
                        gutter.append(marker, thread_style(thread.index, dark=dark))
                        gutter.append(" ")
                    gutter.align("right", gutter_width)
                gutter.truncate(gutter_width, pad=True)
                number = (f"{line.lineno:>3} " if line.lineno else "    ") if numbered else ""
                pieces = wrap_code(code, room, lineno_style) if wrap else [code]
                built = tuple(
                    Text.assemble(
                        gutter if n == 0 else blank_gutter,
                        (number if n == 0 else " " * number_width, lineno_style),
                        piece,
                    )
                    for n, piece in enumerate(pieces)
                )
                for rendered in built:
                    rendered.pad_right(width - rendered.cell_len)
                    if here:
                        rendered.stylize(marked_style)
                    rendered.no_wrap = True
                if len(self._rows) > CACHED_ROWS:
                    self._rows.clear()
                self._rows[key] = built
            if here:
                spans.append((len(output), len(output) + len(built) - 1))
                if line.lineno == focus_line:
                    focus = spans[-1]
            output.extend(built)
        return output, spans, focus


def scroll_target(top: int, bottom: int, visible: int) -> int:
    """The first row to show so that rows ``top``..``bottom`` are in view, a third of the
    room they leave above them (the panel clamps it to what it can scroll)."""
    spare = max(0, visible - (bottom - top + 1))
    return max(0, top - spare // 3)


def rows_to_show(
    spans: list[tuple[int, int]], focus: tuple[int, int] | None, visible: int
) -> tuple[int, int]:
    """The first and last row to keep in view, ``visible`` rows at most: ``focus`` (the rows
    of the line that matters most, else the first of ``spans``) and then as many of the
    other ``spans`` (first and last row of each marked line) as fit, the nearest first."""
    top, bottom = focus if focus is not None else spans[0]
    bottom = min(bottom, top + visible - 1)
    for first, last in sorted(spans, key=lambda span: (abs(span[0] - top), span[0])):
        wider = min(top, first), max(bottom, last)
        if wider[1] - wider[0] < visible:
            top, bottom = wider
    return top, bottom


def wrap_code(code: Text, room: int, continued_style: Style) -> list[Text]:
    """``code`` cut into rows of at most ``room`` cells, after a space when there is one
    in the second half of the row, else after a comma, a dot or an opening bracket; the
    rows after the first start ``HANG`` cells further in than the line's indentation, after
    a dim ``CONTINUED`` mark."""
    plain = code.plain
    if len(plain) <= room:
        return [code]
    indent = len(plain) - len(plain.lstrip(" "))
    hang = min(indent + HANG, room // 2)
    lead = Text.assemble(" " * (hang - len(CONTINUED)), (CONTINUED, continued_style))
    rows: list[Text] = []
    start, width = 0, room
    while len(plain) - start > width:
        end = start + width
        space = plain.rfind(" ", start + width // 2, end + 1)  # a space at ``end`` fits
        if space >= 0:
            cut = space + 1
        else:  # no space: after a comma, a dot or an opening bracket, not inside a name
            after = max(plain.rfind(mark, start + width // 2, end) for mark in BREAKS)
            cut = after + 1 if after >= 0 else end
        piece = code[start:cut]
        piece.rstrip()
        rows.append(piece if not rows else lead + piece)
        start, width = cut, room - hang
        while start < len(plain) and plain[start] == " ":
            start += 1
    if start < len(plain):
        rows.append(lead + code[start:])
    return rows


def _compact_width(threads: list[ThreadView], by_key: bool) -> int:
    """The gutter a line's threads take, each by its name (or number) and a space."""
    return sum(len(str(t.index) if by_key else t.name) + 1 for t in threads)
