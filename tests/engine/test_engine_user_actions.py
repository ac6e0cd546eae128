"""The user's signal, broadcast and spurious wakeup, and the refusals that change nothing."""

from __future__ import annotations

import pytest
from engine_helpers import Program, advance, start_threads

from threadlab.engine import ControlRefused, RunState, Runtime, ThreadState

pytestmark = pytest.mark.timeout(30)

TWO_WAITERS = """
    import threading

    m = threading.Lock()
    c = threading.Condition(m)
    other = threading.Condition(m)
    returned = []  # each waiter, as its wait() returns


    def waiter():
        with m:
            c.wait()
            returned.append(threading.current_thread().name)


    threading.Thread(target=waiter, name="W1").start()
    threading.Thread(target=waiter, name="W2").start()
"""
"""W1 and W2 each wait on c once (under m); nobody but the user wakes them."""


def two_waiters(launch, tmp_path) -> tuple[Runtime, list[str]]:
    """The run, its threads started and the main thread waiting for W1; and the list of
    returns from wait()."""
    program = Program(tmp_path, TWO_WAITERS, waits_for_user=True)
    runtime = launch(program.scenario)
    start_threads(runtime)
    advance(runtime, "MainThread")  # joins W1
    return runtime, program.globals["returned"]


def both_waiting(rt) -> None:
    snap = advance(rt, "W1", "W1", "W2", "W2")
    assert snap.primitive("c").queue == ("W1", "W2")
    assert snap.idle_reason is not None
    assert snap.verdict is None


def test_user_signal_wakes_the_first_waiter(launch, tmp_path) -> None:
    rt, returned = two_waiters(launch, tmp_path)
    both_waiting(rt)
    before = rt.snapshot()
    rt.signal("c")
    snap = rt.snapshot()
    assert snap.revision > before.revision
    assert snap.step == before.step  # a user action is not a step
    assert snap.primitive("c").queue == ("W2",)
    assert snap.thread("W1").state is ThreadState.RUNNABLE
    assert snap.thread("W2").state is ThreadState.WAITING
    assert snap.idle_reason is None
    event = snap.events[-1]
    assert (event.thread, event.kind, event.primitive) == (None, "signal", "c")
    assert "W1" in event.detail and "you" in event.detail
    snap = advance(rt, "W1")
    assert returned == ["W1"]


def test_user_broadcast_wakes_every_waiter(launch, tmp_path) -> None:
    rt, returned = two_waiters(launch, tmp_path)
    both_waiting(rt)
    rt.broadcast("c")
    snap = rt.snapshot()
    assert snap.primitive("c").queue == ()
    assert {snap.thread(n).state for n in ("W1", "W2")} == {ThreadState.RUNNABLE}
    snap = advance(rt, "W2", "W1")
    assert returned == ["W2"]
    assert snap.thread("W1").state is ThreadState.BLOCKED
    snap = advance(rt, "W2", "W1", "W1")
    assert returned == ["W2", "W1"]
    rt.step(20)
    assert rt.wait_idle(10)
    assert rt.snapshot().run_state is RunState.FINISHED


def test_spurious_wakeup_of_a_chosen_waiter_returns_it_from_wait_with_no_signal(
    launch, tmp_path
) -> None:
    rt, returned = two_waiters(launch, tmp_path)
    both_waiting(rt)
    rt.spurious_wakeup("c", "W2")
    snap = rt.snapshot()
    assert snap.primitive("c").queue == ("W1",)
    assert snap.thread("W1").state is ThreadState.WAITING
    w2 = snap.thread("W2")
    assert w2.state is ThreadState.RUNNABLE
    assert "spurious" in w2.operation
    event = snap.events[-1]
    assert (event.thread, event.kind, event.primitive) == (None, "spurious", "c")
    assert "W2" in event.detail and "no signal" in event.detail
    snap = advance(rt, "W2")
    assert returned == ["W2"]
    assert snap.primitive("m").owner == "W2"
    assert not [e for e in snap.events if e.kind in ("signal", "broadcast")]


