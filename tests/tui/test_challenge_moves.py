"""Each challenge is won by keys a learner can press: open the variant from the picker
(default parameters, seed 0, paused at step 0), press the moves of ``challenge_moves``, and
the run reaches the bug's verdict; the fixed variants, under the same kind of moves, run to
their end."""

from __future__ import annotations

import pytest
from challenge_moves import CHALLENGES, MOVES, SURVIVED, Moves, press
from textual.widgets import OptionList
from tui_testing import hint_text, run, scenario_screen, settle, until_running

from threadlab.engine import Snapshot, resolve_config
from threadlab.scenarios import get_scenario
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.screens.picker import VARIANT_SEPARATOR

SIZE = (80, 24)


def _open_from_picker(app: ThreadlabApp, moves: Moves) -> None:
    """Highlight the moves' variant in the picker (Enter then opens it)."""
    options = app.screen.query_one(OptionList)
    wanted = f"{moves.scenario}{VARIANT_SEPARATOR}{moves.variant}"
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    options.highlighted = ids.index(wanted)


async def play(moves: Moves) -> Snapshot:
    """Open the moves' variant from the picker, press every key, and return the run's
    snapshot once it has settled."""
    app = ThreadlabApp()  # the app's own pace, as a learner starts it
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        _open_from_picker(app, moves)
        await pilot.press("enter")
        runtime = await until_running(pilot)
        await settle(pilot)
        config = runtime.config
        default = resolve_config(get_scenario(moves.scenario), moves.variant, seed=0)
        assert (config.variant, config.seed, config.params) == (moves.variant, 0, default.params)
        assert runtime.is_paused and runtime.snapshot().step == 0
        for number, key in enumerate(moves.keys, 1):
            changed = await press(pilot, runtime, key)
            assert changed, f"key {number} ({key}) was refused: {hint_text(app)!r}"
            assert not scenario_screen(app).controller.travelling
        await settle(pilot)
        return runtime.snapshot()


def _verdict_words(snapshot: Snapshot) -> str:
    return snapshot.verdict.text if snapshot.verdict is not None else ""


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
def test_the_moves_win_the_challenge(moves: Moves) -> None:
    async def body() -> None:
        snapshot = await play(moves)
        words = _verdict_words(snapshot)
        assert snapshot.run_state is moves.verdict, (
            f"{moves.why}: {snapshot.run_state} at step {snapshot.step}: {words}"
        )
        assert moves.says and moves.says in words

    run(body)


@pytest.mark.parametrize("moves", _cases(SURVIVED))
def test_the_fixed_variant_survives_the_same_moves(moves: Moves) -> None:
    async def body() -> None:
        snapshot = await play(moves)
        assert snapshot.run_state is moves.verdict, (
            f"{moves.why}: {snapshot.run_state} at step {snapshot.step}: {_verdict_words(snapshot)}"
        )
        assert all(thread.state.ended for thread in snapshot.threads)

    run(body)


def test_every_buggy_variant_has_moves_and_every_fixed_one_is_tried() -> None:
    buggy = {(m.scenario, m.variant) for m in CHALLENGES}
    fixed = {(m.scenario, m.variant) for m in SURVIVED}
    assert not buggy & fixed and len(MOVES) == len(CHALLENGES) + len(SURVIVED)
    assert buggy == {
        ("mutex", "unlocked"),
        ("producer-consumer", "if"),
        ("cas", "counter-racy"),
        ("readers-writers", "lesson"),
        ("readers-writers", "classic"),
        ("philosophers", "left-right"),
        ("coroutines", "missing-await"),
        ("coroutines", "blocking-call"),
        ("condition", "alarm"),
        ("event-loop", "blocking"),
    }
    for scenario, variant in buggy | fixed:
        assert variant in {v.name for v in get_scenario(scenario).variants}
