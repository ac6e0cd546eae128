"""The scenario picker: every scenario with its summary and every variant of it; Enter opens
the highlighted variant, paused at step 0."""

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

from ...engine.lesson.challenge import challenge_of
from ...engine.lesson.scenario import RunConfig, Scenario, resolve_config
from ...scenarios import SCENARIOS
from ..challenges import ChallengeStore, Result, goal_words
from .challenges import progress_words
from .help import HelpScreen
from .keys import key_help
from .setup import SetupScreen

VARIANT_SEPARATOR = "/"
"""Between a scenario's name and a variant's in an option's id."""


def describe(
    scenario: Scenario, chosen: str | None = None, progress: Result | None = None
) -> Group:
    """The details shown beside the list: the ``chosen`` variant's challenge (and the
    ``progress`` made with it), explanation, variants (``chosen`` marked), parameters."""
    parts: list[Text | Table] = [Text(scenario.title, style="bold"), Text("")]
    if chosen is not None:
        config = resolve_config(scenario, chosen)
        parts += [
            Text.assemble(
                ("Challenge: ", "bold"),
                goal_words(challenge_of(config)),
                (f"  ({progress_words(config, progress)})", "dim"),
            ),
            Text(""),
        ]
    parts += [
        Text(scenario.explanation),
        Text(""),
        Text("Variants", style="bold underline"),
    ]
    variants = Table.grid(padding=(0, 1))
    variants.add_column(no_wrap=True, style="bold", width=1)
    variants.add_column(no_wrap=True, style="bold")
    variants.add_column()
    for position, variant in enumerate(scenario.variants):
        mark = "▸" if variant.name == chosen else ""
        variants.add_row(
            mark, variant.name, variant.help + ("  (default)" if position == 0 else "")
        )
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
    """Choose a scenario and a variant to run (seed 0), opened paused at step 0."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            priority=True,
            tooltip="Open the highlighted variant, paused at step 0 (seed 0)",
            id="open",
        ),
        Binding(
            "s",
            "setup",
            "Set up",
            tooltip="Choose the parameters and the seed of the highlighted variant, then open it",
            id="setup",
        ),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            tooltip="The highlighted scenario explained, the picker's keys, thread states",
            id="help",
        ),
        Binding(
            "c",
            "challenges",
            "Challenges",
            tooltip="Every challenge in the suggested order, with your progress",
            id="challenges",
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
            ),
            id="title",
        )
        with Horizontal(id="picker"):
            options: list[Option | None] = []
            for name, scenario in SCENARIOS.items():
                if options:
                    options.append(None)  # a separator line
                for position, variant in enumerate(scenario.variants):
                    # the variant's name only: what it does is told beside the list
                    line = Text.assemble("  ▸ variant ", (variant.name, "bold"))
                    if position == 0:  # the scenario's own lines come with its first variant
                        line = Text.assemble(
                            (scenario.name, "bold"), "\n", scenario.summary, "\n", line
                        )
                    options.append(Option(line, id=f"{name}{VARIANT_SEPARATOR}{variant.name}"))
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
            self._describe(event.option.id)

    def _store(self) -> ChallengeStore | None:
        store = getattr(self.app, "challenges", None)
        return store if isinstance(store, ChallengeStore) else None

    def _describe(self, option: str) -> None:
        name, _, variant = option.partition(VARIANT_SEPARATOR)
        store = self._store()
        progress = store.best(option) if store is not None else None
        details = describe(SCENARIOS[name], variant, progress)
        self.query_one("#details-text", Static).update(details)

    def on_screen_resume(self) -> None:
        """Back from a run: the progress shown may have changed."""
        option = self._highlighted() if self.is_mounted else None
        if option is not None:
            self._describe(option)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._open(event.option.id)

    def _highlighted(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_open(self) -> None:
        option = self._highlighted()
        if option is not None:
            self._open(option)

    def action_setup(self) -> None:
        option = self._highlighted()
        if option is None:
            return
        name, _, variant = option.partition(VARIANT_SEPARATOR)

        def chosen(config: RunConfig | None) -> None:
            if config is not None:
                self.post_message(self.Chosen(config))

        self.app.push_screen(SetupScreen(SCENARIOS[name], variant), chosen)

    def _open(self, option: str) -> None:
        name, _, variant = option.partition(VARIANT_SEPARATOR)
        self.post_message(self.Chosen(resolve_config(SCENARIOS[name], variant or None)))

    def action_help(self) -> None:
        option = self._highlighted()
        if option is None:
            return
        name, _, variant = option.partition(VARIANT_SEPARATOR)
        config = resolve_config(SCENARIOS[name], variant or None)
        keys = key_help(self.BINDINGS, lambda action: True)
        self.app.push_screen(HelpScreen(config, keys))

    def action_challenges(self) -> None:
        show = getattr(self.app, "show_challenges", None)
        if show is not None:
            show()

    def action_quit_app(self) -> None:
        self.app.exit()
