"""Asking before q quits threadlab from a run: a run is lost on quitting unless saved.

q means Quit on every screen (the picker quits at once: nothing is lost there); p goes
back to the scenarios. The question offers both, so the key that used to go back still
leads there.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

Leaving = Literal["quit", "scenarios"]
"""What the user chose: quit threadlab, or go back to the scenario picker."""


class QuitScreen(ModalScreen[Leaving | None]):
    """Quit threadlab? q or y quits, p goes back to the scenarios, esc or n stays."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,y", "leave('quit')", "Quit", id="confirm-quit"),
        Binding("p", "leave('scenarios')", "Scenarios", id="confirm-scenarios"),
        Binding("escape,n", "stay", "Stay", id="stay"),
    ]

    DEFAULT_CSS = """
    QuitScreen {
        align: center middle;
    }
    QuitScreen > Vertical {
        width: 60;
        height: auto;
        padding: 0 1;
        border: round $warning;
        background: $surface;
    }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Quit threadlab?", style="bold"))
            yield Label("This run is lost unless saved (ctrl+s).")
            yield Label(
                Text.assemble(
                    ("q", "bold"),
                    " or ",
                    ("y", "bold"),
                    " quit  ·  ",
                    ("p", "bold"),
                    " back to the scenarios  ·  ",
                    ("esc", "bold"),
                    " stay",
                )
            )

    def action_leave(self, choice: Leaving) -> None:
        self.dismiss(choice)

    def action_stay(self) -> None:
        self.dismiss(None)
