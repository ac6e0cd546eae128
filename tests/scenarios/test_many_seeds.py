"""Fixed variants hold in every schedule the explorer can bound, buggy variants break, and
runs repeat exactly.

What used to be a sweep of 500 seeds is now an exploration that makes the stronger claim:
every schedule with at most ``BOUND`` preemptions (at small parameters) passes, or every
schedule there is. A few seeds of the random policy, at parameters drawn within bounds, keep
what exploration does not cover: larger parameters and the policy's own schedules.
"""

from __future__ import annotations

import random
import threading

import pytest

from threadlab.engine import Event, RunConfig, RunState, Runtime, resolve_config
from threadlab.engine.explore import Progress, Request, explore, search, target_of
from threadlab.scenarios import SCENARIOS, get_scenario

SEEDS = range(20)
"""Seeds of the random policy, at drawn parameters, for what exploration leaves out."""

BUGGY_SEEDS = range(500)
"""Seeds tried until one breaks a buggy variant (the first few do, but for the alarm's ~40)."""

BOUND = 2
"""Every schedule with at most this many preemptions is run (or every schedule there is)."""

BUDGET = 400
"""Schedules an exploration may run: enough for ``BOUND`` at ``SMALL`` parameters."""

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
    """Parameters drawn within bounds (at most twice the default, so the runs stay quick)."""
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


SMALL: dict[str, dict[str, int]] = {
    "mutex": {"threads": 2, "rounds": 1},
    "cas": {"threads": 2, "rounds": 1},
    "semaphore": {"permits": 1, "threads": 2, "rounds": 1},
}
"""Parameters of an exploration where each parameter's minimum would leave one thread alone
with the object the lesson is about; every other scenario is explored at its minimums."""

UNBOUNDED = {("cas", "spinlock")}
"""Variants whose threads spin until another moves: a spin has no bounded length, so no
bound can be claimed (the explorer says so); the seeds below cover them."""


def small_config(name: str, variant: str) -> RunConfig:
    scenario = get_scenario(name)
    params = {p.name: p.minimum for p in scenario.params} | SMALL.get(name, {})
    return resolve_config(scenario, variant, params)


EXPLORED = [case for case in FIXED if case not in UNBOUNDED] + [("condition", "manual")]
"""The manual condition waits for the user: never judged, in any schedule."""


@pytest.mark.parametrize(("name", "variant"), EXPLORED, ids=[f"{n}-{v}" for n, v in EXPLORED])
def test_fixed_variant_passes_every_schedule_within_the_bound(
    name: str, variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = Request(
        target=target_of(small_config(name, variant)),
        find_scenario=get_scenario,
        strategy="dfs",
        seconds=None,
        schedules=BUDGET,
    )
    # progress after every schedule, and the search ends as soon as the bound is done
    monkeypatch.setattr(search, "PROGRESS_EVERY", 0.0)
    bound_done = threading.Event()

    def progress(progress: Progress) -> None:
        if progress.bound_done is not None and progress.bound_done >= BOUND:
            bound_done.set()

    result = explore(request, progress=progress, cancel=bound_done)
    assert result.finding is None, result.finding.verdict if result.finding else None
    assert result.stuck is None
    coverage = result.coverage
    assert coverage.cut_short == 0, coverage
    assert coverage.exhaustive or (
        coverage.bound_done is not None and coverage.bound_done >= BOUND
    ), coverage


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
    for seed in SEEDS:
        config = random_config("condition", "manual", seed)
        runtime = run_to_end(config)
        snapshot = runtime.snapshot()
        assert runtime.stop()
        assert snapshot.verdict is None, (seed, config.params, snapshot.verdict)
        assert snapshot.idle_reason is not None, (seed, config.params)


@pytest.mark.parametrize(("name", "variant", "broken"), BUGGY)
def test_buggy_variant_breaks_under_some_seed(name: str, variant: str, broken: RunState) -> None:
    for seed in BUGGY_SEEDS:
        runtime = run_to_end(resolve_config(get_scenario(name), variant, seed=seed))
        snapshot = runtime.snapshot()
        assert runtime.stop()
        if snapshot.run_state is broken:
            assert snapshot.verdict is not None
            assert snapshot.verdict.threads
            return
    pytest.fail(f"{name} {variant} never reached {broken.value} in {len(BUGGY_SEEDS)} seeds")


@pytest.mark.parametrize(
    ("name", "variant"),
    [(s.name, v.name) for s in SCENARIOS.values() for v in s.variants],
)
def test_same_seed_same_events(name: str, variant: str) -> None:
    interleavings = set()
    for seed in SEEDS:
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
