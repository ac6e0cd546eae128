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
