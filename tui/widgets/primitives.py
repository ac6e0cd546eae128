"""The primitives panel: who owns what and who waits in which queue.

Mutexes show their owner and FIFO wait queue; conditions their wait queue and mutex;
semaphores their permits, holders and waiters; queues a bar of slots (and their unfinished
tasks and who waits to get, put or join). The condition and waiter that the s, b and w
keys act on are marked.

The other kinds get a first line beside their name and, where it helps, labelled lines
indented under it (a long value wraps under its own label): shared variables their last
accesses, barriers who waits for the rest, futures their task and state, pools and
executors their workers and queued work, and the asyncio loop its ready queue, one line
per task and its timers. Lists longer than ``MAX_LIST`` end in "… N more", so the panel
stays small in the side column.

Each primitive is drawn from its typed view (``MutexView``, ``LoopView``, …), chosen by
the view's type; every word on the panel is written here, none is read back from the
engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive

from ...engine.snapshot.model import (
    AccessKind,
    BarrierView,
    BufferItem,
    CallbackKind,
    ConditionView,
    EventFlagView,
    FutureState,
    FutureView,
    Job,
    LoopView,
    MutexView,
    PrimitiveView,
    QueueOrder,
    QueueView,
    SemaphoreView,
    SharedView,
    Snapshot,
    ThreadState,
    WorkersView,
)
from ..screens.selection import Selection
from .fitted import FittedPanel
from .loop_text import callback_text, never_awaited_text, task_state_text, timer_text, virtual_time
from .palette import STATE_GLYPHS, dark_theme, thread_names, thread_style

WIDE = 48
"""From this many cells on, a column names each primitive's kind."""
MAX_LIST = 4
"""At most this many entries of a list (tasks, queued jobs, items) are drawn."""
RECENT = 3
"""How many of a shared variable's last accesses are drawn."""
INDENT = 4
"""Where a primitive's labelled lines start: under its name, one step in."""

Row = tuple[Text, Text]
"""A labelled line under a primitive: the label (dim, or a glyph) and its value."""
Details = tuple[RenderableType, list[Row]]
"""What a primitive shows: the part beside its name, and the labelled lines under it."""


