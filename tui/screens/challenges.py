"""The challenges screen: every challenge in the suggested order (the lesson tour, each
lesson's buggy variants before its fixed ones), with progress marks; Enter opens the
highlighted one as it is played: default parameters, seed 0, paused at step 0."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.lesson.challenge import challenge_of
from ...engine.lesson.scenario import RunConfig
from ..challenges import ChallengeStore, Result, goal_words, key_of, plural, steps_and_actions, tour

WON_MARK = "✓"
TODO_MARK = "·"


def progress_words(config: RunConfig, result: Result | None) -> str:
    """How far the user has come with the challenge of ``config``."""
    if result is None:
        return "not yet" if challenge_of(config).winnable else "not tried yet"
    if result.won:
        return f"won: best {steps_and_actions(result.steps, result.actions)}"
    return f"survived {plural(result.steps, 'step')}"


def challenge_row(config: RunConfig, result: Result | None) -> Table:
    """One line of the list: mark, scenario/variant, goal, progress."""
    row = Table.grid(padding=(0, 1), expand=True)
    row.add_column(width=1, no_wrap=True)
    row.add_column(ratio=1)
    won = result is not None and result.won
    name = Text(key_of(config), style="bold")
    goal = Text(goal_words(challenge_of(config)))
    progress = Text(progress_words(config, result), style="dim" if result is None else "")
    row.add_row(
        Text(WON_MARK if won else TODO_MARK, style="bold green" if won else "dim"),
        Text.assemble(name, "  ", goal, "\n", progress),
    )
    return row


def summary_words(configs: list[RunConfig], results: dict[str, Result]) -> str:
    """'3 of 10 challenges won · 2 of 14 fixed variants tried'."""
    winnable = [c for c in configs if challenge_of(c).winnable]
    fixed = [c for c in configs if not challenge_of(c).winnable]
    won = sum(1 for c in winnable if (r := results.get(key_of(c))) is not None and r.won)
    tried = sum(1 for c in fixed if key_of(c) in results)
    return (
        f"{won} of {len(winnable)} bugs made to happen · {tried} of {len(fixed)} fixed "
        "variants tried · best = fewest steps, then fewest actions"
    )


class ChallengesScreen(Screen[None]):
    """Every challenge with its progress; Enter opens one, paused at step 0."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "open",
            "Open",
            priority=True,
            tooltip="Play the highlighted challenge: default parameters, seed 0, paused",
            id="open",
        ),
        Binding("escape,p", "back", "Back", tooltip="Back to the scenario picker", id="back"),
        Binding("q", "quit_app", "Quit", tooltip="Quit threadlab", id="quit"),
    ]

    @dataclass
    class Chosen(Message):
        """The user chose a challenge to play."""

        config: RunConfig

    def __init__(self, store: ChallengeStore) -> None:
        super().__init__()
        self.store = store
        self.configs = list(tour())

    def compose(self) -> ComposeResult:
        yield Static(
            Text.assemble(("threadlab", "bold"), "  ·  challenges"),
            id="title",
        )
        yield Static(id="challenges-progress")
        yield OptionList(id="challenges")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.border_title = "Challenges, in the suggested order"
        self._fill()
        options.highlighted = self._first_not_won()
        options.focus()

    def on_screen_resume(self) -> None:
        """Back from playing one: the marks may have changed."""
        if self.is_mounted:
            self._fill()

    def _fill(self) -> None:
        results = self.store.results()
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            [
                Option(challenge_row(config, results.get(key_of(config))), id=key_of(config))
                for config in self.configs
            ]
        )
        if highlighted is not None:
            options.highlighted = highlighted
        progress = summary_words(self.configs, results)
        problem = self.store.trouble
        self.query_one("#challenges-progress", Static).update(
            Text.assemble(progress, ("\n! " + problem, "bold") if problem else "")
        )

    def _first_not_won(self) -> int:
        results = self.store.results()
        for position, config in enumerate(self.configs):
            result = results.get(key_of(config))
            if challenge_of(config).winnable and (result is None or not result.won):
                return position
        return 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def action_open(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self._choose(highlighted)

    def _choose(self, position: int) -> None:
        self.post_message(self.Chosen(self.configs[position]))

    def action_back(self) -> None:
        self.dismiss()

    def action_quit_app(self) -> None:
        self.app.exit()
