"""A small prompt for the step to go to (the g key)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


def parse_step(text: str, last: int) -> int | str:
    """The step typed, or a one-line reason why it is not one (valid: 0..last)."""
    try:
        step = int(text.strip())
    except ValueError:
        return f"{text.strip() or 'nothing'!r} is not a step number (valid: 0..{last})"
    if not 0 <= step <= last:
        return f"step {step} is not in this run (valid: 0..{last})"
    return step


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
            yield Label(f"Go to step (0..{self.last}; now at {self.current}), Enter or Esc")
            yield Input(placeholder=str(self.current), type="integer", id="goto-step")
            yield Label("", id="goto-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        step = parse_step(event.value, self.last)
        if isinstance(step, str):
            self.query_one("#goto-error", Label).update(step)
            return
        self.dismiss(step)

    def action_cancel(self) -> None:
        self.dismiss(None)
