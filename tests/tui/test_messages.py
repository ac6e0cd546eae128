"""Pilot tests of the one message line: a warning before a new step drops the recorded
future, Textual's own notifications on that line, and nothing piling up."""

from __future__ import annotations

from tui_testing import hint_text, make_app, run, runtime_of, settle

from threadlab.tui.screens.controller import new_future_words

SIZE = (80, 24)


def test_n_after_going_back_warns_first_and_drops_the_future_only_when_pressed_again() -> None:
    async def body() -> None:
        app = make_app("producer-consumer", seed=4)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(12)
            runtime.wait_idle()
            await pilot.press("left", "left", "left")
            await settle(pilot)
            assert (runtime.snapshot().step, runtime.snapshot().history_length) == (9, 12)
            await pilot.press("n")
            runtime.wait_idle()
            assert hint_text(app) == new_future_words("n", 3)
            assert "drops the 3 recorded steps after this one" in hint_text(app)
            assert "press n again" in hint_text(app)
            assert (runtime.snapshot().step, runtime.snapshot().history_length) == (9, 12)
            await pilot.press("n")  # the second n does it
            runtime.wait_idle()
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
            runtime.wait_idle()
            await pilot.press("left", "left")
            await settle(pilot)
            await pilot.press("n")
            assert hint_text(app) == new_future_words("n", 2)
            await pilot.press("right")  # follows the recorded run instead
            await settle(pilot)
            assert (runtime.snapshot().step, runtime.snapshot().history_length) == (11, 12)
            await pilot.press("n")  # a new place: warned again, not done
            runtime.wait_idle()
            assert hint_text(app) == new_future_words("n", 1)
            assert "the 1 recorded step after" in hint_text(app)
            assert runtime.snapshot().step == 11
            await pilot.press("2")  # another key is warned about on its own
            runtime.wait_idle()
            assert hint_text(app) == new_future_words("2", 1)
            assert runtime.snapshot().step == 11
            await pilot.press("space")
            assert hint_text(app) == new_future_words("space", 1)
            assert runtime.snapshot().pace_paused
            await pilot.press("2")  # n then 2 then 2: only the same key twice goes ahead
            runtime.wait_idle()
            assert hint_text(app) == new_future_words("2", 1)
            await pilot.press("2")
            runtime.wait_idle()
            assert runtime.snapshot().step == 12
            assert runtime.snapshot().history_length == 12
            await pilot.press("n")  # at the end of the history: no warning
            runtime.wait_idle()
            assert runtime.snapshot().step == 13

    run(body)


def test_at_the_end_of_the_run_n_steps_without_a_warning() -> None:
    async def body() -> None:
        app = make_app("mutex", seed=1)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            await pilot.press("n", "n")
            runtime.wait_idle()
            assert runtime.snapshot().step == 2
            assert "recorded" not in hint_text(app)

    run(body)
