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
from tui_testing import run

from threadlab.engine import Runtime, resolve_config
from threadlab.engine.model import (
    AccessKind,
    BufferItem,
    BufferView,
    CasAttempt,
    EventWait,
    FutureState,
    FutureView,
    LostUpdate,
    PrimitiveView,
    QueueOrder,
    QueueView,
    SharedAccess,
    Snapshot,
)
from threadlab.scenarios import get_scenario
from threadlab.tui.widgets.palette import thread_colour
from threadlab.tui.widgets.primitives import MAX_LIST, PrimitivesPanel
from threadlab.tui.widgets.watches import WatchesPanel

NARROW, WIDE = 34, 60
"""The primitives panel's width in the side column at 80 columns, and a roomy one."""
WIDTHS = pytest.mark.parametrize("width", [NARROW, WIDE], ids=["narrow", "wide"])


def snapshot_after(
    name: str, steps: int = 0, *, variant: str | None = None, threads: tuple[str, ...] = ()
) -> Snapshot:
    """The snapshot of a paused run after ``steps`` steps, then one step of each of
    ``threads`` in order."""
    config = resolve_config(get_scenario(name), variant=variant, seed=0)
    runtime = Runtime(config, paused=True, speed=None)
    runtime.start()
    try:
        if steps:
            runtime.step(steps)
            runtime.wait_idle()
        for thread in threads:
            runtime.step_thread(thread)
            runtime.wait_idle()
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
    lines, _ = primitives_text(snapshot_after("readers-writers", 10), WIDE)
    assert lines[0].split() == ["mutex", "mutex", "owner", "R3", "queue", "W2", "R2", "W1"]
    assert "waiting R1  (with mutex)" in lines[1]


def test_buffer_keeps_its_slots() -> None:
    lines, _ = primitives_text(snapshot_after("producer-consumer", 10), WIDE)
    assert any("▕" in line and "0/3" in line for line in lines)


# -- atomic cells and shared variables


@WIDTHS
def test_atomic_shows_value_and_last_cas_attempts(width: int) -> None:
    snapshot = snapshot_after("cas", 8, variant="spinlock")
    last = snapshot.primitive("lock").attempts[-1]
    assert last == CasAttempt("T2", expected=0, found=0, new=1, swapped=True)
    lines, _ = primitives_text(snapshot, width)
    assert "value 1" in lines[0] and "last CAS:" in lines[0]
    assert lines[1:] == [
        "    ✗ T1 expected 0, found 1",
        "    ✗ T3 expected 0, found 1",
        "    ✓ T2 expected 0, set 1",
    ]


@WIDTHS
def test_racy_counter_shows_the_lost_update(width: int) -> None:
    # The textbook interleaving: T1 read, T2 read, T1 write, T2 write.
    snapshot = snapshot_after("cas", variant="counter-racy", threads=("T1", "T2", "T1", "T2"))
    lost = LostUpdate("T1", value=1, read=0)
    write = SharedAccess("T2", AccessKind.WRITE, 1, old=1, lost=lost)
    assert snapshot.primitive("counter").accesses[-1] == write
    lines, text = primitives_text(snapshot, width)
    assert "value 1" in lines[0]
    assert "T2 read 0 T1 wrote 1 over 0 T2 wrote 1 over 1 ✗ T1's update lost" in text


def test_racy_counter_marks_no_loss_when_each_read_its_own_write() -> None:
    snapshot = snapshot_after("cas", variant="counter-racy", threads=("T1", "T1", "T2", "T2"))
    _, text = primitives_text(snapshot, WIDE)
    assert "T2 read 1" in text and "T2 wrote 2 over 1" in text
    assert "lost" not in text


# -- barrier


@WIDTHS
def test_barrier_shows_phase_arrivals_and_waiters(width: int) -> None:
    _, text = primitives_text(snapshot_after("barrier", 8), width)
    assert "barrier" in text
    assert "phase 0 arrived 2/3 waiting T2 T3" in text


# -- futures and the thread pool


@WIDTHS
def test_futures_show_task_and_state(width: int) -> None:
    lines, text = primitives_text(snapshot_after("futures", 25), width)
    assert "square(1, 3) ✓ done: 1" in text
    assert "square(3, 3) ✗ raised ValueError: cannot square 3" in text
    assert "square(4, 3) ▶ running on W_0" in text
    assert "waiting MainThread" in text
    if width == WIDE:  # task and state share a line where they fit
        assert any("futures[1]" in line and "done: 4" in line for line in lines)


def test_a_cancelled_future_says_so() -> None:
    snapshot = snapshot_after("futures", 5)
    cancelled = FutureView(name="later", task="square(4, 3)", state=FutureState.CANCELLED)
    _, text = primitives_text(dataclasses.replace(snapshot, primitives=(cancelled,)), WIDE)
    assert "square(4, 3) ⊘ cancelled" in text


@WIDTHS
def test_pool_shows_busy_workers_and_queued_tasks(width: int) -> None:
    _, busy = primitives_text(only(snapshot_after("futures", 12), "executor"), width)
    assert "W_0 runs futures[1], W_1 runs futures[2]" in busy
    assert "queued —" in busy
    _, queued = primitives_text(only(snapshot_after("futures", 15), "executor"), width)
    assert "queued futures[3] square(4, 3)" in queued
    _, idle = primitives_text(only(snapshot_after("futures", 25), "executor"), width)
    assert "W_0 runs futures[3], W_1 idle" in idle
    _, done = primitives_text(only(snapshot_after("futures", 40), "executor"), width)
    assert "shut down" in done


