"""The scenario picker: every scenario with its summary; Enter opens the highlighted one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from threadlab.engine.scenario import RunConfig, Scenario, resolve_config
from threadlab.scenarios import SCENARIOS


def describe(scenario: Scenario) -> Group:
    """The details shown beside the list: explanation, variants, parameters, invariants."""
    parts: list[Text | Table] = [
        Text(scenario.title, style="bold"),
        Text(""),
        Text(scenario.explanation),
        Text(""),
        Text("Variants", style="bold underline"),
    ]
    variants = Table.grid(padding=(0, 2))
    variants.add_column(no_wrap=True, style="bold")
    variants.add_column()
    for position, variant in enumerate(scenario.variants):
        variants.add_row(variant.name, variant.help + ("  (default)" if position == 0 else ""))
    parts.append(variants)
    if scenario.params:
        parts += [Text(""), Text("Parameters", style="bold underline")]
        params = Table.grid(padding=(0, 2))
        params.add_column(no_wrap=True, style="bold")
        params.add_column()
        for param in scenario.params:
            params.add_row(f"{param.name}={param.default}", param.help)
        parts.append(params)
    return Group(*parts)


class PickerScreen(Screen[None]):
    """Choose a scenario to run (default variant, seed 0)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            priority=True,
            tooltip="Run the highlighted scenario (default variant, seed 0)",
            id="open",
        ),
        Binding("q", "quit_app", "Quit", tooltip="Quit threadlab", id="quit"),
    ]

    @dataclass
    class Chosen(Message):
        """The user chose a configuration to run."""

        config: RunConfig

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(
                ("threadlab", "bold"),
                "  ·  a terminal playground for concurrency",
                ("   (enter opens a scenario)", "dim"),
            ),
            id="title",
        )
        with Horizontal(id="picker"):
            options: list[Option | None] = []
            for name, scenario in SCENARIOS.items():
                if options:
                    options.append(None)  # a separator line
                summary = Text.assemble((scenario.name, "bold"), "\n", scenario.summary)
                options.append(Option(summary, id=name))
            yield OptionList(*options, id="scenarios")
            with VerticalScroll(id="details"):
                yield Static(id="details-text")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.border_title = "Scenarios"
        self.query_one("#details").border_title = "About"
        options.highlighted = 0
        options.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.query_one("#details-text", Static).update(describe(SCENARIOS[event.option.id]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._open(event.option.id)

    def action_open(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            if option.id is not None:
                self._open(option.id)

    def _open(self, name: str) -> None:
        self.post_message(self.Chosen(resolve_config(SCENARIOS[name])))

    def action_quit_app(self) -> None:
        self.app.exit()
