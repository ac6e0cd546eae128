"""Colours and glyphs shared by the panels, so a thread looks the same everywhere."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from threadlab.engine.model import ThreadState

THREAD_COLOURS: tuple[str, ...] = (
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
"""One colour per thread, by its 1-based index (wrapping after nine)."""

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


def thread_colour(index: int) -> str:
    """The colour of the thread numbered ``index`` (1-based)."""
    return THREAD_COLOURS[(index - 1) % len(THREAD_COLOURS)]


def thread_style(index: int) -> Style:
    return Style(color=thread_colour(index), bold=True)


def thread_names(names: tuple[str, ...] | list[str], indices: dict[str, int]) -> Text:
    """Thread names in their colours, separated by spaces ('—' when there are none)."""
    if not names:
        return Text("—", style="dim")
    text = Text()
    for position, name in enumerate(names):
        if position:
            text.append(" ")
        text.append(name, style=thread_style(indices.get(name, 0)))
    return text


def with_thread_colours(text: str, indices: dict[str, int], style: Style | str = "") -> Text:
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
        result.stylize(thread_style(indices[found]), position, end)
        position = end
    return result


def _name_at(text: str, name: str, position: int) -> bool:
    """Whether ``name`` stands whole at ``position`` in ``text``."""
    end = position + len(name)
    return text[position:end] == name and (end == len(text) or not _word_character(text[end]))


def _word_character(character: str) -> bool:
    return character.isalnum() or character == "_"
