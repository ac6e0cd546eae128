"""The real producer-consumer scenario, a plain Python program: the `if` bug found by a
spurious or a stolen wakeup, and the `while` loop that survives both."""

from __future__ import annotations

import pytest
from engine_helpers import advance, run_headless

from threadlab.engine import RunState, Runtime, Snapshot, ThreadState, VerdictKind
from threadlab.scenarios import get_scenario

pytestmark = pytest.mark.timeout(60)

PC = get_scenario("producer-consumer")


def start_every_thread(rt: Runtime) -> Snapshot:
    """MainThread runs the module and starts P1, P2, C1 and C2, then joins P1."""
    snap = rt.snapshot()
    assert [t.name for t in snap.threads] == ["MainThread"]
    while not snap.thread("MainThread").operation.startswith("join"):
        snap = advance(rt, "MainThread")
    assert [t.name for t in snap.threads] == ["MainThread", "P1", "P2", "C1", "C2"]
    return snap


def consumer_waits_on_empty_buffer(rt: Runtime) -> None:
    """C1 starts, takes the mutex, finds the buffer empty and waits on not_empty."""
    start_every_thread(rt)
    snap = advance(rt, "C1", "C1", "C1")
    c1 = snap.thread("C1")
    assert c1.state is ThreadState.WAITING
    assert c1.waits_on == "not_empty"
    assert snap.primitive("not_empty").queue == ("C1",)
    assert snap.primitive("mutex").owner is None
    assert dict(snap.watches)["buffer"] == "[] (0 of 3)"


def test_names_come_from_the_source(launch) -> None:
    rt = launch(PC)
    start_every_thread(rt)
    names = {p.name: p.kind.value for p in rt.snapshot().primitives}
    assert names == {"mutex": "mutex", "not_full": "condition", "not_empty": "condition"}
    assert rt.snapshot().primitive("not_full").mutex == "mutex"


def test_spurious_wakeup_breaks_the_if_variant(launch) -> None:
    rt = launch(PC, variant="if")
    consumer_waits_on_empty_buffer(rt)
    rt.spurious_wakeup("not_empty", "C1")
    snap = rt.snapshot()
    assert snap.thread("C1").operation == "re-acquire mutex (spurious wakeup)"
    # It re-acquires the mutex and, not checking again, pops from the empty list; the
    # with statement releases the mutex as the exception leaves it.
    snap = advance(rt, "C1")
    assert snap.verdict is None
    assert snap.thread("C1").operation == "release mutex"
    snap = advance(rt, "C1")

    assert snap.run_state is RunState.FAILED
    verdict = snap.verdict
    assert verdict is not None
    assert verdict.kind is VerdictKind.FAILED
    assert verdict.threads == ("C1",)
    assert verdict.text == "C1 failed: IndexError: pop from empty list"
    c1 = snap.thread("C1")
    assert c1.state is ThreadState.FAILED
    assert snap.source[c1.line - 1].text.strip().startswith("buffer.pop(0)")
    assert snap.primitive("mutex").owner is None
    assert snap.paused


def test_spurious_wakeup_is_survived_by_the_while_variant(launch) -> None:
    rt = launch(PC, variant="while")
    consumer_waits_on_empty_buffer(rt)
    rt.spurious_wakeup("not_empty", "C1")
    snap = advance(rt, "C1")  # re-acquires, checks again: still empty
    assert snap.thread("C1").operation == "wait on not_empty"
    snap = advance(rt, "C1")  # so back to waiting
    c1 = snap.thread("C1")
    assert c1.state is ThreadState.WAITING
    assert c1.waits_on == "not_empty"
    assert snap.verdict is None
    assert snap.run_state is RunState.PAUSED
    # And the run still completes correctly.
    rt.resume()
    assert rt.wait_idle(10)
    snap = rt.snapshot()
    assert snap.run_state is RunState.FINISHED
    assert snap.verdict is None
    assert dict(snap.watches)["buffer"] == "[] (0 of 3)"


def test_a_stolen_wakeup_breaks_the_if_variant_without_any_spurious_wakeup(launch) -> None:
    rt = launch(PC, variant="if")
    consumer_waits_on_empty_buffer(rt)
    # P1 takes the mutex, puts an item and notifies C1, still holding the mutex.
    snap = advance(rt, "P1", "P1", "P1")
    assert snap.thread("C1").state is ThreadState.RUNNABLE
    assert snap.primitive("mutex").owner == "P1"
    # C2 arrives and blocks on the mutex before C1 gets there.
    snap = advance(rt, "C2", "C2")
    assert snap.primitive("mutex").queue == ("C2",)
    snap = advance(rt, "P1")  # P1 releases: the mutex is free, C2 is woken to try again
    assert dict(snap.watches)["buffer"] == "['P1.1'] (1 of 3)"
    # C2 takes the mutex first and the item with it.
    snap = advance(rt, "C2", "C2", "C2")
    assert dict(snap.watches)["buffer"] == "[] (0 of 3)"
    assert snap.verdict is None
    # C1 finally re-acquires the mutex and, not checking again, pops from the empty list.
    snap = advance(rt, "C1", "C1")
    assert snap.run_state is RunState.FAILED
    assert snap.verdict is not None
    assert snap.verdict.threads == ("C1",)
    assert "IndexError: pop from empty list" in snap.verdict.text


def test_the_if_variant_breaks_under_some_seed_of_the_random_policy() -> None:
    broken = []
    for seed in range(300):
        _events, snap = run_headless(PC, "if", {"consumers": 3, "producers": 2}, seed)
        if snap.run_state is RunState.FAILED:
            broken.append(seed)
            assert snap.verdict is not None and "pop from empty list" in snap.verdict.text
            break
    assert broken, "no seed in 0..299 exposes the `if` bug"
