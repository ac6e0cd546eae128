"""Challenges: every variant has one; a buggy variant's is won exactly when its bug happens,
a fixed variant's cannot be won; the user's actions are counted from the history."""

from __future__ import annotations

import dataclasses

import pytest

from threadlab.engine import RunState, Runtime, Verdict, VerdictKind, resolve_config
from threadlab.engine.core.history import History
from threadlab.engine.lesson.challenge import (
    BREAK_IT,
    Challenge,
    Win,
    challenge_of,
    count_actions,
    is_challenge_run,
    won,
)
from threadlab.engine.snapshot.model import ActionKind, UserAction
from threadlab.scenarios import SCENARIOS, get_scenario

BUGGY = {
    ("mutex", "unlocked"): RunState.VIOLATION,
    ("producer-consumer", "if"): RunState.FAILED,
    ("cas", "counter-racy"): RunState.VIOLATION,
    ("readers-writers", "lesson"): RunState.LOST_WAKEUP,
    ("readers-writers", "classic"): RunState.LOST_WAKEUP,
    ("philosophers", "left-right"): RunState.DEADLOCK,
    ("coroutines", "missing-await"): RunState.VIOLATION,
    ("coroutines", "blocking-call"): RunState.LOOP_BLOCKED,
    ("condition", "alarm"): RunState.LOST_WAKEUP,
    ("event-loop", "blocking"): RunState.LOOP_BLOCKED,
}
"""Every buggy variant and the verdict its bug ends in (tests/scenarios/test_many_seeds.py)."""

EVERY_VARIANT = [(s.name, v.name) for s in SCENARIOS.values() for v in s.variants]


def _verdict(kind: VerdictKind, **refined: str) -> Verdict:
    return Verdict(kind, "words", ("T1",), 5, **refined)


@pytest.mark.parametrize(("name", "variant"), EVERY_VARIANT)
def test_every_variant_has_a_challenge_winnable_exactly_when_it_is_buggy(
    name: str, variant: str
) -> None:
    challenge = challenge_of(resolve_config(get_scenario(name), variant))
    expected = BUGGY.get((name, variant))
    if expected is None:
        assert challenge is BREAK_IT
        assert not challenge.winnable
        return
    assert challenge.winnable and challenge.goal
    assert challenge.win is not None
    assert challenge.win.verdict.value == expected.value


def test_a_win_condition_is_refined_by_the_failure_and_the_invariant() -> None:
    failure = Win(VerdictKind.FAILED, error="IndexError")
    assert failure.met_by(_verdict(VerdictKind.FAILED, error="IndexError"))
    assert not failure.met_by(_verdict(VerdictKind.FAILED, error="KeyError"))
    assert not failure.met_by(_verdict(VerdictKind.VIOLATION))
    assert not failure.met_by(None)
    broken = Win(VerdictKind.VIOLATION, check="at most one")
    assert broken.met_by(_verdict(VerdictKind.VIOLATION, check="at most one"))
    assert not broken.met_by(_verdict(VerdictKind.VIOLATION, check="another"))
    assert not broken.met_by(_verdict(VerdictKind.VIOLATION))  # a program's own assert
    assert Win(VerdictKind.DEADLOCK).met_by(_verdict(VerdictKind.DEADLOCK))
    assert not Win(VerdictKind.DEADLOCK).met_by(_verdict(VerdictKind.LOST_WAKEUP))


def test_a_challenge_to_win_needs_a_goal_and_a_win_condition() -> None:
    with pytest.raises(ValueError):
        Challenge("Break it")
    with pytest.raises(ValueError):
        Challenge(None, Win(VerdictKind.DEADLOCK))


def test_actions_count_the_users_choices_and_actions_before_the_step() -> None:
    history = History()
    for thread, by_user in ((1, True), (2, False), (1, True), (3, True), (2, False)):
        history.record_step(thread, by_user)
    history.record_action(0, UserAction(ActionKind.SIGNAL, "c"))
    history.record_action(2, UserAction(ActionKind.SPURIOUS, "c", "T1"))
    history.record_action(2, UserAction(ActionKind.BROADCAST, "c"))
    history.record_action(4, UserAction(ActionKind.POST, "events"))
    history.record_action(5, UserAction(ActionKind.SPURIOUS, "c", ""))  # after the last step
    actions = count_actions(history, 4)
    assert (actions.choices, actions.signals, actions.broadcasts) == (3, 1, 1)
    assert (actions.spurious, actions.posts, actions.total) == (1, 0, 6)
    everything = count_actions(history, 5)
    assert (everything.posts, everything.spurious, everything.total) == (1, 1, 7)
    assert count_actions(history, 0).total == 0


def test_a_challenge_is_played_with_the_default_parameters_and_seed_0() -> None:
    scenario = get_scenario("producer-consumer")
    assert is_challenge_run(resolve_config(scenario, "if"))
    assert not is_challenge_run(resolve_config(scenario, "if", seed=1))
    capacity = scenario.param("capacity")
    other = capacity.default + 1 if capacity.default < capacity.maximum else capacity.minimum
    assert not is_challenge_run(resolve_config(scenario, "if", {"capacity": other}))
    default = scenario.params[0].default
    assert is_challenge_run(resolve_config(scenario, "if", {scenario.params[0].name: default}))


def _run_to_end(name: str, variant: str, seed: int) -> tuple[bool, RunState, int]:
    config = resolve_config(get_scenario(name), variant, None, seed)
    runtime = Runtime(config, paused=True, speed=None)
    runtime.start()
    runtime.step(50_000)
    assert runtime.wait_idle(60)
    snapshot = runtime.snapshot()
    assert runtime.stop()
    # the win is a pure function of the configuration and the snapshot
    assert won(config, snapshot) == won(config, dataclasses.replace(snapshot))
    return won(config, snapshot), snapshot.run_state, snapshot.step


@pytest.mark.parametrize(("name", "variant"), list(BUGGY))
def test_each_buggy_variant_is_won_when_its_bug_happens(name: str, variant: str) -> None:
    """Some seed (the same every time) with the default parameters makes the bug happen;
    the run is then won, and a run that ends otherwise is not."""
    for seed in range(60):
        is_won, state, _ = _run_to_end(name, variant, seed)
        assert is_won == (state is BUGGY[name, variant]), (seed, state)
        if is_won:
            return
    pytest.fail(f"no seed in 0..59 made {name}/{variant} break")


@pytest.mark.parametrize(("name", "variant"), [key for key in EVERY_VARIANT if key not in BUGGY])
def test_a_fixed_variant_run_to_its_end_is_never_won(name: str, variant: str) -> None:
    for seed in range(2):
        is_won, _, _ = _run_to_end(name, variant, seed)
        assert not is_won
