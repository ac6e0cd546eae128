"""Verdicts: deadlock with its cycle, idle is not deadlock, invariants, and thread failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from engine_helpers import Program, advance, run_headless, start_threads

from threadlab.engine import ControlRefused, RunState, ThreadState, VerdictKind
from threadlab.scenarios import get_scenario

pytestmark = pytest.mark.timeout(30)

LOCK_ORDERING = """
    import threading

    a = threading.Lock()
    b = threading.Lock()


    def first_a():
        with a, b:
            pass


    def first_b():
        with b, a:
            pass


    threading.Thread(target=first_a, name="A").start()
    threading.Thread(target=first_b, name="B").start()
"""


def test_lock_ordering_deadlock_names_both_threads_and_the_cycle(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, LOCK_ORDERING).scenario)
    start_threads(rt)
    advance(rt, "MainThread")  # the main thread waits for A to finish
    snap = advance(rt, "A", "B", "A")
    assert snap.verdict is None
    assert snap.thread("A").state is ThreadState.BLOCKED
    snap = advance(rt, "B")

    assert snap.run_state is RunState.DEADLOCK
    assert snap.paused
    verdict = snap.verdict
    assert verdict is not None
    assert verdict.kind is VerdictKind.DEADLOCK
    assert set(verdict.threads) == {"A", "B", "MainThread"}  # the main thread waits for A
    assert verdict.step == snap.step
    assert re.search(r"Cycle: (A → B → A|B → A → B)", verdict.text), verdict.text
    assert "A waits for b, held by B" in verdict.text
    assert "B waits for a, held by A" in verdict.text
    deadlock_events = [e for e in snap.events if e.kind == "deadlock"]
    assert len(deadlock_events) == 1
    # A deadlocked run refuses to go on.
    before = rt.snapshot()
    with pytest.raises(ControlRefused, match="deadlock"):
        rt.step()
    with pytest.raises(ControlRefused):
        rt.step_thread("A")
    assert rt.snapshot() == before


def test_lock_ordering_without_interleaving_finishes(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, LOCK_ORDERING).scenario)
    start_threads(rt)
    snap = advance(rt, "A", "A", "A", "A")  # acquire a, acquire b, release b, release a
    assert snap.thread("A").state is ThreadState.DONE
    snap = advance(rt, "B", "B", "B", "B")
    assert snap.thread("B").state is ThreadState.DONE
    while snap.run_state is not RunState.FINISHED and snap.verdict is None:
        snap = advance(rt, "MainThread")  # joins A and B, and ends
    assert snap.run_state is RunState.FINISHED
    assert snap.verdict is None


def test_everyone_waiting_in_the_condition_scenario_is_idle_not_deadlock() -> None:
    _events, snap = run_headless(get_scenario("condition"), "manual", {"threads": 3}, seed=7)
    # T1..T3 wait on the condition; the main thread waits for T1 to finish.
    assert {t.state for t in snap.threads if t.name != "MainThread"} == {ThreadState.WAITING}
    assert snap.thread("MainThread").state is ThreadState.BLOCKED
    assert snap.thread("MainThread").waits_on == "T1"
    assert snap.primitive("wakeup").queue and len(snap.primitive("wakeup").queue) == 3
    assert snap.verdict is None
    assert snap.run_state is not RunState.DEADLOCK
    assert snap.idle_reason is not None
    assert not [e for e in snap.events if e.kind == "deadlock"]


WAITS_FOREVER = """
    import threading

    m = threading.Lock()
    c = threading.Condition(m)


    def waiter():
        with m:
            c.wait()


    threading.Thread(target=waiter, name="W1").start()
    threading.Thread(target=waiter, name="W2").start()
