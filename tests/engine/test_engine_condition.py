"""Condition variables with exact interleavings: wait, signal, broadcast, re-acquire, misuse."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from engine_helpers import advance, make_scenario

from threadlab.engine import RunState, Scenario, ThreadState, VerdictKind, World

pytestmark = pytest.mark.timeout(30)

HERE = Path(__file__).name
WAITERS = ("W1", "W2", "W3")


def waiters_and_waker(wake: str) -> tuple[Scenario, list[str]]:
    """W1..W3 wait on c (under m); S takes m and calls ``c.<wake>()`` once.

    The returned list records each waiter as its ``wait()`` returns.
    """
    returned: list[str] = []

    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        m = world.mutex("m")
        c = world.condition("c", m)

        def waiter(me: str) -> None:
            with m:
                c.wait()
                returned.append(me)

        def waker() -> None:
            with m:
                getattr(c, wake)()

        for name in WAITERS:
            world.spawn(name, waiter, name)
        world.spawn("S", waker)

    return make_scenario(build, name=f"waiters-{wake}", waits_for_user=True), returned


def all_waiting(rt) -> None:
    for name in WAITERS:
        advance(rt, name, name)  # acquire m, then wait on c


def test_wait_releases_the_mutex_and_joins_the_queue(launch) -> None:
    scenario, _ = waiters_and_waker("signal")
    rt = launch(scenario)
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


@pytest.mark.parametrize("alias", ["signal", "notify"])
def test_signal_wakes_the_first_waiter_only(launch, alias: str) -> None:
    scenario, returned = waiters_and_waker(alias)
    rt = launch(scenario)
    all_waiting(rt)
    snap = advance(rt, "S", "S")  # acquire m, signal
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
    assert returned == []


@pytest.mark.parametrize("alias", ["broadcast", "notify_all"])
def test_broadcast_wakes_every_waiter(launch, alias: str) -> None:
    scenario, returned = waiters_and_waker(alias)
    rt = launch(scenario)
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
    assert snap.run_state is RunState.FINISHED


def test_a_woken_thread_blocks_until_it_gets_the_mutex_back(launch) -> None:
    scenario, returned = waiters_and_waker("signal")
    rt = launch(scenario)
    all_waiting(rt)
    advance(rt, "S", "S")  # S holds m and has signalled W1
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

    snap = advance(rt, "S")  # S releases: m is handed to W1
    assert snap.primitive("m").owner == "W1"
    assert snap.thread("W1").state is ThreadState.RUNNABLE
    assert returned == []  # handed the mutex, but not yet returned from wait()
    snap = advance(rt, "W1")
    assert returned == ["W1"]
    assert snap.primitive("m").owner == "W1"
    assert snap.thread("W1").operation == "release m"


def test_a_signal_with_nobody_waiting_is_lost(launch) -> None:
    scenario, returned = waiters_and_waker("signal")
    rt = launch(scenario)
    snap = advance(rt, "S", "S")
    lost = snap.events[-1]
    assert (lost.thread, lost.kind, lost.primitive) == ("S", "signal", "c")
    assert "lost" in lost.detail
    # A thread that waits afterwards is not woken by it.
    advance(rt, "S")
    snap = advance(rt, "W1", "W1")
    assert snap.thread("W1").state is ThreadState.WAITING
    assert snap.primitive("c").queue == ("W1",)
    assert returned == []


def misuse(call: str) -> Scenario:
    """T1 calls ``c.<call>()`` without holding m (T2 holds it, to make it plain)."""

    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        m = world.mutex("m")
        c = world.condition("c", m)

        def careless() -> None:
            getattr(c, call)()

        def owner() -> None:
            with m:
                c.wait()

        world.spawn("T1", careless)
        world.spawn("T2", owner)

    return make_scenario(build, name=f"misuse-{call}", waits_for_user=True)


@pytest.mark.parametrize("call", ["wait", "signal", "broadcast"])
def test_wait_or_signal_without_holding_the_mutex_fails_the_thread(launch, call: str) -> None:
    rt = launch(misuse(call))
    advance(rt, "T2", "T2")  # T2 waits on c
    snap = advance(rt, "T1")
    t1 = snap.thread("T1")
    assert t1.state is ThreadState.FAILED
    assert t1.traceback is not None
    assert f"T1 called c.{call}() without holding m" in t1.traceback
    assert HERE in t1.traceback and "careless" in t1.traceback
    assert "primitives" not in t1.traceback and "runtime.py" not in t1.traceback
    assert snap.verdict is not None
    assert snap.verdict.kind is VerdictKind.FAILED
    assert snap.verdict.threads == ("T1",)
    assert snap.run_state is RunState.FAILED
    # The misuse changed nothing: T2 still waits, alone, and m is free.
    assert snap.primitive("c").queue == ("T2",)
    assert snap.thread("T2").state is ThreadState.WAITING
    assert snap.primitive("m").owner is None
