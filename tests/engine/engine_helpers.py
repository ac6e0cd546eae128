"""Helpers for the engine tests: building test scenarios, stepping runtimes, headless runs.

Test modules import these by name (``from engine_helpers import ...``); the shared fixtures
(``launch``, the thread-leak guard) live in ``tests/conftest.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

# Re-exported: the lifecycle tests count the engine's threads.
from thread_leaks import threadlab_threads as threadlab_threads

from threadlab.engine import (
    Event,
    Param,
    Runtime,
    Scenario,
    Snapshot,
    Variant,
    World,
    resolve_config,
)

IDLE_TIMEOUT = 10.0
"""Seconds a step (or a whole headless run) may take before the test calls it a hang."""

Build = Callable[[World, Mapping[str, int], str], None]


def make_scenario(
    build: Build,
    *,
    name: str = "test",
    waits_for_user: bool = False,
    params: tuple[Param, ...] = (),
    variants: tuple[Variant, ...] = (Variant("default", "the only variant"),),
) -> Scenario:
    """A purpose-built scenario around ``build`` (threads and primitives of one test)."""
    return Scenario(
        name=name,
        title=f"test scenario {name}",
        summary="a scenario written for one engine test",
        explanation="",
        build=build,
        params=params,
        variants=variants,
        waits_for_user=waits_for_user,
    )


def advance(runtime: Runtime, *names: str) -> Snapshot:
    """Step each named thread once, in order, waiting for every step to end."""
    for name in names:
        runtime.step_thread(name)
        assert runtime.wait_idle(IDLE_TIMEOUT), f"the step of {name} did not end"
    return runtime.snapshot()


def eventually(condition: Callable[[], bool], timeout: float = IDLE_TIMEOUT) -> bool:
    """Poll ``condition`` until it holds; False if ``timeout`` seconds passed first.

    The timeout only keeps a broken run from hanging the test: assert on what happened,
    never on how long it took.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def run_headless(
    scenario: Scenario,
    variant: str | None = None,
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
    *,
    policy: str = "random",
) -> tuple[list[Event], Snapshot]:
    """Run a configuration as fast as possible until it ends or idles.

    Returns:
        Every event the run emitted (from ``event_sink``) and the final snapshot.
    """
    events: list[Event] = []
    runtime = Runtime(
        resolve_config(scenario, variant, params, seed),
        paused=False,
        speed=None,
        policy=policy,
        event_sink=events.append,
    )
    try:
        runtime.start()
        assert runtime.wait_idle(IDLE_TIMEOUT), f"{scenario.name} seed {seed} did not settle"
        snapshot = runtime.snapshot()
    finally:
        assert runtime.stop(), f"{scenario.name} seed {seed}: a thread outlived stop()"
    return events, snapshot


def signature(events: list[Event]) -> tuple[tuple[object, ...], ...]:
    """Events as plain tuples, every field included (for byte-for-byte comparisons)."""
    return tuple(tuple(event.as_dict().values()) for event in events)
