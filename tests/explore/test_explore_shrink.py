"""Shrinking: a find is cut down to the fewest preemptions a failure of its kind needs.

The dining philosophers (left fork, then right) need exactly one preemption to deadlock:
Ph1 is preempted between its two forks, then Ph3 takes fork 2 and blocks on fork 0 (a
switch that preempts nobody), then Ph2 takes fork 1 and blocks on fork 2, and Ph1 blocks
on fork 1. With none, each philosopher runs until it blocks or sleeps, and no cycle forms.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from explore_helpers import (
    assert_replays,
    assert_sound,
    every_schedule,
    failing,
    scenario_config,
    search,
)

from threadlab.engine import VerdictKind
from threadlab.engine.explore.attempt import run_schedule
from threadlab.engine.explore.policy import Decision
from threadlab.engine.formats import runfile

MAIN, PH1, PH2, PH3 = 1, 2, 3, 4
"""Thread numbers: MainThread starts Ph1, Ph2, Ph3 in that order."""


class OnePreemption:
    """Preempts Ph1 once, when it holds fork 0 and is about to take fork 1, for Ph3; where
    the choice is free (the last thread cannot go on), Ph3, then Ph2, then Ph1 go first;
    elsewhere nobody is preempted."""

    def __init__(self) -> None:
        self.preempted = False
        self.ph1_steps = 0
        """Steps Ph1 has taken: it starts, naps, wakes, takes fork 0; its fifth takes fork 1."""

    def choose(self, decision: Decision) -> int:
        where = {o.thread: i for i, o in enumerate(decision.options) if not o.condition}
        if not self.preempted:
            if decision.last == PH1 and self.ph1_steps == 4 and PH1 in where and PH3 in where:
                self.preempted = True
                return where[PH3]
            pick = decision.default()
            self.ph1_steps += decision.options[pick].thread == PH1
            return pick
        if decision.last is not None:
            return decision.default()
        for thread in (PH3, PH2, PH1, MAIN):
            if thread in where:
                return where[thread]
        return decision.default()


@pytest.mark.parametrize("meals", [1, 3])
def test_the_philosophers_deadlock_with_one_preemption(meals: int, tmp_path: Path) -> None:
    config = scenario_config("philosophers", "left-right", meals=meals)
    witness = run_schedule(config, OnePreemption(), describe=True)
    assert witness.verdict is not None
    assert witness.verdict.kind is VerdictKind.DEADLOCK
    assert "Cycle: Ph1 → Ph2 → Ph3 → Ph1" in witness.verdict.text
    assert witness.preemptions == 1
    assert [s.preempted for s in witness.switches if s.preempted] == ["Ph1"]
    record = runfile.record(config, witness.history)
    assert record.final is not None and record.final.verdict == witness.verdict


def test_the_philosophers_never_deadlock_without_a_preemption() -> None:
    config = scenario_config("philosophers", "left-right", meals=1)
    schedules = list(every_schedule(config, bound=0))
    assert len(schedules) > 10
    assert not failing(schedules)


@pytest.mark.main_python_only  # the shrinker's search: the same on every Python
@pytest.mark.parametrize("meals", [1, 3])
def test_the_explorer_shrinks_the_philosophers_deadlock_to_one_preemption(
    meals: int, tmp_path: Path
) -> None:
    config = scenario_config("philosophers", "left-right", meals=meals)
    finding = search(config, schedules=200).finding
    assert finding is not None and finding.verdict.kind is VerdictKind.DEADLOCK
    assert_sound(finding)
    assert_replays(config, finding, tmp_path)
    assert finding.preemptions == 1, finding.original
