"""The primitives panel: who owns what and who waits in which queue.

Mutexes show their owner and FIFO wait queue; conditions their wait queue and mutex;
semaphores their permits, holders and waiters; buffers a bar of slots. The condition and
waiter that the s, b and w keys act on are marked.

The other kinds get a first line beside their name and, where it helps, labelled lines
indented under it (a long value wraps under its own label): atomic cells and shared
variables their last accesses, barriers who waits for the rest, futures their task and
state, pools and executors their workers and queued work, event queues each waiting event
with how long it has waited, devices and completion ports what is in flight or done, and
the asyncio loop its ready queue, one line per task and its timers. Lists longer than
``MAX_LIST`` end in "… N more", so the panel stays small in the side column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

from threadlab.engine.model import PrimitiveView, Snapshot, ThreadState
from threadlab.tui.screens.selection import Selection
from threadlab.tui.widgets.palette import STATE_GLYPHS, thread_names, thread_style

WIDE = 48
"""From this many cells on, a column names each primitive's kind."""
MAX_LIST = 4
"""At most this many entries of a list (waiting events, tasks, requests) are drawn."""
RECENT = 3
"""How many of an atomic cell's or shared variable's last accesses are drawn."""
INDENT = 4
"""Where a primitive's labelled lines start: under its name, one step in."""

Row = tuple[Text, Text]
"""A labelled line under a primitive: the label (dim, or a glyph) and its value."""
Details = tuple[RenderableType, list[Row]]
"""What a primitive shows: the part beside its name, and the labelled lines under it."""

