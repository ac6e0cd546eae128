"""Pilot tests of the scenario screen's controller, trips and panel feed.

- refusals go to one hint line, each replacing the last, never to a pile of toasts;
- a long rewind runs in a worker while keys stay answered (the rewind is held inside the
  runtime's lock at a chosen step, so the test never depends on timing);
- what the screen decides and offers comes from the snapshot, not from runtime state;
- a panel whose part of the snapshot did not change is not handed the new one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path

from tui_testing import (
    hint_text,
    make_app,
    notifications,
    run,
    runtime_of,
    scenario_screen,
    settle,
)

from threadlab.engine import RunConfig, RunState, Runtime, Snapshot, ThreadState, resolve_config
from threadlab.engine.core.history import History
from threadlab.scenarios import get_scenario
from threadlab.tui import app as app_module
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.screens.controller import TRAVELLING
from threadlab.tui.screens.help import HelpScreen
from threadlab.tui.screens.panel_feed import PANEL_PARTS, PanelFeed, threads_part
from threadlab.tui.screens.scenario import ScenarioScreen
from threadlab.tui.widgets.hint import HintLine
from threadlab.tui.widgets.status import StatusLine
from threadlab.tui.widgets.verdict import VerdictBanner

SIZE = (120, 40)
LONG_RUN = 3000
"""Steps in the long run: rewinding it re-executes thousands of steps."""


def _all_waiting(runtime: Runtime) -> None:
    while runtime.snapshot().idle_reason is None:
        runtime.step()
        assert runtime.wait_idle(60)


class Gate:
    """Holds a re-execution inside the runtime (under its lock) at one step, once armed.

    The runtime calls its step sink after every step, re-executed ones too, with its lock
    held: blocking there is exactly a rewind that is still going.
    """

    def __init__(self) -> None:
        self.at: int | None = None
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, step: int, states: object) -> None:
        if step == self.at:
            self.at = None  # once
            self.reached.set()
            self.release.wait(60)


class GatedApp(ThreadlabApp):
    """The app, with every run's step sink going through a gate."""

    CSS_PATH = str(Path(app_module.__file__).with_name("threadlab.tcss"))  # not beside this file

    def __init__(self, config: RunConfig, gate: Gate) -> None:
        super().__init__(config, paused=True, speed=4)
        self.gate = gate
        self.animation_level = "none"

    def new_runtime(self, config: RunConfig, history: History | None = None) -> Runtime:
        return Runtime(config, paused=True, speed=4, history=history, step_sink=self.gate)


def long_gated_app() -> tuple[Gate, GatedApp]:
    """An app on a run long enough that a rewind takes a while, its step sink gated."""
    gate = Gate()
    config = resolve_config(get_scenario("cas"), "spinlock", {"threads": 9, "rounds": 50}, 1)
    return gate, GatedApp(config, gate)


def run_long(app: GatedApp, gate: Gate) -> tuple[Runtime, ScenarioScreen]:
    """Run the app's run to LONG_RUN steps; the next rewind will be held halfway."""
    runtime = runtime_of(app)
    runtime.step(LONG_RUN)
    assert runtime.wait_idle(60)
    assert runtime.snapshot().step == LONG_RUN
    gate.at = LONG_RUN // 2
    return runtime, scenario_screen(app)


def test_a_refusal_shows_on_the_hint_line_and_the_next_one_replaces_it() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE) as pilot:
            _all_waiting(runtime_of(app))
            await pilot.press("2")  # thread 1 is MainThread
            assert hint_text(app) == "T1 cannot run now: it is waiting on wakeup"
            await pilot.press("3")
            assert hint_text(app) == "T2 cannot run now: it is waiting on wakeup"
            assert notifications(app) == []
            await pilot.press("s")  # accepted: the message goes
            assert "cannot run" not in hint_text(app)
            scenario_screen(app).controller.go_to(99)  # refused inside the trip
            await settle(pilot)
            last = runtime_of(app).snapshot().history_length
            assert hint_text(app) == f"step 99 is not in this run (valid: 0..{last})"
            assert notifications(app) == []

    run(body)