"""


def test_everyone_waiting_is_a_lost_wakeup_when_the_scenario_does_not_wait_for_the_user(
    launch, tmp_path
) -> None:
    rt = launch(Program(tmp_path, WAITS_FOREVER).scenario)
    start_threads(rt)
    advance(rt, "MainThread")  # the main thread waits for W1 to finish
    snap = advance(rt, "W1", "W1", "W2", "W2")
    assert snap.run_state is RunState.LOST_WAKEUP  # no cycle of holds: nobody can signal
    assert snap.idle_reason is None
    verdict = snap.verdict
    assert verdict is not None
    assert verdict.kind is VerdictKind.LOST_WAKEUP
    assert set(verdict.threads) == {"W1", "W2", "MainThread"}  # the main thread waits for W1
    assert "no live thread is left to wake W1, W2" in verdict.text
    assert "W1 waits on c, and no thread is left to signal it" in verdict.text
    assert "Cycle" not in verdict.text


def test_mutex_unlocked_variant_can_be_stepped_into_a_violation(launch) -> None:
    rt = launch(get_scenario("mutex"), variant="unlocked")
    # The main thread starts T1..T3; each thinks (sleeps), then walks into critical_section().
    snap = advance(rt, "MainThread", "MainThread", "MainThread", "MainThread")
    snap = advance(rt, "T1", "T1", "T1")
    assert snap.thread("T1").operation == "sleep 0.002 s"  # inside critical_section()
    assert snap.verdict is None
    snap = advance(rt, "T2", "T2", "T2")
    assert snap.run_state is RunState.VIOLATION
    verdict = snap.verdict
    assert verdict is not None
    assert verdict.kind is VerdictKind.VIOLATION
    assert set(verdict.threads) == {"T1", "T2"}
    assert "at most one thread in the critical section" in verdict.text
    assert "T1 and T2" in verdict.text
    assert any(e.kind == "violation" for e in snap.events)


def test_mutex_locked_variant_cannot_be_stepped_into_the_same_violation(launch) -> None:
    rt = launch(get_scenario("mutex"), variant="locked")
    advance(rt, "MainThread", "MainThread", "MainThread", "MainThread")
    snap = advance(rt, *["T1"] * 4, *["T2"] * 4, *["T3"] * 4)
    assert snap.thread("T1").operation == "sleep 0.002 s"  # inside, holding the mutex
    assert snap.primitive("mutex").owner == "T1"
    assert snap.primitive("mutex").queue == ("T2", "T3")
    assert snap.verdict is None
    rt.resume()
    assert rt.wait_idle(10)
    snap = rt.snapshot()
    assert snap.run_state is RunState.FINISHED
    assert snap.verdict is None


FAILING = """
    import threading

    m = threading.Lock()
    warm = threading.Lock()


    def explode(n):
        raise ValueError(f"boom {n}")


    def doomed():
        warm.acquire()
        explode(42)


    def survivor():
        for _ in range(3):
            with m:
                pass


    threading.Thread(target=doomed, name="T1").start()
    threading.Thread(target=survivor, name="T2").start()
    threading.Thread(target=survivor, name="T3").start()
"""


@pytest.mark.parametrize("go_on", ["resume", "step"])
def test_an_exception_fails_that_thread_and_the_others_go_on(launch, tmp_path, go_on: str) -> None:
    program = Program(tmp_path, FAILING)
    rt = launch(program.scenario)
    start_threads(rt)
    advance(rt, "T2")  # T2 holds m
    snap = advance(rt, "T1")

    t1 = snap.thread("T1")
    assert t1.state is ThreadState.FAILED
    assert t1.traceback is not None
    assert "ValueError: boom 42" in t1.traceback
    assert "program.py" in t1.traceback
    assert "in explode" in t1.traceback and "in doomed" in t1.traceback
    assert "runtime.py" not in t1.traceback
    assert t1.line is not None
    program_file = Path(program.scenario.program)
    assert "raise ValueError" in program_file.read_text().splitlines()[t1.line - 1]
    assert snap.run_state is RunState.FAILED
    assert snap.paused
    verdict = snap.verdict
    assert verdict is not None
    assert verdict.kind is VerdictKind.FAILED
    assert verdict.threads == ("T1",)
    assert "T1 failed" in verdict.text and "boom 42" in verdict.text
    fail_events = [e for e in snap.events if e.kind == "fail"]
    assert [(e.thread, e.step) for e in fail_events] == [("T1", snap.step)]

    # Nothing moves on its own while paused by the verdict.
    assert rt.wait_idle(5)
    assert rt.snapshot().step == snap.step

    if go_on == "resume":
        rt.resume()
        assert rt.wait_idle(10)
    else:
        for _ in range(200):
            if not any(t.state.can_run for t in rt.snapshot().threads):
                break
            rt.step()
            assert rt.wait_idle(5)
    snap = rt.snapshot()
    assert snap.thread("T2").state is ThreadState.DONE
    assert snap.thread("T3").state is ThreadState.DONE
    assert snap.thread("T1").state is ThreadState.FAILED
    assert snap.primitive("m").owner is None
    assert snap.run_state is not RunState.RUNNING
    assert snap.verdict == verdict  # the failure stays on record
