"""Control calls keep their promise from any thread: several threads firing random calls at
a run never hang it, and after ``stop()`` nothing brings the run back."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

import pytest

from threadlab.engine import ControlRefused, ReplayDiverged, Runtime, resolve_config
from threadlab.scenarios import SCENARIOS, get_scenario

CALLERS = 3
CALLS = 100
HANG = 30.0
"""Seconds after which a caller still busy counts as hung (the run itself takes far less)."""


def random_call(runtime: Runtime, rng: random.Random) -> Callable[[], object]:
    """One control call, as a user's keys or another program might make it."""
    snapshot = runtime.snapshot()
    threads = [t.name for t in snapshot.threads] or ["T1"]
    conditions = list(snapshot.conditions) or ["nothing"]
    queues = list(snapshot.event_queues) or ["nothing"]
    calls: list[Callable[[], object]] = [
        lambda: runtime.step(rng.randint(1, 5)),
        lambda: runtime.step_thread(rng.choice(threads)),
        lambda: runtime.signal(rng.choice(conditions)),
        lambda: runtime.broadcast(rng.choice(conditions)),
        lambda: runtime.spurious_wakeup(rng.choice(conditions)),
        lambda: runtime.post_event(rng.choice(queues)),
        runtime.pause,
        runtime.resume,
        lambda: runtime.set_speed(rng.choice([None, 50.0, 500.0])),
        lambda: runtime.goto(rng.randint(0, max(0, snapshot.history_length))),
        runtime.step_back,
        runtime.restart,
        runtime.snapshot,
        lambda: runtime.wait_idle(timeout=0.05),
    ]
    return rng.choice(calls)


def fire_calls(
    runtime: Runtime, seeds: range, calls: int, stop_rate: float = 0.0
) -> tuple[list[str], list[BaseException]]:
    """One caller thread per seed, each making ``calls`` random control calls (``stop`` as
    often as ``stop_rate`` says) at once; the callers still busy after ``HANG`` seconds
    (hung), and what broke a call's promise (a refusal keeps it)."""
    errors: list[BaseException] = []

    def caller(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(calls):
            try:
                if stop_rate and rng.random() < stop_rate:
                    runtime.stop(timeout=5.0)
                else:
                    random_call(runtime, rng)()
            except (ControlRefused, ReplayDiverged):
                pass  # a call that does not apply now is refused: that is its promise
            except BaseException as error:  # anything else breaks the promise
                errors.append(error)
                return

    callers = [threading.Thread(target=caller, args=(seed,), daemon=True) for seed in seeds]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join(timeout=HANG)
    return [t.name for t in callers if t.is_alive()], errors


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_random_control_calls_from_three_threads_never_hang_the_run(name: str) -> None:
    config = resolve_config(get_scenario(name), seed=7)
    runtime = Runtime(config, paused=True, speed=None)
    runtime.start()
    try:
        hung, errors = fire_calls(runtime, range(CALLERS), CALLS)
        assert not hung, f"control calls hung in {name}: {hung}"
        assert not errors, f"a control call failed in {name}: {errors[0]!r}"
        snapshot = runtime.snapshot()  # the run still answers
        assert snapshot.scenario == name
    finally:
        assert runtime.stop(timeout=5.0), f"a thread of {name} outlived stop()"


STORMS = 100
"""Storms of calls, stop among them, each at a new run (1,000 in a row have run without a
hang; the suite runs this many)."""

STORM_SCENARIOS = ("mutex", "condition", "producer-consumer", "futures", "philosophers")


@pytest.mark.main_python_only
def test_stop_in_a_storm_of_control_calls_never_hangs() -> None:
    """``stop`` racing ``restart``, ``goto`` or a user action from other threads: every call
    returns (refused, once the run has stopped), and the run's threads end."""
    for storm in range(STORMS):
        name = STORM_SCENARIOS[storm % len(STORM_SCENARIOS)]
        runtime = Runtime(resolve_config(get_scenario(name), seed=storm), paused=True, speed=None)
        runtime.start()
        seeds = range(storm * CALLERS, (storm + 1) * CALLERS)
        hung, errors = fire_calls(runtime, seeds, 40, stop_rate=0.02)
        assert not hung, f"storm {storm} ({name}): control calls hung: {hung}"
        assert not errors, f"storm {storm} ({name}): a control call failed: {errors[0]!r}"
        assert runtime.stop(timeout=5.0), f"storm {storm}: a thread of {name} outlived stop()"
        with pytest.raises(ControlRefused, match="stopped"):
            runtime.restart()


RESURRECTIONS: dict[str, Callable[[Runtime], object]] = {
    "restart": Runtime.restart,
    "goto 0": lambda runtime: runtime.goto(0),
    "step back": Runtime.step_back,
    "step": Runtime.step,
    "step a thread": lambda runtime: runtime.step_thread("T1"),
    "resume": Runtime.resume,
    "pause": Runtime.pause,
    "set speed": lambda runtime: runtime.set_speed(8),
    "signal": lambda runtime: runtime.signal("alarm"),
}


@pytest.mark.parametrize("attempt", sorted(RESURRECTIONS))
def test_after_stop_nothing_brings_the_run_back(attempt: str) -> None:
    runtime = Runtime(resolve_config(get_scenario("mutex")), paused=True, speed=None)
    runtime.start()
    runtime.step(5)
    assert runtime.wait_idle()
    assert runtime.stop()
    with pytest.raises(ControlRefused, match="stopped"):
        RESURRECTIONS[attempt](runtime)
    alive = [t.name for t in threading.enumerate() if t.name.startswith("threadlab-")]
    assert alive == []
