"""Helpers for the app's tests: apps that start paused, a way to run them, and test-only
scenarios (small programs in ``programs/``): one that deadlocks on two locks, and a racy
counter whose reads and writes are steps."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual import events
from textual.pilot import Pilot

from threadlab.engine import RunConfig, Runtime, Scenario, resolve_config
from threadlab.scenarios import get_scenario
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.screens.scenario import ScenarioScreen
from threadlab.tui.widgets.hint import HintLine


def make_app(
    name: str | None = None,
    variant: str | None = None,
    seed: int = 0,
    *,
    config: RunConfig | None = None,
    speed: float | None = 4,
) -> ThreadlabApp:
    """An app on one scenario (or the picker when ``name`` and ``config`` are None).

    Runs start paused so that nothing moves unless the test asks: the screen a test sees
    depends only on the steps it takes, never on timing. Animations are off for the same
    reason.
    """
    if config is None and name is not None:
        config = resolve_config(get_scenario(name), variant=variant, seed=seed)
    app = ThreadlabApp(config, paused=True, speed=speed)
    app.animation_level = "none"
    return app


def runtime_of(app: ThreadlabApp) -> Runtime:
    """The runtime behind the app's current scenario screen."""
    screen = app.screen
    assert isinstance(screen, ScenarioScreen), f"not on a scenario screen: {screen!r}"
    return screen.runtime


def scenario_screen(app: ThreadlabApp) -> ScenarioScreen:
    """The topmost scenario screen (under the help or go-to screen, if one is open)."""
    for screen in reversed(app.screen_stack):
        if isinstance(screen, ScenarioScreen):
            return screen
    raise AssertionError("no scenario screen is open")


async def settle(pilot: Pilot) -> None:
    """Wait until no trip (rewind, go to, restart) or save is under way or waiting, and the
    screen shows where the last one landed. Waits on the workers, never on a clock."""
    screen = scenario_screen(pilot.app)
    for _ in range(100):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not (screen.controller.travelling or screen.controller.saving):
            return
    raise AssertionError("the trips did not end")


def hint_text(app: ThreadlabApp) -> str:
    """The words on the scenario screen's hint line ('' when it is hidden)."""
    return scenario_screen(app).query_one(HintLine).text


async def until_running(pilot: Pilot) -> Runtime:
    """Wait until the scenario screen has mounted and started its run; return the runtime.

    A snapshot test's ``run_before`` is called before the first screen is mounted.
    """
    for _ in range(100):
        screen = pilot.app.screen
        if isinstance(screen, ScenarioScreen) and screen.snapshot is not None:
            return screen.runtime
        await pilot.pause(0.01)
    raise AssertionError("the scenario screen did not start its run")


def show(app: ThreadlabApp) -> None:
    """Wait for the engine to settle, then push a fresh snapshot to the screen now."""
    assert runtime_of(app).wait_idle(60), "the engine did not settle"
    screen = app.screen
    assert isinstance(screen, ScenarioScreen)
    screen.refresh_snapshot(force=True)


async def tap(pilot: Pilot, key: str) -> None:
    """Press one printable key and wait until the app has handled it.

    The key goes through the app's own key handling and bindings, like ``pilot.press``,
    but without its wait for the process to go CPU-idle (about 0.1 s a key) and without
    ``pilot.pause``'s forced repaint of the whole screen (the screen still repaints on its own
    timer): for tests that press a key a thousand times. ``_wait_for_screen`` is the part of
    ``pilot.pause`` that waits for every widget's pending messages (Textual is pinned in
    constraints.txt).
    """
    assert len(key) == 1 and key.isprintable(), f"tap() takes one printable key, not {key!r}"
    pilot.app.post_message(events.Key(key, key))
    await pilot._wait_for_screen()


def pull_frame(app: ThreadlabApp) -> None:
    """Let the scenario screen pull a snapshot exactly as its frame timer does on each tick
    (publishing it only if the run changed): what a user would see one frame later."""
    screen = app.screen
    assert isinstance(screen, ScenarioScreen)
    screen.refresh_snapshot()


def notifications(app: ThreadlabApp) -> list[str]:
    """The messages of the notifications (toasts) the app is showing."""
    return [notification.message for notification in app._notifications]


def run(test: Callable[[], Awaitable[None]]) -> None:
    """Run an async test body (the project does not depend on pytest-asyncio)."""
    asyncio.run(test())


PROGRAMS = Path(__file__).with_name("programs")
"""Small programs of the app tests' own (test-only scenarios run them)."""

LOCK_ORDER = Scenario(
    name="lock-order",
    title="Lock ordering: two mutexes, opposite order",
    summary="A takes left then right, B takes right then left.",
    explanation="Step A, then B, then each again: each holds what the other needs.",
    program=str(PROGRAMS / "lock_order.py"),
)

RACY_COUNTER = Scenario(
    name="racy-counter",
    title="A racy counter: read, then write, with no lock",
    summary="T1 and T2 each add one to a counter; their reads and writes are steps.",
    explanation="Step T1, T2, T1, T2: both read 0, both write 1, and an update is lost.",
    program=str(PROGRAMS / "racy_counter.py"),
    races=True,
)


def start_threads(runtime: Runtime) -> None:
    """Step the main thread until it has started every thread it starts, then each of
    those threads to its first operation."""
    while runtime.snapshot().thread("MainThread").operation.startswith("start "):
        runtime.step_thread("MainThread")
        assert runtime.wait_idle(10)
    for thread in runtime.snapshot().threads:
        if thread.operation == "started":
            runtime.step_thread(thread.name)
            assert runtime.wait_idle(10)
