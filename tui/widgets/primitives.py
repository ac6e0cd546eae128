"""The primitives panel: who owns what and who waits in which queue.

Mutexes show their owner and FIFO wait queue; conditions their wait queue and mutex;
semaphores their permits, holders and waiters; buffers a bar of slots. The condition and
waiter that the s, b and w keys act on are marked.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from engine.model import PrimitiveView, Snapshot
from tui.screens.selection import Selection
from tui.widgets.palette import thread_names, thread_style

WIDE = 48
"""From this many cells on, a column names each primitive's kind."""


class PrimitivesPanel(Widget):
    """One row per primitive, in the order the scenario created them."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "primitives--name",
        "primitives--kind",
        "primitives--selected",
        "primitives--slot",
        "primitives--overflow",
    }

    DEFAULT_CSS = """
    PrimitivesPanel {
        height: auto;
        & > .primitives--name { text-style: bold; }
        & > .primitives--kind { color: $text-muted; }
        & > .primitives--selected { text-style: bold reverse; }
        & > .primitives--slot { background: $panel; }
        & > .primitives--overflow { background: $error; }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, layout=True)
    """The run whose primitives are drawn."""
    selection: reactive[Selection] = reactive(Selection(), layout=True)
    """The condition and waiter the s, b and w keys act on, marked in the panel."""

    def render(self) -> Group | Table | Text:
        snapshot = self.snapshot
        if snapshot is None:
            return Text("")
        self._indices = {t.name: t.index for t in snapshot.threads}
        wide = self.size.width >= WIDE
        table = Table.grid(padding=(0, 1))
        table.add_column(width=1)
        table.add_column(no_wrap=True)
        if wide:
            table.add_column(no_wrap=True)
        table.add_column()
        name_style = self.get_component_rich_style("primitives--name")
        kind_style = self.get_component_rich_style("primitives--kind")
        for primitive in snapshot.primitives:
            selected = primitive.name == self.selection.condition
            row = [
                Text("▸" if selected else " ", style="bold"),
                Text(primitive.name, style=name_style),
            ]
            if wide:
                row.append(Text(primitive.kind, style=kind_style))
            row.append(self._details(primitive, selected))
            table.add_row(*row)
        if self.selection.condition is None:
            return table
        return Group(
            table,
            Text.assemble(
                ("▸", "bold"),
                " s b w act here",
                ("; c: switch" if len(self._conditions(snapshot)) > 1 else ""),
                ("; [ ]: waiter" if len(self._queue_of(snapshot)) > 1 else ""),
                style="dim",
            ),
        )

    def _queue_of(self, snapshot: Snapshot) -> tuple[str, ...]:
        """The wait queue of the selected condition."""
        condition = self.selection.condition
        return snapshot.primitive(condition).queue if condition is not None else ()

    @staticmethod
    def _conditions(snapshot: Snapshot) -> list[PrimitiveView]:
        return [p for p in snapshot.primitives if p.kind == "condition"]

    def _details(self, primitive: PrimitiveView, selected: bool) -> Text:
        kind = primitive.kind
        if kind == "mutex":
            owner = (
                Text(primitive.owner, style=thread_style(self._indices.get(primitive.owner, 0)))
                if primitive.owner
                else Text("free", style="dim")
            )
            return Text.assemble("owner ", owner, "  queue ", self._queue(primitive.queue))
        if kind == "condition":
            waiter = self.selection.waiter if selected else None
            return Text.assemble(
                "waiting ",
                self._queue(primitive.queue, waiter),
                (f"  (with {primitive.mutex})", "dim") if primitive.mutex else "",
            )
        if kind == "semaphore":
            return Text.assemble(
                f"permits {primitive.count}/{primitive.capacity}  holders ",
                thread_names(primitive.holders, self._indices),
                "  queue ",
                self._queue(primitive.queue),
            )
        if kind == "buffer":
            return self._slots(primitive)
        return self._generic(primitive)

    def _generic(self, primitive: PrimitiveView) -> Text:
        """Whatever a primitive of another kind reports: value, count, holders, queue, notes."""
        parts: list[Text] = []
        if primitive.owner:
            parts.append(Text.assemble("owner ", self._queue((primitive.owner,))))
        if primitive.value is not None:
            parts.append(Text.assemble("value ", (primitive.value, "bold")))
        if primitive.count is not None:
            of = f"/{primitive.capacity}" if primitive.capacity is not None else ""
            parts.append(Text(f"count {primitive.count}{of}"))
        if primitive.holders:
            parts.append(Text.assemble("holders ", self._queue(primitive.holders)))
        if primitive.items:
            parts.append(Text("items " + " ".join(primitive.items)))
        parts.append(Text.assemble("queue ", self._queue(primitive.queue)))
        if primitive.notes:
            parts.append(Text(primitive.notes[-1], style="dim"))
        return Text("  ").join(parts)

    def _queue(self, queue: tuple[str, ...], selected: str | None = None) -> Text:
        """A FIFO queue, first to wake on the left; the selected waiter marked."""
        if not queue:
            return Text("—", style="dim")
        text = Text()
        mark = self.get_component_rich_style("primitives--selected")
        for position, name in enumerate(queue):
            if position:
                text.append(" ")
            style = thread_style(self._indices.get(name, 0))
            text.append(name, style + mark if name == selected else style)
        return text

    def _slots(self, buffer: PrimitiveView) -> Text:
        """The buffer as a bar of cells, oldest item on the left, then ``count/capacity``."""
        capacity = buffer.capacity or 0
        items = buffer.items
        width = max((len(item) for item in items), default=0)
        width = max(width, 3)
        slot = self.get_component_rich_style("primitives--slot")
        overflow = self.get_component_rich_style("primitives--overflow")
        text = Text("▕")
        for position in range(max(capacity, len(items))):
            if position:
                text.append("│", style=slot)
            if position < len(items):
                item = items[position]
                producer = self._indices.get(item.split(".")[0], 0)
                style = slot + (thread_style(producer) if producer else slot)
                if position >= capacity:
                    style = style + overflow
                text.append(item.center(width), style=style)
            else:
                text.append(" " * width, style=slot)
        text.append("▏")
        text.append(f" {buffer.count}/{capacity}", style="bold")
        return text
