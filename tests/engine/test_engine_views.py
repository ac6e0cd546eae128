"""Typed views: every primitive publishes what it holds as data, never as a sentence.

A compare-and-exchange records what it expected, found and whether it swapped; a shared
variable's write names the update it overwrote; a buffer's items name who put them; a
future's state and a loop task's state are enums.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from engine_helpers import advance, make_scenario

from threadlab.engine import World
from threadlab.engine.snapshot.model import (
    AccessKind,
    AtomicView,
    AwaitsGather,
    AwaitsSleep,
    BarrierView,
    BufferItem,
    BufferView,
    CallbackKind,
    CasAttempt,
    ConditionView,
    ErrorView,
    LoopCallback,
    LoopView,
    LostUpdate,
    MutexView,
    PrimitiveKind,
    SemaphoreView,
    SharedAccess,
    SharedView,
    TaskState,
    TaskView,
    TimerView,
)

pytestmark = pytest.mark.timeout(30)


def test_every_kind_has_its_own_view_in_creation_order(launch) -> None:
    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        lock = world.mutex("lock")
        world.condition("ready", lock)
        world.semaphore("permits", 2)
        world.barrier("gate", 2)
        world.buffer("box", 2)
        world.atomic("cell", 7)
        world.shared("counter", 3)

        world.spawn("T1", lambda me: None, "T1")

    snap = launch(make_scenario(build)).snapshot()
    views = snap.primitives
    assert [type(v) for v in views] == [
        MutexView,
        ConditionView,
        SemaphoreView,
        BarrierView,
        BufferView,
        AtomicView,
        SharedView,
    ]
    assert [v.kind for v in views] == [
        PrimitiveKind.MUTEX,
        PrimitiveKind.CONDITION,
        PrimitiveKind.SEMAPHORE,
        PrimitiveKind.BARRIER,
        PrimitiveKind.BUFFER,
        PrimitiveKind.ATOMIC,
        PrimitiveKind.SHARED,
    ]
    assert views[0].kind == "mutex"  # a StrEnum: equal to the plain string it replaces
    assert snap.primitive("ready") == ConditionView(name="ready", mutex="lock")
    assert snap.primitive("permits") == SemaphoreView(name="permits", count=2, permits=2)
    assert snap.primitive("gate") == BarrierView(name="gate", parties=2, phase=0)
    assert snap.primitive("cell") == AtomicView(name="cell", value=7)
    assert snap.primitive("counter") == SharedView(name="counter", value=3)


def test_a_cas_records_expected_found_and_whether_it_swapped(launch) -> None:
    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        cell = world.atomic("cell", 0)

        def swap(me: str, expected: int, new: int) -> None:
            cell.compare_exchange(expected, new)

        world.spawn("T1", swap, "T1", 0, 5)
        world.spawn("T2", swap, "T2", 0, 9)

    rt = launch(make_scenario(build))
    snap = advance(rt, "T1", "T2")
    cell = snap.primitive("cell")
    assert isinstance(cell, AtomicView)
    assert cell.value == 5
    assert cell.attempts == (
        CasAttempt("T1", expected=0, found=0, new=5, swapped=True),
        CasAttempt("T2", expected=0, found=5, new=9, swapped=False),
    )


def racy_increments(world: World, params: Mapping[str, int], variant: str) -> None:
    counter = world.shared("counter", 0)

    def increment(me: str) -> None:
        value = counter.read()
        counter.write(value + 1)

    world.spawn("T1", increment, "T1")
    world.spawn("T2", increment, "T2")


def test_a_lost_update_names_the_write_it_overwrote(launch) -> None:
    rt = launch(make_scenario(racy_increments))
    snap = advance(rt, "T1", "T2", "T1", "T2")  # read, read, write, write
    assert snap.primitive("counter").accesses == (
        SharedAccess("T1", AccessKind.READ, 0),
        SharedAccess("T2", AccessKind.READ, 0),
        SharedAccess("T1", AccessKind.WRITE, 1, old=0),
        SharedAccess("T2", AccessKind.WRITE, 1, old=1, lost=LostUpdate("T1", value=1, read=0)),
    )


def test_no_update_is_lost_when_each_thread_read_the_latest_write(launch) -> None:
    rt = launch(make_scenario(racy_increments))
    snap = advance(rt, "T1", "T1", "T2", "T2")  # read, write, read, write
    accesses = snap.primitive("counter").accesses
    assert [a.lost for a in accesses] == [None, None, None, None]
    assert snap.primitive("counter").value == 2


def test_a_thread_overwriting_its_own_write_loses_nothing(launch) -> None:
    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        counter = world.shared("counter", 0)

        def twice(me: str) -> None:
            value = counter.read()
            counter.write(value + 1)
            counter.write(value + 2)

        def blind(me: str) -> None:
            counter.write(10)  # never read: a deliberate overwrite, not a lost update

        world.spawn("T1", twice, "T1")
        world.spawn("T2", blind, "T2")

    rt = launch(make_scenario(build))
    snap = advance(rt, "T1", "T1", "T1", "T2")
    assert [a.lost for a in snap.primitive("counter").accesses] == [None, None, None, None]


def test_a_write_after_a_blind_write_by_another_thread_loses_it(launch) -> None:
    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        counter = world.shared("counter", 0)

        def increment(me: str) -> None:
            value = counter.read()
            counter.write(value + 1)

        world.spawn("T1", increment, "T1")
        world.spawn("T2", lambda me: counter.write(10), "T2")

    rt = launch(make_scenario(build))
    snap = advance(rt, "T1", "T2", "T1")
    assert snap.primitive("counter").accesses[-1].lost == LostUpdate("T2", value=10, read=0)


def test_buffer_items_name_the_thread_that_put_them(launch) -> None:
    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        box = world.buffer("box", 3)
        world.spawn("P1", lambda me: box.put("apple"), "P1")
        world.spawn("P2", lambda me: box.put("pear"), "P2")
        world.spawn("C1", lambda me: box.get(), "C1")

    rt = launch(make_scenario(build))
    snap = advance(rt, "P2", "P1")
    box = snap.primitive("box")
    assert isinstance(box, BufferView)
    assert box.items == (BufferItem("pear", producer="P2"), BufferItem("apple", producer="P1"))
    assert (box.count, box.capacity) == (2, 3)
    snap = advance(rt, "C1")
    assert snap.primitive("box").items == (BufferItem("apple", producer="P1"),)


async def nap() -> str:
    await asyncio.sleep(1)
    return "rested"


async def fail() -> None:
    raise ValueError("no page")


async def main() -> None:
    napping = asyncio.create_task(nap())
    failing = asyncio.create_task(fail())
    await asyncio.gather(napping, failing, return_exceptions=True)


def test_loop_tasks_carry_a_state_enum(launch) -> None:
    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        loop = world.async_loop("loop", workers=1)

        def runner(me: str) -> None:
            loop.run(main())

        world.spawn("Loop", runner, "Loop")

    rt = launch(make_scenario(build))
    waiting, ready = TaskState.WAITING, TaskState.READY

    def loop_after_a_step() -> LoopView:
        loop = advance(rt, "Loop").primitive("loop")
        assert isinstance(loop, LoopView)
        return loop

    loop = loop_after_a_step()  # main creates both tasks and gathers them
    assert [(t.name, t.state, t.started) for t in loop.tasks] == [
        ("main#1", waiting, True),
        ("nap#2", ready, False),
        ("fail#3", ready, False),
    ]
    assert loop.tasks[0].awaiting == AwaitsGather(done=0, total=2)
    assert loop.ready == (
        LoopCallback(CallbackKind.TASK_STEP, "nap#2"),
        LoopCallback(CallbackKind.TASK_STEP, "fail#3"),
    )
    loop = loop_after_a_step()  # nap sleeps
    assert loop.tasks[1].awaiting == AwaitsSleep(until=1.0)
    assert loop.timers == (TimerView(1.0, LoopCallback(CallbackKind.WAKE, "nap#2")),)
    loop = loop_after_a_step()  # fail raises
    assert loop.tasks[2] == TaskView(
        "fail#3", TaskState.FAILED, error=ErrorView("ValueError", "no page")
    )
    assert loop.tasks[0].awaiting == AwaitsGather(done=1, total=2)
    loop_after_a_step()  # gather hears of it
    loop = loop_after_a_step()  # the loop idles to the timer
    assert loop.time == 1.0
    assert loop.tasks[1].awaiting == AwaitsSleep(until=1.0, fired=True)
    loop_after_a_step()  # the timer wakes nap
    loop = loop_after_a_step()  # nap returns
    assert loop.tasks[1] == TaskView("nap#2", TaskState.DONE, result="'rested'")
    loop_after_a_step()  # gather hears of it
    loop = loop_after_a_step()  # main goes on and returns
    assert [t.state for t in loop.tasks] == [TaskState.DONE, TaskState.DONE, TaskState.FAILED]
