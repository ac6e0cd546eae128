"""Threads 10 and up have no digit key of their own: # asks for the thread's number."""

from __future__ import annotations

from tui_testing import hint_text, make_app, run, runtime_of, settle

from threadlab.engine import resolve_config
from threadlab.engine.core.history import History
from threadlab.scenarios import get_scenario
from threadlab.tui.screens.goto import ThreadPrompt, parse_thread
from threadlab.tui.screens.scenario import ScenarioScreen

SIZE = (80, 24)


def test_parse_thread_takes_a_number_of_the_run_and_explains_the_rest() -> None:
    assert parse_thread("10", 10) == 10
    assert parse_thread("01", 10) == 1
    assert parse_thread("", 10) == "type a thread number (valid: 1..10)"
    assert parse_thread("0", 10) == "there is no thread 0 (valid: 1..10)"
    assert parse_thread("11", 10) == "there is no thread 11 (valid: 1..10)"
    assert parse_thread("x", 10) == "'x' is not a thread number (valid: 1..10)"


def test_hash_steps_thread_ten_of_a_run_of_ten_threads() -> None:
    async def body() -> None:
        config = resolve_config(get_scenario("mutex"), params={"threads": 9}, seed=0)
        app = make_app(config=config)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            while len(runtime.snapshot().threads) < 10:  # MainThread starts T1..T9
                runtime.step_thread("MainThread")
                assert runtime.wait_idle(60)
            await settle(pilot)
            snapshot = runtime.snapshot()
            tenth = next(t for t in snapshot.threads if t.index == 10)
            assert tenth.state.can_run
            assert "1-9 or # to step a thread" in hint_text(app)
            step = snapshot.step

            await pilot.press("number_sign")
            prompt = app.screen
            assert isinstance(prompt, ThreadPrompt)
            await pilot.press("1", "1", "enter")  # no thread 11: the prompt stays and says so
            assert app.screen is prompt
            await pilot.press("backspace", "0", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ScenarioScreen)
            assert runtime.wait_idle(60)
            after = runtime.snapshot()
            assert after.step == step + 1
            assert History.decode(runtime.history().steps[-1]) == (10, True)  # chosen by you

            await pilot.press("number_sign", "enter")  # empty: closes, nothing stepped
            await settle(pilot)
            assert isinstance(app.screen, ScenarioScreen)
            assert runtime.snapshot().step == step + 1

    run(body)


def test_help_lists_the_hash_key() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE):
            screen = app.screen
            assert isinstance(screen, ScenarioScreen)
            rows = {row.key: row for row in screen.key_help()}
            assert "#" in rows and "10 and up" in rows["#"].tooltip

    run(body)
