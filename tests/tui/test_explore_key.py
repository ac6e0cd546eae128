"""Pilot tests of the explore key (x): a background search whose find opens at its failing
step with its preemptions marked on the timeline, a progress line that escape cancels, and
run files of finds replayed with the same marks."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from tui_testing import LOCK_ORDER, hint_text, make_app, run, scenario_screen, settle

from threadlab import __main__ as cli
from threadlab.cli.explore_text import found_message
from threadlab.engine import ControlRefused, resolve_config
from threadlab.engine.core.history import History
from threadlab.engine.explore import Finding
from threadlab.engine.formats import runfile
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.snapshot.model import ActionKind, RunState, UserAction, Verdict, VerdictKind
from threadlab.scenarios import get_scenario
from threadlab.tui import app as tui_app
from threadlab.tui import launch
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.screens import exploring
from threadlab.tui.screens.exploring import JOBS_VARIABLE, explore_jobs
from threadlab.tui.screens.scenario import ScenarioScreen, agreeing_steps
from threadlab.tui.widgets.timeline import TimelinePanel

pytestmark = pytest.mark.own_process  # the app as users run it: each program in its own process

SIZE = (120, 40)
GENEROUS = 120.0
"""Seconds a search in a test may take to land (it takes a few on a loaded machine)."""


def _app(name: str, variant: str | None = None, seed: int = 0, jobs: int = 1) -> ThreadlabApp:
    app = make_app(name, variant, seed)
    app.explore_jobs = jobs  # one job keeps CI light; the app defaults to the cores
    return app


def _exploring_line(screen: ScenarioScreen) -> str:
    line = screen.query_one("#exploring")
    return str(line.render()) if line.display else ""


async def _until_explored(pilot: Pilot, timeout: float = GENEROUS) -> None:
    """Wait until the search has ended and its find (if any) is open on screen."""
    screen = scenario_screen(pilot.app)
    deadline = time.monotonic() + timeout
    while screen.exploring:
        assert time.monotonic() < deadline, "the search did not end"
        await pilot.pause(0.05)
    await settle(pilot)


def _timeline_rows(screen: ScenarioScreen) -> list[str]:
    """The timeline's rendered text, a string per line."""
    timeline = screen.query_one(TimelinePanel)
    return [
        "".join(segment.text for segment in timeline.render_line(y))
        for y in range(timeline.size.height)
    ]


def _marked(screen: ScenarioScreen) -> dict[tuple[str, int], str]:
    """(thread, step) -> the character drawn in that thread's lane at that step."""
    snapshot = screen.snapshot
    assert snapshot is not None
    rows = _timeline_rows(screen)
    label = max(len(t.name) for t in snapshot.threads) + 1
    label = min(label, 9)
    columns = snapshot.timeline[-(screen.query_one(TimelinePanel).size.width - label) :]
    cells: dict[tuple[str, int], str] = {}
    for offset, thread in enumerate(snapshot.threads):
        lane = rows[2 + offset]
        for position, column in enumerate(columns):
            cells[(thread.name, column.step)] = lane[label + position]
    return cells


def _gist(marks: tuple[tuple[int, int], ...]) -> str:
    """What the line about a find says of its marks."""
    steps = [str(step) for step, _ in marks]
    if len(steps) == 1:
        return f"P on the timeline marks the one preemption it needs (step {steps[0]})"
    listed = ", ".join(steps[:-1]) + f" and {steps[-1]}"
    return f"P on the timeline marks the {len(steps)} preemptions it needs (steps {listed})"


def _drawn_marks(screen: ScenarioScreen) -> int:
    """How many P the lanes show."""
    return list(_marked(screen).values()).count("P")


