"""Fixtures shared by every test package: one thread-leak guard and one runtime launcher.

Every runtime runs real OS threads. A test that forgot to stop one would leave threads parked
(or running flat out) for the rest of the session: later tests would slow down, see extra
threads, or hang, and the failure would show up far from its cause. So:

- ``no_thread_left_behind`` (autouse, every test in every package) fails the test that leaves
  a ``threadlab-*`` thread alive, after a short grace for threads still unwinding;
- ``launch`` starts runtimes for a test and stops every one of them afterwards, failing the
  test when ``stop()`` reports a thread that outlived it.

Scenario tests drive runtimes through ``driver`` (``tests/scenarios/conftest.py``), which is
built on ``launch``; app tests start runtimes through the app, whose screens stop them, and
the guard checks that they did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from thread_leaks import leaked_threads, threadlab_threads, where_they_are

import threadlab.engine.runtime as runtime_module
from threadlab.engine import Event, Runtime, Scenario, resolve_config
from threadlab.engine.core import driver

Launch = Callable[..., Runtime]


@pytest.fixture(autouse=True)
def private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Point the app's data folder (challenge progress) at a fresh temporary folder.

    Exists so that no test ever reads or writes the user's real ``~/.local/share/threadlab``
    (a test that wins a challenge would record it there, and a user's progress would change
    what a test sees). A test that wants its own folder sets ``THREADLAB_DATA_DIR`` again.
    """
    folder = str(tmp_path_factory.mktemp("data"))
    monkeypatch.setenv("THREADLAB_DATA_DIR", folder)
    return folder


LOADED_MACHINE_PATIENCE = 15.0
"""Real seconds a control call waits for a step in progress, in tests that do not test
that patience: a step of a few milliseconds can stand still for seconds on a loaded
machine (a long garbage collection, a worker descheduled while the suite and the other
Pythons' suites share two cores), which is no thread outside the schedule."""


@pytest.fixture(autouse=True)
def patience_for_a_loaded_machine(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Give control calls, and a run's start, ``LOADED_MACHINE_PATIENCE`` unless the test is
    marked ``outside_schedule`` (it checks that a thread outside the schedule is refused, or
    a start let go on in the background, in time).

    Exists because a control call refused after ``driver.CONTROL_PATIENCE`` (2 s) for a
    slow step failed tests on a loaded machine that had nothing to do with that refusal, and
    a start that took longer than ``runtime.START_PATIENCE`` (0.5 s) showed a screenshot
    before step 0."""
    if request.node.get_closest_marker("outside_schedule") is None:
        monkeypatch.setattr(driver, "CONTROL_PATIENCE", LOADED_MACHINE_PATIENCE)
        monkeypatch.setattr(runtime_module, "START_PATIENCE", LOADED_MACHINE_PATIENCE)


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """Fail the test that leaves an engine thread alive.

    Exists because a leaked scenario thread outlives its test and makes later, unrelated
    tests flaky or hang. Threads alive before the test are not blamed on it (their own test
    already failed). Being autouse, it is set up before and torn down after ``launch``, so it
    sees the threads ``launch`` failed to stop.
    """
    before = set(threadlab_threads())
    yield
    leaked = leaked_threads(before)
    assert not leaked, f"threads left behind: {[t.name for t in leaked]}\n" + where_they_are(leaked)


@pytest.fixture
def launch(no_thread_left_behind: None) -> Iterator[Launch]:
    """Start a runtime for this test; every runtime it started is stopped after the test.

    Call it as ``launch(scenario, *, variant=None, params=None, seed=0, paused=True,
    speed=None, policy="random", sink=None)``: by default the run starts paused and goes as
    fast as possible when resumed or stepped. The test fails when ``stop()`` returns False
    (a thread outlived it).
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
    stuck = [rt.config.scenario.name for rt in reversed(started) if not rt.stop()]
    assert not stuck, f"stop() returned False for {stuck}"
