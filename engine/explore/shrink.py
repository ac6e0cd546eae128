"""Shrinking a failing schedule: fewest preemptions first, then fewest steps, and it must
still fail the same way (the same kind of verdict, exception type, broken check and line:
``Verdict.same_failure``; a schedule that fails another way is another bug).

A schedule is kept as its deviations: the scheduling points where it did not take the
choice that preempts nobody (the thread that ran last, when it can go on; else the first
that can run). Every other point takes that default. Shrinking removes deviations, halves
first, then quarters... down to single ones (delta debugging), and keeps a candidate that
still fails the same way and is smaller: fewer preemptions, or as many and fewer steps, or
as many of both and fewer deviations. A deviation whose choice is not offered where it
was made gives way to the default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..lesson.scenario import RunConfig
from .attempt import Attempt, run_schedule
from .choosers import BoundedRandomChooser, Choice, FollowChooser, PrefixChooser, choice_of
from .plan import DepthFirst
from .policy import Decision
from .specs import DFS, Outcome, Spec

MAX_RUNS = 800
MAX_STEPS = 400_000
"""Candidates tried at most by delta debugging, and steps they may take in all. Budgets
are counted, never timed, so that the same find shrinks the same way on any machine."""

DEPTH_FIRST_RUNS = 400
DEPTH_FIRST_STEPS = 200_000
"""What the search for a schedule with fewer preemptions may take, at most."""

RANDOM_RUNS = 1_500
RANDOM_STEPS = 300_000
"""What the random walks with fewer preemptions may take, at most (shared out evenly among
the bounds tried, the smallest first)."""


class _Budget:
    """Runs and steps still allowed (and whether the search was cancelled)."""

    def __init__(self, runs: int, steps: int, cancelled: Callable[[], bool]) -> None:
        self.runs = runs
        self.steps = steps
        self._cancelled = cancelled

    @property
    def left(self) -> bool:
        return self.runs > 0 and self.steps > 0 and not self._cancelled()

    def spend(self, attempt: Attempt) -> None:
        self.runs -= 1
        self.steps -= max(attempt.steps, 1)


Point = tuple[int, int, int]
"""A scheduling point, named so that it survives changes elsewhere in the schedule: (the
thread that took the step before, how many steps that thread had taken, how many choices
were made here before: a spurious wakeup is one)."""

Deviation = tuple[Point, Choice]


class _Points:
    """Names the scheduling points of one run as they come: by their number in the run
    (``by_number``), or by the thread before and its steps."""

    def __init__(self, by_number: bool) -> None:
        self._by_number = by_number
        self._number = 0
        self._taken: dict[int, int] = {}
        self._last = 0
        self._here = 0

    def next(self) -> Point:
        if self._by_number:
            return self._number, 0, 0
        return self._last, self._taken.get(self._last, 0), self._here

    def took(self, choice: Choice) -> None:
        self._number += 1
        thread, condition = choice
        if condition:
            self._here += 1
            return
        self._taken[thread] = self._taken.get(thread, 0) + 1
        self._last, self._here = thread, 0


def deviations(attempt: Attempt, by_number: bool) -> list[Deviation]:
    """Where ``attempt`` did not take the default choice, and what it took."""
    points = _Points(by_number)
    found: list[Deviation] = []
    for decision, pick in zip(attempt.decisions, attempt.picks, strict=True):
        choice = choice_of(decision.options[pick])
        if pick != decision.default():
            found.append((points.next(), choice))
        points.took(choice)
    return found


class DeviationChooser:
    """Takes the default choice except at the given points."""

    def __init__(self, chosen: Sequence[Deviation], by_number: bool) -> None:
        self._chosen = dict(chosen)
        self._points = _Points(by_number)

    def choose(self, decision: Decision) -> int:
        pick = decision.default()
        wanted = self._chosen.get(self._points.next())
        if wanted is not None:
            for position, option in enumerate(decision.options):
                if choice_of(option) == wanted:
                    pick = position
                    break
        self._points.took(choice_of(decision.options[pick]))
        return pick


def shrink(
    config: RunConfig,
    choices: Sequence[Choice],
    *,
    spurious: bool,
    max_steps: int,
    cancelled: Callable[[], bool] = lambda: False,
    improved: Callable[[Attempt], None] = lambda attempt: None,
) -> Attempt:
    """The smallest failing schedule found from ``choices`` (which failed), run once more
    to describe it (its switches are kept). ``improved`` hears of each smaller one as it is
    found; once ``cancelled``, the smallest so far is the result.

    Raises:
        ValueError: ``choices`` no longer fails (the program is not deterministic).
    """

    def run(chooser: FollowChooser | DeviationChooser, describe: bool = False) -> Attempt:
        return run_schedule(
            config, chooser, spurious=spurious, max_steps=max_steps, describe=describe
        )

    best = run(FollowChooser(choices))
    if not best.failed or best.verdict is None:
        raise ValueError("the failing schedule did not fail again")
    failure = best.verdict
    budget = _Budget(MAX_RUNS, MAX_STEPS, cancelled)
    by_number = True
    current: list[Deviation] = []

    def size(attempt: Attempt) -> tuple[int, int]:
        return attempt.preemptions, attempt.steps

    def smaller(candidate: list[Deviation]) -> bool:
        nonlocal best, current
        attempt = run(DeviationChooser(candidate, by_number))
        budget.spend(attempt)
        if not attempt.failed or not failure.same_failure(attempt.verdict):
            return False
        found = deviations(attempt, by_number)
        if (size(attempt), len(found)) >= (size(best), len(current)):
            return False
        best, current = attempt, found
        improved(best)
        return True

    if best.preemptions:
        fewer, covered = _fewest_preemptions(
            config, best, spurious=spurious, max_steps=max_steps, cancelled=cancelled
        )
        if fewer is not None:
            best = fewer
            improved(best)
        # random walks only where the depth-first search could not try every schedule
        if covered < best.preemptions:
            fewer = _fewer_preemptions_at_random(
                config,
                best,
                covered,
                spurious=spurious,
                max_steps=max_steps,
                cancelled=cancelled,
            )
            if fewer is not None:
                best = fewer
                improved(best)
    # Points by number first (good at cutting whole stretches), then by thread (good at
    # dropping one switch without moving the others).
    for by_number in (True, False):
        current = deviations(best, by_number)
        parts = 2
        while current and budget.left:
            chunk = -(-len(current) // parts)
            for start in range(0, len(current), chunk):
                if not budget.left:
                    break
                if smaller(current[:start] + current[start + chunk :]):
                    parts = max(parts - 1, 2)
                    break
            else:
                if chunk == 1:
                    break
                parts = min(len(current), parts * 2)
    return run(DeviationChooser(current, by_number), describe=True)


def _fewest_preemptions(
    config: RunConfig,
    found: Attempt,
    *,
    spurious: bool,
    max_steps: int,
    cancelled: Callable[[], bool],
) -> tuple[Attempt | None, int]:
    """A schedule that fails as ``found`` does with fewer preemptions, if a short
    depth-first search with a preemption bound finds one (bound 0 first); and how many
    bounds (0, 1, ...) it tried every schedule of, so that nothing with that few
    preemptions fails.

    The search does not reduce by independence: sleeping a step whose code after its
    checkpoint is not fully observed could skip the order that fails, and a bound is only
    counted as tried when every schedule in it ran to its end the way it was planned.
    """
    assert found.verdict is not None
    failure = found.verdict
    tree = DepthFirst(reduce=False)
    budget = _Budget(DEPTH_FIRST_RUNS, DEPTH_FIRST_STEPS, cancelled)
    runs = 0

    def covered() -> int:
        if tree.uncertain or tree.bound_done is None:
            return 0
        return found.preemptions if tree.finished else tree.bound_done + 1

    while budget.left:
        prefix = tree.take()
        if prefix is None or tree.bound >= found.preemptions:
            break
        spec = Spec(
            runs,
            DFS,
            max_steps,
            prefix=prefix.picks,
            shapes=prefix.shapes,
            sleep=prefix.sleep,
            preemptions=prefix.preemptions,
            bound=tree.bound,
        )
        chooser = PrefixChooser(
            prefix.picks, prefix.sleep, prefix.preemptions, tree.bound, shapes=prefix.shapes
        )
        attempt = run_schedule(config, chooser, spurious=spurious, max_steps=max_steps)
        runs += 1
        budget.spend(attempt)
        if attempt.failed and failure.same_failure(attempt.verdict):
            return attempt, min(covered(), attempt.preemptions)
        tree.integrate(spec, _outcome(spec, attempt, chooser))
    return None, covered()


def _fewer_preemptions_at_random(
    config: RunConfig,
    found: Attempt,
    first_bound: int,
    *,
    spurious: bool,
    max_steps: int,
    cancelled: Callable[[], bool],
) -> Attempt | None:
    """A schedule that fails as ``found`` does with fewer preemptions, if random walks
    that preempt at most ``first_bound``, then one more, ... times (fewer than ``found``)
    find one. The bounds below ``first_bound`` were searched through already."""
    assert found.verdict is not None
    failure = found.verdict
    runs = 0
    bounds = range(first_bound, found.preemptions)
    for bound in bounds:
        budget = _Budget(RANDOM_RUNS // len(bounds), RANDOM_STEPS // len(bounds), cancelled)
        while budget.left:
            chooser = BoundedRandomChooser(runs, bound, found.steps)
            attempt = run_schedule(config, chooser, spurious=spurious, max_steps=max_steps)
            runs += 1
            budget.spend(attempt)
            if (
                attempt.failed
                and attempt.verdict is not None
                and failure.same_failure(attempt.verdict)
                and attempt.preemptions < found.preemptions
            ):
                return attempt
    return None


def _outcome(spec: Spec, attempt: Attempt, chooser: PrefixChooser) -> Outcome:
    return Outcome(
        index=spec.index,
        kind=DFS,
        failed=attempt.failed,
        verdict=None,
        steps=attempt.steps,
        preemptions=attempt.preemptions,
        cut_short=attempt.cut_short,
        stuck=attempt.stuck,
        stuck_thread="",
        stuck_line=None,
        choices=(),
        nodes=tuple(chooser.nodes),
        diverged=chooser.diverged,
    )