# -- event queue


@WIDTHS
def test_event_queue_shows_handler_and_how_long_each_event_waited(width: int) -> None:
    snapshot = snapshot_after("event-loop", 20, variant="blocking")
    assert snapshot.primitive("events").waiting[0] == EventWait("click 1", waited=15)
    lines, text = primitives_text(snapshot, width)
    assert "handling compute" in lines[0]
    assert "queue click 1 waited 15 click 2 waited 12 click 3 waited 5" in text
    assert "last compute waited 2 steps" in text
    # One waiting event a line, oldest first.
    assert [line.split()[-1] for line in lines if "waited" in line][:3] == ["15", "12", "5"]


def test_a_long_event_queue_is_shortened() -> None:
    snapshot = snapshot_after("event-loop", 20, variant="blocking")
    events = snapshot.primitive("events")
    many = dataclasses.replace(
        events, waiting=tuple(EventWait(f"click {n}", waited=20 - n) for n in range(1, 10))
    )
    lines, text = primitives_text(dataclasses.replace(snapshot, primitives=(many,)), NARROW)
    assert f"… {9 - (MAX_LIST - 1)} more" in text
    assert "click 9" not in text
    assert len(lines) == 1 + MAX_LIST + 1  # handler, the capped queue, the last handled


# -- IO device and completion port


@WIDTHS
def test_device_shows_requests_in_flight(width: int) -> None:
    _, text = primitives_text(snapshot_after("async-io", 6), width)
    assert "busy, 3 in flight" in text
    assert "block 1 3 ticks left block 2 4 ticks left block 3 6 ticks left" in text
    assert "completed —" in text


@WIDTHS
def test_port_shows_completions_and_device_goes_off(width: int) -> None:
    _, text = primitives_text(snapshot_after("async-io", 16), width)
    assert "completed block 1, block 2" in text
    _, later = primitives_text(snapshot_after("async-io", 60), width)
    assert re.search(r"disk (device )?off", later)


# -- the asyncio loop and its executor


@WIDTHS
def test_loop_shows_time_ready_queue_and_one_line_per_task(width: int) -> None:
    lines, text = primitives_text(snapshot_after("coroutines", 15), width)
    assert "time t=0.5" in lines[0]
    assert "ready fetch#2" in text
    assert "main#1 ◇ line 36: gather: 0 of 3 done" in text
    assert "fetch#2 ▷ ready, line 22" in text
    assert "fetch#3 ◇ line 22: sleep until t=1" in text
    assert "timers t=1 wake fetch#3 t=1.5 wake fetch#4" in text
    assert "W1 idle" in text
    task_lines = [line for line in lines if re.search(r"\b(main|fetch)#\d ", line)]
    assert len(task_lines) == 4  # each task starts a line of its own


@WIDTHS
def test_loop_shows_results_and_executor_jobs(width: int) -> None:
    _, early = primitives_text(snapshot_after("coroutines", 5), width)
    assert "W1 runs crunch(4)" in early
    _, done = primitives_text(snapshot_after("coroutines", 40), width)
    assert "fetch#2 ✓ → 'page 1'" in done
    assert "executor shut down" in done


def test_long_task_names_are_shortened_at_the_narrow_width() -> None:
    snapshot = snapshot_after("coroutines", 12, variant="blocking-call")
    assert "fetch_blocking#2" in [task.name for task in snapshot.primitive("loop").tasks]
    lines, text = primitives_text(snapshot, NARROW)
    assert re.search(r"\bfetch_\w+…#2 ▶ running, line 27", text)
    assert all(len(line) <= NARROW for line in lines)
    _, wide = primitives_text(snapshot, WIDE)
    assert "fetch_blocking#2 ▶ running, line 27" in wide


# -- anything else


def test_unknown_kind_falls_back_to_the_generic_line() -> None:
    snapshot = snapshot_after("mutex")
    odd = PrimitiveView(name="gizmo", kind="gizmo", queue=("T2", "T1"))
    _, text = primitives_text(dataclasses.replace(snapshot, primitives=(odd,)), WIDE)
    assert "gizmo gizmo queue T2 T1" in text


def test_buffer_slots_take_the_colour_of_the_thread_that_put_the_item() -> None:
    # The item's text need not name its producer: the view says who put it.
    snapshot = snapshot_after("producer-consumer")
    buffer = BufferView(
        name="buffer",
        capacity=3,
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
    assert colours == {"apple": thread_colour(index["P2"]), "pear": thread_colour(index["P1"])}


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
    snapshot = snapshot_after("readers-writers", 10)
    assert snapshot.watches == (("readers", "0"), ("writer", "W1"))
    lines = drawn(WatchesPanel(), snapshot, width)
    assert lines == ["readers  0", "writer   W1"]


def test_watches_wrap_a_long_value() -> None:
    snapshot = snapshot_after("coroutines", 40)
    lines = drawn(WatchesPanel(), snapshot, NARROW)
    text = " ".join(" ".join(lines).split())
    assert "arrived page 1 at t=0.5, page 2 at t=1, page 3 at t=1.5" in text
    assert lines[0] == "time      t=1.5"


def test_watches_panel_hides_without_watches() -> None:
    snapshot = snapshot_after("philosophers")
    assert snapshot.watches == ()
    panel = WatchesPanel()
    assert drawn(panel, snapshot, WIDE) == []
    assert panel.has_class("-empty")
    assert panel.region.height == 0
