"""Helpers for the explorer's tests: a search run in this process, small programs written
into ``tmp_path``, a check that a finding replays, and an enumeration of a program's
schedules that does not use the explorer's planner (the oracle its counts and its shrinking
are checked against).

Test modules import these by name (``from explore_helpers import ...``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from threadlab.engine import VerdictKind, resolve_config
from threadlab.engine.explore import (
    ExploreResult,
    Finding,
    Progress,
    Request,
    explore,
    target_of,
)
from threadlab.engine.explore.attempt import Attempt, run_schedule
from threadlab.engine.explore.policy import Decision
from threadlab.engine.formats import runfile
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.lesson.scenario import RunConfig
from threadlab.engine.snapshot.model import ActionKind
from threadlab.scenarios import get_scenario

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def scenario_config(name: str, variant: str | None = None, **params: int) -> RunConfig:
    return resolve_config(get_scenario(name), variant, params)


def program_config(path: Path | str, *, races: bool = True) -> RunConfig:
    return resolve_config(program_scenario(str(path), races=races))


def write_program(tmp_path: Path, source: str, name: str = "program.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def search(
    config: RunConfig,
    *,
    schedules: int = 200,
    seed: int = 0,
    jobs: int = 1,
    strategy: str = "auto",
    spurious: bool = False,
    reduce: bool = True,
    progress: Callable[[Progress], None] | None = None,
) -> ExploreResult:
    """A search with a budget in schedules only (so that it is deterministic)."""
    request = Request(
        target=target_of(config),
        find_scenario=get_scenario,
        strategy=strategy,
        seconds=None,
        schedules=schedules,
        seed=seed,
        jobs=jobs,
        spurious=spurious,
        reduce=reduce,
    )
    return explore(request, progress=progress)


def finding_key(finding: Finding) -> tuple[Any, ...]:
    """Everything a finding says, but how long it took."""
    return (
        finding.schedule,
        finding.strategy,
        bytes(finding.history.steps),
        tuple(finding.history.actions),
        finding.verdict,
        finding.steps,
        finding.preemptions,
        finding.original,
        finding.switches,
    )


def spurious_wakeups(finding: Finding) -> int:
    return sum(1 for _step, action in finding.history.actions if action.kind is ActionKind.SPURIOUS)


def assert_sound(finding: Finding) -> None:
    """What holds for every finding: it is no larger than the schedule found, it ends at its
    verdict's step, and its preemptions are where the story says."""
    preemptions, steps = finding.original
    assert finding.preemptions <= preemptions, finding
    assert (finding.preemptions, finding.steps) <= (preemptions, steps), finding
    assert finding.verdict.step == finding.steps == len(finding.history), finding
    # a spurious wakeup counts as a preemption (a fault injected) but preempts nobody
    assert finding.preemptions == len(finding.preemption_steps) + spurious_wakeups(finding)
    assert list(finding.preemption_steps) == sorted(set(finding.preemption_steps))


def assert_replays(config: RunConfig, finding: Finding, tmp_path: Path) -> Path:
    """The finding's history, re-executed, ends in the same verdict at the same step; saved
    as a run file, it loads and ``replay --check`` matches. Returns the file."""
    record = runfile.record(config, finding.history, finding.preemption_steps)
    final = record.final
    assert final is not None and final.verdict is not None
    assert final.verdict == finding.verdict
    assert final.step == finding.verdict.step
    assert final.run_state.value == finding.verdict.kind.value
    path = tmp_path / "finding.json"
    runfile.save(str(path), record)
    loaded = runfile.load(str(path), get_scenario)
    assert loaded.preemptions == finding.preemption_steps
    assert loaded.history.steps == finding.history.steps
    matches, summary = runfile.check(loaded)
    assert matches, summary
    return path


# --- The oracle: every schedule, enumerated without the planner --------------------------


class _Prefix:
    """Takes ``picks`` first, then at every point the choice that preempts nobody."""

    def __init__(self, picks: tuple[int, ...]) -> None:
        self._picks = picks
        self._count = 0

    def choose(self, decision: Decision) -> int:
        index = self._count
        self._count += 1
        return self._picks[index] if index < len(self._picks) else decision.default()


def every_schedule(
    config: RunConfig, *, bound: int | None = None, spurious: bool = False
) -> Iterator[Attempt]:
    """Each schedule of ``config`` with at most ``bound`` preemptions (all of them when
    None), once: a plain depth-first walk over every choice offered at every point (no
    sleep sets, no planner)."""
    stack: list[tuple[tuple[int, ...], int]] = [((), 0)]
    while stack:
        picks, used = stack.pop()
        attempt = run_schedule(config, _Prefix(picks), spurious=spurious)
        assert not attempt.stuck and not attempt.cut_short, attempt
        for depth in range(len(picks), len(attempt.decisions)):
            decision = attempt.decisions[depth]
            for index in range(len(decision.options)):
                more = used + decision.preempts(index)
                if index != attempt.picks[depth] and (bound is None or more <= bound):
                    stack.append(((*attempt.picks[:depth], index), more))
            used += decision.preempts(attempt.picks[depth])
        assert attempt.preemptions == used
        yield attempt


Step = tuple[int, str | None]
"""A step of a schedule: the thread, and the object its step touches (None: unknown)."""


def steps_of(attempt: Attempt) -> tuple[Step, ...]:
    return tuple(
        (decision.options[pick].thread, decision.options[pick].touches)
        for decision, pick in zip(attempt.decisions, attempt.picks, strict=True)
    )


def trace_class(steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """A name for the schedules equal to ``steps`` up to the order of neighbouring steps of
    different threads on different known objects (a Mazurkiewicz trace): its least
    reordering, taking the lowest thread whose step depends on none left."""
    before: list[set[int]] = []
    for j, (thread, touches) in enumerate(steps):
        before.append(
            {
                i
                for i in range(j)
                if steps[i][0] == thread
                or touches is None
                or steps[i][1] is None
                or steps[i][1] == touches
            }
        )
    done: set[int] = set()
    order: list[Step] = []
    while len(done) < len(steps):
        ready = [j for j in range(len(steps)) if j not in done and before[j] <= done]
        first = min(ready, key=lambda j: (steps[j][0], j))
        done.add(first)
        order.append(steps[first])
    return tuple(order)


def failing(attempts: Iterator[Attempt] | list[Attempt]) -> list[Attempt]:
    return [a for a in attempts if a.failed]


def kinds(attempts: list[Attempt]) -> set[VerdictKind]:
    return {a.verdict.kind for a in attempts if a.verdict is not None and a.failed}
