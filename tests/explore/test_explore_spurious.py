"""``--spurious``: a bug that only a spurious wakeup reaches is found when the explorer may
inject them, and only then; the find tells the wakeup, and replays."""

from __future__ import annotations

from pathlib import Path

import pytest
from explore_helpers import (
    assert_replays,
    assert_sound,
    every_schedule,
    failing,
    program_config,
    search,
    spurious_wakeups,
    write_program,
)

from threadlab.cli.explore_text import coverage_text, story_lines, story_rows
from threadlab.engine import VerdictKind
from threadlab.engine.lesson.scenario import RunConfig
from threadlab.engine.snapshot.model import ActionKind, UserAction

IF_WAIT = """
    import threading

    cond = threading.Condition()
    ready = False


    def waiter():
        with cond:
            if not ready:  # bug: 'if', not 'while'; right under real notifies only
                cond.wait()
            assert ready, "woke up before ready"


    def notifier():
        global ready
        with cond:
            ready = True  # always before the notify
            cond.notify()


    w = threading.Thread(target=waiter, name="waiter")
    n = threading.Thread(target=notifier, name="notifier")
    w.start()
    n.start()
    w.join()
    n.join()
    """

WHILE_WAIT = IF_WAIT.replace("if not ready:  # bug: 'if', not 'while'", "while not ready:  # ")


@pytest.fixture(params=[False, True], ids=["no-races", "races"])
def if_wait(request: pytest.FixtureRequest, tmp_path: Path) -> RunConfig:
    return program_config(write_program(tmp_path, IF_WAIT), races=request.param)


# The longest search here (every schedule): threading.Condition's code it explores is the
# same on every supported Python; the finds below run on each.
@pytest.mark.main_python_only
def test_without_spurious_wakeups_the_if_is_right_and_the_search_says_so_exhaustively(
    if_wait: RunConfig,
) -> None:
    everything = search(if_wait, strategy="dfs", schedules=5_000)
    assert everything.finding is None
    assert everything.coverage.exhaustive and not everything.coverage.spurious
    assert coverage_text(everything.coverage).startswith("all ")
    assert search(if_wait, schedules=300).finding is None


def test_with_spurious_wakeups_the_if_breaks_and_the_find_tells_the_wakeup(
    if_wait: RunConfig, tmp_path: Path
) -> None:
    result = search(if_wait, schedules=300, spurious=True)
    finding = result.finding
    assert finding is not None, result.coverage
    assert finding.verdict.kind is VerdictKind.VIOLATION  # a failed assert
    assert "woke up before ready" in finding.verdict.text
    assert finding.verdict.threads == ("waiter",)
    assert_sound(finding)
    # the wakeup is in the history (a run file keeps it) and in the story
    actions = [action for _step, action in finding.history.actions]
    assert actions == [UserAction(ActionKind.SPURIOUS, "cond", "waiter")]
    assert spurious_wakeups(finding) == 1 <= finding.preemptions
    woken = [turn for turn in finding.switches if turn.spurious]
    assert [(turn.thread, turn.spurious) for turn in woken] == [("waiter", "cond")]
    assert "spurious wakeup" in woken[0].first.operation
    program = str(if_wait.scenario.program)
    assert any("cond woke with no signal" in row[5] for row in story_rows(finding, program))
    assert any("woke with no signal" in line for line in story_lines(finding, program, 200))
    path = assert_replays(if_wait, finding, tmp_path)
    assert '"spurious"' in path.read_text()


def test_only_a_spurious_wakeup_reaches_the_bug(tmp_path: Path) -> None:
    """Checked against every schedule with at most one preemption (a spurious wakeup
    counts as one), enumerated without the explorer."""
    config = program_config(write_program(tmp_path, IF_WAIT), races=False)
    assert not failing(every_schedule(config))
    schedules = list(every_schedule(config, bound=1, spurious=True))
    failures = failing(schedules)
    assert failures and len(failures) < len(schedules)
    for attempt in failures:
        assert [a.kind for _step, a in attempt.history.actions] == [ActionKind.SPURIOUS]


def test_a_while_loop_survives_spurious_wakeups(tmp_path: Path) -> None:
    config = program_config(write_program(tmp_path, WHILE_WAIT))
    result = search(config, schedules=300, spurious=True)
    assert result.finding is None
    assert result.coverage.spurious
    assert "spurious wakeups included" in coverage_text(result.coverage)
