"""Over many seeds: fixed variants always hold, buggy variants break, and runs repeat exactly."""

from __future__ import annotations

import random

import pytest

from threadlab.engine import Event, RunConfig, RunState, Runtime, resolve_config
from threadlab.scenarios import SCENARIOS, get_scenario

SEEDS = range(500)

FIXED = [
    ("mutex", "locked"),
    ("producer-consumer", "while"),
    ("cas", "spinlock"),
    ("cas", "counter-cas"),
    ("semaphore", "default"),
    ("readers-writers", "fair"),
    ("futures", "default"),
    ("futures", "lesson"),
    ("philosophers", "ordered"),
    ("barrier", "default"),
    ("event-loop", "chunked"),
    ("async-io", "default"),
    ("coroutines", "async"),
]

BUGGY = [
    ("mutex", "unlocked", RunState.VIOLATION),
    ("producer-consumer", "if", RunState.FAILED),  # IndexError: pop from empty list
    ("cas", "counter-racy", RunState.VIOLATION),
    ("readers-writers", "lesson", RunState.LOST_WAKEUP),  # a writer nobody will notify
    ("readers-writers", "classic", RunState.LOST_WAKEUP),
    ("philosophers", "left-right", RunState.DEADLOCK),
    ("coroutines", "missing-await", RunState.VIOLATION),
    ("coroutines", "blocking-call", RunState.LOOP_BLOCKED),  # time.sleep holds the loop
    ("event-loop", "blocking", RunState.LOOP_BLOCKED),  # one handler computes every part
    ("condition", "alarm", RunState.LOST_WAKEUP),  # a notify before the wait, then A1 ends
]


def random_config(name: str, variant: str, seed: int) -> RunConfig:
    """Parameters drawn within bounds (kept small so 500 runs stay quick)."""
    scenario = get_scenario(name)
    draw = random.Random(seed)
    params = {
        p.name: draw.randint(p.minimum, min(p.maximum, max(p.default * 2, p.minimum)))
        for p in scenario.params
    }
    return resolve_config(scenario, variant, params, seed)


def run_to_end(config: RunConfig, sink: list[Event] | None = None) -> Runtime:
    runtime = Runtime(
        config, paused=True, speed=None, event_sink=sink.append if sink is not None else None
    )
    runtime.start()
    runtime.step(50_000)
    assert runtime.wait_idle(60)
    return runtime


@pytest.mark.parametrize(("name", "variant"), FIXED)
def test_fixed_variant_holds_and_never_deadlocks(name: str, variant: str) -> None:
    for seed in SEEDS:
        config = random_config(name, variant, seed)
        runtime = run_to_end(config)
        snapshot = runtime.snapshot()
        assert runtime.stop()
        assert snapshot.verdict is None, (seed, config.params, snapshot.verdict)
        assert snapshot.run_state is RunState.FINISHED, (seed, config.params)


def test_manual_condition_waits_for_the_user_and_is_never_judged() -> None:
    """Every thread waiting on the condition is what the manual variant is for: the user
    wakes them, so it is idle, never a lost wakeup."""
    for seed in range(300):
        config = random_config("condition", "manual", seed)
        runtime = run_to_end(config)
        snapshot = runtime.snapshot()
        assert runtime.stop()
        assert snapshot.verdict is None, (seed, config.params, snapshot.verdict)
        assert snapshot.idle_reason is not None, (seed, config.params)


@pytest.mark.parametrize(("name", "variant", "broken"), BUGGY)
def test_buggy_variant_breaks_under_some_seed(name: str, variant: str, broken: RunState) -> None:
    for seed in SEEDS:
        runtime = run_to_end(resolve_config(get_scenario(name), variant, seed=seed))
        snapshot = runtime.snapshot()
        assert runtime.stop()
        if snapshot.run_state is broken:
            assert snapshot.verdict is not None
            assert snapshot.verdict.threads
            return
    pytest.fail(f"{name} {variant} never reached {broken.value} in {len(SEEDS)} seeds")


@pytest.mark.parametrize(
    ("name", "variant"),
    [(s.name, v.name) for s in SCENARIOS.values() for v in s.variants],
)
def test_same_seed_same_events(name: str, variant: str) -> None:
    interleavings = set()
    for seed in range(40):
        first: list[Event] = []
        second: list[Event] = []
        config = resolve_config(get_scenario(name), variant, seed=seed)
        for sink in (first, second):
            assert run_to_end(config, sink).stop()
        assert first == second, f"seed {seed} gave two different runs"
        interleavings.add(tuple(first))
    # coroutines/missing-await has one thread only: the worker its to_thread needs never starts.
    single = name == "condition" or (name, variant) == ("coroutines", "missing-await")
    assert len(interleavings) > 1 or single, "seeds never changed the schedule"
