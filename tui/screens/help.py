"""The help screen: this scenario explained, the keys, and what each thread state means."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...cli.explore_text import PREEMPTION_MARK
from ...engine.lesson.challenge import challenge_of
from ...engine.lesson.scenario import RunConfig
from ..challenges import NOT_SCORED, counts, goal_words, shipped
from ..widgets.threads import StateLegend
from ..widgets.timeline import STALL_CELL

TIMELINE_MARKS = (
    (
        "s b !",
        "a signal, a broadcast, a spurious wakeup at that step (above the lanes; several at "
        "one step are stacked in its column)",
    ),
    ("V D F", "the violation, deadlock or failure (above the lanes)"),
    (
        STALL_CELL,
        "in a thread's lane: it holds its event loop in a blocking call (time.sleep inside "
        "a coroutine), so no task of the loop runs at that step",
    ),
    (
        PREEMPTION_MARK,
        "a preemption, in a schedule the explorer found (x): this thread ran at that step "
        "although the one before it could have gone on; these switches make the run fail",
    ),
)
"""What the marks on the timeline mean (a lane's cells are the thread states above)."""


class KeyHelp(NamedTuple):
    """One line of the keys table."""

    key: str
    description: str
    tooltip: str


class HelpScreen(ModalScreen[str | None]):
    """Everything a newcomer needs to read the scenario screen; esc or ? closes it, q asks
    to quit threadlab as everywhere (dismissed with "quit")."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "close", "Close help", key_display="esc", id="close"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(self, config: RunConfig, keys: list[KeyHelp]) -> None:
        super().__init__()
        self.config = config
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Help"
            body.border_subtitle = "esc or ? to close"
            yield Static(self._scenario(), id="help-scenario")
            yield Static(self._keys(), id="help-keys")
            yield Static(Text("\nThread states", style="bold underline"), id="help-states")
            yield StateLegend()
            yield Static(self._timeline(), id="help-timeline")
        yield Footer()

    def _scenario(self) -> Group:
        scenario = self.config.scenario
        parts: list[Text | Table] = [
            Text(scenario.title, style="bold"),
            Text(scenario.explanation),
            Text(""),
        ]
        variants = Table.grid(padding=(0, 2))
        variants.add_column(no_wrap=True)
        variants.add_column()
        for variant in scenario.variants:
            now = variant.name == self.config.variant
            variants.add_row(
                Text(f"{'▸' if now else ' '} {variant.name}", style="bold" if now else ""),
                variant.help + ("  (this run)" if now else ""),
            )
        parts.append(Text("Variants", style="bold underline"))
        parts.append(variants)
        if shipped(self.config):
            parts += [Text(""), Text("Challenge", style="bold underline")]
            parts.append(Text(f"  {goal_words(challenge_of(self.config))}"))
            if not counts(self.config):
                parts.append(Text(f"  ({NOT_SCORED})", style="dim"))
        if scenario.invariants:
            parts.append(Text(""))
            parts.append(Text("Checked after every step", style="bold underline"))
            parts.extend(Text(f"  {text}") for text in scenario.invariants)
        return Group(*parts)

    def _keys(self) -> Group:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, justify="right", style="bold")
        table.add_column(no_wrap=True)
        table.add_column(style="dim")
        for key in self.keys:
            table.add_row(key.key, key.description, key.tooltip)
        table.add_row("^p", "Commands", "Every action, with an explicit target (Signal not_empty)")
        return Group(Text(""), Text("Keys", style="bold underline"), table)

    def _timeline(self) -> Group:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, justify="right", style="bold")
        table.add_column()
        for marks, meaning in TIMELINE_MARKS:
            table.add_row(marks, Text(meaning, style="dim"))
        return Group(Text(""), Text("Timeline marks", style="bold underline"), table)

    def on_screen_resume(self) -> None:
        self.query_one("#help-body").scroll_home(animate=False)  # reopened: from the top

    def action_close(self) -> None:
        self.dismiss(None)

    def action_quit(self) -> None:
        self.dismiss("quit")
