"""Condition variables with exact interleavings: wait, notify, notify_all, re-acquire, misuse."""

from __future__ import annotations

import pytest
from engine_helpers import Program, advance, start_threads

from threadlab.engine import RunState, Runtime, ThreadState, VerdictKind

pytestmark = pytest.mark.timeout(30)

WAITERS = ("W1", "W2", "W3")

WAITERS_AND_WAKER = """
    import threading

    m = threading.Lock()
    c = threading.Condition(m)
    returned = []  # each waiter, as its wait() returns


    def waiter():
        with m:
            c.wait()
            returned.append(threading.current_thread().name)


    def waker():
        with m:
            c.{wake}()


    for name in ("W1", "W2", "W3"):
        threading.Thread(target=waiter, name=name).start()
    threading.Thread(target=waker, name="S").start()
"""
"""W1..W3 wait on c (under m); S takes m and calls ``c.<wake>()`` once."""


def waiters_and_waker(launch, tmp_path, wake: str) -> tuple[Runtime, Program]:
    program = Program(tmp_path, WAITERS_AND_WAKER.format(wake=wake), waits_for_user=True)
    runtime = launch(program.scenario)
    start_threads(runtime)
    return runtime, program


def all_waiting(rt) -> None:
    for name in WAITERS:
        advance(rt, name, name)  # acquire m, then wait on c


def test_wait_releases_the_mutex_and_joins_the_queue(launch, tmp_path) -> None:
    rt, _ = waiters_and_waker(launch, tmp_path, "notify")
    snap = advance(rt, "W1")
    assert snap.primitive("m").owner == "W1"
    assert snap.thread("W1").operation == "wait on c"
    snap = advance(rt, "W1")
    w1 = snap.thread("W1")
    assert w1.state is ThreadState.WAITING
    assert w1.waits_on == "c"
    assert snap.primitive("c").queue == ("W1",)
    assert snap.primitive("c").mutex == "m"
    assert snap.primitive("m").owner is None
    this_step = [(e.thread, e.kind, e.primitive) for e in snap.events if e.step == snap.step]
    assert this_step == [("W1", "wait", "c"), ("W1", "release", "m")]
    # The mutex is really free: W2 takes it and joins the queue behind W1.
    snap = advance(rt, "W2")
    assert snap.primitive("m").owner == "W2"
    snap = advance(rt, "W2")
    assert snap.primitive("c").queue == ("W1", "W2")


def test_notify_wakes_the_first_waiter_only(launch, tmp_path) -> None:
    rt, program = waiters_and_waker(launch, tmp_path, "notify")
    all_waiting(rt)
    snap = advance(rt, "S", "S")  # acquire m, notify
    assert snap.primitive("c").queue == ("W2", "W3")
    w1 = snap.thread("W1")
    assert w1.state is ThreadState.RUNNABLE
    assert w1.waits_on is None
    assert "re-acquire m" in w1.operation
    assert snap.thread("W2").state is ThreadState.WAITING
    assert snap.thread("W3").state is ThreadState.WAITING
    signal = snap.events[-1]
    assert (signal.thread, signal.kind, signal.primitive) == ("S", "signal", "c")
    assert "W1" in signal.detail
    assert program.globals["returned"] == []


@pytest.mark.parametrize("alias", ["notify_all", "notifyAll"])
def test_notify_all_wakes_every_waiter(launch, tmp_path, alias: str) -> None:
    rt, program = waiters_and_waker(launch, tmp_path, alias)
    returned = program.globals["returned"]
    all_waiting(rt)
    snap = advance(rt, "S", "S")
    assert snap.primitive("c").queue == ()
    for name in WAITERS:
        assert snap.thread(name).state is ThreadState.RUNNABLE
        assert "re-acquire m" in snap.thread(name).operation
    woken = [e.detail for e in snap.events if e.kind == "broadcast"]
    assert [d.split()[0] for d in woken] == list(WAITERS)
    # Each re-acquires m in turn before its wait() returns.
    snap = advance(rt, "S")  # S releases m
    snap = advance(rt, "W3")
    assert returned == ["W3"]
    assert snap.primitive("m").owner == "W3"
    snap = advance(rt, "W1")
    assert snap.thread("W1").state is ThreadState.BLOCKED
    assert returned == ["W3"]
    snap = advance(rt, "W3", "W1", "W1", "W2", "W2")
    assert returned == ["W3", "W1", "W2"]
    rt.step(20)
    assert rt.wait_idle(10)
    assert rt.snapshot().run_state is RunState.FINISHED