def test_a_long_rewind_runs_in_a_worker_while_keys_are_answered() -> None:
    async def body() -> None:
        gate, app = long_gated_app()
        async with app.run_test(size=SIZE) as pilot:
            runtime, screen = run_long(app, gate)
            try:
                await pilot.press("left")
                assert await asyncio.to_thread(gate.reached.wait, 60)
                # The rewind is now held halfway, inside the runtime's lock.
                assert screen.controller.travelling
                assert hint_text(app).startswith(f"rewinding to step {LONG_RUN - 1}…")
                await pilot.press("t")
                assert screen.has_class("-no-timeline")
                await pilot.press("question_mark")
                assert isinstance(app.screen, HelpScreen)
                await pilot.press("escape")
                await pilot.press("ctrl+p")
                assert type(app.screen).__name__ == "CommandPalette"
                await pilot.press("escape")
                assert app.screen is screen
                await pilot.press("n")
                assert hint_text(app).startswith(f"rewinding to step {LONG_RUN - 1}…")
                assert screen.hint_line().message is not None
                assert screen.hint_line().message.text == TRAVELLING
                await pilot.press("left", "left")  # wait behind the rewind, counted from it
                assert hint_text(app) == f"rewinding to step {LONG_RUN - 3}…"
                assert screen.snapshot is not None and screen.snapshot.step == LONG_RUN
            finally:
                gate.release.set()
            await settle(pilot)
            assert runtime.snapshot().step == LONG_RUN - 3
            assert screen.snapshot is not None and screen.snapshot.step == LONG_RUN - 3
            assert screen.hint_line().busy is None
            assert notifications(app) == []

    run(body)


def test_escape_cancels_a_rewind_and_the_run_stays_where_it_was() -> None:
    async def body() -> None:
        gate, app = long_gated_app()
        async with app.run_test(size=SIZE) as pilot:
            runtime, screen = run_long(app, gate)
            before = runtime.snapshot()
            try:
                await pilot.press("left")
                assert await asyncio.to_thread(gate.reached.wait, 60)
                progress = f"step {LONG_RUN // 2:,} of {LONG_RUN - 1:,}"
                for _ in range(200):  # a frame or two: the line says how far it has come
                    await pilot.pause(0.05)
                    if progress in hint_text(app):
                        break
                assert progress in hint_text(app)
                assert "escape cancels" in hint_text(app)
                await pilot.press("escape")
            finally:
                gate.release.set()
            await settle(pilot)
            assert not screen.controller.travelling
            assert "cancelled" in hint_text(app)
            after = runtime.snapshot()
            assert after.step == before.step == LONG_RUN
            assert after.threads == before.threads
            assert screen.snapshot is not None and screen.snapshot.step == LONG_RUN
            await pilot.press("escape")  # nothing to cancel now: said, and nothing changes
            assert hint_text(app) == "no rewind or search to cancel"

    run(body)


def test_quitting_while_rewinding_leaves_no_thread_behind() -> None:
    async def body() -> None:
        config = resolve_config(get_scenario("cas"), "spinlock", {"threads": 9, "rounds": 50}, 1)
        app = make_app(config=config)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(LONG_RUN)
            assert runtime.wait_idle(60)
            await pilot.press("left", "q", "q")
        assert app.return_code == 0
        assert runtime.stop(timeout=0.1)  # already stopped: nothing left to join

    run(body)


def test_the_palette_lists_targets_from_the_snapshot() -> None:
    async def body() -> None:
        app = make_app("producer-consumer", variant="if")
        async with app.run_test(size=SIZE):
            runtime = runtime_of(app)
            for name in ("MainThread",) * 4 + ("C1",) * 3:  # starts P1..C2; C1 waits
                runtime.step_thread(name)
                assert runtime.wait_idle(60)
            screen = scenario_screen(app)
            screen.refresh_snapshot(force=True)
            titles = [c.title for c in app.get_system_commands(screen)]
            for title in (
                "Resume",
                "Step P1",
                "Signal not_empty",
                "Broadcast not_empty",
                "Spurious wakeup C1 on not_empty",
                "Speed max",
                "Back to step 6",
                "Go to step 0",
                "Save run file",
                "Restart",
                "Help",
            ):
                assert title in titles, title
            assert "Step C1" not in titles  # C1 waits on not_empty
            assert "Pause" not in titles
            # Shown a snapshot that says otherwise, the palette follows the snapshot.
            real = screen.snapshot
            assert real is not None
            screen.snapshot = dataclasses.replace(
                real, pace_paused=False, speed=None, event_queues=("inbox",)
            )
            titles = [c.title for c in app.get_system_commands(screen)]
            assert "Pause" in titles and "Resume" not in titles
            assert "Speed max" not in titles and "Speed 4 steps/s" in titles
            assert "Post an event to inbox" in titles

    run(body)


