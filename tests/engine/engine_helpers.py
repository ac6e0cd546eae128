"""Helpers for the engine tests: small test programs, stepping runtimes, headless runs.

Test modules import these by name (``from engine_helpers import ...``); the shared fixtures
(``launch``, the thread-leak guard) live in ``tests/conftest.py``.
"""

from __future__ import annotations

import dataclasses
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

# Re-exported: the lifecycle tests count the engine's threads.
from thread_leaks import threadlab_threads as threadlab_threads

from threadlab.engine import Event, Runtime, Scenario, Snapshot, Watch, resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.program.loader import ProgramState

IDLE_TIMEOUT = 10.0
"""Seconds a step (or a whole headless run) may take before the test calls it a hang."""


class Program:
    """A small program of one test, run as ``__main__`` (its primitives named from its
    source, its threads by their ``name=``); ``globals`` reads its module's names.

    Args:
        directory: where its file is written (the test's ``tmp_path``).
        source: the program (dedented here).
        waits_for_user: threads are meant to wait until the user acts (signal, broadcast,
            spurious wakeup): all of them waiting on a condition is then an idle run, not a
            lost wakeup.
        races: its shared reads and writes are steps (``engine.races``).
    """

    def __init__(
        self,
        directory: Path,
        source: str,
        *,
        waits_for_user: bool = False,
        races: bool = False,
    ) -> None:
        path = directory / "program.py"
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
        self._states: list[ProgramState] = []
        self.scenario: Scenario = dataclasses.replace(
            program_scenario(str(path), races=races),
            waits_for_user=waits_for_user,
            watches=(Watch("program", self._states.append),),
        )

    @property
    def globals(self) -> dict[str, Any]:
        """The program's module namespace (read between steps)."""
        assert self._states, "the program's state was never read"
        return self._states[-1].namespace


def start_threads(runtime: Runtime) -> Snapshot:
    """Step the main thread until it has started every thread it starts, then each of
    those threads to its first operation (as far as its first checkpoint after starting)."""
    # start() returns before a slow main thread (a loaded machine) reaches its first
    # checkpoint: wait for it, or the loop below sees no "start" and starts nothing.
    assert runtime.wait_started(IDLE_TIMEOUT), "the run's threads never reached their start"
    while runtime.snapshot().thread("MainThread").operation.startswith("start "):
        advance(runtime, "MainThread")
    for thread in runtime.snapshot().threads:
        if thread.operation == "started":
            advance(runtime, thread.name)
    return runtime.snapshot()


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
