"""Challenges in the app: the win banner with steps, actions and the best so far; the file
that keeps the best (never crashing on a bad one); the challenges screen; the goal shown."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from tui_testing import hint_text, make_app, run, runtime_of, scenario_screen, settle, show

from threadlab.engine import Runtime, Snapshot, resolve_config
from threadlab.engine.core.history import History
from threadlab.engine.lesson.challenge import Actions, challenge_of
from threadlab.scenarios import SCENARIOS, get_scenario
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.challenges import (
    DATA_DIR_VARIABLE,
    MAX_STORE_BYTES,
    STORE_NAME,
    SURVIVAL_STRETCH,
    TOUR,
    ChallengeStore,
    Result,
    data_dir,
    key_of,
    survived_words,
    tour,
    won_words,
)
from threadlab.tui.screens.challenge_play import ChallengePlay
from threadlab.tui.screens.challenges import ChallengesScreen
from threadlab.tui.screens.help import HelpScreen
from threadlab.tui.screens.picker import PickerScreen
from threadlab.tui.screens.scenario import ScenarioScreen
from threadlab.tui.widgets.verdict import VerdictBanner

SIZE = (80, 24)

Launch = Callable[..., Runtime]

MUTEX_MOVES = "1111222333"
"""mutex/unlocked (default parameters, seed 0, paused at step 0): MainThread starts T1..T3
and joins T1 (four steps), then T1 and T2 walk into the critical section together: a
VIOLATION at step 10, every step chosen by key."""


# ------------------------------------------------------------------ the file


def test_the_data_folder_is_the_variable_then_xdg_then_home() -> None:
    assert data_dir({DATA_DIR_VARIABLE: "/d", "XDG_DATA_HOME": "/x"}) == "/d"
    assert data_dir({"XDG_DATA_HOME": "/x"}) == os.path.join("/x", "threadlab")
    home = data_dir({})
    assert home.endswith(os.path.join(".local", "share", "threadlab"))


def test_tests_never_write_into_the_real_home(private_data_dir: str) -> None:
    assert os.environ[DATA_DIR_VARIABLE] == private_data_dir
    assert ChallengeStore().path == os.path.join(private_data_dir, STORE_NAME)


def test_the_best_win_is_the_fewest_steps_then_the_fewest_actions(tmp_path: Path) -> None:
    store = ChallengeStore(str(tmp_path))
    assert store.record("mutex/unlocked", Result(True, 12, 5)) is None
    assert store.record("mutex/unlocked", Result(True, 12, 7)) == Result(True, 12, 5)
    assert store.record("mutex/unlocked", Result(True, 14, 0)) == Result(True, 12, 5)
    assert store.best("mutex/unlocked") == Result(True, 12, 5)
    store.record("mutex/unlocked", Result(True, 12, 3))
    again = ChallengeStore(str(tmp_path))  # read back from the file
    assert again.best("mutex/unlocked") == Result(True, 12, 3)
    assert again.problem() is None
    assert os.listdir(tmp_path) == [STORE_NAME]  # written whole: no temporary file left


def test_a_fixed_variant_keeps_its_longest_survival_and_a_win_beats_it(tmp_path: Path) -> None:
    store = ChallengeStore(str(tmp_path))
    store.record("mutex/locked", Result(False, 200, 3))
    store.record("mutex/locked", Result(False, 150, 9))
    assert store.best("mutex/locked") == Result(False, 200, 3)
    store.record("mutex/locked", Result(True, 300, 1))
    store.record("mutex/locked", Result(False, 900, 1))
    assert store.best("mutex/locked") == Result(True, 300, 1)


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"challenges": 3}', b'{"challenges": {"a/b": 7}}'],
)
def test_a_corrupt_file_is_said_once_and_play_goes_on(tmp_path: Path, content: bytes) -> None:
    (tmp_path / STORE_NAME).write_bytes(content)
    store = ChallengeStore(str(tmp_path))
    assert store.best("mutex/unlocked") is None
    store.record("mutex/unlocked", Result(True, 10, 10))
    assert store.best("mutex/unlocked") == Result(True, 10, 10)
    if content.startswith(b'{"challenges": {'):
        assert store.problem() is None  # a bad entry is skipped, the file is fine
    else:
        problem = store.problem()
        assert problem is not None and STORE_NAME in problem
        assert store.problem() is None  # said once
    assert ChallengeStore(str(tmp_path)).best("mutex/unlocked") == Result(True, 10, 10)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _huge(path: Path) -> None:
    path.write_bytes(b" " * (MAX_STORE_BYTES + 1))


def _nested(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (_fifo, "not a regular file"),
        (_huge, "larger than 1 MiB"),
        (_nested, "not valid JSON"),
    ],
    ids=["fifo", "huge", "nested"],
)
def test_a_store_that_is_no_small_regular_file_is_said_and_not_read(
    tmp_path: Path, make: Callable[[Path], None], why: str
) -> None:
    """A FIFO would block the picker for good and a device such as /dev/zero would never
    end: neither is read, and play goes on with the progress kept in memory."""
    make(tmp_path / STORE_NAME)
    store = ChallengeStore(str(tmp_path))
    assert store.best("mutex/unlocked") is None
    problem = store.problem()
    assert problem is not None and why in problem, problem


def test_a_store_reached_through_a_link_stays_a_link(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    (tmp_path / "data").mkdir()
    link = tmp_path / "data" / STORE_NAME
    link.symlink_to(kept / STORE_NAME)
    ChallengeStore(str(tmp_path / "data")).record("mutex/unlocked", Result(True, 9, 1))
    assert link.is_symlink()
    assert ChallengeStore(str(kept)).best("mutex/unlocked") == Result(True, 9, 1)


def test_an_unwritable_folder_is_said_once_and_kept_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = ChallengeStore(str(blocker / "threadlab"))
    store.record("mutex/unlocked", Result(True, 10, 10))
    assert store.best("mutex/unlocked") == Result(True, 10, 10)
    problem = store.problem()
    assert problem is not None and "not a directory" in problem
    store.record("mutex/unlocked", Result(True, 8, 10))
    assert store.problem() is None


# ----------------------------------------------------------------- words


def test_the_words_of_a_win_and_of_a_survival() -> None:
    goal = "Make a consumer take from an empty buffer"
    first = won_words(goal, Result(True, 14, 6), None)
    assert first == f"{goal} in 14 steps and 6 actions (your first win)."
    assert won_words(goal, Result(True, 14, 6), Result(True, 12, 5)).endswith(
        "(best so far: 12 steps and 5 actions)."
    )
    assert "a new best" in won_words(goal, Result(True, 9, 6), Result(True, 12, 5))
    survived = survived_words(212, Actions(choices=14, spurious=3))
    assert survived == "It survived 212 steps, 14 of your choices and 3 spurious wakeups."
    assert survived_words(1, Actions()) == "It survived 1 step."


def test_the_tour_lists_every_challenge_once_buggy_first_within_each_lesson() -> None:
    configs = list(tour())
    keys = [key_of(c) for c in configs]
    every = [f"{s.name}/{v.name}" for s in SCENARIOS.values() for v in s.variants]
    assert sorted(keys) == sorted(every)
    assert [k.split("/")[0] for k in keys] == sorted(
        (k.split("/")[0] for k in keys), key=list(TOUR).index
    )
    for name in TOUR:
        winnable = [challenge_of(c).winnable for c in configs if c.scenario.name == name]
        assert winnable == sorted(winnable, reverse=True)
    assert all(c.seed == 0 for c in configs)


# ------------------------------------------------------------------ the app


async def _press_steps(pilot: Pilot, keys: str) -> None:
    app = pilot.app
    assert isinstance(app, ThreadlabApp)
    for key in keys:
        await pilot.press(key)
        assert runtime_of(app).wait_idle(60)
    show(app)
    await pilot.pause()


def _words(widget: Static) -> str:
    """The words of a Static showing a Rich renderable, on one wide line each."""
    console = Console(width=300, record=True)
    console.print(widget.content)
    return console.export_text()


def _banner(app: ThreadlabApp) -> str:
    banner = scenario_screen(app).query_one(VerdictBanner)
    return str(banner.render()) if banner.display and banner.has_class("-shown") else ""


def test_winning_shows_the_banner_with_steps_actions_and_the_best_so_far(
    private_data_dir: str,
) -> None:
    async def body() -> None:
        app = make_app("mutex", "unlocked")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert hint_text(app).startswith(
                "Challenge: Get two threads into the critical section at once."
            )
            await _press_steps(pilot, MUTEX_MOVES)
            words = _banner(app)
            assert "VIOLATION" in words and "CHALLENGE WON" in words
            assert "in 10 steps and 10 actions (your first win)" in words
            await pilot.press("r")
            await settle(pilot)
            assert "CHALLENGE WON" not in _banner(app)  # back at step 0
            await _press_steps(pilot, MUTEX_MOVES)
            assert "(best so far: 10 steps and 10 actions)" in _banner(app)
            await pilot.press("left")  # one step back: the verdict, and the win, are gone
            await settle(pilot)
            assert _banner(app) == ""

    run(body)
    data = json.loads((Path(private_data_dir) / STORE_NAME).read_text())
    assert data["challenges"]["mutex/unlocked"] == {"won": True, "steps": 10, "actions": 10}


def test_a_win_with_another_seed_meets_the_goal_but_is_not_scored(private_data_dir: str) -> None:
    async def body() -> None:
        app = make_app(config=resolve_config(get_scenario("mutex"), "unlocked", seed=5))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await _press_steps(pilot, MUTEX_MOVES)
            words = _banner(app)
            assert "GOAL MET" in words and "not scored" in words

    run(body)
    assert not (Path(private_data_dir) / STORE_NAME).exists()


def test_a_corrupt_file_is_said_on_the_hint_line_and_the_win_still_shows(
    private_data_dir: str,
) -> None:
    (Path(private_data_dir) / STORE_NAME).write_text("{oops")

    async def body() -> None:
        app = make_app("mutex", "unlocked")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await _press_steps(pilot, MUTEX_MOVES)
            assert "(your first win)" in _banner(app)
            assert "challenge progress is not kept" in hint_text(app)

    run(body)


def test_a_fixed_variant_says_what_it_survived_when_it_finishes(private_data_dir: str) -> None:
    async def body() -> None:
        app = make_app("mutex", "locked")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert hint_text(app).startswith("Challenge: Try to break it.")
            await _press_steps(pilot, "1")
            runtime = runtime_of(app)
            runtime.step(5_000)
            assert runtime.wait_idle(60)
            show(app)
            await pilot.pause()
            words = _banner(app)
            steps = runtime.snapshot().step
            assert "SURVIVED" in words
            assert f"It survived {steps:,} steps and 1 choice of yours." in words
            assert scenario_screen(app).query_one(VerdictBanner).has_class("-challenge-only")

    run(body)
    data = json.loads((Path(private_data_dir) / STORE_NAME).read_text())
    assert data["challenges"]["mutex/locked"]["won"] is False


def test_the_help_and_the_picker_say_the_goal() -> None:
    async def body() -> None:
        app = ThreadlabApp()
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down")  # mutex/unlocked
            await pilot.pause()
            details = _words(app.screen.query_one("#details-text", Static))
            assert "Get two threads into the critical section at once" in details
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            help_text = _words(app.screen.query_one("#help-scenario", Static))
            assert "Challenge" in help_text and "critical section at once" in help_text

    run(body)


def test_the_challenges_screen_lists_them_marks_progress_and_opens_one(
    private_data_dir: str,
) -> None:
    ChallengeStore(private_data_dir).record("mutex/unlocked", Result(True, 10, 10))

    async def body() -> None:
        app = ThreadlabApp()
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("c")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ChallengesScreen)
            options = screen.query_one(OptionList)
            ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
            assert ids == [key_of(c) for c in tour()]
            assert ids[:2] == ["mutex/unlocked", "mutex/locked"]
            progress = str(screen.query_one("#challenges-progress").render())
            assert progress.startswith("1 of 10 bugs made to happen")
            assert options.highlighted == ids.index("cas/counter-racy")  # the first not won
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ScenarioScreen)
            runtime = runtime_of(app)
            config = runtime.config
            assert (config.scenario.name, config.variant, config.seed) == ("cas", "counter-racy", 0)
            assert runtime.is_paused and runtime.snapshot().step == 0
            await pilot.press("p")  # back to the list
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "Challenges" in titles

    run(body)


def _first_snapshot(name: str, variant: str, launch: Launch) -> Snapshot:
    runtime = launch(get_scenario(name), variant=variant)
    assert runtime.wait_idle(60)
    return runtime.snapshot()


def test_a_long_run_of_a_fixed_variant_says_now_and_then_what_it_survived(
    launch: Launch, private_data_dir: str
) -> None:
    config = resolve_config(get_scenario("mutex"), "locked")
    first = _first_snapshot("mutex", "locked", launch)
    play = ChallengePlay(ChallengeStore(private_data_dir))
    history = History()
    for _ in range(SURVIVAL_STRETCH + 1):
        history.record_step(1, True)

    def judge(step: int, epoch: int = 0) -> str | None:
        snapshot = dataclasses.replace(first, step=step)
        judged = play.judge(config, snapshot, epoch, lambda: history, lambda h, s: False)
        assert judged.note is None
        return judged.say

    assert judge(SURVIVAL_STRETCH - 1) is None
    said = judge(SURVIVAL_STRETCH)
    assert said == "Try to break it: still unbroken. It survived 500 steps and 500 of your choices."
    assert judge(SURVIVAL_STRETCH + 1) is None  # once a stretch
    assert judge(SURVIVAL_STRETCH * 2, epoch=1) is None  # after a rewind: not at once
    assert ChallengeStore(private_data_dir).best("mutex/locked") == Result(False, 500, 500)


def test_a_schedule_the_explorer_found_meets_the_goal_but_is_not_scored(
    launch: Launch, private_data_dir: str
) -> None:
    runtime = launch(get_scenario("mutex"), variant="unlocked")
    runtime.step(1_000)
    assert runtime.wait_idle(60)
    snapshot = runtime.snapshot()
    assert snapshot.verdict is not None
    play = ChallengePlay(ChallengeStore(private_data_dir))
    judged = play.judge(runtime.config, snapshot, 0, runtime.history, lambda h, s: True)
    assert judged.note is not None and judged.note.label == "GOAL MET"
    assert "explorer" in judged.note.text
    assert ChallengeStore(private_data_dir).best("mutex/unlocked") is None
    judged = play.judge(runtime.config, snapshot, 1, runtime.history, lambda h, s: False)
    # the scheduler's own run, with no action of the user's, is not a win either
    assert judged.note is not None and judged.note.label == "GOAL MET"
    assert "by the scheduler alone: not scored" in judged.note.text
    assert ChallengeStore(private_data_dir).best("mutex/unlocked") is None


def test_running_into_the_bug_with_space_alone_meets_the_goal_but_is_not_scored(
    private_data_dir: str,
) -> None:
    """At seed 0, space alone runs mutex/unlocked into its bug: not the learner's win."""

    async def body() -> None:
        app = make_app("mutex", "unlocked")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("space")
            runtime_of(app).wait_idle()  # the violation pauses the run
            show(app)
            await pilot.pause()
            words = _banner(app)
            assert "VIOLATION" in words and "GOAL MET" in words
            assert "CHALLENGE WON" not in words

    run(body)
    assert not (Path(private_data_dir) / STORE_NAME).exists()


