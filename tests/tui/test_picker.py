"""The picker reaches every variant of every scenario, and opens it paused at step 0."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Input, Label, OptionList
from tui_testing import run, runtime_of

from threadlab.scenarios import SCENARIOS
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.screens.help import HelpScreen
from threadlab.tui.screens.picker import PickerScreen, describe
from threadlab.tui.screens.setup import SetupScreen

SIZE = (100, 30)


EXPECTED = [(s.name, v.name) for s in SCENARIOS.values() for v in s.variants]


def test_every_variant_of_every_scenario_is_one_line_of_the_picker() -> None:
    async def body() -> None:
        app = ThreadlabApp()
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
            assert [tuple(str(i).split("/")) for i in ids if i is not None] == EXPECTED

    run(body)


def test_a_variant_opens_paused_at_step_0_and_q_comes_back() -> None:
    wanted = [0, EXPECTED.index(("producer-consumer", "if")), len(EXPECTED) - 1]

    async def body() -> None:
        app = ThreadlabApp()  # the app's own pace: a run from the picker opens paused anyway
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            for position in wanted:
                await pilot.press("home", *(["down"] * position), "enter")
                await pilot.pause()
                runtime = runtime_of(app)
                config = runtime.config
                assert (config.scenario.name, config.variant) == EXPECTED[position]
                assert runtime.is_paused and runtime.snapshot().step == 0
                await pilot.press("p")  # back to the scenarios
                await pilot.pause()
                assert isinstance(app.screen, PickerScreen)

    run(body)


def test_the_details_mark_the_chosen_variant() -> None:
    console = Console(width=100, record=True)
    console.print(describe(SCENARIOS["mutex"], "unlocked"))
    marked = [line for line in console.export_text().splitlines() if "▸" in line]
    assert len(marked) == 1 and "unlocked" in marked[0]


def test_s_sets_up_parameters_and_seed_and_refuses_a_value_out_of_range() -> None:
    async def body() -> None:
        app = ThreadlabApp()
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "s")  # mutex, variant unlocked
            await pilot.pause()
            setup = app.screen
            assert isinstance(setup, SetupScreen)
            setup.query_one("#param-threads", Input).value = "99"
            setup.query_one("#seed", Input).value = "7"
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is setup  # refused, with the reason and what is valid
            error = str(setup.query_one("#setup-error", Label).render())
            assert "threads" in error and "1..9" in error
            setup.query_one("#param-threads", Input).value = "2"
            await pilot.press("enter")
            await pilot.pause()
            runtime = runtime_of(app)
            config = runtime.config
            assert (config.scenario.name, config.variant, config.seed) == ("mutex", "unlocked", 7)
            assert dict(config.params)["threads"] == 2
            assert runtime.is_paused and runtime.snapshot().step == 0

    run(body)


def test_escape_leaves_the_setup_and_opens_nothing() -> None:
    async def body() -> None:
        app = ThreadlabApp()
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("s")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)

    run(body)


def test_question_mark_explains_the_highlighted_scenario_and_the_picker_keys() -> None:
    async def body() -> None:
        app = ThreadlabApp()
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "question_mark")  # mutex, variant unlocked
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            assert app.screen.config.variant == "unlocked"
            assert {key.key for key in app.screen.keys} >= {"s", "?", "q"}
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)

    run(body)
