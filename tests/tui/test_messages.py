"""Pilot tests of the one message line: a warning before a new step drops the recorded
future, saving (never overwriting, in the save folder, the whole path said), screenshots,
and Textual's own notifications on that line: nothing piles up."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_testing import (
    hint_text,
    make_app,
    run,
    runtime_of,
    scenario_screen,
    settle,
    show,
    tap,
    until_running,
)

from threadlab.engine.formats import runfile
from threadlab.engine.lesson.scenario import resolve_config
from threadlab.engine.snapshot.model import EventKind
from threadlab.scenarios import get_scenario
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.screens.controller import new_future_words, saved_words
from threadlab.tui.widgets.hint import HintLine

pytestmark = pytest.mark.own_process  # the app as users run it: each program in its own process

SIZE = (80, 24)


def test_n_after_going_back_warns_first_and_drops_the_future_only_when_pressed_again() -> None:
    async def body() -> None:
        app = make_app("producer-consumer", seed=4)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(12)
            assert runtime.wait_idle(60)
            await pilot.press("left", "left", "left")
            await settle(pilot)
            assert (runtime.snapshot().step, runtime.snapshot().history_length) == (9, 12)
            await pilot.press("n")
            assert runtime.wait_idle(60)
            assert hint_text(app) == new_future_words("n", 3)
            assert "drops the 3 recorded steps after this one" in hint_text(app)
            assert "press n again" in hint_text(app)
            assert (runtime.snapshot().step, runtime.snapshot().history_length) == (9, 12)
            await pilot.press("n")  # the second n does it
            assert runtime.wait_idle(60)
            assert runtime.snapshot().step == 10
            assert runtime.snapshot().history_length == 10
            assert hint_text(app) != new_future_words("n", 3)

    run(body)


def test_right_follows_the_recorded_run_after_the_warning_and_other_keys_warn_too() -> None:
    async def body() -> None:
        app = make_app("producer-consumer", seed=4)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(12)
            assert runtime.wait_idle(60)
            await pilot.press("left", "left")
            await settle(pilot)
            await pilot.press("n")
            assert hint_text(app) == new_future_words("n", 2)
            await pilot.press("right")  # follows the recorded run instead
            await settle(pilot)
            assert (runtime.snapshot().step, runtime.snapshot().history_length) == (11, 12)
            await pilot.press("n")  # a new place: warned again, not done
            assert runtime.wait_idle(60)
            assert hint_text(app) == new_future_words("n", 1)
            assert "the 1 recorded step after" in hint_text(app)
            assert runtime.snapshot().step == 11
            await pilot.press("2")  # another key is warned about on its own
            assert runtime.wait_idle(60)
            assert hint_text(app) == new_future_words("2", 1)
            assert runtime.snapshot().step == 11
            await pilot.press("space")
            assert hint_text(app) == new_future_words("space", 1)
            assert runtime.snapshot().pace_paused
            await pilot.press("2")  # n then 2 then 2: only the same key twice goes ahead
            assert runtime.wait_idle(60)
            assert hint_text(app) == new_future_words("2", 1)
            await pilot.press("2")
            assert runtime.wait_idle(60)
            assert runtime.snapshot().step == 12
            assert runtime.snapshot().history_length == 12
            await pilot.press("n")  # at the end of the history: no warning
            assert runtime.wait_idle(60)
            assert runtime.snapshot().step == 13

    run(body)


def test_at_the_end_of_the_run_n_steps_without_a_warning() -> None:
    async def body() -> None:
        app = make_app("mutex", seed=1)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            await pilot.press("n", "n")
            assert runtime.wait_idle(60)
            assert runtime.snapshot().step == 2
            assert "recorded" not in hint_text(app)

    run(body)


def _app_saving_in(folder: Path | str, name: str = "mutex") -> ThreadlabApp:
    app = ThreadlabApp(
        resolve_config(get_scenario(name), seed=1), paused=True, save_dir=str(folder)
    )
    app.animation_level = "none"
    return app


def test_ctrl_s_never_overwrites_and_says_the_whole_path(tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()

    async def body() -> None:
        app = _app_saving_in(folder)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(5)
            assert runtime.wait_idle(60)
            await pilot.press("ctrl+s")
            await settle(pilot)  # written in the background
            first = hint_text(app)
            await pilot.press("r")  # restart: the same run, the same step, saved again
            await settle(pilot)
            runtime.step(5)
            assert runtime.wait_idle(60)
            await pilot.press("ctrl+s")
            await settle(pilot)
            second = hint_text(app)
            await pilot.press("ctrl+s")
            await settle(pilot)
            third = hint_text(app)
        files = sorted(folder.iterdir())
        assert [f.name for f in files] == [
            "threadlab-mutex-locked-seed1-step5-2.json",
            "threadlab-mutex-locked-seed1-step5-3.json",
            "threadlab-mutex-locked-seed1-step5.json",
        ]
        for words, path in zip((first, second, third), (files[2], files[0], files[1]), strict=True):
            # The whole path, said once (the line wraps at 80 columns as it is).
            assert words == f"saved to {path} (open it with threadlab replay)"
            assert words.count(path.name) == 1
            assert runfile.load(str(path), get_scenario).history.steps  # each one whole

    run(body)


def test_the_saved_words_quote_a_path_a_shell_would_split(tmp_path: Path) -> None:
    path = tmp_path / "my runs" / "run.json"
    words = saved_words(str(path))
    assert words == f"saved to '{path}' (open it with threadlab replay)"
    assert words.count("run.json") == 1


def test_ctrl_s_into_a_folder_that_went_away_says_why(tmp_path: Path) -> None:
    async def body() -> None:
        app = _app_saving_in(tmp_path / "gone")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n", "ctrl+s")
            await settle(pilot)
            line = scenario_screen(app).query_one(HintLine)
            assert line.shown is not None and line.shown[0] == "error"
            assert line.text.startswith("not saved: cannot write in ")
            assert "its folder does not exist" in line.text
        assert list(tmp_path.iterdir()) == []

    run(body)


def test_the_screenshot_command_saves_in_the_save_folder_and_says_where(tmp_path: Path) -> None:
    async def body() -> None:
        app = _app_saving_in(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            assert str(tmp_path) in commands["Screenshot"].help
            commands["Screenshot"].callback()
            for _ in range(200):  # it waits for the palette to close, then saves
                await pilot.pause(0.05)
                if hint_text(app).startswith("screenshot saved"):
                    break
            first = hint_text(app)
            app.action_screenshot()
            second = hint_text(app)
            assert not app._notifications  # on the message line, no toast
        pictures = sorted(tmp_path.glob("*.svg"))
        assert [p.name for p in pictures] == [
            "threadlab-screenshot-mutex-locked-seed1-step0-2.svg",
            "threadlab-screenshot-mutex-locked-seed1-step0.svg",
        ]
        assert first == f"screenshot saved to {pictures[1]}"
        assert second == f"screenshot saved to {pictures[0]}"
        assert pictures[1].read_text().lstrip().startswith("<svg")

    run(body)


def test_a_screenshot_that_cannot_be_saved_says_why(tmp_path: Path) -> None:
    async def body() -> None:
        app = _app_saving_in(tmp_path / "gone")
        async with app.run_test(size=SIZE):
            assert app.save_screen_picture() is None
            line = scenario_screen(app).query_one(HintLine)
            assert line.shown is not None and line.shown[0] == "error"
            assert line.text.startswith("screenshot not saved: cannot write in ")
            assert "its folder does not exist" in line.text

    run(body)


def test_notifications_replace_each_other_on_the_message_line() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+c")  # Textual's "press ctrl+q to quit"
            assert hint_text(app) == "Do you want to quit? Press ctrl+q to quit the app"
            for number in range(5):
                app.notify(f"notice {number}", title="Note", severity="warning")
            assert hint_text(app) == "Note: notice 4"
            assert not app._notifications  # no toast at all

    run(body)


def test_on_the_picker_a_notification_replaces_the_one_before() -> None:
    async def body() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            for number in range(5):
                app.notify(f"notice {number}")
            await pilot.pause()
            assert [n.message for n in app._notifications] == ["notice 4"]

    run(body)


def test_the_palette_step_after_going_back_warns_first_too() -> None:
    async def body() -> None:
        app = make_app("mutex", seed=1)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(6)
            assert runtime.wait_idle(60)
            await pilot.press("left")
            await settle(pilot)

            def choose(title: str) -> None:
                commands = {c.title: c for c in app.get_system_commands(app.screen)}
                commands[title].callback()

            choose("Step")
            assert runtime.wait_idle(60)
            assert hint_text(app) == new_future_words("'Step'", 1)
            assert "choose 'Step' again to do it" in hint_text(app)
            assert runtime.snapshot().step == 5
            choose("Step")
            assert runtime.wait_idle(60)
            assert (runtime.snapshot().step, runtime.snapshot().history_length) == (6, 6)

    run(body)


def test_w_right_after_a_step_acts_on_the_run_as_the_step_left_it() -> None:
    """4 then w, faster than a frame: w wakes the waiter that 4 just put on not_empty,
    not a refusal read from the screen of the step before."""

    async def body() -> None:
        app = make_app("producer-consumer", "if")
        async with app.run_test(size=(120, 40)) as pilot:
            runtime = await until_running(pilot)
            for name in ("MainThread",) * 3 + ("C1",) * 2:  # C1 started, holds the mutex
                runtime.step_thread(name)
                assert runtime.wait_idle()
            show(app)
            await pilot.pause()
            await tap(pilot, "4")  # C1 waits on not_empty: no frame has shown it yet
            await tap(pilot, "w")  # right behind it
            for _ in range(10):  # a key's action may take a few rounds of the queues
                await pilot._wait_for_screen()
                assert runtime.wait_idle()
            spurious = [e for e in runtime.snapshot().events if e.kind is EventKind.SPURIOUS]
            assert [(e.primitive, e.thread) for e in spurious] == [("not_empty", None)], hint_text(
                app
            )
            assert "C1" in spurious[0].detail

    run(body)
