"""The output panel: the last lines the program printed, each after the name of the thread
that printed it. It hides itself while the program has printed nothing, and never takes
more than a few rows or wider than the screen: a long line is cut, control characters are
shown as symbols, so nothing a program prints can disturb the screen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive

from ...engine.snapshot.model import OutputLine, Snapshot
from .fitted import FittedPanel
from .palette import dark_theme, thread_style

OUTPUT_ROWS = 5
"""How many of the latest printed lines the panel shows."""

LONGEST = 400
"""Characters of a line looked at: the rest is beyond any screen's width anyway."""

_VISIBLE = {code: 0x2400 + code for code in range(32)} | {0x7F: 0x2421}
"""Control characters as their Unicode pictures (␛ for escape): a program's output must
never reach the terminal as escape sequences."""
_VISIBLE[ord("\t")] = ord(" ")


def visible(text: str) -> str:
    """``text`` cut to ``LONGEST`` characters, control characters shown as symbols."""
    return text[:LONGEST].translate(_VISIBLE)


def latest_output(snapshot: Snapshot) -> tuple[OutputLine, ...]:
    return snapshot.output[-OUTPUT_ROWS:]


class OutputPanel(FittedPanel):
    """The latest lines the program printed; displayed only once it has printed one."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"output--stderr", "output--thread"}

    DEFAULT_CSS = """
    OutputPanel {
        height: auto;
        max-height: 7;
        overflow: hidden;
        &.-empty { display: none; }
        & > .output--stderr { color: $error; }
        & > .output--thread { text-style: dim; }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The run whose output is shown."""

    def on_mount(self) -> None:
        self._update_empty()

    def watch_snapshot(self) -> None:
        self._update_empty()
        self.refit()

    def _update_empty(self) -> None:
        self.set_class(not (self.snapshot is not None and self.snapshot.output), "-empty")

    def render(self) -> Text:
        snapshot = self.snapshot
        if snapshot is None or not snapshot.output:
            return Text("")
        indices = {t.name: t.index for t in snapshot.threads}
        stderr = self.get_component_rich_style("output--stderr")
        muted = self.get_component_rich_style("output--thread")
        dark = dark_theme(self)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        lines = latest_output(snapshot)
        width = max(len(line.thread or "?") for line in lines)  # the texts line up
        for number, line in enumerate(lines):
            if number:
                text.append("\n")
            who = line.thread or "?"
            index = indices.get(who)
            style = thread_style(index, dark=dark) if index is not None else muted
            text.append(who.ljust(width), style)
            text.append("  ")
            text.append(visible(line.text), stderr if line.stream == "stderr" else "")
        return text
