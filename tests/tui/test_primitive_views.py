"""How the primitives panel draws every kind, and the watches panel, for real snapshots.

Each test runs a scenario paused, takes a known number of steps (or steps chosen threads),
mounts the panel alone in a small app at a fixed width, and reads back the text it drew:
the key facts of each kind must be there, at the narrow side column's width as at a wide
one, and no drawn line may be wider than the panel.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from tui_testing import RACY_COUNTER, run, start_threads

from threadlab.engine import RunState, Runtime, Scenario, resolve_config
from threadlab.engine.snapshot.model import (
    AccessKind,
    BufferItem,
    EventFlagView,
    FutureState,
    FutureView,
    LostUpdate,
    MutexView,
    PrimitiveView,
    QueueOrder,
    QueueView,
    SharedAccess,
    Snapshot,
)
from threadlab.scenarios import get_scenario
from threadlab.tui.widgets.palette import thread_colour
from threadlab.tui.widgets.primitives import PrimitivesPanel
from threadlab.tui.widgets.watches import WatchesPanel

NARROW, WIDE = 34, 60
"""The primitives panel's width in the side column at 80 columns, and a roomy one."""
WIDTHS = pytest.mark.parametrize("width", [NARROW, WIDE], ids=["narrow", "wide"])


def snapshot_after(
    name: str | Scenario,
    steps: int = 0,
    *,
    variant: str | None = None,
    threads: tuple[str, ...] = (),
) -> Snapshot:
    """The snapshot of a paused run of the shipped scenario ``name`` (or of a scenario
    given itself) after ``steps`` steps (going on past a LOOP BLOCKED pause), then, its
    threads started, one step of each of ``threads`` in order."""
    scenario = get_scenario(name) if isinstance(name, str) else name
    config = resolve_config(scenario, variant=variant, seed=0)
    runtime = Runtime(config, paused=True, speed=None)
    runtime.start()
    try:
        if steps:
            runtime.step(steps)
            assert runtime.wait_idle(60)
            taken = runtime.snapshot()
            if taken.run_state is RunState.LOOP_BLOCKED and taken.step < steps:
                runtime.step(steps - taken.step)  # the run goes on after that verdict
                assert runtime.wait_idle(60)
        if threads:
            start_threads(runtime)
        for thread in threads:
            runtime.step_thread(thread)
            assert runtime.wait_idle(60)
        return runtime.snapshot()
    finally:
        runtime.stop()


class PanelApp(App[None]):
    """One panel in a column of a fixed width, as the scenario screen's side column."""

    def __init__(self, panel: Widget, width: int) -> None:
        super().__init__()
        self.panel = panel
        self.width = width

    def compose(self) -> ComposeResult:
        with Vertical(id="column"):
            yield self.panel

    def on_mount(self) -> None:
        column = self.query_one("#column")
        column.styles.width = self.width
        column.styles.height = "auto"


def drawn(panel: PrimitivesPanel | WatchesPanel, snapshot: Snapshot, width: int) -> list[str]:
    """The lines ``panel`` draws for ``snapshot`` at ``width`` cells, right-trimmed."""
    return [strip.text.rstrip() for strip in drawn_strips(panel, snapshot, width)]


def drawn_strips(
    panel: PrimitivesPanel | WatchesPanel, snapshot: Snapshot, width: int
) -> list[Strip]:
    """The lines ``panel`` draws for ``snapshot`` at ``width`` cells, with their styles."""
    lines: list[Strip] = []

    async def body() -> None:
        app = PanelApp(panel, width)
        async with app.run_test(size=(width + 10, 60)) as pilot:
            panel.snapshot = snapshot
            await pilot.pause()
            size = panel.size
            strips = panel.render_lines(Region(0, 0, size.width, size.height))
            lines.extend(strips)
            assert all(strip.cell_length <= width for strip in strips)

    run(body)
    return lines


def primitives_text(snapshot: Snapshot, width: int) -> tuple[list[str], str]:
    """The panel's lines, and all of it as one string with runs of spaces made one (so a
    fact wrapped at the narrow width still reads as one)."""
    lines = drawn(PrimitivesPanel(), snapshot, width)
    return lines, " ".join(" ".join(lines).split())


def only(snapshot: Snapshot, *names: str) -> Snapshot:
    """``snapshot`` with only the named primitives (to look at one kind's lines alone)."""
    return dataclasses.replace(
        snapshot, primitives=tuple(p for p in snapshot.primitives if p.name in names)
    )


# -- the classic four keep their one line


