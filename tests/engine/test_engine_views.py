"""Typed views: every primitive publishes what it holds as data, never as a sentence.

A shared variable's write names the update it overwrote; a queue's items name who put
them; a future's state and a loop task's state are enums.
"""

from __future__ import annotations

import pytest
from engine_helpers import Program, advance, start_threads

from threadlab.engine.snapshot.model import (
    AccessKind,
    AwaitsGather,
    AwaitsSleep,
    BarrierView,
    BufferItem,
    CallbackKind,
    ConditionView,
    ErrorView,
    LoopCallback,
    LoopView,
    LostUpdate,
    MutexView,
    PrimitiveKind,
    QueueView,
    SemaphoreView,
    SharedAccess,
    SharedView,
    TaskState,
    TaskView,
    TimerView,
)

pytestmark = pytest.mark.timeout(30)

EVERY_KIND = """
    import queue
    import threading

    lock = threading.Lock()
    ready = threading.Condition(lock)
    permits = threading.Semaphore(2)
    gate = threading.Barrier(2)
    box = queue.Queue(2)
    counter = 3


    def bump():
        global counter
        counter = counter + 1


    threading.Thread(target=bump, name="T1").start()
"""


def test_every_kind_has_its_own_view_in_creation_order(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, EVERY_KIND, races=True).scenario)
    start_threads(rt)
    snap = advance(rt, "T1")  # T1 reads counter
    views = snap.primitives
    assert [type(v) for v in views] == [
        MutexView,
        ConditionView,
        SemaphoreView,
        BarrierView,
        QueueView,
        SharedView,
    ]
    assert [v.kind for v in views] == [
        PrimitiveKind.MUTEX,
        PrimitiveKind.CONDITION,
        PrimitiveKind.SEMAPHORE,
        PrimitiveKind.BARRIER,
        PrimitiveKind.QUEUE,
        PrimitiveKind.SHARED,
    ]
    assert views[0].kind == "mutex"  # a StrEnum: equal to the plain string it replaces
    assert snap.primitive("ready") == ConditionView(name="ready", mutex="lock")
    assert snap.primitive("permits") == SemaphoreView(name="permits", count=2, permits=2)
    assert snap.primitive("gate") == BarrierView(name="gate", parties=2, phase=0)
    assert snap.primitive("box") == QueueView(name="box", maxsize=2, unfinished=0)
    assert snap.primitive("counter") == SharedView(
        name="counter", value=3, accesses=(SharedAccess("T1", AccessKind.READ, 3),)
    )


RACY_INCREMENTS = """
    import threading

    counter = 0


    def increment():
        global counter
        value = counter
        counter = value + 1


    threading.Thread(target=increment, name="T1").start()
    threading.Thread(target=increment, name="T2").start()
"""


def test_a_lost_update_names_the_write_it_overwrote(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, RACY_INCREMENTS, races=True).scenario)
    start_threads(rt)
    snap = advance(rt, "T1", "T2", "T1", "T2")  # read, read, write, write
    assert snap.primitive("counter").accesses == (
        SharedAccess("T1", AccessKind.READ, 0),
        SharedAccess("T2", AccessKind.READ, 0),
        SharedAccess("T1", AccessKind.WRITE, 1, old=0),
        SharedAccess("T2", AccessKind.WRITE, 1, old=1, lost=LostUpdate("T1", value=1, read=0)),
    )


def test_no_update_is_lost_when_each_thread_read_the_latest_write(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, RACY_INCREMENTS, races=True).scenario)
    start_threads(rt)
    snap = advance(rt, "T1", "T1", "T2", "T2")  # read, write, read, write
    accesses = snap.primitive("counter").accesses
    assert [a.lost for a in accesses] == [None, None, None, None]
    assert snap.primitive("counter").value == 2


OWN_WRITE_AND_BLIND_WRITE = """
    import threading

    counter = 0


    def twice():
        global counter
        value = counter
        counter = value + 1
        counter = value + 2


    def blind():
        global counter
        counter = 10  # never read: a deliberate overwrite, not a lost update


    threading.Thread(target=twice, name="T1").start()
    threading.Thread(target=blind, name="T2").start()
"""


