"""The idle hint names the keys that move this run's waiting threads, and no others."""

from __future__ import annotations

import dataclasses

from threadlab.engine import Runtime, resolve_config
from threadlab.scenarios import get_scenario
from threadlab.tui.widgets.hint import hint_for


def _idle_condition_snapshot():
    runtime = Runtime(resolve_config(get_scenario("condition")), paused=True, speed=None)
    try:
        runtime.start()
        while runtime.snapshot().idle_reason is None:
            runtime.step()
            assert runtime.wait_idle(60)
        return runtime.snapshot()
    finally:
        runtime.stop()


def test_a_run_with_a_condition_is_told_s_b_and_w_only() -> None:
    snapshot = _idle_condition_snapshot()
    assert not snapshot.event_queues
    assert hint_for(snapshot) == (
        "Every thread is waiting for you. "
        "Press s to signal, b to broadcast, w for a spurious wakeup."
    )


def test_a_run_with_only_an_event_queue_is_told_e_only() -> None:
    snapshot = _idle_condition_snapshot()
    queue_only = dataclasses.replace(
        snapshot,
        primitives=tuple(p for p in snapshot.primitives if p.kind != "condition"),
        event_queues=("events",),
    )
    assert hint_for(queue_only) == "Every thread is waiting for you. Press e to post an event."
    both = dataclasses.replace(snapshot, event_queues=("events",))
    hint = hint_for(both)
    assert hint is not None and "s to signal" in hint and "e to post an event" in hint
    neither = dataclasses.replace(queue_only, event_queues=())
    assert hint_for(neither) == "Every thread is waiting for you."