def test_mutex_and_conditions_keep_their_one_line() -> None:
    lines, _ = primitives_text(snapshot_after("readers-writers", 36), WIDE)
    assert lines[0].split() == ["mutex", "mutex", "owner", "R2", "queue", "R1"]
    assert lines[1].split() == ["read_gate", "condition", "waiting", "—", "(with", "mutex)"]
    assert "write_gate condition waiting W2 W1  (with mutex)" in lines[2]


def test_a_bounded_queue_keeps_its_slots() -> None:
    snapshot = snapshot_after("producer-consumer", 10)
    buffer = QueueView(name="buffer", maxsize=3, items=())
    lines, _ = primitives_text(dataclasses.replace(snapshot, primitives=(buffer,)), WIDE)
    assert any("▕" in line and "0/3" in line for line in lines)


# -- shared variables


@WIDTHS
def test_racy_counter_shows_the_lost_update(width: int) -> None:
    # The textbook interleaving: T1 read, T2 read, T1 write, T2 write.
    snapshot = snapshot_after(RACY_COUNTER, threads=("T1", "T2", "T1", "T2"))
    lost = LostUpdate("T1", value=1, read=0)
    write = SharedAccess("T2", AccessKind.WRITE, 1, old=1, lost=lost)
    assert snapshot.primitive("counter").accesses[-1] == write
    lines, text = primitives_text(snapshot, width)
    assert "value 1" in lines[0]
    assert "T2 read 0 T1 wrote 1 over 0 T2 wrote 1 over 1 ✗ T1's update lost" in text


def test_racy_counter_marks_no_loss_when_each_read_its_own_write() -> None:
    snapshot = snapshot_after(RACY_COUNTER, threads=("T1", "T1", "T2", "T2"))
    _, text = primitives_text(snapshot, WIDE)
    assert "T2 read 1" in text and "T2 wrote 2 over 1" in text
    assert "lost" not in text


# -- barrier


@WIDTHS
def test_barrier_shows_phase_arrivals_and_waiters(width: int) -> None:
    _, text = primitives_text(snapshot_after("barrier", 13), width)
    assert "barrier" in text
    assert "phase 0 arrived 2/3 waiting T1 T2" in text


# -- futures and the thread pool


@WIDTHS
def test_futures_show_task_and_state(width: int) -> None:
    lines, text = primitives_text(snapshot_after("futures", 24), width)
    assert "square(1, 3) ✓ done: 1" in text
    assert "square(3, 3) ▶ running on W_0" in text
    assert "waiting MainThread" in text
    if width == WIDE:  # task and state share a line where they fit
        assert any("futures[1]" in line and "done: 4" in line for line in lines)
    _, text = primitives_text(snapshot_after("futures", 26), width)
    assert "square(3, 3) ✗ raised ValueError: cannot square 3" in text
    assert "square(4, 3) ▶ running on W_1" in text


def test_a_cancelled_future_says_so() -> None:
    snapshot = snapshot_after("futures", 5)
    cancelled = FutureView(name="later", task="square(4, 3)", state=FutureState.CANCELLED)
    _, text = primitives_text(dataclasses.replace(snapshot, primitives=(cancelled,)), WIDE)
    assert "square(4, 3) ⊘ cancelled" in text


@WIDTHS
def test_pool_shows_busy_workers_and_queued_tasks(width: int) -> None:
    _, busy = primitives_text(only(snapshot_after("futures", 7), "executor"), width)
    assert "W_0 runs futures[0], W_1 runs futures[1]" in busy
    assert "queued —" in busy
    _, queued = primitives_text(only(snapshot_after("futures", 14), "executor"), width)
    assert "queued futures[3] square(4, 3)" in queued
    _, idle = primitives_text(only(snapshot_after("futures", 26), "executor"), width)
    assert "W_1 runs futures[3], W_0 idle" in idle
    _, done = primitives_text(only(snapshot_after("futures", 40), "executor"), width)
    assert "shut down" in done


# -- a thread-based event loop's queue of handlers


@WIDTHS
def test_event_loop_queue_backs_up_behind_a_blocking_handler(width: int) -> None:
    """The event-loop program's queue of handlers: the clicks wait behind the one that
    computes everything, each shown by name with the thread that posted it."""
    early = snapshot_after("event-loop", 20, variant="blocking")
    assert early.watches == (("computed", "2/6 parts"), ("backlog", "2 events waiting"))
    events = early.primitive("events")
    assert isinstance(events, QueueView)
    assert events.items == (BufferItem("on_click", "Input"),) * 2
    _, text = primitives_text(early, width)
    assert "events" in text
    assert "▕on_click│on_click▏ 2" in text
    assert "unfinished 3" in text  # the handler running now and the two clicks
    later = snapshot_after("event-loop", 30, variant="blocking")
    assert later.watches == (("computed", "4/6 parts"), ("backlog", "4 events waiting"))
    _, text = primitives_text(later, width)
    assert "… 1 more 4" in text
    assert "unfinished 5" in text


