"""Stop, restart, pause, refused steps and bounded memory: the run's lifecycle and control."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from engine_helpers import (
    IDLE_TIMEOUT,
    Program,
    advance,
    eventually,
    start_threads,
    threadlab_threads,
)

from threadlab.engine import (
    ControlRefused,
    Event,
    RunState,
    Runtime,
    Scenario,
    ThreadState,
    resolve_config,
)
from threadlab.engine.core.kernel import RECENT_EVENTS
from threadlab.scenarios import get_scenario

pytestmark = pytest.mark.timeout(30)

MIXED_PROGRAM = """
    import contextlib
    import threading

    m = threading.Lock()
    m2 = threading.Lock()
    c = threading.Condition(m2)
    busy = threading.Lock()  # each thread's own: taking it is a step that never blocks
    spin = threading.Lock()


    def holder():
        with m:
            for _ in range(100):
                with busy:
                    pass


    def blocked():
        with m:
            pass


    def waiter():
        with m2:
            while True:
                c.wait()


    def runner():
        while True:
            # Program code that swallows errors must not swallow the stop.
            with contextlib.suppress(Exception):
                with spin:
                    pass


    for target, name in ((holder, "H"), (blocked, "B"), (waiter, "W"), (runner, "R")):
        threading.Thread(target=target, name=name).start()
"""
"""H holds m while B queues for it; W waits on c; R just runs."""


@pytest.fixture
def mixed(tmp_path: Path) -> Scenario:
    return Program(tmp_path, MIXED_PROGRAM).scenario


def mixed_states(rt: Runtime) -> None:
    start_threads(rt)
    snap = advance(rt, "H", "B", "W", "W", "R")
    states = {t.name: t.state for t in snap.threads}
    assert states == {
        "MainThread": ThreadState.RUNNABLE,
        "H": ThreadState.RUNNABLE,
        "B": ThreadState.BLOCKED,
        "W": ThreadState.WAITING,
        "R": ThreadState.RUNNABLE,
    }
    assert snap.primitive("m").owner == "H"


def test_stop_unwinds_blocked_waiting_and_runnable_threads(mixed: Scenario) -> None:
    rt = Runtime(resolve_config(mixed), paused=True, speed=None)
    rt.start()
    try:
        mixed_states(rt)
        os_threads = threadlab_threads()
        assert len(os_threads) == 6  # the main thread, four it started, and the scheduler
    finally:
        stopped = rt.stop()  # True: every thread ended within stop()'s own timeout
    assert stopped
    assert not any(t.is_alive() for t in os_threads)
    assert threadlab_threads() == []


def test_stop_while_running_flat_out_unwinds_every_thread(mixed: Scenario) -> None:
    rt = Runtime(resolve_config(mixed), paused=False, speed=None)
    rt.start()
    assert eventually(lambda: rt.snapshot().step > 0)
    assert rt.stop()
    assert threadlab_threads() == []
    with pytest.raises(ControlRefused, match="stopped"):
        rt.step()


def test_stop_before_start_and_twice_is_harmless(mixed: Scenario) -> None:
    rt = Runtime(resolve_config(mixed), paused=True)
    assert rt.stop()
    rt2 = Runtime(resolve_config(mixed), paused=True)
    rt2.start()
    assert rt2.stop()
    assert rt2.stop()
    assert threadlab_threads() == []


def test_restart_goes_back_to_step_zero_and_leaves_no_old_thread(launch, mixed) -> None:
    events: list[Event] = []
    rt = launch(mixed, sink=events.append)
    fresh = rt.snapshot()
    assert fresh.step == 0
    assert len(threadlab_threads()) == 2  # the main thread and the scheduler
    mixed_states(rt)
    old = threadlab_threads()
    assert len(old) == 6

    rt.restart()
    snap = rt.snapshot()
    assert not any(t.is_alive() for t in old)
    assert len(threadlab_threads()) == 2  # as fresh: the main thread and the scheduler
    assert snap.step == 0
    assert snap.verdict is None
    assert [(t.name, t.state, t.operation) for t in snap.threads] == [
        (t.name, t.state, t.operation) for t in fresh.threads
    ]
    assert snap.primitives == fresh.primitives
    assert snap.events == fresh.events
    # The restarted run works like a new one.
    start_threads(rt)
    snap = advance(rt, "H", "B")
    assert snap.primitive("m").owner == "H"
    assert snap.primitive("m").queue == ("B",)


def test_restart_after_a_verdict_replays_the_same_run(launch) -> None:
    events: list[Event] = []
    rt = launch(
        get_scenario("producer-consumer"),
        variant="if",
        params={"consumers": 3},
        seed=SEED_WITH_FAILURE,
        sink=events.append,
    )
    rt.resume()
    assert rt.wait_idle(IDLE_TIMEOUT)
    ended = rt.snapshot()
    assert ended.run_state is RunState.FAILED
    first = list(events)
    events.clear()

    rt.restart()
    assert rt.snapshot().step == 0
    assert rt.snapshot().verdict is None
    rt.resume()
    assert rt.wait_idle(IDLE_TIMEOUT)
    assert events == first
    assert rt.snapshot().verdict == ended.verdict


SEED_WITH_FAILURE = 2
"""A seed under which producer-consumer `if` with 3 consumers pops from an empty list."""

REFUSED_STEPS = {
    "unknown thread": "Z",
    "blocked thread": "B",
    "waiting thread": "W",
}


@pytest.mark.parametrize("case", list(REFUSED_STEPS))
def test_step_thread_that_cannot_run_is_refused_and_changes_nothing(
    launch, mixed, case: str
) -> None:
    rt = launch(mixed)
    mixed_states(rt)
    before = rt.snapshot()
    with pytest.raises(ControlRefused) as refused:
        rt.step_thread(REFUSED_STEPS[case])
    assert "\n" not in str(refused.value)
    assert rt.wait_idle(5)
    after = rt.snapshot()
    assert after == before
    assert (after.step, after.revision) == (before.step, before.revision)


SHORT = """
    import threading


    def quick():
        pass


    threading.Thread(target=quick, name="T1").start()
    threading.Thread(target=quick, name="T2").start()