def test_a_buggy_run_that_ends_without_its_bug_says_so() -> None:
    async def body() -> None:
        app = make_app("mutex", "unlocked")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            runtime = runtime_of(app)
            # each worker runs all its rounds before MainThread starts the next: never two
            for _ in range(200):
                snapshot = runtime.snapshot()
                if snapshot.run_state.value != "PAUSED":
                    break
                runnable = [t.name for t in snapshot.threads if t.state.can_run]
                workers = [name for name in runnable if name != "MainThread"]
                runtime.step_thread(workers[0] if workers else "MainThread")
                assert runtime.wait_idle(60)
            show(app)
            await pilot.pause()
            assert runtime.snapshot().run_state.value == "FINISHED", runtime.snapshot().verdict
            assert hint_text(app) == (
                "Every thread has finished, and the bug did not happen. Press r to try "
                "again: Get two threads into the critical section at once."
            )
            assert _banner(app) == ""

    run(body)


@pytest.mark.parametrize(("size", "with_goal"), [((120, 40), True), ((80, 24), False)])
def test_the_win_says_its_goal_where_it_fits_on_the_line(
    size: tuple[int, int], with_goal: bool
) -> None:
    """At 80x24 the goal (said at step 0) is left out of the win's line: a row for the code."""

    async def body() -> None:
        app = make_app("mutex", "unlocked")
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await _press_steps(pilot, MUTEX_MOVES)
            (line,) = [w for w in _banner(app).splitlines() if "CHALLENGE WON" in w]
            goal = "Get two threads into the critical section at once"
            assert (goal in line) is with_goal
            assert line.endswith("in 10 steps and 10 actions (your first win).")

    run(body)