# -- async IO through two queues


@WIDTHS
def test_async_io_reads_go_from_pending_to_the_port(width: int) -> None:
    """The async-io program's two queues: the reads the disk has not served yet, and the
    completion port holding finished ones until App polls it."""
    issued = snapshot_after("async-io", 9)
    assert issued.watches == (("collected", "none yet"),)
    _, text = primitives_text(issued, width)
    assert "pending" in text
    assert "▕'block 2'▏ 1" in text  # block 1 is on the disk, block 3 not issued yet
    assert "port" in text
    assert "empty" in text
    reading = snapshot_after("async-io", 22)
    assert reading.watches == (("collected", "block 1"),)
    port = reading.primitive("port")
    assert isinstance(port, QueueView)
    assert port.items == (BufferItem("'block 2'", "Disk"),)
    _, text = primitives_text(only(reading, "port"), width)
    assert "▕'block 2'▏ 1" in text
    done = snapshot_after("async-io", 60)
    assert done.watches == (("collected", "block 1, block 2, block 3"),)
    _, text = primitives_text(done, width)
    assert "pending" in text
    assert "empty" in text
    assert "'block" not in text


# -- the asyncio loop and its executor


@WIDTHS
def test_loop_shows_time_ready_queue_and_one_line_per_task(width: int) -> None:
    lines, text = primitives_text(snapshot_after("coroutines", 12), width)
    assert "time t=0.41" in lines[0]
    assert "ready fetch_all#1" in text
    assert "fetch_all#1 ▷ ready, line 33" in text
    assert "fetch#2 ◇ line 20: sleep until t=0.503" in text
    assert "fetch#3 ◇ line 20: sleep until t=1.007" in text
    assert "timers t=0.503 wake fetch#2 t=1.007 wake fetch#3 t=1.508 wake fetch#4" in text
    assert "asyncio_0 idle" in text
    task_lines = [line for line in lines if re.search(r"\b(fetch_all|fetch)#\d ", line)]
    assert len(task_lines) == 4  # each task starts a line of its own


@WIDTHS
def test_loop_shows_results_and_executor_jobs(width: int) -> None:
    _, early = primitives_text(snapshot_after("coroutines", 5), width)
    assert "asyncio_0 runs crunch_numbers(4)" in early
    assert "fetch_all#1 ◇ line 33: crunch_numbers(4) on asyncio_0" in early
    _, done = primitives_text(snapshot_after("coroutines", 40), width)
    assert "fetch#2 ✓ → 'page 1'" in done
    assert "executor shut down" in done


@WIDTHS
def test_loop_shows_a_coroutine_never_awaited_with_its_line(width: int) -> None:
    lines, text = primitives_text(snapshot_after("coroutines", 10, variant="missing-await"), width)
    assert (
        "unawaited to_thread(crunch_numbers, 4) at line 43 never ran "
        "(coroutine 'to_thread' was never awaited)"
    ) in " ".join(text.replace("crunch_ numbers", "crunch_numbers").split())
    assert all(len(line) <= width for line in lines)


def test_long_task_names_are_shortened_at_the_narrow_width() -> None:
    snapshot = snapshot_after("coroutines", 8, variant="blocking-call")
    assert "fetch_blocking#2" in [task.name for task in snapshot.primitive("loop").tasks]
    lines, text = primitives_text(snapshot, NARROW)
    assert re.search(r"\bfetch_\w+…#2 ▶ running, line 26", text)
    assert all(len(line) <= NARROW for line in lines)
    _, wide = primitives_text(snapshot, WIDE)
    assert "fetch_blocking#2 ▶ running, line 26" in wide


# -- anything else


def test_unknown_kind_falls_back_to_the_generic_line() -> None:
    snapshot = snapshot_after("mutex")
    odd = PrimitiveView(name="gizmo", kind="gizmo", queue=("T2", "T1"))
    _, text = primitives_text(dataclasses.replace(snapshot, primitives=(odd,)), WIDE)
    assert "gizmo gizmo queue T2 T1" in text