def test_x_on_philosophers_lands_on_the_deadlock_at_its_failing_step(monkeypatch) -> None:
    gate = threading.Event()  # the search waits for it: the test sees its line first
    search = exploring.explore_in_own_process

    def held_search(*args, **kwargs):
        assert gate.wait(GENEROUS)
        return search(*args, **kwargs)

    monkeypatch.setattr(exploring, "explore_in_own_process", held_search)

    async def body() -> None:
        app = _app("philosophers")  # variant left-right, the default
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            before = screen.runtime
            await pilot.press("x")
            try:
                assert screen.exploring
                assert _exploring_line(screen) == (
                    "⟳ exploring schedules (escape cancels): starting…"
                )
            finally:
                gate.set()
            await _until_explored(pilot)
            assert _exploring_line(screen) == ""  # the progress line is gone
            runtime = screen.runtime
            assert runtime is not before  # the find took the run's place
            snapshot = runtime.snapshot()
            assert snapshot.run_state is RunState.DEADLOCK
            assert snapshot.verdict is not None
            assert snapshot.step == snapshot.history_length == snapshot.verdict.step
            assert screen.snapshot == snapshot
            text = hint_text(app)
            assert text.startswith("Found a deadlock in schedule ")
            # each preemption is a P in the lane of the thread that took that step
            marks = screen.query_one(TimelinePanel).preemptions
            assert marks  # (one; more only if shrinking was cut short on a slow machine)
            assert _gist(marks) in text
            cells = _marked(screen)
            history = runtime.history()
            names = {t.index: t.name for t in snapshot.threads}
            for step, thread in marks:
                assert History.decode(history.steps[step - 1])[0] == thread
                assert cells[(names[thread], step)] == "P"
            assert _drawn_marks(screen) == len(marks)
            assert "P preempts" in _timeline_rows(screen)[0]  # the legend says what P is
            assert screen.marked_preemptions() == tuple(step for step, _ in marks)
            with pytest.raises(ControlRefused):  # the run it replaced was stopped
                before.step()

    run(body)


def test_the_marks_stay_while_the_run_follows_the_find_and_go_where_it_leaves_it() -> None:
    async def body() -> None:
        app = _app("philosophers")
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            await pilot.press("x")
            await _until_explored(pilot)
            marks = screen.query_one(TimelinePanel).preemptions
            assert marks
            *earlier, (last, _) = marks
            names = {t.index: t.name for t in screen.runtime.snapshot().threads}
            screen.controller.go_to(last - 1)  # rewound: the run still follows the find
            await settle(pilot)
            assert screen.marked_preemptions() == tuple(step for step, _ in marks)
            assert _drawn_marks(screen) == len(earlier)  # the last is not in view
            screen.controller.go_to(last)
            await settle(pilot)
            assert _drawn_marks(screen) == len(marks)
            screen.controller.go_to(last - 1)
            await settle(pilot)
            # another thread takes the step the find's preemption took: that mark goes
            taken = History.decode(screen.runtime.history().steps[last - 1])[0]
            other = next(
                t.index
                for t in screen.runtime.snapshot().threads
                if t.index != taken and t.state.can_run
            )
            await pilot.press(str(other))  # the first press warns of the future it drops
            assert "press " + str(other) + " again" in screen.hint_line().text
            assert screen.runtime.snapshot().step == last - 1
            await pilot.press(str(other))
            assert screen.runtime.wait_idle(60)
            screen.refresh_snapshot(force=True)
            await pilot.pause()
            assert screen.runtime.snapshot().step == last
            assert screen.marked_preemptions() == tuple(step for step, _ in earlier)
            assert _drawn_marks(screen) == len(earlier)
            cells = _marked(screen)
            for step, thread in earlier:
                assert cells[(names[thread], step)] == "P"

    run(body)


def test_agreeing_steps_count_the_same_threads_after_the_same_actions() -> None:
    found = History()
    for thread in (1, 2, 3, 2, 1):
        found.record_step(thread, by_user=False)
    now = History()
    for thread in (1, 2, 3, 3):
        now.record_step(thread, by_user=True)  # who chose does not matter
    assert agreeing_steps(found, now) == 3
    assert agreeing_steps(found, found.copy()) == 5
    signal = UserAction(ActionKind.SIGNAL, "c", "")
    acted = found.copy()
    acted.record_action(2, signal)
    assert agreeing_steps(found, acted) == 2  # steps after the action differ
    assert agreeing_steps(acted, acted.copy()) == 5


