"""Fixtures for the engine tests: runtimes that are always stopped, and a leak check.

Every runtime a test starts runs real OS threads; a test that forgot to stop one would leave
threads parked for the rest of the session and could make later tests flaky. The ``launch``
fixture therefore stops every runtime it started and fails the test when a thread outlives
``stop()``, and the autouse ``no_thread_left_behind`` fixture checks that nothing named
``threadlab-*`` is still alive after each test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from engine_helpers import threadlab_threads

from threadlab.engine import Event, Runtime, Scenario, resolve_config

Launch = Callable[..., Runtime]


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """Fail the test that leaves an engine thread alive (runs after ``launch`` stops)."""
    before = set(threadlab_threads())
    yield
    deadline = time.monotonic() + 1.0
    leaked = [t for t in threadlab_threads() if t not in before]
    while leaked and time.monotonic() < deadline:
        time.sleep(0.01)
        leaked = [t for t in threadlab_threads() if t not in before]
    assert not leaked, f"threads left behind: {[t.name for t in leaked]}"


@pytest.fixture
def launch() -> Iterator[Launch]:
    """Start a runtime (paused, as fast as possible when resumed) and stop it after the test.

    Call it as ``launch(scenario, variant=None, params=None, seed=0, paused=True,
    speed=None, policy="random", sink=None)``.
    """
    started: list[Runtime] = []

    def _launch(
        scenario: Scenario,
        *,
        variant: str | None = None,
        params: Mapping[str, Any] | None = None,
        seed: int = 0,
        paused: bool = True,
        speed: float | None = None,
        policy: str = "random",
        sink: Callable[[Event], None] | None = None,
    ) -> Runtime:
        config = resolve_config(scenario, variant, params, seed)
        runtime = Runtime(config, paused=paused, speed=speed, policy=policy, event_sink=sink)
        started.append(runtime)
        runtime.start()
        return runtime

    yield _launch
    stuck = [rt.config.scenario.name for rt in started if not rt.stop()]
    assert not stuck, f"stop() returned False for {stuck}"