def test_queue_slots_take_the_colour_of_the_thread_that_put_the_item() -> None:
    # The item's text need not name its producer: the view says who put it.
    snapshot = snapshot_after("producer-consumer", 6)  # MainThread has started P1 and P2
    buffer = QueueView(
        name="buffer",
        maxsize=3,
        items=(BufferItem("apple", producer="P2"), BufferItem("pear", producer="P1")),
    )
    index = {t.name: t.index for t in snapshot.threads}
    strips = drawn_strips(
        PrimitivesPanel(), dataclasses.replace(snapshot, primitives=(buffer,)), WIDE
    )
    colours = {
        segment.text.strip(): segment.style.color.name
        if segment.style and segment.style.color
        else None
        for strip in strips
        for segment in strip
        if segment.text.strip() in ("apple", "pear")
    }
    assert colours == {  # the app's theme is the default, a dark one
        "apple": thread_colour(index["P2"], dark=True),
        "pear": thread_colour(index["P1"], dark=True),
    }


# -- queue.Queue


@WIDTHS
def test_queue_shows_items_unfinished_tasks_and_waiters(width: int) -> None:
    snapshot = snapshot_after("mutex", 4)
    bounded = QueueView(
        name="jobs",
        items=(BufferItem("'a'", "T1"), BufferItem("'b'", "T2")),
        maxsize=3,
        unfinished=2,
        putters=("T2",),
        queue=("T2",),
    )
    _, text = primitives_text(dataclasses.replace(snapshot, primitives=(bounded,)), width)
    assert "▕'a'│'b'│ ▏ 2/3" in text
    assert "unfinished 2" in text
    assert "putting T2" in text
    unbounded = QueueView(
        name="jobs",
        order=QueueOrder.LIFO,
        items=tuple(BufferItem(str(n), "T1") for n in range(6)),
        unfinished=None,
    )
    _, text = primitives_text(dataclasses.replace(snapshot, primitives=(unbounded,)), width)
    assert "▕ 0 │ 1 │ 2 ▏ … 3 more 6 lifo" in text, text
    empty = QueueView(name="jobs", getters=("T1",), joiners=("T2",), queue=("T1", "T2"))
    _, text = primitives_text(dataclasses.replace(snapshot, primitives=(empty,)), width)
    assert "empty" in text
    assert "getting T1" in text
    assert "joining T2" in text


# -- the watches panel


@WIDTHS
def test_watches_show_name_value_rows(width: int) -> None:
    snapshot = snapshot_after("readers-writers", 36)
    assert snapshot.watches == (("readers", "1"), ("data", "0"), ("writers waiting", "2"))
    lines = drawn(WatchesPanel(), snapshot, width)
    assert lines == ["readers          1", "data             0", "writers waiting  2"]


def test_watches_wrap_a_long_value() -> None:
    snapshot = snapshot_after("coroutines", 60)
    lines = drawn(WatchesPanel(), snapshot, NARROW)
    text = " ".join(" ".join(lines).split())
    assert "arrived page 1 at t=0.51, page 2 at t=1.01, page 3 at t=1.51" in text
    assert lines[0] == "time      t=1.52"


def test_watches_panel_hides_without_watches() -> None:
    snapshot = snapshot_after("philosophers")
    assert snapshot.watches == ()
    panel = WatchesPanel()
    assert drawn(panel, snapshot, WIDE) == []
    assert panel.has_class("-empty")
    assert panel.region.height == 0


# -- threading's Event and RLock


def test_an_event_shows_whether_it_is_set_and_who_waits() -> None:
    snapshot = snapshot_after("mutex")
    waiting = EventFlagView(name="ready", queue=("T1", "T2"), is_set=False)
    lines, _ = primitives_text(dataclasses.replace(snapshot, primitives=(waiting,)), WIDE)
    assert lines[0].split() == ["ready", "event", "not", "set", "waiting", "T1", "T2"]
    done = EventFlagView(name="ready", is_set=True)
    lines, _ = primitives_text(dataclasses.replace(snapshot, primitives=(done,)), WIDE)
    assert lines[0].split()[:3] == ["ready", "event", "set"]


def test_an_rlock_held_twice_says_so() -> None:
    snapshot = snapshot_after("mutex")
    held = MutexView(name="lock", owner="T1", depth=2)
    lines, _ = primitives_text(dataclasses.replace(snapshot, primitives=(held,)), WIDE)
    assert lines[0].split()[:5] == ["lock", "mutex", "owner", "T1", "×2"]


def test_a_program_that_has_dropped_every_primitive_is_told_why_the_panel_is_empty() -> None:
    """At the end of the futures lesson, lesson() has returned: its pool and future are gone."""
    snapshot = snapshot_after("futures", 40, variant="lesson")
    assert snapshot.primitives == ()
    _, text = primitives_text(snapshot, WIDE)
    assert text == "none now: a lock, queue or future shows here while the program keeps it"