class PrimitivesPanel(FittedPanel):
    """One row per primitive, in the order the scenario created them."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "primitives--name",
        "primitives--kind",
        "primitives--selected",
        "primitives--slot",
        "primitives--overflow",
        "primitives--good",
        "primitives--bad",
    }

    DEFAULT_CSS = """
    PrimitivesPanel {
        height: auto;
        & > .primitives--name { text-style: bold; }
        & > .primitives--kind { color: $text-muted; }
        & > .primitives--selected { text-style: bold reverse; }
        & > .primitives--slot { background: $panel; }
        & > .primitives--overflow { background: $error; }
        /* a CAS that swapped, a future or task done; one that failed, raised, lost */
        & > .primitives--good { color: ansi_green; text-style: bold; }
        & > .primitives--bad { color: ansi_red; text-style: bold; }
        &:light {
            & > .primitives--good { color: $text-success; }
            & > .primitives--bad { color: $text-error; }
        }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The run whose primitives are drawn."""
    selection: reactive[Selection] = reactive(Selection())
    """The condition and waiter the s, b and w keys act on, marked in the panel."""

    def watch_snapshot(self) -> None:
        self.refit()

    def watch_selection(self) -> None:
        self.refit()

    def render(self) -> RenderResult:
        snapshot = self.snapshot
        if snapshot is None:
            return Text("")
        self._indices = {t.name: t.index for t in snapshot.threads}
        self._dark = dark_theme(self)
        self._good = self.get_component_rich_style("primitives--good", partial=True)
        self._bad = self.get_component_rich_style("primitives--bad", partial=True)
        primitives = snapshot.primitives
        if not primitives:
            # Before the program makes one, or after it has dropped them all (when its
            # function returned): a panel shows what the program can still reach.
            return Text(
                "none now: a lock, queue or future shows here while the program keeps it",
                style="dim",
            )
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
    def _conditions(snapshot: Snapshot) -> list[ConditionView]:
        return [p for p in snapshot.primitives if isinstance(p, ConditionView)]

    def _details(self, primitive: PrimitiveView, selected: bool) -> Details:
        match primitive:
            case MutexView():
                return self._mutex(primitive), []
            case ConditionView():
                return self._condition(primitive, selected), []
            case SemaphoreView():
                return self._semaphore(primitive), []
            case QueueView():
                return self._queue_details(primitive)
            case SharedView():
                return self._shared(primitive)
            case BarrierView():
                return self._barrier(primitive)
            case FutureView():
                return self._future(primitive)
            case WorkersView():
                return self._workers(primitive)
            case LoopView():
                return self._loop(primitive)
            case EventFlagView():
                return self._event_flag(primitive), []
        return self._generic(primitive), []

    # -- the classic four: one line each

    def _mutex(self, mutex: MutexView) -> Text:
        owner = self._thread(mutex.owner) if mutex.owner else Text("free", style="dim")
        held = f" ×{mutex.depth}" if mutex.depth > 1 else ""  # an RLock held more than once
        return Text.assemble("owner ", owner, held, "  queue ", self._queue(mutex.queue))

    def _event_flag(self, event: EventFlagView) -> Text:
        flag = Text("set", style="bold") if event.is_set else Text("not set", style="dim")
        return Text.assemble(flag, "  waiting ", self._queue(event.queue))

    def _condition(self, condition: ConditionView, selected: bool) -> Text:
        waiter = self.selection.waiter if selected else None
        return Text.assemble(
            "waiting ",
            self._queue(condition.queue, waiter),
            (f"  (with {condition.mutex})", "dim"),
        )

    def _semaphore(self, semaphore: SemaphoreView) -> Text:
        return Text.assemble(
            f"permits {semaphore.count}/{semaphore.permits}  holders ",
            thread_names(semaphore.holders, self._indices, dark=self._dark),
            "  queue ",
            self._queue(semaphore.queue),
        )

    # -- the kinds beyond the classic four

    def _shared(self, variable: SharedView) -> Details:
        """The value, then the last reads and writes. A write over another thread's update
        that its own thread never read is marked: that update is lost."""
        beside = Text.assemble("value ", (str(variable.value), "bold"))
        rows: list[Row] = []
        for access in variable.accesses[-RECENT:]:
            if access.kind is AccessKind.READ:
                rows.append((self._thread(access.thread), Text(f"read {access.value}")))
                continue
            text = Text(f"wrote {access.value} over {access.old}")
            if access.lost is not None:
                text.append_text(
                    Text.assemble(
                        (" ✗ ", self._bad),
                        self._thread(access.lost.writer),
                        ("'s update lost", self._bad),
                    )
                )
            rows.append((self._thread(access.thread), text))
        return beside, rows

    def _barrier(self, barrier: BarrierView) -> Details:
        """Its phase, how many of the parties have arrived, and who waits for the rest."""
        beside = Text.assemble(
            (f"phase {barrier.phase}", "bold"),
            "  arrived ",
            (f"{barrier.arrived}/{barrier.parties}", "bold"),
        )
        return self._fit(beside, [(self._label("waiting"), self._queue(barrier.queue))])

    def _future(self, future: FutureView) -> Details:
        """Its task, its state (pending, running on a worker, the result or the error),
        and the threads blocked in ``result()``."""
        extras = [self._future_state(future)]
        if future.queue:
            extras.append((self._label("waiting"), self._queue(future.queue)))
        return self._fit(Text(future.task, style="dim"), extras)

    def _future_state(self, future: FutureView) -> tuple[Text, Text]:
        """A glyph (✓ done, ✗ raised, ⊘ cancelled, ▶ running, … pending) and the state in
        words."""
        match future.state:
            case FutureState.DONE:
                return Text("✓", style=self._good), Text.assemble(
                    "done: ", (f"{future.result}", "bold")
                )
            case FutureState.FAILED:
                error = future.error
                raised = f"{error.type_name}: {error.message}" if error is not None else ""
                return Text("✗", style=self._bad), Text.assemble(("raised ", self._bad), raised)
            case FutureState.CANCELLED:
                return Text("⊘", style="bold"), Text("cancelled", style="bold")
            case FutureState.RUNNING:
                running = Text("running")
                if future.worker:
                    running.append_text(Text.assemble(" on ", self._thread(future.worker)))
                return Text(STATE_GLYPHS[ThreadState.RUNNING], style="bold"), running
        return Text("…", style="dim"), Text(future.state.value, style="dim")

    def _workers(self, pool: WorkersView) -> Details:
        """A pool's (or the asyncio executor's) workers, busy ones with their job, idle ones
        waiting for work; then the work queued for them, first to start on the left."""
        workers = [
            Text.assemble(
                self._thread(busy.worker), " runs ", (busy.job.future or busy.job.call, "bold")
            )
            for busy in pool.busy
        ]
        workers += [Text.assemble(self._thread(w), (" idle", "dim")) for w in pool.idle]
        beside = Text(", ").join(workers)
        if pool.shut_down:
            beside = Text.assemble(("shut down", "bold"), "  " if workers else "", beside)
        elif not workers:
            beside = Text("no task running", style="dim")
        queued = self._capped([self._job(job) for job in pool.queued])
        if not queued and pool.shut_down:
            return beside, []
        return self._fit(beside, [(self._label("queued"), self._joined(queued))])

    @staticmethod
    def _job(job: Job) -> Text:
        """A queued job: a pool's names its future first ('f3 square(3)'); an executor's
        is just the call."""
        if job.future is not None:
            return Text.assemble((job.future, "bold"), " ", (job.call, "dim"))
        return Text(job.call, style="bold")

    def _loop(self, loop: LoopView) -> Details:
        """The virtual time and the ready queue (what runs next, left first); one line per
        task with the line it waits at and what for; the pending timers, soonest first; the
        coroutines made and never awaited, with their line."""
        beside = Text.assemble("time ", (virtual_time(loop.time), "bold"))
        if loop.queue:
            beside.append_text(Text.assemble("  ", self._queue(loop.queue), " waits"))
        # Tasks in the ready queue are shortened as in their own lines below.
        ready = self._capped(
            [
                _shortened(Text(callback_text(callback), style="bold"), self._longest_label())
                if callback.kind is CallbackKind.TASK_STEP
                else Text(callback_text(callback), style="bold")
                for callback in loop.ready
            ]
        )
        tasks: list[Row] = [
            (Text(task.name, style="bold"), task_state_text(task, good=self._good, bad=self._bad))
            for task in loop.tasks
        ]
        rows = self._capped_rows(tasks)
        timers = [Text(timer_text(timer)) for timer in loop.timers]
        rows += [
            (self._label("timers" if position == 0 else ""), timer)
            for position, timer in enumerate(self._capped(timers))
        ]
        dropped = [never_awaited_text(c, bad=self._bad) for c in loop.never_awaited]
        rows += [
            (self._label("unawaited" if position == 0 else ""), text)
            for position, text in enumerate(self._capped(dropped))
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
        return Text(name, style=thread_style(self._indices.get(name, 0), dark=self._dark))

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
        """A primitive of a kind the panel has no drawing for: its wait queue."""
        return Text.assemble("queue ", self._queue(primitive.queue))

    def _queue(self, queue: tuple[str, ...], selected: str | None = None) -> Text:
        """A FIFO queue, first to wake on the left; the selected waiter marked."""
        if not queue:
            return Text("—", style="dim")
        text = Text()
        mark = self.get_component_rich_style("primitives--selected")
        for position, name in enumerate(queue):
            if position:
                text.append(" ")
            style = thread_style(self._indices.get(name, 0), dark=self._dark)
            text.append(name, style + mark if name == selected else style)
        return text

    def _bar(self, items: Sequence[BufferItem], capacity: int) -> Text:
        """Items as a bar of cells, each in the colour of the thread that put it, with
        empty cells up to ``capacity`` and the ones past it marked as overflow."""
        width = max((len(item.value) for item in items), default=0)
        width = max(width, 3)
        slot = self.get_component_rich_style("primitives--slot")
        overflow = self.get_component_rich_style("primitives--overflow")
        text = Text("▕")
        for position in range(max(capacity, len(items))):
            if position:
                text.append("│", style=slot)
            if position < len(items):
                item = items[position]
                producer = self._indices.get(item.producer, 0) if item.producer else 0
                style = slot + (thread_style(producer, dark=self._dark) if producer else slot)
                if capacity and position >= capacity:
                    style = style + overflow
                text.append(item.value.center(width), style=style)
            else:
                text.append(" " * width, style=slot)
        text.append("▏")
        return text

    def _queue_details(self, queue: QueueView) -> Details:
        """A ``queue.Queue``: its items as a bar of cells, next out on the left (a bounded
        queue shows its free cells too; a long unbounded one its first few and how many
        more), the count, then unfinished tasks and the threads waiting to get, to put
        and to join."""
        bounded = queue.maxsize > 0
        shown = queue.items if bounded else queue.items[: MAX_LIST - 1]
        if shown or bounded:
            beside = self._bar(shown, queue.maxsize if bounded else 0)
            if len(shown) < queue.count:
                beside.append(f" … {queue.count - len(shown)} more", style="dim")
            count = f"{queue.count}/{queue.maxsize}" if bounded else str(queue.count)
            beside.append(f" {count}", style="bold")
        else:
            beside = Text("empty", style="dim")
        if queue.order is not QueueOrder.FIFO and queue.order is not QueueOrder.SIMPLE:
            beside.append(f" {queue.order.value}", style="dim")
        extras: list[tuple[Text, Text]] = []
        if queue.unfinished:
            extras.append((self._label("unfinished"), Text(str(queue.unfinished), style="bold")))
        for label, waiting in (
            ("getting", queue.getters),
            ("putting", queue.putters),
            ("joining", queue.joiners),
        ):
            if waiting:
                extras.append((self._label(label), self._queue(waiting)))
        return self._fit(beside, extras)


def _shortened(label: Text, longest: int) -> Text:
    """``label`` in at most ``longest`` cells: 'fetch_blocking#2' becomes 'fetch_blo…#2'."""
    if label.cell_len <= longest:
        return label
    head, mark, number = label.plain.rpartition("#")
    tail = mark + number if head and len(number) < longest // 2 else ""
    if not tail:
        head = label.plain
    return Text(head[: longest - len(tail) - 1] + "…" + tail, style=label.style)
