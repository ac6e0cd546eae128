"""Same configuration and user actions ⇒ the same events, byte for byte, over many seeds.

Replay, rewind, snapshot tests and the schedule explorer all rest on this. Each check also
asserts that different seeds give different interleavings, so it cannot pass vacuously.
"""

from __future__ import annotations

import contextlib
import random
import time

import pytest
from engine_helpers import IDLE_TIMEOUT, run_headless, signature

from threadlab.engine import ControlRefused, Event, RunState, Runtime, resolve_config
from threadlab.scenarios import get_scenario

pytestmark = pytest.mark.timeout(120)

SEEDS = range(20)
"""Enough seeds that most give a run of their own (asserted): determinism is a property of
each seed, not of how many are tried; the explorer's own determinism is tested in
tests/explore/test_explore_determinism.py."""

CORE = ("mutex", "condition", "producer-consumer")
"""The scenarios this engine suite guards; tests/scenarios covers the rest of the catalogue."""

CASES = [(name, variant.name) for name in CORE for variant in get_scenario(name).variants]


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_same_seed_same_events_over_many_seeds(name: str, variant: str) -> None:
    scenario = get_scenario(name)
    runs: set[tuple[tuple[object, ...], ...]] = set()
    for seed in SEEDS:
        first, first_snap = run_headless(scenario, variant, seed=seed)
        second, second_snap = run_headless(scenario, variant, seed=seed)
        assert first, f"seed {seed}: no events at all"
        assert signature(first) == signature(second), f"{name}/{variant} seed {seed} diverged"
        assert second_snap.step == first_snap.step
        assert second_snap.run_state is first_snap.run_state
        assert second_snap.verdict == first_snap.verdict
        assert second_snap.threads == first_snap.threads
        assert second_snap.primitives == first_snap.primitives
        runs.add(signature(first))
    # Different seeds must give different interleavings, or the check above proves nothing.
    assert len(runs) >= 10, f"{name}/{variant}: {len(runs)} distinct runs in {len(SEEDS)} seeds"


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_round_robin_ignores_the_seed(name: str, variant: str) -> None:
    scenario = get_scenario(name)
    first, _ = run_headless(scenario, variant, seed=1, policy="round-robin")
    second, _ = run_headless(scenario, variant, seed=2, policy="round-robin")
    assert signature(first) == signature(second)


def scripted_run(variant: str, seed: int) -> list[tuple[object, ...]]:
    """Drive the condition scenario with user actions at fixed points; record all outcomes.

    The record holds every event and every refusal, in order, so two runs can be compared.
    """
    record: list[tuple[object, ...]] = []

    def sink(event: Event) -> None:
        record.append(tuple(event.as_dict().values()))

    rt = Runtime(
        resolve_config(get_scenario("condition"), variant, {"threads": 3, "rounds": 3}, seed),
        paused=True,
        speed=None,
        event_sink=sink,
    )
    actions = [
        lambda: rt.step(4),
        lambda: rt.signal("wakeup"),
        lambda: rt.step(3),
        lambda: rt.spurious_wakeup("wakeup", "T2"),
        lambda: rt.step(2),
        lambda: rt.broadcast("wakeup"),
        lambda: rt.step(5),
        lambda: rt.spurious_wakeup("wakeup"),
        lambda: rt.step(6),
        lambda: rt.signal("wakeup"),
        lambda: rt.step(4),
    ]
    try:
        rt.start()
        for _ in range(4):
            for number, action in enumerate(actions):
                try:
                    action()
                except ControlRefused as refused:
                    record.append(("refused", number, str(refused)))
                assert rt.wait_idle(IDLE_TIMEOUT)
                snap = rt.snapshot()
                record.append(("state", snap.step, tuple((t.name, t.state) for t in snap.threads)))
    finally:
        assert rt.stop()
    return record


@pytest.mark.parametrize("variant", ["manual", "alarm"])
def test_same_user_actions_same_events(variant: str) -> None:
    runs = set()
    for seed in range(40):
        first = scripted_run(variant, seed)
        second = scripted_run(variant, seed)
        assert first == second, f"condition/{variant} seed {seed} diverged with user actions"
        runs.add(tuple(first))
    assert len(runs) > 5
    # The script really exercised every kind of user action, and some refusals.
    done = {entry[2] for run in runs for entry in run if len(entry) == 6 and entry[1] is None}
    assert {"signal", "broadcast", "spurious"} <= done
    assert any(entry[0] == "refused" for run in runs for entry in run)


def test_different_seeds_lead_to_different_verdicts_sometimes() -> None:
    scenario = get_scenario("producer-consumer")
    outcomes = {
        run_headless(scenario, "if", {"consumers": 3}, seed)[1].run_state for seed in range(40)
    }
    assert outcomes == {RunState.FINISHED, RunState.FAILED}  # FAILED: pop from an empty list


def run_paced(seed: int, how: str) -> list[Event]:
    """Producer-consumer `if` (3 consumers) at one seed, driven at a given pace."""
    events: list[Event] = []
    config = resolve_config(get_scenario("producer-consumer"), "if", {"consumers": 3}, seed)
    rt = Runtime(config, paused=how != "flat-out", speed=None, event_sink=events.append)
    try:
        rt.start()
        if how == "flat-out":
            assert rt.wait_idle(IDLE_TIMEOUT)
        elif how == "one-by-one":
            while any(t.state.can_run for t in rt.snapshot().threads) and not rt.snapshot().verdict:
                rt.step()
                assert rt.wait_idle(IDLE_TIMEOUT)
        elif how == "batches":
            with contextlib.suppress(ControlRefused):
                # A failed thread pauses the run but does not end it: stop there, as
                # flat out does.
                while not rt.snapshot().verdict:
                    rt.step(7)
                    assert rt.wait_idle(IDLE_TIMEOUT)
        elif how == "pause-resume":
            draw = random.Random(seed)
            while rt.snapshot().run_state is RunState.PAUSED:
                rt.resume()
                time.sleep(draw.random() / 2000)
                rt.pause()
                assert rt.wait_idle(IDLE_TIMEOUT)
        assert rt.wait_idle(IDLE_TIMEOUT)
    finally:
        assert rt.stop()
    return events


@pytest.mark.parametrize("how", ["one-by-one", "batches", "pause-resume"])
def test_the_pace_does_not_change_the_run(how: str) -> None:
    """Flat out, step by step, in batches, or paused and resumed at random wall-clock
    moments: the policy's choices, and so the events, are the same."""
    for seed in range(12):
        assert signature(run_paced(seed, how)) == signature(run_paced(seed, "flat-out")), seed
