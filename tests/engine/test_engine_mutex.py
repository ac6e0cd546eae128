"""Mutex semantics with exact interleavings: FIFO handoff, misuse, and self-deadlock."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from engine_helpers import advance, make_scenario

from threadlab.engine import RunState, Scenario, ThreadState, VerdictKind, World, work

pytestmark = pytest.mark.timeout(30)

HERE = Path(__file__).name


def three_workers() -> tuple[Scenario, list[str]]:
    """T1..T3 each acquire m, work one step, release; the list says who got past acquire."""
    got_it: list[str] = []

    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        m = world.mutex("m")

        def worker(me: str) -> None:
            m.acquire()
            got_it.append(me)
            work(1, "inside")
            m.release()

        for name in ("T1", "T2", "T3"):
            world.spawn(name, worker, name)

    return make_scenario(build, name="three-workers"), got_it


def test_release_hands_ownership_to_the_first_waiter_in_fifo_order(launch) -> None:
    scenario, got_it = three_workers()
    rt = launch(scenario)
    snap = advance(rt, "T1")
    assert snap.primitive("m").owner == "T1"
    assert snap.thread("T1").state is ThreadState.WORKING

    snap = advance(rt, "T2")
    assert snap.thread("T2").state is ThreadState.BLOCKED
    assert snap.thread("T2").waits_on == "m"
    assert snap.primitive("m").queue == ("T2",)

    snap = advance(rt, "T3")
    assert snap.primitive("m").queue == ("T2", "T3")
    assert snap.thread("T3").state is ThreadState.BLOCKED

    advance(rt, "T1")  # finish the work; now at 'release m'
    snap = advance(rt, "T1")  # release: handed to T2, T1 ends
    m = snap.primitive("m")
    assert m.owner == "T2"
    assert m.queue == ("T3",)
    assert snap.thread("T1").state is ThreadState.DONE
    t2 = snap.thread("T2")
    assert t2.state is ThreadState.RUNNABLE
    assert t2.waits_on is None
    assert "acquired m" in t2.operation
    assert snap.thread("T3").state is ThreadState.BLOCKED
    release = snap.events[-2] if snap.events[-1].kind == "done" else snap.events[-1]
    assert (release.thread, release.kind, release.primitive) == ("T1", "release", "m")
    assert "T2" in release.detail

    # T2 already owns m: its next step returns from acquire() without acquiring again.
    assert got_it == ["T1"]
    before = rt.snapshot()
    snap = advance(rt, "T2")
    assert got_it == ["T1", "T2"]
    assert snap.step == before.step + 1
    assert snap.thread("T2").state is ThreadState.WORKING
    assert snap.primitive("m").owner == "T2"
    new_events = [e for e in snap.events if e.step == snap.step]
    assert not [e for e in new_events if e.kind in ("acquire", "block")]

    # And then T3 in its turn.
    snap = advance(rt, "T2", "T2")
    assert snap.primitive("m").owner == "T3"
    assert snap.primitive("m").queue == ()
    snap = advance(rt, "T3", "T3", "T3")
    assert got_it == ["T1", "T2", "T3"]
    assert snap.run_state is RunState.FINISHED
    assert snap.primitive("m").owner is None
    assert snap.verdict is None


def build_thief(world: World, params: Mapping[str, int], variant: str) -> None:
    m = world.mutex("m")

    def holder() -> None:
        with m:
            work(2, "hold")

    def thief() -> None:
        work(1, "sneak")
        m.release()  # never acquired it

    world.spawn("T1", holder)
    world.spawn("T2", thief)


def test_release_by_a_thread_that_does_not_hold_the_mutex_fails_that_thread(launch) -> None:
    rt = launch(make_scenario(build_thief, name="thief"))
    advance(rt, "T1")  # T1 owns m
    advance(rt, "T2")  # T2 at 'release m'
    snap = advance(rt, "T2")

    t2 = snap.thread("T2")
    assert t2.state is ThreadState.FAILED
    assert t2.traceback is not None
    assert "T2 released m, which it does not hold" in t2.traceback
    assert "held by T1" in t2.traceback
    assert HERE in t2.traceback and "thief" in t2.traceback
    assert snap.verdict is not None
    assert snap.verdict.kind is VerdictKind.FAILED
    assert snap.verdict.threads == ("T2",)
    assert "T2" in snap.verdict.text
    assert snap.run_state is RunState.FAILED
    # The owner is untouched, and T1 goes on to finish.
    assert snap.primitive("m").owner == "T1"
    assert snap.thread("T1").state is ThreadState.WORKING
    snap = advance(rt, "T1", "T1", "T1")
    assert snap.thread("T1").state is ThreadState.DONE
    assert snap.primitive("m").owner is None


def build_twice(world: World, params: Mapping[str, int], variant: str) -> None:
    m = world.mutex("m")

    def greedy() -> None:
        m.acquire()
        m.acquire()  # non-reentrant: waits for itself forever

    world.spawn("T1", greedy)


def test_acquiring_a_mutex_twice_deadlocks_on_itself(launch) -> None:
    rt = launch(make_scenario(build_twice, name="twice"))
    snap = advance(rt, "T1")
    assert snap.primitive("m").owner == "T1"
    assert snap.verdict is None
    snap = advance(rt, "T1")

    assert snap.run_state is RunState.DEADLOCK
    assert snap.thread("T1").state is ThreadState.BLOCKED
    assert snap.primitive("m").owner == "T1"
    assert snap.primitive("m").queue == ("T1",)
    verdict = snap.verdict
    assert verdict is not None
    assert verdict.kind is VerdictKind.DEADLOCK
    assert verdict.threads == ("T1",)
    assert "T1 waits for m, which it holds itself" in verdict.text
    assert any(e.kind == "deadlock" for e in snap.events)
