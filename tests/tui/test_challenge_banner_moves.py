"""The hand-written moves of ``challenge_moves`` (default parameters, seed 0, paused at step
0, keys only) win each buggy variant's challenge on screen: the banner says CHALLENGE WON
with the goal, and the win is kept; a fixed variant under the same kind of moves says what it
survived."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from challenge_moves import CHALLENGES, SURVIVED, Moves, press
from tui_testing import make_app, run, runtime_of, scenario_screen, settle, show

from threadlab.engine import resolve_config
from threadlab.engine.lesson.challenge import challenge_of
from threadlab.engine.snapshot.model import RunState
from threadlab.scenarios import get_scenario
from threadlab.tui.challenges import STORE_NAME
from threadlab.tui.widgets.verdict import VerdictBanner

SIZE = (80, 24)


async def _banner_after(moves: Moves) -> str:
    scenario, variant = moves.scenario, moves.variant
    app = make_app(scenario, variant)  # paused at step 0, the app's pace (4 steps a second)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        runtime = runtime_of(app)
        for key in moves.keys:
            await press(pilot, runtime, key)
        await settle(pilot)
        show(app)
        await pilot.pause()
        banner = scenario_screen(app).query_one(VerdictBanner)
        return str(banner.render()) if banner.has_class("-shown") else ""


def _cases(table: tuple[Moves, ...]) -> list[object]:
    return [
        pytest.param(
            moves,
            id=f"{moves.scenario}/{moves.variant}",
            marks=[pytest.mark.xfail(reason=moves.pending, strict=False)] if moves.pending else [],
        )
        for moves in table
    ]


@pytest.mark.parametrize("moves", _cases(CHALLENGES))
def test_the_moves_show_the_win_banner(moves: Moves, private_data_dir: str) -> None:
    scenario, variant = moves.scenario, moves.variant
    goal = challenge_of(resolve_config(get_scenario(scenario), variant)).goal
    assert goal is not None
    words = run_banner(moves)
    assert "CHALLENGE WON" in words and "(your first win)" in words
    # the goal is left out where it would take the banner a row more (at 80x24, most)
    (line,) = [line for line in words.splitlines() if "CHALLENGE WON" in line]
    after = line.split("CHALLENGE WON", 1)[1].strip()
    full = f"{goal} {after.removeprefix(goal).strip()}"
    assert after.startswith(goal) == (len(full) <= SIZE[0] - 4 - len(" CHALLENGE WON   "))
    assert after.startswith((goal, "in "))
    data = json.loads((Path(private_data_dir) / STORE_NAME).read_text())
    assert data["challenges"][f"{scenario}/{variant}"]["won"] is True


@pytest.mark.parametrize("moves", _cases(SURVIVED))
def test_the_fixed_variants_say_what_they_survived(moves: Moves) -> None:
    assert moves.verdict is RunState.FINISHED
    words = run_banner(moves)
    assert "SURVIVED" in words and "Try to break it: It survived" in words


def run_banner(moves: Moves) -> str:
    found: list[str] = []

    async def body() -> None:
        found.append(await _banner_after(moves))

    run(body)
    return found[0]