def test_escape_cancels_a_long_explore_and_the_run_stays_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a budget of a day: a search that ends before the guard below was cancelled by escape
    monkeypatch.setattr(exploring.Exploration.__init__, "__defaults__", (24 * 3600.0,))
    # the lines said stay until replaced: on a busy machine a press (which waits for an idle
    # CPU, and the search keeps it busy) can outlast their few seconds, and the test read
    # the standing hint in their place
    monkeypatch.setattr(tui_app, "MESSAGE_SECONDS", 24 * 3600.0)
    monkeypatch.setattr(exploring, "RESULT_SECONDS", 24 * 3600.0)
    monkeypatch.setattr(exploring, "ALREADY_SECONDS", 24 * 3600.0)

    async def body() -> None:
        app = _app("producer-consumer", "while")  # nothing to find: it runs its whole budget
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            runtime = screen.runtime
            runtime.step(6)
            assert runtime.wait_idle(60)
            screen.refresh_snapshot(force=True)
            before = runtime.snapshot()
            await pilot.press("x")
            deadline = time.monotonic() + GENEROUS
            while "schedules ·" not in _exploring_line(screen):
                assert time.monotonic() < deadline, "no progress was shown"
                await pilot.pause(0.05)
            assert "escape cancels" in _exploring_line(screen)
            await pilot.press("x")  # a second x says so, and starts nothing
            assert hint_text(app) == "already exploring: escape cancels it"
            await pilot.press("escape")
            await _until_explored(pilot)  # long before its day's budget
            await app.workers.wait_for_complete()
            assert _exploring_line(screen) == ""
            text = hint_text(app)
            assert text.startswith("exploring cancelled: no failure in ")
            assert "stopped before its budget" in text
            assert screen.runtime is runtime
            after = runtime.snapshot()
            assert after.step == before.step == 6
            assert after.threads == before.threads
            assert screen.query_one(TimelinePanel).preemptions == ()
            await pilot.press("escape")  # nothing left to cancel
            assert hint_text(app) == "no rewind or search to cancel"

    run(body)


def test_x_on_a_run_that_ended_still_explores() -> None:
    async def body() -> None:
        app = _app("philosophers", seed=1)  # seed 1 lets every philosopher eat
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            runtime = screen.runtime
            runtime.step(5000)
            assert runtime.wait_idle(60)
            screen.refresh_snapshot(force=True)
            assert runtime.snapshot().run_state is RunState.FINISHED
            await pilot.press("x")
            await _until_explored(pilot)
            assert screen.runtime.snapshot().run_state is RunState.DEADLOCK
            # and again on the deadlock it opened: a new find takes its place
            opened = screen.runtime
            await pilot.press("x")
            await _until_explored(pilot)
            assert screen.runtime is not opened
            assert screen.runtime.snapshot().run_state is RunState.DEADLOCK
            assert screen.marked_preemptions()

    run(body)


def test_x_on_a_program_of_ones_own_finds_its_deadlock() -> None:
    program = Path(__file__).resolve().parents[2] / "examples" / "lock_order.py"
    config = resolve_config(program_scenario(str(program)))

    async def body() -> None:
        app = make_app(config=config)
        app.explore_jobs = 1
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            await pilot.press("x")
            await _until_explored(pilot)
            snapshot = screen.runtime.snapshot()
            assert snapshot.run_state is RunState.DEADLOCK, hint_text(app)
            assert screen.runtime.config == config
            marked = screen.marked_preemptions()
            assert marked
            assert _drawn_marks(screen) == len(marked)
            assert "P on the timeline marks the " in hint_text(app)

    run(body)