def test_a_woken_thread_blocks_until_it_gets_the_mutex_back(launch, tmp_path) -> None:
    rt, program = waiters_and_waker(launch, tmp_path, "notify")
    returned = program.globals["returned"]
    all_waiting(rt)
    advance(rt, "S", "S")  # S holds m and has notified W1
    snap = advance(rt, "W1")  # W1 tries to re-acquire m: held by S
    w1 = snap.thread("W1")
    assert w1.state is ThreadState.BLOCKED
    assert w1.waits_on == "m"
    assert snap.primitive("m").owner == "S"
    assert snap.primitive("m").queue == ("W1",)
    assert snap.primitive("c").queue == ("W2", "W3")
    assert returned == []
    with pytest.raises(Exception, match="W1"):
        rt.step_thread("W1")

    snap = advance(rt, "S")  # S releases m: W1 is woken to take it
    assert snap.primitive("m").queue == ()
    assert snap.thread("W1").state is ThreadState.RUNNABLE
    assert returned == []  # woken, but not yet returned from wait()
    snap = advance(rt, "W1")
    assert returned == ["W1"]
    assert snap.primitive("m").owner == "W1"
    assert snap.thread("W1").operation == "release m"


def test_a_notify_with_nobody_waiting_is_lost(launch, tmp_path) -> None:
    rt, program = waiters_and_waker(launch, tmp_path, "notify")
    snap = advance(rt, "S", "S")
    lost = snap.events[-1]
    assert (lost.thread, lost.kind, lost.primitive) == ("S", "signal", "c")
    assert "lost" in lost.detail
    # A thread that waits afterwards is not woken by it.
    advance(rt, "S")
    snap = advance(rt, "W1", "W1")
    assert snap.thread("W1").state is ThreadState.WAITING
    assert snap.primitive("c").queue == ("W1",)
    assert program.globals["returned"] == []


MISUSE = """
    import threading

    m = threading.Lock()
    c = threading.Condition(m)


    def careless():
        c.{call}()


    def owner():
        with m:
            c.wait()


    threading.Thread(target=careless, name="T1").start()
    threading.Thread(target=owner, name="T2").start()
"""
"""T1 calls ``c.<call>()`` without holding m (T2 waits on c, to make it plain)."""


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ("wait", "cannot wait on un-acquired lock"),
        ("notify", "cannot notify on un-acquired lock"),
        ("notify_all", "cannot notify on un-acquired lock"),
    ],
)
def test_wait_or_notify_without_holding_the_mutex_fails_the_thread(
    launch, tmp_path, call: str, error: str
) -> None:
    rt = launch(Program(tmp_path, MISUSE.format(call=call), waits_for_user=True).scenario)
    start_threads(rt)
    advance(rt, "T2", "T2")  # T2 waits on c
    snap = advance(rt, "T1")
    t1 = snap.thread("T1")
    assert t1.state is ThreadState.FAILED
    assert t1.traceback is not None
    assert f"RuntimeError: {error}" in t1.traceback
    assert "program.py" in t1.traceback and "careless" in t1.traceback
    assert "primitives" not in t1.traceback and "runtime.py" not in t1.traceback
    assert snap.verdict is not None
    assert snap.verdict.kind is VerdictKind.FAILED
    assert snap.verdict.threads == ("T1",)
    assert snap.run_state is RunState.FAILED
    # The misuse changed nothing: T2 still waits, alone, and m is free.
    assert snap.primitive("c").queue == ("T2",)
    assert snap.thread("T2").state is ThreadState.WAITING
    assert snap.primitive("m").owner is None
