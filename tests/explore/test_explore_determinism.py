"""The same seed and the same budget in schedules give the same find, byte for byte, in one
process or spread over worker processes; another seed searches other schedules."""

from __future__ import annotations

import pytest
from explore_helpers import finding_key, scenario_config, search

from threadlab.engine.explore.plan import WINDOW

SEEDS = range(10)


# The search's own determinism (given an engine that repeats a run, which the engine's tests
# check on every Python): the same on every Python.
@pytest.mark.main_python_only
def test_the_same_seed_finds_the_same_schedule_every_time() -> None:
    config = scenario_config("producer-consumer", "if")
    keys = []
    for seed in SEEDS:
        first = search(config, seed=seed, schedules=200).finding
        again = search(config, seed=seed, schedules=200).finding
        assert first is not None and again is not None
        assert finding_key(first) == finding_key(again), seed
        keys.append(finding_key(first))
    # the seed is used: the searches went different ways (which schedule found it, and
    # what it was before shrinking)
    assert len({(key[0], key[7]) for key in keys}) > 1


@pytest.mark.main_python_only  # how worker processes share the schedules: the same anywhere
@pytest.mark.parametrize(
    ("name", "variant", "seed", "strategy", "found_by"),
    [
        ("producer-consumer", "if", 3, "auto", "random"),
        ("readers-writers", "classic", 0, "auto", "dfs"),
        ("producer-consumer", "if", 0, "pct", "pct"),
        # past the planner's window: its tree grows only from results taken in order
        ("producer-consumer", "if", 0, "dfs", "dfs"),
    ],
)
def test_two_worker_processes_find_what_one_process_finds(
    name: str, variant: str, seed: int, strategy: str, found_by: str
) -> None:
    config = scenario_config(name, variant)
    inline = search(config, seed=seed, schedules=200, jobs=1, strategy=strategy)
    spread = search(config, seed=seed, schedules=200, jobs=2, strategy=strategy)
    assert inline.finding is not None and spread.finding is not None
    assert inline.finding.strategy == found_by
    if strategy == "dfs":
        assert inline.finding.schedule > WINDOW
    assert finding_key(inline.finding) == finding_key(spread.finding)
    assert inline.coverage.schedules == spread.coverage.schedules


@pytest.mark.main_python_only
def test_two_worker_processes_cover_what_one_process_covers() -> None:
    config = scenario_config("mutex", "locked")
    inline = search(config, seed=5, schedules=120, jobs=1).coverage
    spread = search(config, seed=5, schedules=120, jobs=2).coverage
    fields = ("schedules", "strategies", "bound_done", "bound_schedules", "exhaustive")
    assert [getattr(inline, f) for f in fields] == [getattr(spread, f) for f in fields]