CAS_NOTE = re.compile(
    r"(?P<who>\S+) expected (?P<expected>\S+): "
    r"(?:swapped → (?P<new>\S+)|failed \(is (?P<actual>\S+)\))"
)
"""An atomic cell's record of one compare-and-exchange (engine/primitives/atomic.py)."""
ACCESS_NOTE = re.compile(
    r"(?P<who>\S+) (?:read (?P<read>\S+)|wrote (?P<new>\S+) over (?P<old>\S+))"
)
"""A shared variable's record of one read or write (engine/primitives/shared.py)."""
TASK_NOTE = re.compile(
    r"(?P<task>\S+) (?:"
    r"running \(line (?P<running>\S+)\)"
    r"|ready at line (?P<ready>\S+)"
    r"|waiting at line (?P<line>\S+) \((?P<what>.*)\)"
    r"|(?P<fresh>ready \(not started\)|not started)"
    r"|done → (?P<result>.*)"
    r"|failed: (?P<error>.*)"
    r"|(?P<cancelled>cancelled)"
    r")"
)
"""The asyncio loop's line per task (engine/primitives/aio.py ``_task_state``)."""


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

    def render(self) -> RenderResult:
        snapshot = self.snapshot
        if snapshot is None:
            return Text("")
        self._indices = {t.name: t.index for t in snapshot.threads}
        self._mention = _mention_pattern(self._indices)
        primitives = snapshot.primitives
        wide = self.size.width >= WIDE
        # Fixed name and kind widths, so the rows of every table below line up as one.
        name_width = max((len(p.name) for p in primitives), default=0)
        kind_width = max((len(p.kind) for p in primitives), default=0) if wide else 0
        # The cells left beside a primitive's name, for what may share its line.
        self._beside = self.size.width - 2 - (name_width + 1) - (kind_width + 1 if wide else 0)
        name_style = self.get_component_rich_style("primitives--name")
        kind_style = self.get_component_rich_style("primitives--kind")

        def new_table() -> Table:
            table = Table.grid(padding=(0, 1))
            table.add_column(width=1)
            table.add_column(width=name_width, no_wrap=True)
            if wide:
                table.add_column(width=kind_width, no_wrap=True)
            table.add_column()
            return table

        # Labelled lines take the whole width under their primitive, so the table is cut
        # there and goes on below them.
        parts: list[RenderableType] = []
        table = new_table()
        for primitive in primitives:
            selected = primitive.name == self.selection.condition
            beside, rows = self._details(primitive, selected)
            cells: list[RenderableType] = [
                Text("▸" if selected else " ", style="bold"),
                Text(primitive.name, style=name_style),
            ]
            if wide:
                cells.append(Text(primitive.kind, style=kind_style))
            cells.append(beside)
            table.add_row(*cells)
            if rows:
                parts += [table, Padding(self._grid(rows), (0, 0, 0, INDENT))]
                table = new_table()
        if table.row_count or not parts:
            parts.append(table)
        if self.selection.condition is not None:
            parts.append(
                Text.assemble(
                    ("▸", "bold"),
                    " s b w act here",
                    ("; c: switch" if len(self._conditions(snapshot)) > 1 else ""),
                    ("; [ ]: waiter" if len(self._queue_of(snapshot)) > 1 else ""),
                    style="dim",
                )
            )
        return parts[0] if len(parts) == 1 else Group(*parts)

    def _queue_of(self, snapshot: Snapshot) -> tuple[str, ...]:
        """The wait queue of the selected condition."""
        condition = self.selection.condition
        return snapshot.primitive(condition).queue if condition is not None else ()

    @staticmethod
    def _conditions(snapshot: Snapshot) -> list[PrimitiveView]:
        return [p for p in snapshot.primitives if p.kind == "condition"]

    def _details(self, primitive: PrimitiveView, selected: bool) -> Details:
        kind = primitive.kind
        if kind == "mutex":
            owner = (
                Text(primitive.owner, style=thread_style(self._indices.get(primitive.owner, 0)))
                if primitive.owner
                else Text("free", style="dim")
            )
            return Text.assemble("owner ", owner, "  queue ", self._queue(primitive.queue)), []
        if kind == "condition":
            waiter = self.selection.waiter if selected else None
            return Text.assemble(
                "waiting ",
                self._queue(primitive.queue, waiter),
                (f"  (with {primitive.mutex})", "dim") if primitive.mutex else "",
            ), []
        if kind == "semaphore":
            return Text.assemble(
                f"permits {primitive.count}/{primitive.capacity}  holders ",
                thread_names(primitive.holders, self._indices),
                "  queue ",
                self._queue(primitive.queue),
            ), []
        if kind == "buffer":
            return self._slots(primitive), []
        drawers: dict[str, Callable[[PrimitiveView], Details]] = {
            "atomic": self._atomic,
            "shared": self._shared,
            "barrier": self._barrier,
            "future": self._future,
            "pool": self._workers,
            "executor": self._workers,
            "events": self._events,
            "port": self._port,
            "device": self._device,
            "loop": self._loop,
        }
        draw = drawers.get(kind)
        return draw(primitive) if draw is not None else (self._generic(primitive), [])

    # -- the kinds beyond the classic four

    def _atomic(self, cell: PrimitiveView) -> Details:
        """The value, then the last compare-and-exchange attempts: ✓ swapped, ✗ failed."""
        beside = Text.assemble("value ", (cell.value or "?", "bold"))
        rows: list[Row] = []
        for note in cell.notes[-RECENT:]:
            match = CAS_NOTE.fullmatch(note)
            if match is None:
                rows.append((Text("·", style="dim"), self._mentions(note, "dim")))
            elif match["new"] is not None:
                attempt = Text.assemble(
                    self._thread(match["who"]),
                    f" expected {match['expected']}, set ",
                    (match["new"], "bold"),
                )
                rows.append((Text("✓", style="bold green"), attempt))
            else:
                attempt = Text.assemble(
                    self._thread(match["who"]),
                    f" expected {match['expected']}, found {match['actual']}",
                )
                rows.append((Text("✗", style="bold red"), attempt))
        if rows:
            beside.append("  last CAS:", style="dim")
        return beside, rows

    def _shared(self, variable: PrimitiveView) -> Details:
        """The value, then the last reads and writes. A write over a value its thread never
        read (someone wrote in between) is marked: that other write is lost."""
        beside = Text.assemble("value ", (variable.value or "?", "bold"))
        notes = variable.notes
        rows: list[Row] = []
        for position in range(max(0, len(notes) - RECENT), len(notes)):
            match = ACCESS_NOTE.fullmatch(notes[position])
            if match is None:
                rows.append((Text("·", style="dim"), self._mentions(notes[position], "dim")))
                continue
            who = match["who"]
            if match["read"] is not None:
                rows.append((self._thread(who), Text(f"read {match['read']}")))
                continue
            access = Text(f"wrote {match['new']} over {match['old']}")
            lost = _lost_update(notes[:position], who, match["old"])
            if lost is not None:
                read, writer = lost
                if writer is not None:
                    access.append_text(
                        Text.assemble(
                            (" ✗ ", "bold red"),
                            self._thread(writer),
                            ("'s update lost", "bold red"),
                        )
                    )
                else:
                    access.append(f" ✗ read {read}: update lost", style="bold red")
            rows.append((self._thread(who), access))
        return beside, rows

    def _barrier(self, barrier: PrimitiveView) -> Details:
        """Its phase, how many of the parties have arrived, and who waits for the rest."""
        beside = Text.assemble(
            (barrier.value or "", "bold"),
            "  arrived ",
            (f"{barrier.count}/{barrier.capacity}", "bold"),
        )
        return self._fit(beside, [(self._label("waiting"), self._queue(barrier.queue))])

    def _future(self, future: PrimitiveView) -> Details:
        """Its task, its state (pending, running on a worker, the result or the error),
        and the threads blocked in ``result()``."""
        task = Text(future.notes[0] if future.notes else "", style="dim")
        extras = [self._future_state(future.value or "")]
        if future.queue:
            extras.append((self._label("waiting"), self._queue(future.queue)))
        return self._fit(task, extras)

    def _future_state(self, value: str) -> tuple[Text, Text]:
        """A glyph (✓ done, ✗ raised, ▶ running, … pending) and the state in words."""
        if value.startswith("done: "):
            return Text("✓", style="bold green"), Text.assemble(
                "done: ", (value.removeprefix("done: "), "bold")
            )
        if value.startswith("failed: "):
            return Text("✗", style="bold red"), Text.assemble(
                ("raised ", "bold red"), value.removeprefix("failed: ")
            )
        if value.startswith("running"):
            return Text(STATE_GLYPHS[ThreadState.RUNNING], style="bold"), self._mentions(value)
        return Text("…", style="dim"), Text(value, style="dim")

    def _workers(self, pool: PrimitiveView) -> Details:
        """A pool's (or the asyncio executor's) workers, busy ones with their job, idle ones
        waiting for work; then the work queued for them, first to start on the left."""
        workers: list[Text] = []
        for holder in pool.holders:
            worker, _, job = holder.partition(": ")
            workers.append(Text.assemble(self._thread(worker), " runs ", (job, "bold")))
        workers += [Text.assemble(self._thread(w), (" idle", "dim")) for w in pool.queue]
        beside = Text(", ").join(workers)
        if pool.value == "shut down":
            beside = Text.assemble(("shut down", "bold"), "  " if workers else "", beside)
        elif not workers:
            beside = Text("no task running", style="dim")
        queued = self._capped([self._job(item) for item in pool.items])
        if not queued and pool.value == "shut down":
            return beside, []
        return self._fit(beside, [(self._label("queued"), self._joined(queued))])

    @staticmethod
    def _job(item: str) -> Text:
        """A queued job: a pool's 'f3 square(3)' names its future first; an executor's is
        just the call."""
        future, _, call = item.partition(" ")
        if call and re.fullmatch(r"f\d+", future):
            return Text.assemble((future, "bold"), " ", (call, "dim"))
        return Text(item, style="bold")

    def _events(self, queue: PrimitiveView) -> Details:
        """The handler running now (or the idle loop thread), each waiting event with how
        long it has waited, oldest first, and the last event handled."""
        if queue.value and queue.value != "idle":
            beside = Text.assemble("handling ", (queue.value, "bold"))
        else:
            beside = Text("idle", style="dim")
            if queue.queue:
                beside.append_text(Text.assemble("  ", self._queue(queue.queue), " waits"))
        waiting = self._capped([self._waited(item) for item in queue.items])
        rows: list[Row] = [
            (self._label("queue" if position == 0 else ""), event)
            for position, event in enumerate(waiting)
        ] or [(self._label("queue"), Text("—", style="dim"))]
        if queue.notes:
            rows.append((self._label("last"), Text(queue.notes[-1], style="dim")))
        return beside, rows

    @staticmethod
    def _waited(item: str) -> Text:
        """'click 2 · waited 5': the event in bold, then how long it has waited."""
        name, dot, wait = item.partition(" · ")
        return Text.assemble((name, "bold"), f"  {wait}" if dot else "")

    def _port(self, port: PrimitiveView) -> Details:
        """Completions ready to be taken, oldest first, and the threads waiting for one."""
        done = self._capped([Text(item, style="bold") for item in port.items])
        extras = [(Text(""), self._joined(done))]
        if port.queue:
            extras.append((self._label("waiting"), self._queue(port.queue)))
        return self._fit(Text("completed"), extras)

    def _device(self, device: PrimitiveView) -> Details:
        """Busy, idle (its thread asleep) or off, and every request in flight."""
        state = device.value or ""
        beside = Text(state, style="bold" if state == "busy" else "dim")
        if device.count:
            beside.append(f", {device.count} in flight")
        if device.queue:
            beside.append_text(Text.assemble("  ", self._queue(device.queue), " sleeps"))
        rows: list[Row] = []
        for item in device.items:
            what, _, left = item.partition(" · ")
            rows.append((Text(what, style="bold"), Text(left)))
        return beside, self._capped_rows(rows)

    def _loop(self, loop: PrimitiveView) -> Details:
        """The virtual time and the ready queue (what runs next, left first); one line per
        task with the line it waits at and what for; the pending timers, soonest first."""
        beside = Text.assemble("time ", (loop.value or "", "bold"))
        if loop.queue:
            beside.append_text(Text.assemble("  ", self._queue(loop.queue), " waits"))
        # Tasks in the ready queue are shortened as in their own lines below.
        ready = self._capped(
            [
                _shortened(Text(item, style="bold"), self._longest_label())
                if re.fullmatch(r"\S+#\d+", item)
                else Text(item, style="bold")
                for item in loop.items
            ]
        )
        tasks: list[Row] = []
        timers: list[Text] = []
        for note in loop.notes:
            if note.startswith("timers: "):
                timers = [Text(t) for t in re.split(r", (?=t=)", note.removeprefix("timers: "))]
                continue
            match = TASK_NOTE.fullmatch(note)
            if match is None:
                tasks.append((Text(""), Text(note, style="dim")))
            else:
                tasks.append((Text(match["task"], style="bold"), _task_state(match)))
        rows = self._capped_rows(tasks)
        rows += [
            (self._label("timers" if position == 0 else ""), timer)
            for position, timer in enumerate(self._capped(timers))
        ]
        return self._fit(beside, [(self._label("ready"), self._joined(ready))], rows)

    # -- building blocks

    def _fit(
        self, beside: Text, extras: Sequence[tuple[Text, Text]], rows: Sequence[Row] = ()
    ) -> Details:
        """``beside`` followed by as many of ``extras`` ("label value") as fit beside the
        name; the others, in order, go on labelled lines under it, then ``rows``."""
        line = beside
        below: list[Row] = []
        for label, value in extras:
            gap = ("  " if label else " ") if line else ""
            longer = Text.assemble(line, gap, label, " " if label else "", value)
            if not below and longer.cell_len <= self._beside:
                line = longer
            else:
                below.append((label, value))
        return line, [*below, *rows]

    def _grid(self, rows: Sequence[Row]) -> Table:
        """Labelled lines: labels in a column, a long value wrapping under its own label.

        A long label (an asyncio task named after a long function) is shortened in the
        middle, keeping its '#n', so the values keep room beside it.
        """
        longest = self._longest_label()
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in rows:
            grid.add_row(_shortened(label, longest), value)
        return grid

    def _longest_label(self) -> int:
        """How wide a label under a primitive may be: two fifths of the width."""
        return max(10, (self.size.width - INDENT) * 2 // 5)

    @staticmethod
    def _label(text: str) -> Text:
        return Text(text, style="dim")

    def _thread(self, name: str) -> Text:
        return Text(name, style=thread_style(self._indices.get(name, 0)))

    def _mentions(self, text: str, style: str = "") -> Text:
        """``text`` with every whole thread name in it drawn in its thread's colour."""
        result = Text(text, style=style)
        if self._mention is not None:
            for match in self._mention.finditer(text):
                result.stylize(thread_style(self._indices[match[1]]), match.start(), match.end())
        return result

    @staticmethod
    def _capped(entries: list[Text]) -> list[Text]:
        """At most ``MAX_LIST`` entries, the last one saying how many more there are."""
        if len(entries) <= MAX_LIST:
            return entries
        hidden = len(entries) - (MAX_LIST - 1)
        return [*entries[: MAX_LIST - 1], Text(f"… {hidden} more", style="dim")]

    @staticmethod
    def _capped_rows(rows: list[Row]) -> list[Row]:
        """At most ``MAX_LIST`` rows, the last one saying how many more there are."""
        if len(rows) <= MAX_LIST:
            return rows
        hidden = len(rows) - (MAX_LIST - 1)
        return [*rows[: MAX_LIST - 1], (Text(""), Text(f"… {hidden} more", style="dim"))]

    @staticmethod
    def _joined(entries: list[Text]) -> Text:
        """Entries in order, first on the left, or '—' when there are none."""
        if not entries:
            return Text("—", style="dim")
        return Text(", ").join(entries)

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


def _mention_pattern(indices: dict[str, int]) -> re.Pattern[str] | None:
    """Matches any whole thread name; longest first, so T10 is not taken for T1."""
    if not indices:
        return None
    names = "|".join(re.escape(name) for name in sorted(indices, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({names})(?!\w)")


def _shortened(label: Text, longest: int) -> Text:
    """``label`` in at most ``longest`` cells: 'fetch_blocking#2' becomes 'fetch_blo…#2'."""
    if label.cell_len <= longest:
        return label
    head, mark, number = label.plain.rpartition("#")
    tail = mark + number if head and len(number) < longest // 2 else ""
    if not tail:
        head = label.plain
    return Text(head[: longest - len(tail) - 1] + "…" + tail, style=label.style)


def _lost_update(earlier: Sequence[str], who: str, old: str) -> tuple[str, str | None] | None:
    """Whether ``who``, writing over ``old``, loses another thread's update: it did not
    read ``old`` since another thread wrote it, or it last read some other value.

    Returns what it last read ('?' when that is no longer among ``earlier``) and who wrote
    the value it overwrites (None when that is no longer among them); None when no update
    is lost as far as ``earlier`` tells.
    """
    accesses = [m for note in earlier if (m := ACCESS_NOTE.fullmatch(note)) is not None]
    reads = [i for i, m in enumerate(accesses) if m["who"] == who and m["read"] is not None]
    read = accesses[reads[-1]]["read"] if reads else "?"
    writes = [i for i, m in enumerate(accesses) if m["new"] == old and m["who"] != who]
    if writes and (not reads or reads[-1] < writes[-1]):
        return read, accesses[writes[-1]]["who"]  # wrote over a value it never saw
    if reads and read != old:
        return read, None  # read something else: a write came in between
    return None


def _task_state(match: re.Match[str]) -> Text:
    """A task's state with the threads panel's glyphs: ▶ running, ▷ ready, ◇ waiting,
    ✓ done, ✗ failed; the line it is at, and what it waits for."""
    if match["running"] is not None:
        glyph = STATE_GLYPHS[ThreadState.RUNNING]
        return Text.assemble((f"{glyph} running", "bold"), f", line {match['running']}")
    if match["ready"] is not None:
        glyph = STATE_GLYPHS[ThreadState.RUNNABLE]
        return Text.assemble((f"{glyph} ready", "bold"), f", line {match['ready']}")
    if match["line"] is not None:
        glyph = STATE_GLYPHS[ThreadState.WAITING]
        return Text.assemble(f"{glyph} ", (f"line {match['line']}: ", "dim"), match["what"])
    if match["fresh"] is not None:
        ready = match["fresh"].startswith("ready")
        glyph = STATE_GLYPHS[ThreadState.RUNNABLE] if ready else " "
        return Text(f"{glyph} not started", style="dim")
    if match["result"] is not None:
        glyph = STATE_GLYPHS[ThreadState.DONE]
        return Text.assemble((f"{glyph} ", "bold green"), ("→ ", "dim"), match["result"])
    if match["error"] is not None:
        glyph = STATE_GLYPHS[ThreadState.FAILED]
        return Text.assemble((f"{glyph} raised ", "bold red"), match["error"])
    return Text(f"{STATE_GLYPHS[ThreadState.FAILED]} cancelled", style="dim")
