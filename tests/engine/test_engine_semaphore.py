"""Semaphore semantics: a count of permits, FIFO waiters, a permit handed to the first one."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from engine_helpers import advance, make_scenario

from threadlab.engine import RunState, Scenario, ThreadState, VerdictKind, World, work

pytestmark = pytest.mark.timeout(30)


def four_on_two_permits() -> tuple[Scenario, list[str]]:
    got_it: list[str] = []

    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        s = world.semaphore("s", 2)

        def worker(me: str) -> None:
            s.acquire()
            got_it.append(me)
            work(1, "use the permit")
            s.release()

        for name in ("T1", "T2", "T3", "T4"):
            world.spawn(name, worker, name)

    return make_scenario(build, name="four-on-two"), got_it


def test_permits_count_down_then_waiters_queue_in_fifo_order(launch) -> None:
    scenario, got_it = four_on_two_permits()
    rt = launch(scenario)
    s = rt.snapshot().primitive("s")
    assert (s.kind, s.count, s.permits, s.holders, s.queue) == ("semaphore", 2, 2, (), ())

    snap = advance(rt, "T2")
    assert snap.primitive("s").count == 1
    assert snap.primitive("s").holders == ("T2",)
    snap = advance(rt, "T1")
    assert snap.primitive("s").count == 0
    assert snap.primitive("s").holders == ("T2", "T1")
    snap = advance(rt, "T4")
    assert snap.thread("T4").state is ThreadState.BLOCKED
    assert snap.thread("T4").waits_on == "s"
    snap = advance(rt, "T3")
    assert snap.primitive("s").queue == ("T4", "T3")
    assert snap.primitive("s").count == 0
    assert got_it == ["T2", "T1"]


def test_release_hands_the_permit_to_the_first_waiter(launch) -> None:
    scenario, got_it = four_on_two_permits()
    rt = launch(scenario)
    advance(rt, "T1", "T2", "T4", "T3")
    snap = advance(rt, "T1", "T1")  # work, then release
    s = snap.primitive("s")
    assert s.count == 0  # handed over, not put back
    assert s.queue == ("T3",)
    assert s.holders == ("T2", "T4")
    assert snap.thread("T4").state is ThreadState.RUNNABLE
    assert snap.thread("T3").state is ThreadState.BLOCKED
    release = next(e for e in reversed(snap.events) if e.kind == "release")
    assert release.thread == "T1" and "T4" in release.detail

    before = snap.step
    snap = advance(rt, "T4")  # returns from acquire() without acquiring again
    assert got_it == ["T1", "T2", "T4"]
    assert snap.step == before + 1
    assert snap.thread("T4").state is ThreadState.WORKING

    snap = advance(rt, "T2", "T2")
    assert snap.primitive("s").queue == ()
    assert snap.primitive("s").holders == ("T4", "T3")
    snap = advance(rt, "T4", "T4", "T3", "T3", "T3")
    assert snap.run_state is RunState.FINISHED
    s = snap.primitive("s")
    assert (s.count, s.holders, s.queue) == (2, (), ())


def build_zero_permits(world: World, params: Mapping[str, int], variant: str) -> None:
    s = world.semaphore("s", 0)

    def taker() -> None:
        s.acquire()

    world.spawn("T1", taker)


def test_acquire_at_zero_with_nobody_to_release_is_a_deadlock(launch) -> None:
    rt = launch(make_scenario(build_zero_permits, name="zero"))
    snap = advance(rt, "T1")
    assert snap.run_state is RunState.DEADLOCK
    assert snap.verdict is not None and snap.verdict.kind is VerdictKind.DEADLOCK
    assert "T1 waits for a permit of s" in snap.verdict.text
