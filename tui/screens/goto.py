"""Small prompts for a number: the step to go to (the g key), the thread to step (the # key).

The step is typed into an input of our own rather than Textual's ``Input(type="integer")``:
Textual checks every key of an integer input against ``[-+]?(?:\\d*|\\d+_)*``, which
backtracks exponentially (24 digits and a letter froze the app for a second, 30 for minutes),
and its ``\\d`` also takes non-ASCII digits. Here a key is taken only if the entry stays plain
ASCII digits and no longer than the run's last step needs; both are checked character by
character, with no regular expression.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label

MAX_STEP_DIGITS = 12
"""The most digits the prompt takes, whatever the run (a trillion steps is out of reach)."""

_SHOWN_CHARS = 16
"""How much of a refused entry an error repeats, so that the error stays one short line."""


def step_digits(last: int) -> int:
    """How many digits the prompt takes for a run whose steps are 0..last: enough for
    ``last``, at least 1, at most MAX_STEP_DIGITS."""
    return max(1, min(MAX_STEP_DIGITS, len(str(max(0, last)))))


def is_digits(text: str) -> bool:
    """Whether ``text`` is plain ASCII digits only (no sign, space, underscore or other
    script's digits; the empty string is digits only too)."""
    return all("0" <= char <= "9" for char in text)


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def parse_step(text: str, last: int) -> int | str:
    """The step typed, or a one-line reason why it is not one (valid: 0..last).

    Only plain ASCII digits are a step. The text is never handed to ``int`` whole when it is
    longer than any step of the run could be, so a long entry costs nothing.
    """
    valid = f"(valid: 0..{last})"
    if not text:
        return f"type a step number {valid}"
    if not is_digits(text):
        return f"{_shown(text)!r} is not a step number {valid}"
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(max(0, last))):
        return f"step {_shown(significant)} is not in this run {valid}"
    step = int(significant)
    if not 0 <= step <= last:
        return f"step {step} is not in this run {valid}"
    return step


class StepInput(Input):
    """An input that holds at most ``digits`` ASCII digits and nothing else.

    Every edit (a key, a paste, a deletion) goes through ``replace``; one that would leave
    anything else in the input is refused, with a bell and a ``Refused`` message saying why.
    """

    class Refused(Message):
        """An edit was refused; ``reason`` is a few words for the user."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, digits: int, *, placeholder: str = "", id: str | None = None) -> None:
        # restrict and max_length repeat the check for Textual's own code paths; the pattern
        # is a single character class, which cannot backtrack.
        super().__init__(placeholder=placeholder, restrict=r"[0-9]*", max_length=digits, id=id)
        self.digits = digits

    def replace(self, text: str, start: int, end: int) -> None:
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        if not is_digits(text):
            self._refuse("digits only")
            return
        if len(value) - (end - start) + len(text) > self.digits:
            self._refuse(f"at most {self.digits} digit{'s' if self.digits != 1 else ''}")
            return
        super().replace(text, start, end)

    def _refuse(self, reason: str) -> None:
        self.post_message(self.Refused(reason))
        self.restricted()


class GotoScreen(ModalScreen[int | None]):
    """Ask for a step number; dismiss with it, or with None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    GotoScreen {
        align: center middle;
    }
    GotoScreen > Vertical {
        width: 60;
        height: auto;
        padding: 0 1;
        border: round $primary;
        background: $surface;
    }
    GotoScreen #goto-error {
        color: $error;
        width: 1fr;
    }
    """

    def __init__(self, current: int, last: int) -> None:
        super().__init__()
        self.current = current
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                f"Go to step (0..{self.last}; now at {self.current}), Enter; empty or Esc stays"
            )
            yield StepInput(step_digits(self.last), placeholder=str(self.current), id="goto-step")
            yield Label("", id="goto-error")

    def _say(self, text: str) -> None:
        self.query_one("#goto-error", Label).update(text)

    def on_step_input_refused(self, event: StepInput.Refused) -> None:
        self._say(f"{event.reason} (valid: 0..{self.last})")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._say("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value:  # nothing typed: the placeholder's step, where the run is now
            self.dismiss(None)
            return
        step = parse_step(event.value, self.last)
        if isinstance(step, str):
            self._say(step)
            return
        self.dismiss(step)

    def action_cancel(self) -> None:
        self.dismiss(None)


def parse_thread(text: str, threads: int) -> int | str:
    """The thread number typed, or a one-line reason why it is not one (valid: 1..threads)."""
    valid = f"(valid: 1..{threads})"
    if not text:
        return f"type a thread number {valid}"
    if not is_digits(text):
        return f"{_shown(text)!r} is not a thread number {valid}"
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(threads)) or not 1 <= int(significant) <= threads:
        return f"there is no thread {_shown(significant)} {valid}"
    return int(significant)


class ThreadPrompt(ModalScreen[int | None]):
    """Ask for the number of the thread to step (any number, where 1-9 are keys of their
    own); dismiss with it, or with None when cancelled or left empty."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = GotoScreen.DEFAULT_CSS.replace("GotoScreen", "ThreadPrompt").replace(
        "#goto-error", "#thread-error"
    )

    def __init__(self, threads: int) -> None:
        super().__init__()
        self.threads = threads

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Step thread number (1..{self.threads}), Enter or Esc")
            yield StepInput(len(str(max(1, self.threads))), id="thread-number")
            yield Label("", id="thread-error")

    def _say(self, text: str) -> None:
        self.query_one("#thread-error", Label).update(text)

    def on_step_input_refused(self, event: StepInput.Refused) -> None:
        self._say(f"{event.reason} (valid: 1..{self.threads})")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._say("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self.dismiss(None)
            return
        number = parse_thread(event.value, self.threads)
        if isinstance(number, str):
            self._say(number)
            return
        self.dismiss(number)

    def action_cancel(self) -> None:
        self.dismiss(None)