def test_x_with_worker_processes_lands_on_the_deadlock() -> None:
    async def body() -> None:
        app = _app("philosophers", jobs=2)  # the app's own way: schedules in processes
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            await pilot.press("x")
            await _until_explored(pilot)
            state = screen.runtime.snapshot().run_state
            assert state is RunState.DEADLOCK, hint_text(app)  # else the line says why
            assert screen.marked_preemptions()

    run(body)


def test_a_search_that_cannot_run_is_one_line_and_no_crash() -> None:
    async def body() -> None:
        # a test-only scenario: the explorer cannot look it up by name
        app = make_app(config=resolve_config(LOCK_ORDER))
        app.explore_jobs = 1
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            runtime = screen.runtime
            await pilot.press("x")
            await _until_explored(pilot)
            assert hint_text(app).startswith("cannot explore: ")
            assert "lock-order" in hint_text(app)
            assert screen.runtime is runtime
            assert app.is_running

    run(body)


def test_palette_offers_explore_and_cancel() -> None:
    async def body() -> None:
        app = _app("producer-consumer", "while")
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            await pilot.pause()
            titles = [command.title for command in screen.commands()]
            assert "Explore schedules" in titles
            assert "Cancel exploring" not in titles
            await pilot.press("x")
            titles = [command.title for command in screen.commands()]
            assert "Cancel exploring" in titles
            assert "Explore schedules" not in titles
            await pilot.press("escape")
            await _until_explored(pilot)
            keys = {row.key: row.description for row in screen.key_help()}
            assert keys["x"] == "Explore"
            assert keys["escape"] == "Cancel"

    run(body)


def test_replay_of_an_explore_file_marks_its_preemptions(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "found.json"
    assert cli.main(["explore", "philosophers", "--jobs", "1", "-o", str(path)]) == 1
    run_file = runfile.load(str(path), get_scenario)
    assert run_file.preemptions
    opened: list[ThreadlabApp] = []
    monkeypatch.setattr(launch, "run_app", opened.append)
    assert cli.main(["replay", str(path)]) == 0
    (app,) = opened
    app.animation_level = "none"

    async def body() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = scenario_screen(app)
            snapshot = screen.runtime.snapshot()
            assert snapshot.run_state is RunState.DEADLOCK
            assert snapshot.step == len(run_file.history)
            assert screen.marked_preemptions() == run_file.preemptions
            assert screen.query_one(TimelinePanel).display  # shown, even at 80x24
            cells = _marked(screen)
            for step in run_file.preemptions:
                thread = History.decode(run_file.history.steps[step - 1])[0]
                assert cells[(snapshot.threads[thread - 1].name, step)] == "P"
            # ctrl+s keeps the marks up to the step saved
            again = tmp_path / "again.json"
            assert screen.controller.save(str(again), screen.marked_preemptions())
            await settle(pilot)  # written in the background
            assert runfile.load(str(again), get_scenario).preemptions == run_file.preemptions

    run(body)


def test_explore_jobs_come_from_the_app_then_the_environment(monkeypatch) -> None:
    monkeypatch.setenv(JOBS_VARIABLE, "3")
    assert explore_jobs(2) == 2
    assert explore_jobs(None) == 3
    monkeypatch.setenv(JOBS_VARIABLE, "many")
    assert explore_jobs(None) >= 1  # not a number: the machine's cores


def test_a_find_without_preemptions_says_so() -> None:
    verdict = Verdict(VerdictKind.FAILED, "C1 failed: IndexError", ("C1",), 40)
    finding = Finding(
        verdict=verdict,
        history=History(),
        steps=40,
        preemptions=0,
        switches=(),
        strategy="random",
        schedule=9,
        found_after=0.1,
        original=(21, 61),
    )
    assert found_message(finding) == (
        "Found a failure in schedule 9 after 0.1 s (random); shrunk from 21 preemptions and "
        "61 steps to 0 and 40. It needs no preemption: each switch comes where a thread "
        "blocks, waits, sleeps or ends."
    )
