"""The watches panel: the scenario's own state, one ``name  value`` row each.

Scenarios ask to show a few variables that no primitive holds (readers=2, writer=W1,
retries per thread, the loop's time, what has been collected). Thread names in a value are
drawn in their thread's colour. With no watches the panel hides itself entirely.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive

from ...engine.snapshot.model import Snapshot
from .fitted import FittedPanel
from .palette import dark_theme, with_thread_colours


class WatchesPanel(FittedPanel):
    """One row per watched value, in the order the scenario declared them."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"watches--name", "watches--value"}

    DEFAULT_CSS = """
    WatchesPanel {
        height: auto;
        &.-empty { display: none; }
        & > .watches--name { color: $text-muted; }
        & > .watches--value { text-style: bold; }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The run whose watched values are shown; nothing is shown when it has none."""

    def on_mount(self) -> None:
        self._update_empty()

    def watch_snapshot(self) -> None:
        self._update_empty()
        self.refit()

    def _update_empty(self) -> None:
        # A class, not an empty render: a bordered panel with no rows would still take room.
        self.set_class(not self._watches(), "-empty")

    def _watches(self) -> tuple[tuple[str, str], ...]:
        return self.snapshot.watches if self.snapshot is not None else ()

    def render(self) -> Table | Text:
        snapshot = self.snapshot
        watches = self._watches()
        if snapshot is None or not watches:
            return Text("")
        indices = {t.name: t.index for t in snapshot.threads}
        names = self.get_component_rich_style("watches--name")
        values = self.get_component_rich_style("watches--value")
        dark = dark_theme(self)
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for name, value in watches:
            value_text = with_thread_colours(value, indices, values, dark=dark)
            table.add_row(Text(name, style=names), value_text)
        return table