def test_a_thread_overwriting_its_own_write_loses_nothing(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, OWN_WRITE_AND_BLIND_WRITE, races=True).scenario)
    start_threads(rt)
    snap = advance(rt, "T1", "T1", "T1", "T2")
    accesses = snap.primitive("counter").accesses
    assert [(a.thread, a.kind) for a in accesses] == [
        ("T1", AccessKind.READ),
        ("T1", AccessKind.WRITE),
        ("T1", AccessKind.WRITE),
        ("T2", AccessKind.WRITE),
    ]
    assert [a.lost for a in accesses] == [None, None, None, None]


BLIND_WRITE_BETWEEN = """
    import threading

    counter = 0


    def increment():
        global counter
        value = counter
        counter = value + 1


    def blind():
        global counter
        counter = 10


    threading.Thread(target=increment, name="T1").start()
    threading.Thread(target=blind, name="T2").start()
"""


def test_a_write_after_a_blind_write_by_another_thread_loses_it(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, BLIND_WRITE_BETWEEN, races=True).scenario)
    start_threads(rt)
    snap = advance(rt, "T1", "T2", "T1")
    assert snap.primitive("counter").accesses[-1].lost == LostUpdate("T2", value=10, read=0)


PUT_AND_GET = """
    import queue
    import threading

    box = queue.Queue(3)
    threading.Thread(target=box.put, args=("apple",), name="P1").start()
    threading.Thread(target=box.put, args=("pear",), name="P2").start()
    threading.Thread(target=box.get, name="C1").start()
"""


def test_queue_items_name_the_thread_that_put_them(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, PUT_AND_GET).scenario)
    start_threads(rt)
    snap = advance(rt, "P2", "P1")
    box = snap.primitive("box")
    assert isinstance(box, QueueView)
    assert box.items == (BufferItem("'pear'", producer="P2"), BufferItem("'apple'", producer="P1"))
    assert (box.count, box.maxsize) == (2, 3)
    snap = advance(rt, "C1")
    assert snap.primitive("box").items == (BufferItem("'apple'", producer="P1"),)


GATHER = """
    import asyncio


    async def nap():
        await asyncio.sleep(1)
        return "rested"


    async def fail():
        raise ValueError("no page")


    async def main():
        napping = asyncio.create_task(nap())
        failing = asyncio.create_task(fail())
        await asyncio.gather(napping, failing, return_exceptions=True)


    asyncio.run(main())
"""


def test_loop_tasks_carry_a_state_enum(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, GATHER).scenario)
    waiting, ready = TaskState.WAITING, TaskState.READY

    def loop_after_a_step() -> LoopView:
        loop = advance(rt, "MainThread").primitive("loop")
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
    slept_at = loop.time  # the run's virtual clock, when nap runs
    loop = loop_after_a_step()  # nap sleeps
    until = loop.tasks[1].awaiting
    assert isinstance(until, AwaitsSleep) and until.until == pytest.approx(slept_at + 1)
    assert loop.tasks[1].awaiting == AwaitsSleep(until=until.until)
    assert loop.timers == (TimerView(until.until, LoopCallback(CallbackKind.WAKE, "nap#2")),)
    loop = loop_after_a_step()  # fail raises
    assert loop.tasks[2] == TaskView(
        "fail#3", TaskState.FAILED, error=ErrorView("ValueError", "no page")
    )
    assert loop.tasks[0].awaiting == AwaitsGather(done=1, total=2)
    # gather hears of it; with nothing else to run, the loop's thread then waits for
    # the timer, and the run's clock goes straight to it
    loop = loop_after_a_step()
    assert loop.time == until.until
    loop = loop_after_a_step()  # the timer fires
    assert loop.tasks[1].awaiting == AwaitsSleep(until=until.until, fired=True)
    assert loop.ready == (LoopCallback(CallbackKind.WAKE, "nap#2"),)
    loop_after_a_step()  # the timer wakes nap
    loop = loop_after_a_step()  # nap returns
    assert loop.tasks[1] == TaskView("nap#2", TaskState.DONE, result="'rested'")
    loop_after_a_step()  # gather hears of it
    loop = loop_after_a_step()  # main goes on and returns
    assert [t.state for t in loop.tasks] == [TaskState.DONE, TaskState.DONE, TaskState.FAILED]
