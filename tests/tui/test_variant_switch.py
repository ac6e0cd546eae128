"""v (and the palette's 'Switch to variant …') puts the scenario's next variant in the run's
place, with the same parameters and seed, paused at step 0."""

from __future__ import annotations

from textual.pilot import Pilot
from tui_testing import make_app, run, runtime_of

from threadlab.engine.lesson.scenario import resolve_config
from threadlab.scenarios import get_scenario
from threadlab.tui.app import ThreadlabApp

SIZE = (120, 40)


async def _landed(pilot: Pilot[None], app: ThreadlabApp, variant: str) -> None:
    for _ in range(100):
        await pilot.pause(0.05)
        shown = getattr(app.screen, "snapshot", None)
        landed = shown is not None and shown.variant == variant
        if landed and runtime_of(app).config.variant == variant:
            return
    raise AssertionError(f"never switched to {variant}")


def test_v_switches_to_the_next_variant_with_the_same_parameters_and_seed() -> None:
    config = resolve_config(
        get_scenario("producer-consumer"), "while", {"items": 2, "capacity": 1}, seed=5
    )

    async def body() -> None:
        app = make_app(config=config)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n", "n")
            await pilot.pause()
            await pilot.press("v")
            await _landed(pilot, app, "if")
            runtime = runtime_of(app)
            assert runtime.config.seed == 5
            assert dict(runtime.config.params) == dict(config.params)
            assert runtime.is_paused and runtime.snapshot().step == 0
            await pilot.press("v")  # round the list, back to the first
            await _landed(pilot, app, "while")

    run(body)


def test_the_palette_offers_every_other_variant() -> None:
    async def body() -> None:
        app = make_app("cas", "spinlock")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            titles = [command.title for command in app.get_system_commands(app.screen)]
            assert "Switch to variant counter-racy" in titles
            assert "Switch to variant counter-cas" in titles
            assert "Switch to variant spinlock" not in titles

    run(body)


def test_v_does_nothing_where_there_is_one_variant() -> None:
    async def body() -> None:
        app = make_app("semaphore")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("v")
            await pilot.pause(0.2)
            assert runtime_of(app).config.variant == "default"
            assert not [
                c for c in app.get_system_commands(app.screen) if c.title.startswith("Switch to")
            ]

    run(body)
