"""The source text, drawn line by line: a row is drawn again only when it changed.

At max speed the thread markers move at every frame, but only on a few rows; redrawing the
whole source for them cost more than any other panel.
"""

from __future__ import annotations

from rich.text import Span, Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

DRAWN_ROWS = 2_000
"""Drawn rows kept for reuse (a row with each marker it has had, for a few sizes)."""


class SourceRows(Widget):
    """Rows of rich text, one a line, each converted to a strip once and kept until it
    changes (as a ``Static`` draws the same text, span for span)."""

    DEFAULT_CSS = """
    SourceRows { width: auto; min-width: 100%; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Text] = []
        self._strips: dict[int, Strip] = {}
        self._drawn: dict[tuple[int, str, tuple[Span, ...]], Strip] = {}
        """Rows drawn before, by row and text: a marker that comes back needs no drawing."""
        self._width = 0

    def show(self, rows: list[Text]) -> None:
        """Draw ``rows``; only the rows that differ from the ones shown are drawn again."""
        old, self._rows = self._rows, rows
        width = max((row.cell_len for row in rows), default=0)
        if len(rows) != len(old) or width != self._width:
            self._width = width
            self._strips.clear()
            self.refresh(layout=True)
            return
        for y, (before, now) in enumerate(zip(old, rows, strict=True)):
            if before != now:
                self._strips.pop(y, None)
                self.refresh(Region(0, y, self.size.width, 1))

    @property
    def row_count(self) -> int:
        """How many rows it draws."""
        return len(self._rows)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._rows)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget()  # a new theme: every row is drawn again

    def on_resize(self) -> None:
        self._forget()

    def _forget(self) -> None:
        self._strips.clear()
        self._drawn.clear()

    def render_line(self, y: int) -> Strip:
        strip = self._strips.get(y)
        if strip is None:
            row = self._rows[y] if y < len(self._rows) else Text()
            key = (y, row.plain, tuple(row.spans))
            strip = self._drawn.get(key)
            if strip is None:
                if len(self._drawn) > DRAWN_ROWS:
                    self._drawn.clear()
                visual = visualize(self, row)
                width = self.size.width
                strip = Visual.to_strips(self, visual, width, 1, self.visual_style, pad=True)[0]
                strip = self._drawn[key] = strip.crop_extend(0, width, self.rich_style)
            self._strips[y] = strip
        return strip
