"""The hand-written moves of ``challenge_moves`` (default parameters, seed 0, paused at step
0, keys only) win each buggy variant's challenge on screen: the banner says CHALLENGE WON
with the goal, and the win is kept; a fixed variant under the same kind of moves says what it
survived. Skipped while ``challenge_moves`` (another branch of issue 13) is not there."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from tui_testing import make_app, run, runtime_of, scenario_screen, settle, show

from threadlab.engine import resolve_config
from threadlab.engine.challenge import challenge_of
from threadlab.scenarios import get_scenario
from threadlab.tui.challenges import STORE_NAME
from threadlab.tui.widgets.verdict import VerdictBanner

moves_module = pytest.importorskip("challenge_moves")

SIZE = (80, 24)
CHARACTERS = {"space": " ", "plus": "+"}


async def _press(pilot: Pilot[object], key: str) -> None:
    """Press ``key`` through the app's own key handling and wait until it is handled."""
    app = pilot.app
    handled = asyncio.Event()
    app.post_message(events.Key(key, CHARACTERS.get(key, key)))
    app.call_later(handled.set)
    await handled.wait()
    await pilot._wait_for_screen()


async def _banner_after(moves: Any) -> str:
    scenario, variant = moves.scenario, moves.variant
    app = make_app(scenario, variant)  # paused at step 0, the app's pace (4 steps a second)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        runtime = runtime_of(app)
        for key in moves.keys:
            await _press(pilot, key)
            assert runtime.wait_idle(60)
            show(app)  # what the next frame shows: the keys act on it (w on its waiter)
        await settle(pilot)
        show(app)
        await pilot.pause()
        banner = scenario_screen(app).query_one(VerdictBanner)
        return str(banner.render()) if banner.has_class("-shown") else ""


def _cases(table: tuple[Any, ...]) -> list[object]:
    return [
        pytest.param(
            moves,
            id=f"{moves.scenario}/{moves.variant}",
            marks=[pytest.mark.xfail(reason=moves.pending, strict=False)] if moves.pending else [],
        )
        for moves in table
    ]


@pytest.mark.parametrize("moves", _cases(moves_module.CHALLENGES))
def test_the_moves_show_the_win_banner(moves: Any, private_data_dir: str) -> None:
    scenario, variant = moves.scenario, moves.variant
    goal = challenge_of(resolve_config(get_scenario(scenario), variant)).goal
    assert goal is not None
    words = run_banner(moves)
    assert "CHALLENGE WON" in words and goal in words and "(your first win)" in words
    data = json.loads((Path(private_data_dir) / STORE_NAME).read_text())
    assert data["challenges"][f"{scenario}/{variant}"]["won"] is True


@pytest.mark.parametrize("moves", _cases(moves_module.SURVIVED))
def test_the_fixed_variants_say_what_they_survived(moves: Any) -> None:
    words = run_banner(moves)
    assert "SURVIVED" in words and "Try to break it: It survived" in words


def run_banner(moves: Any) -> str:
    found: list[str] = []

    async def body() -> None:
        found.append(await _banner_after(moves))

    run(body)
    return found[0]