def test_pause_and_speed_keys_decide_from_the_snapshot() -> None:
    async def body() -> None:
        app = make_app("mutex", speed=4)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            screen = scenario_screen(app)
            real = screen.snapshot
            assert real is not None and real.pace_paused and real.speed == 4
            # Same revision: the timer keeps this one on screen until the run changes.
            screen.snapshot = dataclasses.replace(real, speed=None, pace_paused=False)
            await pilot.press("plus")
            assert hint_text(app) == "already at max speed"
            assert runtime.snapshot().speed == 4
            await pilot.press("space")  # the screen shows it running: space pauses
            assert runtime.snapshot().run_state is RunState.PAUSED
            assert screen.snapshot is not None and screen.snapshot.pace_paused
            await pilot.press("space")
            assert runtime.snapshot().run_state is RunState.RUNNING
            await pilot.press("space")

    run(body)


def _start_every_thread(runtime: Runtime) -> None:
    """Step the main thread until it has started every thread and waits to join them."""
    while runtime.snapshot().thread("MainThread").state is not ThreadState.BLOCKED:
        runtime.step_thread("MainThread")
        assert runtime.wait_idle(60)


def test_a_panel_whose_part_did_not_change_is_not_handed_the_snapshot() -> None:
    runtime = Runtime(resolve_config(get_scenario("mutex"), seed=1), paused=True)
    runtime.start()
    try:
        _start_every_thread(runtime)  # from now on a step adds no thread
        first = runtime.snapshot()
        runtime.step()
        assert runtime.wait_idle(60)
        second = runtime.snapshot()
    finally:
        runtime.stop()

    class Panel:
        snapshot = None

    panels = {name: Panel() for name in PANEL_PARTS}
    feed = PanelFeed((panels[name], part, None) for name, part in PANEL_PARTS.items())
    assert feed.publish(first) == len(PANEL_PARTS)
    updated = feed.publish(second)
    assert panels["status"].snapshot is second  # the step moved
    assert panels["threads"].snapshot is second
    assert panels["verdict"].snapshot is first  # no verdict before or after
    assert panels["hint"].snapshot is first  # still "Paused: …"
    assert updated < len(PANEL_PARTS)
    assert feed.publish(dataclasses.replace(second, revision=second.revision + 1)) == 0
    feed.forget()
    assert feed.publish(second) == len(PANEL_PARTS)


def test_a_costly_panel_is_fed_less_often_only_while_the_run_goes_flat_out() -> None:
    runtime = Runtime(resolve_config(get_scenario("mutex"), seed=1), paused=True)
    runtime.start()
    try:
        _start_every_thread(runtime)
        snapshots = []
        for _ in range(4):
            runtime.step()
            assert runtime.wait_idle(60)
            snapshots.append(runtime.snapshot())
    finally:
        runtime.stop()
    assert len({threads_part(s) for s in snapshots}) == 4  # every step moves a thread

    def flat_out(snapshot: Snapshot) -> Snapshot:
        return dataclasses.replace(snapshot, speed=None, run_state=RunState.RUNNING)

    class Panel:
        snapshot = None

    panels = {name: Panel() for name in PANEL_PARTS}
    feed = PanelFeed(
        ((panels[name], part, None) for name, part in PANEL_PARTS.items()),
        slow=[panels["threads"]],  # a panel whose part changes at every step
    )
    first, second = flat_out(snapshots[0]), flat_out(snapshots[1])
    feed.publish(first)
    feed.publish(second)  # at once after: the costly panel waits for a later frame
    assert panels["status"].snapshot is second
    assert panels["threads"].snapshot is first
    paused = snapshots[2]  # the run no longer goes flat out: every panel is up to date
    feed.publish(paused)
    assert panels["threads"].snapshot is paused and panels["status"].snapshot is paused
    at_a_pace = dataclasses.replace(snapshots[3], run_state=RunState.RUNNING)
    feed.publish(at_a_pace)  # running at a pace a person reads: never held back
    assert panels["threads"].snapshot is at_a_pace


def test_the_screen_feeds_only_the_panels_that_changed() -> None:
    async def body() -> None:
        app = make_app("mutex", seed=1)
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            _start_every_thread(runtime_of(app))  # from now on a step adds no thread
            screen.refresh_snapshot()
            step = runtime_of(app).snapshot().step
            await pilot.press("n")
            assert runtime_of(app).wait_idle(60)
            screen.refresh_snapshot()
            shown = screen.snapshot
            assert shown is not None and shown.step == step + 1
            assert screen.query_one(StatusLine).snapshot is shown
            assert screen.query_one(VerdictBanner).snapshot is not shown
            assert screen.query_one(HintLine).snapshot is not shown

    run(body)