def test_spurious_wakeup_without_a_name_wakes_the_first_waiter(launch, tmp_path) -> None:
    rt, _ = two_waiters(launch, tmp_path)
    both_waiting(rt)
    rt.spurious_wakeup("c")
    snap = rt.snapshot()
    assert snap.primitive("c").queue == ("W2",)
    assert snap.thread("W1").state is ThreadState.RUNNABLE


REFUSALS = {
    "signal with nobody waiting": lambda rt: rt.signal("other"),
    "broadcast with nobody waiting": lambda rt: rt.broadcast("other"),
    "spurious with nobody waiting": lambda rt: rt.spurious_wakeup("other"),
    "signal an unknown condition": lambda rt: rt.signal("nope"),
    "broadcast an unknown condition": lambda rt: rt.broadcast("nope"),
    "spurious on an unknown condition": lambda rt: rt.spurious_wakeup("nope", "W1"),
    "signal a mutex": lambda rt: rt.signal("m"),
    "spurious for a thread not in the queue": lambda rt: rt.spurious_wakeup("c", "W3"),
    "spurious for a runnable thread": lambda rt: rt.spurious_wakeup("c", "W2"),
}


@pytest.mark.parametrize("action", list(REFUSALS))
def test_a_refused_user_action_changes_nothing(launch, tmp_path, action: str) -> None:
    rt, _ = two_waiters(launch, tmp_path)
    advance(rt, "W1", "W1")  # W1 waits on c; W2 is runnable, 'other' has no waiter
    before = rt.snapshot()
    with pytest.raises(ControlRefused) as refused:
        REFUSALS[action](rt)
    message = str(refused.value)
    assert message and "\n" not in message
    assert rt.snapshot() == before


def test_refusal_messages_say_what_is_valid(launch, tmp_path) -> None:
    rt, _ = two_waiters(launch, tmp_path)
    advance(rt, "W1", "W1")
    with pytest.raises(ControlRefused, match="nobody is waiting on other"):
        rt.signal("other")
    with pytest.raises(ControlRefused, match=r"no condition named 'nope' \(valid: c, other\)"):
        rt.broadcast("nope")
    with pytest.raises(ControlRefused, match=r"W2 is not waiting on c \(waiting: W1\)"):
        rt.spurious_wakeup("c", "W2")


def test_a_user_action_right_after_step_thread_sees_that_step(launch, tmp_path) -> None:
    """Same sequence of user actions ⇒ same events: 'step W1, then signal c' must always
    mean the signal comes after W1's step, however quickly the two calls follow."""
    outcomes = []
    for _ in range(20):
        rt, _ = two_waiters(launch, tmp_path)
        advance(rt, "W1")  # W1 holds m and is at 'wait on c'
        rt.step_thread("W1")  # W1 waits on c ...
        try:
            rt.signal("c")  # ... so this signal has a waiter to wake
            outcomes.append("woken")
        except ControlRefused as refused:
            outcomes.append(str(refused))
        assert rt.wait_idle(5)
        assert rt.stop()
    assert outcomes == ["woken"] * 20


def test_step_thread_right_after_a_step_that_blocks_it_is_refused(launch, tmp_path) -> None:
    """'step W2, step W2' when W2's first step blocks it must refuse the second, not accept
    it and silently drop it."""
    refused = 0
    for _ in range(20):
        rt, _ = two_waiters(launch, tmp_path)
        advance(rt, "W1")  # W1 holds m
        rt.step_thread("W2")  # W2 blocks on m
        try:
            rt.step_thread("W2")
        except ControlRefused:
            refused += 1
        assert rt.wait_idle(5)
        assert rt.snapshot().thread("W2").state is ThreadState.BLOCKED
        assert rt.stop()
    assert refused == 20
