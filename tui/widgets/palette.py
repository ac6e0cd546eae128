"""Colours and glyphs shared by the panels, so a thread looks the same everywhere.

Thread colours come in two palettes, one for dark themes and one for light ones (pale
colours that read well on a dark background vanish on a light one); a panel asks which
applies with ``dark_theme(self)`` and draws again when the theme changes.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.dom import DOMNode

from ...engine.snapshot.model import ThreadState

DARK_THREAD_COLOURS: tuple[str, ...] = (
    "#5fafff",  # blue
    "#ffaf5f",  # orange
    "#d787ff",  # violet
    "#5fd7af",  # teal
    "#ff87af",  # pink
    "#d7d75f",  # olive
    "#87d7ff",  # sky
    "#d7af87",  # tan
    "#afafff",  # lavender
)
"""One colour per thread on a dark theme, by its 1-based index (wrapping after nine)."""

LIGHT_THREAD_COLOURS: tuple[str, ...] = (
    "#0050a8",  # blue
    "#a14000",  # orange
    "#8a22b0",  # violet
    "#00705c",  # teal
    "#b0124f",  # pink
    "#5c5c00",  # olive
    "#006690",  # sky
    "#7a4e24",  # tan
    "#4848c8",  # indigo
)
"""The same hues, dark enough for a light theme: each has a contrast of at least 4.5 with
the background of every light theme Textual ships (and 3.5 on a marked code line)."""

STATE_GLYPHS: dict[ThreadState, str] = {
    ThreadState.RUNNABLE: "▷",
    ThreadState.RUNNING: "▶",
    ThreadState.BLOCKED: "■",
    ThreadState.WAITING: "◇",
    ThreadState.WORKING: "◐",
    ThreadState.SLEEPING: "◌",
    ThreadState.DONE: "✓",
    ThreadState.FAILED: "✗",
}
"""A glyph per thread state, so the state reads without colour too."""

STATE_MEANINGS: dict[ThreadState, str] = {
    ThreadState.RUNNABLE: "ready: the scheduler (or you) may pick it next",
    ThreadState.RUNNING: "taking its step right now",
    ThreadState.BLOCKED: "in a mutex's or semaphore's wait queue",
    ThreadState.WAITING: "in a condition's wait queue, until a signal or wakeup",
    ThreadState.WORKING: "runnable, in the middle of work that takes several steps",
    ThreadState.SLEEPING: "in time.sleep, until the run's virtual clock reaches its time",
    ThreadState.DONE: "finished",
    ThreadState.FAILED: "raised an exception",
}
"""What each state means, in words, for the help screen."""

YOU = "you"
"""How the event log names the user (events with no thread)."""


def dark_theme(node: DOMNode) -> bool:
    """Whether the app of ``node`` shows a dark theme now (which thread palette applies)."""
    return node.app.current_theme.dark


def thread_colour(index: int, *, dark: bool) -> str:
    """The colour of the thread numbered ``index`` (1-based), on a dark or light theme."""
    colours = DARK_THREAD_COLOURS if dark else LIGHT_THREAD_COLOURS
    return colours[(index - 1) % len(colours)]


def thread_style(index: int, *, dark: bool) -> Style:
    return Style(color=thread_colour(index, dark=dark), bold=True)


def thread_names(
    names: tuple[str, ...] | list[str], indices: dict[str, int], *, dark: bool
) -> Text:
    """Thread names in their colours, separated by spaces ('—' when there are none)."""
    if not names:
        return Text("—", style="dim")
    text = Text()
    for position, name in enumerate(names):
        if position:
            text.append(" ")
        text.append(name, style=thread_style(indices.get(name, 0), dark=dark))
    return text


def with_thread_colours(
    text: str, indices: dict[str, int], style: Style | str = "", *, dark: bool
) -> Text:
    """``text`` with every whole thread name in it drawn in its thread's colour.

    A name counts where no letter, digit or underscore touches it, and longer names are
    tried first, so T10 is not taken for T1 followed by 0.
    """
    result = Text(text, style=style)
    names = sorted(indices, key=len, reverse=True)
    position = 0
    while position < len(text):
        found = None
        if position == 0 or not _word_character(text[position - 1]):
            found = next((name for name in names if _name_at(text, name, position)), None)
        if found is None:
            position += 1
            continue
        end = position + len(found)
        result.stylize(thread_style(indices[found], dark=dark), position, end)
        position = end
    return result


def _name_at(text: str, name: str, position: int) -> bool:
    """Whether ``name`` stands whole at ``position`` in ``text``."""
    end = position + len(name)
    return text[position:end] == name and (end == len(text) or not _word_character(text[end]))


def _word_character(character: str) -> bool:
    return character.isalnum() or character == "_"