"""


def test_step_thread_on_a_finished_thread_is_refused(launch, tmp_path) -> None:
    rt = launch(Program(tmp_path, SHORT).scenario)
    advance(rt, "MainThread", "MainThread")  # start T1 and T2
    snap = advance(rt, "T1")
    assert snap.thread("T1").state is ThreadState.DONE
    with pytest.raises(ControlRefused, match="T1 cannot run now"):
        rt.step_thread("T1")
    with pytest.raises(ControlRefused, match=r"no thread named 'T9' \(valid: MainThread, T1, T2\)"):
        rt.step_thread("T9")
    assert rt.snapshot() == snap
    snap = advance(rt, "T2")
    assert snap.thread("T2").state is ThreadState.DONE
    while snap.run_state is not RunState.FINISHED:
        snap = advance(rt, "MainThread")  # joins T1 and T2, and ends
    with pytest.raises(ControlRefused, match="finished"):
        rt.step()
    with pytest.raises(ControlRefused, match="finished"):
        rt.resume()


def test_pause_takes_effect_at_the_next_checkpoint(launch, mixed) -> None:
    rt = launch(mixed, paused=False)
    time.sleep(0.02)
    rt.pause()
    assert rt.wait_idle(5)
    paused_at = rt.snapshot()
    assert paused_at.run_state is RunState.PAUSED
    assert not any(t.state is ThreadState.RUNNING for t in paused_at.threads)
    time.sleep(0.05)
    assert rt.snapshot().step == paused_at.step
    rt.step()
    assert rt.wait_idle(5)
    assert rt.snapshot().step == paused_at.step + 1
    rt.step(5)
    assert rt.wait_idle(5)
    assert rt.snapshot().step == paused_at.step + 6


def test_speed_paces_the_steps(launch, mixed) -> None:
    """A paced run moves on its own but stays far behind a flat-out run of the same
    scenario over the same moments; set to max, it catches up. No wall-clock reading is
    asserted: 2,000 steps at 20 steps/s would take 100 s, beyond this test's timeout."""
    paced = launch(mixed, paused=False, speed=20.0)
    flat_out = launch(mixed, paused=False, speed=None)
    assert eventually(lambda: paced.snapshot().step >= 3)  # nobody stepped it: the pace did
    assert eventually(lambda: flat_out.snapshot().step >= 2000)
    behind = paced.snapshot().step
    assert behind < 2000
    assert paced.snapshot().speed == 20.0
    with pytest.raises(ValueError):
        paced.set_speed(0)
    paced.set_speed(None)
    assert eventually(lambda: paced.snapshot().step >= behind + 2000)
    assert paced.snapshot().speed is None


def test_memory_is_bounded_by_recent_events(launch) -> None:
    seen: list[Event] = []
    rt = launch(
        get_scenario("mutex"),
        variant="locked",
        params={"threads": 9, "rounds": 50},
        paused=False,
        sink=seen.append,
    )
    longest = 0
    while True:
        snap = rt.snapshot()
        longest = max(longest, len(snap.events))
        assert len(snap.events) <= RECENT_EVENTS
        if snap.run_state is not RunState.RUNNING:
            break
        time.sleep(0.001)
    assert snap.run_state is RunState.FINISHED
    assert snap.step > 2000
    assert len(seen) > 4 * RECENT_EVENTS
    assert longest == RECENT_EVENTS
    assert list(snap.events) == seen[-RECENT_EVENTS:]


def test_no_thread_is_running_between_steps_while_paused(launch) -> None:
    rt = launch(get_scenario("producer-consumer"))
    for _ in range(30):
        rt.step()
        assert rt.wait_idle(5)
        snap = rt.snapshot()
        assert [t for t in snap.threads if t.state is ThreadState.RUNNING] == []
    assert threading.active_count() >= 5
