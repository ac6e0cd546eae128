"""Pilot tests of going back and forth, saving, replaying, posting events and the timeline."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from tui_testing import hint_text, make_app, run, runtime_of, settle

from threadlab.engine.formats import runfile
from threadlab.engine.snapshot.model import BufferItem, QueueView
from threadlab.scenarios import get_scenario
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.screens.goto import GotoScreen, parse_step

pytestmark = pytest.mark.own_process  # the app as users run it: each program in its own process

SIZE = (120, 40)


def _same_screen(first, second) -> bool:
    return dataclasses.replace(first, revision=0, history_length=0) == dataclasses.replace(
        second, revision=0, history_length=0
    )


def test_left_right_home_end_move_through_the_recorded_run() -> None:
    async def body() -> None:
        app = make_app("producer-consumer", seed=4)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(12)
            assert runtime.wait_idle(60)
            at_12 = runtime.snapshot()
            await pilot.press("left", "left", "left")
            await settle(pilot)
            assert runtime.snapshot().step == 9
            assert runtime.snapshot().history_length == 12
            await pilot.press("right")
            await settle(pilot)
            assert runtime.snapshot().step == 10
            await pilot.press("home")
            await settle(pilot)
            assert runtime.snapshot().step == 0
            await pilot.press("left")
            assert hint_text(app) == "already at step 0"
            await pilot.press("end")
            await settle(pilot)
            assert _same_screen(runtime.snapshot(), at_12)
            await pilot.press("right")  # at the end, forward takes a new step
            assert runtime.wait_idle(60)
            assert runtime.snapshot().step == 13

    run(body)


def test_g_goes_to_a_typed_step_and_refuses_a_bad_one() -> None:
    assert parse_step("7", 10) == 7
    assert parse_step("11", 10) == "step 11 is not in this run (valid: 0..10)"
    assert parse_step("", 10) == "type a step number (valid: 0..10)"

    async def body() -> None:
        app = make_app("mutex", seed=2)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(10)
            assert runtime.wait_idle(60)
            await pilot.press("g")
            assert isinstance(app.screen, GotoScreen)
            await pilot.press("4", "enter")
            await settle(pilot)
            assert not isinstance(app.screen, GotoScreen)
            assert runtime.snapshot().step == 4
            await pilot.press("g", "escape")
            await pilot.pause()
            assert runtime.snapshot().step == 4

    run(body)


def test_ctrl_s_saves_a_run_file_that_replays_to_the_same_screen(tmp_path: Path) -> None:
    saved: dict[str, object] = {}

    async def record() -> None:
        app = make_app("producer-consumer", variant="if", seed=0)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            for name in ("MainThread",) * 4 + ("P1", "C1", "C1", "C1"):
                runtime.step_thread(name)
                assert runtime.wait_idle(60)
            runtime.spurious_wakeup("not_empty", "C1")
            for _ in range(2):
                runtime.step_thread("C1")
                assert runtime.wait_idle(60)
            await pilot.press("left")  # back to just after the spurious wakeup
            await settle(pilot)
            saved["snapshot"] = runtime.snapshot()
            await pilot.press("ctrl+s")
            await settle(pilot)  # written in the background
            saved["message"] = hint_text(app)

    async def replay(path: str) -> None:
        loaded = runfile.load(path, get_scenario)
        app = ThreadlabApp(loaded.config, paused=True, history=loaded.history)
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)  # the run file is re-executed in a worker
            assert _same_screen(runtime_of(app).snapshot(), saved["snapshot"])

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        run(record)
        files = list(tmp_path.glob("threadlab-producer-consumer-if-seed0-step*.json"))
        assert len(files) == 1
        assert f"saved to {files[0]}" in str(saved["message"])  # the whole path
        run(lambda: replay(str(files[0])))
    finally:
        os.chdir(here)


def test_e_posts_an_event_and_t_toggles_the_timeline() -> None:
    async def body() -> None:
        app = make_app("event-loop", seed=1)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            await pilot.press("e")
            snap = runtime.snapshot()
            events = snap.primitive("events")
            assert isinstance(events, QueueView)
            assert events.items[-1] == BufferItem("on_click", "you")
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert "Post an event to events" in titles
            screen = app.screen
            assert not screen.has_class("-no-timeline")
            await pilot.press("t")
            assert screen.has_class("-no-timeline")

    run(body)


def test_e_is_refused_where_there_is_no_event_loop() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e")
            assert runtime_of(app).snapshot().step == 0
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert not any(t.startswith("Post an event") for t in titles)
            assert "Save run file" in titles

    run(body)
