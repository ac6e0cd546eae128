"""The threads panel: number (the key that steps it), name, state, what it waits on, and
what it is doing."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from ...engine.snapshot.model import Snapshot, ThreadState, ThreadView
from .fitted import FittedPanel
from .palette import STATE_GLYPHS, STATE_MEANINGS, dark_theme, thread_style

NARROW = 36
"""Below this many cells what each thread is doing is left out (the source panel shows it),
and where even the state's word does not fit beside what a thread waits on, its glyph
stands alone; above, it gets its own column where it fits, else one line says what a
thread waits on or what it is doing."""
OPERATION_WIDTH = 32
"""The room the operation column needs beside the waits-on column."""


class ThreadsPanel(FittedPanel):
    """One row per scenario thread, numbered as the 1-9 keys step them."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "threads--runnable",
        "threads--running",
        "threads--blocked",
        "threads--waiting",
        "threads--working",
        "threads--sleeping",
        "threads--done",
        "threads--failed",
        "threads--header",
    }

    DEFAULT_CSS = """
    ThreadsPanel {
        height: auto;
        & > .threads--runnable { color: $text; }
        & > .threads--running { color: $success; text-style: bold; }
        & > .threads--blocked { color: $error; }
        & > .threads--waiting { color: $warning; }
        & > .threads--working { color: $accent; }
        & > .threads--sleeping { color: $text-muted; }
        & > .threads--done { color: $text-disabled; }
        & > .threads--failed { color: $error; text-style: bold reverse; }
        & > .threads--header { color: $text-muted; text-style: bold; }
        /* a light theme's own text colours: its success and warning are faint on white */
        &:light {
            & > .threads--running { color: $text-success; }
            & > .threads--blocked { color: $text-error; }
            & > .threads--waiting { color: $text-warning; }
            & > .threads--working { color: $text-accent; }
            & > .threads--done { color: $text-muted; }
            & > .threads--failed { color: $text-error; }
        }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The run whose threads are listed."""

    def watch_snapshot(self) -> None:
        self.refit()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # A heading and one unwrapped line a thread: known without drawing the rows, which
        # saves a whole render at every layout (the panel re-lays out at every snapshot).
        snapshot = self.snapshot
        if snapshot is None or not snapshot.threads:
            return 1
        return 1 + len(snapshot.threads)

    def render(self) -> RenderResult:
        snapshot = self.snapshot
        if snapshot is None or not snapshot.threads:
            return Text("")
        threads = snapshot.threads
        header = self.get_component_rich_style("threads--header")
        widths = (
            max(len(str(t.index)) for t in threads),
            max(max(len(t.name) for t in threads), len("thread")),
            max(len(state.value) for state in ThreadState) + 2,
            max([len("waits on")] + [len(p.name) for p in snapshot.primitives]),
        )
        fixed = sum(widths) + len(widths)
        in_column = self.size.width - fixed >= OPERATION_WIDTH
        if not in_column and self.size.width >= NARROW:
            return self._compact(snapshot, widths[:3], header)
        # Too narrow for the state's word beside what a thread waits on: its glyph alone
        # (in the state's colour; the help screen says what each glyph means).
        glyph_only = not in_column and self.size.width < fixed
        if glyph_only:
            widths = (widths[0], widths[1], 1, widths[3])
        heading = ["#", "thread", "" if glyph_only else "state", "waits on"]
        lines = [
            self._row(
                [Text(h, style=header) for h in heading]
                + ([Text("doing", style=header)] if in_column else []),
                widths,
            )
        ]
        for thread in threads:
            cells = [
                Text(str(thread.index), style="bold"),
                Text(thread.name, style=thread_style(thread.index, dark=dark_theme(self))),
                self.state_text(thread.state, glyph_only=glyph_only),
                Text(thread.waits_on or "", style="bold"),
            ]
            doing = doing_text(thread)
            lines.append(self._row([*cells, doing] if in_column else cells, widths))
        return Group(*lines)

    def _compact(self, snapshot: Snapshot, widths: tuple[int, ...], header: Style) -> Group:
        """One line a thread where there is no room for both columns: what a blocked or
        waiting thread waits on, else what it is doing."""
        heading = [Text(h, style=header) for h in ("#", "thread", "state", "waits on · doing")]
        lines = [self._row(heading, widths)]
        for thread in snapshot.threads:
            if thread.waits_on:
                last = Text.assemble(("on ", "dim"), (thread.waits_on, "bold"))
            else:
                last = doing_text(thread)
            cells = [
                Text(str(thread.index), style="bold"),
                Text(thread.name, style=thread_style(thread.index, dark=dark_theme(self))),
                self.state_text(thread.state),
                last,
            ]
            lines.append(self._row(cells, widths))
        return Group(*lines)

    @staticmethod
    def _row(cells: list[Text], widths: tuple[int, ...]) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis")
        for position, cell in enumerate(cells):
            if position:
                row.append(" ")
            if position < len(widths):
                cell = cell.copy()
                cell.align("right" if position == 0 else "left", widths[position])
            row.append_text(cell)
        return row

    def state_text(self, state: ThreadState, *, glyph_only: bool = False) -> Text:
        """The state as glyph and word (or its glyph alone), in the state's colour."""
        style = self.get_component_rich_style(f"threads--{state.value}")
        if glyph_only:
            return Text(STATE_GLYPHS[state], style=style)
        return Text(f"{STATE_GLYPHS[state]} {state.value}", style=style)


def outside_words(seconds: float) -> str:
    """How a thread away from every checkpoint for ``seconds`` is described."""
    return f"running outside the schedule for {seconds:.1f} s"


def doing_text(thread: ThreadView) -> Text:
    """What the thread is doing: its operation, or that it runs outside the schedule (a
    busy loop, real I/O, a blocking call) and has not reached a checkpoint for a while."""
    if thread.outside_for is not None:
        return Text(outside_words(thread.outside_for), style="bold")
    return Text(thread.operation, style="dim" if thread.state.ended else "")


class StateLegend(ThreadsPanel):
    """Every thread state with its glyph, colour and meaning (for the help screen)."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Meanings may wrap: measure what is drawn.
        return Widget.get_content_height(self, container, viewport, width)

    def render(self) -> RenderResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column()
        for state, meaning in STATE_MEANINGS.items():
            table.add_row(self.state_text(state), Text(meaning, style="dim"))
        return table
