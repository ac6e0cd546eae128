"""Each challenge is won by keys a learner can press: open the variant from the picker
(default parameters, seed 0, paused at step 0), press the moves of ``challenge_moves``, and
the run reaches the bug's verdict; the fixed variants, under the same kind of moves, run to
their end."""

from __future__ import annotations

import pytest
from challenge_moves import CHALLENGES, MOVES, SURVIVED, Moves
from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList
from tui_testing import hint_text, pull_frame, run, scenario_screen, settle, until_running

from threadlab.engine import Runtime, Snapshot, resolve_config
from threadlab.scenarios import get_scenario
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.screens.picker import VARIANT_SEPARATOR
from threadlab.tui.widgets.hint import HintLine

SIZE = (80, 24)

SETTLE_SECONDS = 60.0
"""How long the engine may take to settle after a key (a run let go at full speed)."""


CHARACTERS = {"space": " ", "plus": "+"}
"""The character of each named key the moves use (a one-character key is its own)."""


HANDLED_WITHIN = 100
"""How many times the screen's message queues may drain before a key must have been handled
(a key travels from the app to the focused widget and bubbles up to the screen's bindings)."""


def _seen(runtime: Runtime) -> tuple[int, float | None, bool]:
    snapshot = runtime.snapshot()
    return snapshot.revision, snapshot.speed, snapshot.pace_paused


async def press(pilot: Pilot[object], runtime: Runtime, key: str) -> bool:
    """Press ``key`` through the app's own key handling and bindings, as ``pilot.press``
    does but without its wait for the process to go CPU-idle (about 0.1 s a key; the
    readers-writers moves are 94 keys), and let the engine settle.

    Returns:
        True when the run changed, False when the key was refused (the hint line says why).
    """
    app = pilot.app
    hint = scenario_screen(app).query_one(HintLine)
    before, said = _seen(runtime), hint.message
    app.post_message(events.Key(key, CHARACTERS.get(key, key)))
    for _ in range(HANDLED_WITHIN):
        await pilot._wait_for_screen()
        assert runtime.wait_idle(SETTLE_SECONDS), f"{key}: the run did not settle"
        if _seen(runtime) != before:
            return True
        if hint.message is not said:
            return False
    raise AssertionError(f"the key {key} was not handled")


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
            pull_frame(app)  # the screen shows the step, as one frame later: w acts on it
        await settle(pilot)
        return runtime.snapshot()


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
        assert snapshot.run_state is moves.verdict, (
            f"{moves.why}: ended {snapshot.run_state} at step {snapshot.step}: "
            f"{snapshot.verdict.text if snapshot.verdict else ''}"
        )

    run(body)


@pytest.mark.parametrize("moves", _cases(SURVIVED))
def test_the_fixed_variant_survives_the_same_moves(moves: Moves) -> None:
    async def body() -> None:
        snapshot = await play(moves)
        assert snapshot.run_state is moves.verdict, (
            f"{moves.why}: ended {snapshot.run_state} at step {snapshot.step}: "
            f"{snapshot.verdict.text if snapshot.verdict else ''}"
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
