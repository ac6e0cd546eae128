"""Semaphore semantics: a count of permits, FIFO waiters, the first one woken by a release."""

from __future__ import annotations

import pytest
from engine_helpers import Program, advance, start_threads

from threadlab.engine import RunState, ThreadState, VerdictKind

pytestmark = pytest.mark.timeout(30)

FOUR_ON_TWO_PERMITS = """
    import threading

    s = threading.Semaphore(2)
    got_it = []  # who got past acquire(), in order


    def worker():
        s.acquire()
        got_it.append(threading.current_thread().name)
        s.release()


    for name in ("T1", "T2", "T3", "T4"):
        threading.Thread(target=worker, name=name).start()
"""


def test_permits_count_down_then_waiters_queue_in_fifo_order(launch, tmp_path) -> None:
    program = Program(tmp_path, FOUR_ON_TWO_PERMITS)
    rt = launch(program.scenario)
    start_threads(rt)
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
    assert program.globals["got_it"] == ["T2", "T1"]


def test_release_wakes_the_first_waiter(launch, tmp_path) -> None:
    program = Program(tmp_path, FOUR_ON_TWO_PERMITS)
    rt = launch(program.scenario)
    start_threads(rt)
    advance(rt, "T1", "T2", "T4", "T3")
    snap = advance(rt, "T1")  # release: a permit back, and T4, first in the queue, woken
    s = snap.primitive("s")
    assert s.count == 1
    assert s.queue == ("T3",)
    assert s.holders == ("T2",)
    assert snap.thread("T4").state is ThreadState.RUNNABLE
    assert snap.thread("T3").state is ThreadState.BLOCKED
    release = next(e for e in reversed(snap.events) if e.kind == "release")
    assert release.thread == "T1" and "T4" in release.detail

    before = snap.step
    snap = advance(rt, "T4")  # takes the permit in its one step
    assert program.globals["got_it"] == ["T1", "T2", "T4"]
    assert snap.step == before + 1
    assert snap.primitive("s").count == 0
    assert snap.primitive("s").holders == ("T2", "T4")

    snap = advance(rt, "T2")  # release wakes T3
    assert snap.primitive("s").queue == ()
    snap = advance(rt, "T3")
    assert snap.primitive("s").holders == ("T4", "T3")
    snap = advance(rt, "T4", "T3")
    assert program.globals["got_it"] == ["T1", "T2", "T4", "T3"]
    rt.step(20)
    assert rt.wait_idle(10)
    snap = rt.snapshot()
    assert snap.run_state is RunState.FINISHED
    s = snap.primitive("s")
    assert (s.count, s.holders, s.queue) == (2, (), ())


ZERO_PERMITS = """
    import threading

    s = threading.Semaphore(0)
    threading.Thread(target=s.acquire, name="T1").start()
"""


def test_acquire_at_zero_with_nobody_to_release_is_a_deadlock(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, ZERO_PERMITS).scenario)
    start_threads(rt)
    advance(rt, "MainThread")  # the main thread waits for T1 to finish
    snap = advance(rt, "T1")
    assert snap.run_state is RunState.DEADLOCK
    assert snap.verdict is not None and snap.verdict.kind is VerdictKind.DEADLOCK
    assert "T1 waits for a permit of s" in snap.verdict.text
