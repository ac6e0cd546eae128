"""The hint line: one line that says what to do next, what was refused, or what is under way.

It shows, in this order of precedence:

- *busy*: slow work in progress ("rewinding to step 40…"), until it is done;
- a *message*: the latest refusal or result; a new one replaces it, and it fades after a
  few seconds or when the next action succeeds (so refusals never pile up like toasts);
- the standing *hint* for the snapshot: what the user can do when the run waits for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from ...engine.snapshot.model import RunState, Snapshot
from .verdict import shows_verdict

CONDITION_KEYS = "s to signal, b to broadcast, w for a spurious wakeup"
"""The keys that move a condition's waiters (the scenario has a condition variable)."""
EVENT_KEYS = "e to post an event"
"""The key that posts to the event loop's queue (the scenario has one)."""

MESSAGE_SECONDS = 5.0
"""How long a message stays when nothing replaces it."""

Severity = Literal["information", "warning", "error"]

_GLYPHS: dict[str, str] = {
    "hint": "➜",
    "busy": "⟳",
    "information": "✓",
    "warning": "!",
    "error": "✗",
}


def hint_for(
    snapshot: Snapshot | None, goal: str | None = None, winnable: bool = False
) -> str | None:
    """What the user can do next, when the run waits for them (None otherwise); paused at
    step 0, the run's challenge ``goal`` comes first, and a run that ended without winning
    its (``winnable``) challenge says so."""
    if snapshot is None or shows_verdict(snapshot):
        return None
    if snapshot.idle_reason:
        reason = snapshot.idle_reason.rstrip(".")
        keys = user_keys(snapshot)
        press = f" Press {keys}." if keys else ""
        return f"{reason[:1].upper()}{reason[1:]}.{press}"
    if snapshot.run_state is RunState.FINISHED:
        if goal is not None and winnable and snapshot.verdict is None:
            missed = "Every thread has finished, and the bug did not happen"
            return f"{missed}. Press r to try again: {goal}."
        return "Every thread has finished. Press r to run it again."
    if snapshot.run_state is RunState.PAUSED:
        keys = "1-9 or # to step a thread" if len(snapshot.threads) > 9 else "1-9 to step a thread"
        if goal is not None and snapshot.step == 0:
            return f"Challenge: {goal}. Press space to run, n to take one step, {keys}."
        return f"Paused: press space to run, n to take one step, {keys}."
    return None


def user_keys(snapshot: Snapshot) -> str:
    """The keys by which the user can move this run's waiting threads (those that apply to
    its scenario: a condition's s, b and w, an event queue's e), or ''."""
    keys = []
    if any(primitive.kind == "condition" for primitive in snapshot.primitives):
        keys.append(CONDITION_KEYS)
    if snapshot.event_queues:
        keys.append(EVENT_KEYS)
    return "; or ".join(keys)


@dataclass(frozen=True)
class HintMessage:
    """A transient message: a refusal, an error, or the result of an action."""

    text: str
    severity: Severity = "warning"
    seconds: float = MESSAGE_SECONDS
    """How long it stays when nothing replaces it."""


class HintLine(Widget):
    """Shown only while there is something to say."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "hint--hint",
        "hint--busy",
        "hint--information",
        "hint--warning",
        "hint--error",
    }

    DEFAULT_CSS = """
    HintLine {
        height: auto;
        display: none;
        &.-shown { display: block; }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, layout=True)
    """The run the standing hint is about."""
    message: reactive[HintMessage | None] = reactive(None, layout=True)
    """The latest refusal or result, until it fades or is replaced."""
    busy: reactive[str | None] = reactive(None, layout=True)
    """Slow work under way ("rewinding to step 40…"); shown above everything else."""
    goal: reactive[str | None] = reactive(None, layout=True)
    """The run's challenge, in words: the standing hint at step 0 says it."""
    winnable: reactive[bool] = reactive(False, layout=True)
    """Whether the challenge is a buggy variant's (a run that ends without its bug says so)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._fade: Timer | None = None

    def say(
        self, text: str, severity: Severity = "warning", seconds: float = MESSAGE_SECONDS
    ) -> None:
        """Show ``text`` in place of any earlier message; it fades after ``seconds``."""
        if self._fade is not None:
            self._fade.stop()
        self.message = HintMessage(text, severity)
        self._fade = self.set_timer(seconds, self.clear_message)

    def clear_message(self) -> None:
        """Drop the message (the next action succeeded, or its time is up)."""
        if self._fade is not None:
            self._fade.stop()
            self._fade = None
        self.message = None

    @property
    def shown(self) -> tuple[str, str] | None:
        """What the line shows now, as (kind, text), kind being 'busy', 'hint' or the
        message's severity; None when it is hidden."""
        if self.busy is not None:
            return "busy", self.busy
        if self.message is not None:
            return self.message.severity, self.message.text
        hint = hint_for(self.snapshot, self.goal, self.winnable)
        return ("hint", hint) if hint is not None else None

    @property
    def text(self) -> str:
        """The words on the line ('' when hidden), without the glyph."""
        shown = self.shown
        return shown[1] if shown is not None else ""

    def _update_shown(self) -> None:
        self.set_class(self.shown is not None, "-shown")

    def watch_snapshot(self) -> None:
        self._update_shown()

    def watch_message(self) -> None:
        self._update_shown()

    def watch_busy(self) -> None:
        self._update_shown()

    def watch_goal(self) -> None:
        self._update_shown()

    def watch_winnable(self) -> None:
        self._update_shown()

    def render(self) -> Text:
        shown = self.shown
        if shown is None:
            return Text("")
        kind, words = shown
        return Text(
            f"{_GLYPHS[kind]} {words}", self.get_component_rich_style(f"hint--{kind}", partial=True)
        )
