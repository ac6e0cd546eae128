"""Snapshots: immutable, independent of later steps, and consistent with the source panel."""

from __future__ import annotations

import dataclasses

import pytest
from engine_helpers import advance

from threadlab.engine import ControlRefused
from threadlab.scenarios import get_scenario

pytestmark = pytest.mark.timeout(60)

CORE = ("mutex", "condition", "producer-consumer")


def test_a_snapshot_is_frozen_and_not_changed_by_later_steps(launch) -> None:
    rt = launch(get_scenario("producer-consumer"), params={"producers": 1, "consumers": 1})
    advance(rt, "MainThread", "MainThread")  # starts P1 and C1
    snap = advance(rt, "P1", "P1", "P1")  # P1 has put an item, holds the mutex
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.step = 99  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.threads[0].state = snap.threads[1].state  # type: ignore[misc]
    frozen = repr(snap)
    assert dict(snap.watches)["buffer"] == "['P1.1'] (1 of 3)"
    assert snap.primitive("mutex").owner == "P1"
    advance(rt, "P1", "C1", "C1", "C1", "C1")
    later = rt.snapshot()
    assert dict(later.watches)["buffer"] == "[] (0 of 3)"
    assert repr(snap) == frozen  # the old snapshot still shows the old state


def test_revision_changes_with_every_step_and_user_action(launch) -> None:
    rt = launch(get_scenario("condition"), params={"threads": 1, "rounds": 1})
    seen = [rt.snapshot().revision]
    advance(rt, "MainThread")  # starts T1
    seen.append(rt.snapshot().revision)
    advance(rt, "MainThread", "T1", "T1")  # T1 holds the mutex, at its wait
    seen.append(rt.snapshot().revision)
    advance(rt, "T1")  # T1 waits
    seen.append(rt.snapshot().revision)
    rt.signal("wakeup")
    seen.append(rt.snapshot().revision)
    rt.set_speed(10.0)
    seen.append(rt.snapshot().revision)
    assert seen == sorted(seen) and len(set(seen)) == len(seen), seen
    # A refused action changes nothing, the revision included.
    with pytest.raises(ControlRefused):
        rt.broadcast("wakeup")
    assert rt.snapshot().revision == seen[-1]


@pytest.mark.parametrize("name", CORE)
def test_every_thread_line_and_event_line_is_in_the_source_panel(launch, name: str) -> None:
    """The code panel draws a marker per thread at its line: that line must be shown."""
    scenario = get_scenario(name)
    for variant in scenario.variants:
        rt = launch(scenario, variant=variant.name, seed=5)
        shown = {line.lineno for line in rt.snapshot().source if line.lineno}
        assert shown
        for _ in range(400):
            snap = rt.snapshot()
            for thread in snap.threads:
                if not thread.state.ended:
                    assert thread.line in shown, (variant.name, snap.step, thread)
            for event in snap.events:
                assert event.line is None or event.line in shown, (variant.name, event)
            try:
                rt.step()
            except ControlRefused:
                break
            assert rt.wait_idle(5)
        assert rt.stop()


def test_threads_are_listed_in_spawn_order_with_one_based_indices(launch) -> None:
    rt = launch(get_scenario("producer-consumer"), params={"producers": 2, "consumers": 3})
    snap = rt.snapshot()
    assert [(t.name, t.index) for t in snap.threads] == [("MainThread", 1)]
    # The module's code ran in MainThread's first turn: its primitives exist.
    assert [p.name for p in snap.primitives] == ["mutex", "not_full", "not_empty"]
    while len(snap.threads) < 6:
        snap = advance(rt, "MainThread")
    assert [(t.name, t.index) for t in snap.threads] == [
        ("MainThread", 1),
        ("P1", 2),
        ("P2", 3),
        ("C1", 4),
        ("C2", 5),
        ("C3", 6),
    ]
    rt.restart()
    snap = rt.snapshot()
    assert snap.scenario == "producer-consumer" and snap.variant == "while"


def test_checks_read_a_threads_own_local_variables(launch) -> None:
    """The barrier's check reads each worker's loop variable ``phase`` on its stack."""
    rt = launch(get_scenario("barrier"), params={"threads": 2, "phases": 2})
    advance(rt, "MainThread", "MainThread", "T1")
    snap = advance(rt, "T2")
    assert dict(snap.watches)["phases"] == "T1:1  T2:1"
