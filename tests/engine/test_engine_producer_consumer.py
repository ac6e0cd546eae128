"""The real producer-consumer scenario: the `if` bug found by a spurious or stolen wakeup."""

from __future__ import annotations

import pytest
from engine_helpers import advance, run_headless

from threadlab.engine import RunState, ThreadState, VerdictKind
from threadlab.engine.model import BufferItem
from threadlab.scenarios import get_scenario

pytestmark = pytest.mark.timeout(60)

PC = get_scenario("producer-consumer")


def consumer_waits_on_empty_buffer(rt) -> None:
    """C1 takes the mutex, finds the buffer empty and waits on not_empty."""
    snap = advance(rt, "C1", "C1", "C1")
    c1 = snap.thread("C1")
    assert c1.state is ThreadState.WAITING
    assert c1.waits_on == "not_empty"
    assert snap.primitive("not_empty").queue == ("C1",)
    assert snap.primitive("buffer").count == 0
    assert snap.primitive("mutex").owner is None


def test_spurious_wakeup_breaks_the_if_variant(launch) -> None:
    rt = launch(PC, variant="if")
    consumer_waits_on_empty_buffer(rt)
    rt.spurious_wakeup("not_empty", "C1")
    snap = advance(rt, "C1")  # re-acquires the mutex; `if` does not check again
    assert snap.verdict is None
    assert snap.thread("C1").operation == "get from buffer"
    snap = advance(rt, "C1")

    assert snap.run_state is RunState.VIOLATION
    verdict = snap.verdict
    assert verdict is not None
    assert verdict.kind is VerdictKind.VIOLATION
    assert verdict.threads == ("C1",)
    assert "C1 took from the empty buffer" in verdict.text
    assert snap.paused
    with pytest.raises(Exception, match="violation"):
        rt.step()


def test_spurious_wakeup_is_survived_by_the_while_variant(launch) -> None:
    rt = launch(PC, variant="while")
    consumer_waits_on_empty_buffer(rt)
    rt.spurious_wakeup("not_empty", "C1")
    snap = advance(rt, "C1")
    assert snap.thread("C1").operation == "is buffer empty?"
    snap = advance(rt, "C1", "C1")  # empty: back to waiting
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


def test_a_stolen_wakeup_breaks_the_if_variant_without_any_spurious_wakeup(launch) -> None:
    rt = launch(PC, variant="if")
    consumer_waits_on_empty_buffer(rt)
    # P1 makes an item, puts it, signals C1 and lets go of the mutex.
    snap = advance(rt, "P1", "P1", "P1", "P1", "P1")
    assert snap.thread("C1").state is ThreadState.RUNNABLE
    snap = advance(rt, "P1")
    assert snap.primitive("buffer").items == (BufferItem("P1.1", producer="P1"),)
    # C2 comes in first and takes the item.
    snap = advance(rt, "C2", "C2", "C2", "C2", "C2")
    assert snap.primitive("buffer").count == 0
    assert snap.verdict is None
    # C1 finally re-acquires the mutex and, not checking again, takes from the empty buffer.
    snap = advance(rt, "C1", "C1")
    assert snap.run_state is RunState.VIOLATION
    assert snap.verdict is not None
    assert snap.verdict.threads == ("C1",)


def test_the_if_variant_breaks_under_some_seed_of_the_random_policy() -> None:
    broken = []
    for seed in range(300):
        _events, snap = run_headless(PC, "if", {"consumers": 3, "producers": 2}, seed)
        if snap.run_state is RunState.VIOLATION:
            broken.append(seed)
            assert snap.verdict is not None and "empty buffer" in snap.verdict.text
            break
    assert broken, "no seed in 0..299 exposes the `if` bug"
