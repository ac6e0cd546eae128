"""Before opening a variant from the picker: its parameters and the seed, each in a field of
its own (prefilled with the defaults), checked as the command line checks them."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ...engine.lesson.scenario import ConfigError, RunConfig, Scenario, resolve_config

SEED_DIGITS = 19
"""The most digits a seed has (the largest is 2**63 - 1)."""


class SetupScreen(ModalScreen[RunConfig | None]):
    """Set the parameters and seed of one variant; Enter opens it, Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, scenario: Scenario, variant: str) -> None:
        super().__init__()
        self.scenario = scenario
        self.variant = variant

    def compose(self) -> ComposeResult:
        scenario = self.scenario
        with Vertical(id="setup"):
            yield Label(f"{scenario.name} · variant {self.variant}", id="setup-title")
            with Grid(id="setup-fields"):
                for param in scenario.params:
                    yield Label(f"{param.name} ({param.minimum}..{param.maximum})")
                    yield Input(
                        str(param.default),
                        restrict=r"[0-9]*",
                        max_length=len(str(param.maximum)),
                        id=f"param-{param.name}",
                        tooltip=param.help,
                    )
                yield Label("seed")
                yield Input("0", restrict=r"[0-9]*", max_length=SEED_DIGITS, id="seed")
            yield Label("Enter opens it, paused at step 0 · Esc goes back", id="setup-help")
            yield Label("", id="setup-error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        params = {
            param.name: self.query_one(f"#param-{param.name}", Input).value
            for param in self.scenario.params
        }
        seed = self.query_one("#seed", Input).value
        try:
            config = resolve_config(self.scenario, self.variant, params, seed or "0")
        except ConfigError as error:
            self.query_one("#setup-error", Label).update(str(error))
            return
        self.dismiss(config)

    def action_cancel(self) -> None:
        self.dismiss(None)
