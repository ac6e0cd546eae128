"""Mutex semantics with exact interleavings: FIFO wake-up, misuse, and self-deadlock."""

from __future__ import annotations

import pytest
from engine_helpers import Program, advance, start_threads

from threadlab.engine import RunState, ThreadState, VerdictKind

pytestmark = pytest.mark.timeout(30)

THREE_WORKERS = """
    import threading

    m = threading.Lock()
    got_it = []  # who got past acquire(), in order


    def worker():
        m.acquire()
        got_it.append(threading.current_thread().name)
        m.release()


    for name in ("T1", "T2", "T3"):
        threading.Thread(target=worker, name=name).start()
"""


def test_release_wakes_the_first_waiter_in_fifo_order(launch, tmp_path) -> None:
    program = Program(tmp_path, THREE_WORKERS)
    rt = launch(program.scenario)
    start_threads(rt)
    snap = advance(rt, "T1")
    assert snap.primitive("m").owner == "T1"
    assert snap.thread("T1").operation == "release m"

    snap = advance(rt, "T2")
    assert snap.thread("T2").state is ThreadState.BLOCKED
    assert snap.thread("T2").waits_on == "m"
    assert snap.primitive("m").queue == ("T2",)

    snap = advance(rt, "T3")
    assert snap.primitive("m").queue == ("T2", "T3")
    assert snap.thread("T3").state is ThreadState.BLOCKED

    snap = advance(rt, "T1")  # release: m is freed and T2, first in the queue, woken
    m = snap.primitive("m")
    assert m.owner is None
    assert m.queue == ("T3",)
    assert snap.thread("T1").state is ThreadState.DONE
    t2 = snap.thread("T2")
    assert t2.state is ThreadState.RUNNABLE
    assert t2.waits_on is None
    assert "acquire m" in t2.operation
    assert snap.thread("T3").state is ThreadState.BLOCKED
    release = next(e for e in reversed(snap.events) if e.kind == "release")
    assert (release.thread, release.primitive) == ("T1", "m")
    assert "T2" in release.detail

    # T2's next step takes m and returns from acquire().
    assert program.globals["got_it"] == ["T1"]
    before = rt.snapshot()
    snap = advance(rt, "T2")
    assert program.globals["got_it"] == ["T1", "T2"]
    assert snap.step == before.step + 1
    assert snap.primitive("m").owner == "T2"
    new_events = [(e.thread, e.kind) for e in snap.events if e.step == snap.step]
    assert ("T2", "acquire") in new_events

    # And then T3 in its turn.
    snap = advance(rt, "T2")
    assert snap.primitive("m").queue == ()
    assert snap.thread("T3").state is ThreadState.RUNNABLE
    snap = advance(rt, "T3", "T3")
    assert program.globals["got_it"] == ["T1", "T2", "T3"]
    assert snap.primitive("m").owner is None
    rt.step(20)
    assert rt.wait_idle(10)
    snap = rt.snapshot()
    assert snap.run_state is RunState.FINISHED
    assert snap.verdict is None


THIEF = """
    import threading
    import time

    m = threading.RLock()


    def holder():
        with m:
            time.sleep(0.01)


    def thief():
        time.sleep(0.001)
        m.release()  # never acquired it


    threading.Thread(target=holder, name="T1").start()
    threading.Thread(target=thief, name="T2").start()
"""


def test_release_by_a_thread_that_does_not_hold_the_lock_fails_that_thread(
    launch, tmp_path
) -> None:
    rt = launch(Program(tmp_path, THIEF).scenario)
    start_threads(rt)
    advance(rt, "T1")  # T1 owns m, and sleeps
    advance(rt, "T2")  # T2 sleeps a little, then is at 'release m'
    while rt.snapshot().thread("T2").operation != "release m":
        rt.step(1)
        assert rt.wait_idle(10)
    snap = advance(rt, "T2")

    t2 = snap.thread("T2")
    assert t2.state is ThreadState.FAILED
    assert t2.traceback is not None
    assert "cannot release un-acquired lock" in t2.traceback
    assert "program.py" in t2.traceback and "thief" in t2.traceback
    assert snap.verdict is not None
    assert snap.verdict.kind is VerdictKind.FAILED
    assert snap.verdict.threads == ("T2",)
    assert "T2" in snap.verdict.text
    assert snap.run_state is RunState.FAILED
    # The owner is untouched, and T1 goes on to finish.
    assert snap.primitive("m").owner == "T1"
    rt.step(200)
    assert rt.wait_idle(10)
    snap = rt.snapshot()
    assert snap.thread("T1").state is ThreadState.DONE
    assert snap.primitive("m").owner is None


TWICE = """
    import threading

    m = threading.Lock()


    def greedy():
        m.acquire()
        m.acquire()  # non-reentrant: waits for itself forever


    threading.Thread(target=greedy, name="T1").start()
"""


def test_acquiring_a_lock_twice_deadlocks_on_itself(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, TWICE).scenario)
    start_threads(rt)
    advance(rt, "MainThread")  # the main thread waits for T1 to finish
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
    assert verdict.threads == ("MainThread", "T1")  # the main thread waits for T1
    assert "Cycle: T1 → T1" in verdict.text
    assert "T1 waits for m, which it holds itself" in verdict.text
    assert any(e.kind == "deadlock" for e in snap.events)
