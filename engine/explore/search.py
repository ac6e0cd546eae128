"""A search for the schedule that breaks a program: plan schedules, run them (here or in
worker processes), take their outcomes in order, and on a failure shrink it.

What is found, and what is said to be covered, depends only on the seed and the budget of
schedules (not on the number of jobs): outcomes are taken in the order of the schedules,
and the first failure in that order is the one reported.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..core.history import History
from ..lesson.scenario import Scenario
from ..snapshot.model import Verdict
from .attempt import PATIENCE, Attempt
from .plan import WINDOW, Planner
from .policy import Mislabel, Switch
from .shrink import shrink
from .specs import Outcome, Spec
from .target import Target
from .workers import Executor, Inline, Processes, pin_to_one_cpu, unpin

STRATEGY_NAMES = ("auto", "random", "pct", "dfs")
PROGRESS_EVERY = 0.2
"""Seconds between two progress reports."""


@dataclass(frozen=True)
class Request:
    """What to explore and how long.

    Attributes:
        seconds: the time budget (None: only ``schedules`` counts).
        schedules: the budget in schedules (None: only ``seconds`` counts).
        jobs: worker processes; 1 runs every schedule in this process.
        spurious: spurious wakeups of condition waiters are choices too.
        reduce: partial-order reduction in the depth-first search.
    """

    target: Target
    find_scenario: Callable[[str], Scenario]
    """Looks a shipped scenario up by name; a module-level function, sent to workers."""
    strategy: str = "auto"
    seconds: float | None = 60.0
    schedules: int | None = None
    seed: int = 0
    jobs: int = 1
    spurious: bool = False
    reduce: bool = True


@dataclass(frozen=True)
class Progress:
    schedules: int
    seconds: float
    strategies: tuple[str, ...]
    """The strategies used so far, in the portfolio's order."""
    bound_done: int | None
    """Every schedule with at most this many preemptions passes (depth-first)."""
    bound_schedules: int
    shrinking: bool = False
    """A failure was found; it is being shrunk."""
    found: FoundSoFar | None = None
    """The failure found, and the smallest schedule shrinking has found so far."""


@dataclass(frozen=True)
class FoundSoFar:
    """A failing schedule, as found, and as small as shrinking has made it so far."""

    verdict: Verdict
    schedule: int
    """Which schedule of the search it was (counting from 1)."""
    strategy: str
    seconds: float
    """Seconds from the start of the search to the find."""
    original: tuple[int, int]
    """(preemptions, steps) as found."""
    best: tuple[int, int]
    """(preemptions, steps) of the smallest failing schedule so far."""


@dataclass(frozen=True)
class Coverage:
    """What a search ran, and what it can claim."""

    schedules: int
    seconds: float
    strategies: tuple[str, ...]
    bound_done: int | None
    bound_schedules: int
    exhaustive: bool
    """Every schedule there is ran (up to equivalent orders of independent steps)."""
    cut_short: int
    """Runs cut short because they went on too long (taken to loop)."""
    cancelled: bool
    spurious: bool
    unwatched_steps: int = 0
    """Steps that touched more than their footprints said when they were chosen (code
    threadlab does not watch ran in them): the orders taken as equivalent may not be, so
    nothing is claimed exhaustive."""
    unwatched: Mislabel | None = None
    """The first of them."""
    diverged_at: int | None = None
    """The step where a schedule replayed met other choices than recorded: the program
    does not run the same way twice, and nothing is claimed exhaustive."""


@dataclass(frozen=True)
class Finding:
    """A failing schedule, shrunk."""

    verdict: Verdict
    history: History
    steps: int
    preemptions: int
    switches: tuple[Switch, ...]
    strategy: str
    """The strategy that found it."""
    schedule: int
    """Which schedule of the search it was (counting from 1)."""
    found_after: float
    """Seconds from the start of the search to the find (before shrinking)."""
    original: tuple[int, int]
    """(preemptions, steps) of the schedule as found, before shrinking."""
    shrinking_cut_short: bool = False
    """Shrinking was cut short (Ctrl+C, escape): this is the smallest found by then."""

    @property
    def preemption_steps(self) -> tuple[int, ...]:
        """The steps where a thread that could have gone on was switched away from."""
        return tuple(s.step for s in self.switches if s.preempted)


@dataclass(frozen=True)
class Stuck:
    """A thread stayed away from every checkpoint: the program cannot be explored."""

    thread: str
    line: int | None
    seconds: float


@dataclass(frozen=True)
class ExploreResult:
    coverage: Coverage
    finding: Finding | None = None
    stuck: Stuck | None = None


def default_jobs() -> int:
    """The machine's cores (those this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def explore(
    request: Request,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExploreResult:
    """Run the search ``request`` asks for.

    Raises:
        ConfigError: the target cannot be configured (said before any schedule runs).
        WorkerFailed: a worker process failed.
    """
    config = request.target.config(request.find_scenario)
    search = _Search(request, progress, cancel or threading.Event())
    executor: Executor
    if request.jobs > 1:
        executor = Processes(
            request.target,
            request.find_scenario,
            request.jobs,
            spurious=request.spurious,
            reduce=request.reduce,
        )
    else:
        executor = Inline(
            request.target,
            request.find_scenario,
            spurious=request.spurious,
            reduce=request.reduce,
        )
    try:
        found = search.run(executor)
    finally:
        executor.close()
    if search.stuck is not None:
        return ExploreResult(search.coverage(), stuck=search.stuck)
    if found is None:
        return ExploreResult(search.coverage())
    spec, outcome = found
    found_after = time.monotonic() - search.started
    assert outcome.verdict_found is not None
    original = (outcome.preemptions, outcome.steps)
    so_far = FoundSoFar(
        outcome.verdict_found, spec.index + 1, spec.kind, found_after, original, original
    )
    search.report(shrinking=True, found=so_far)  # the find, at once; then its shrinking

    def improved(attempt: Attempt) -> None:
        nonlocal so_far
        so_far = dataclasses.replace(so_far, best=(attempt.preemptions, attempt.steps))
        search.report(shrinking=True, found=so_far)

    pinned = pin_to_one_cpu(0)
    try:
        shrunk = shrink(
            config,
            outcome.choices,
            spurious=request.spurious,
            max_steps=spec.max_steps,
            cancelled=search.cancel.is_set,
            improved=improved,
        )
    finally:
        unpin(pinned)
    assert shrunk.verdict is not None
    finding = Finding(
        verdict=shrunk.verdict,
        history=shrunk.history,
        steps=shrunk.steps,
        preemptions=shrunk.preemptions,
        switches=shrunk.switches,
        strategy=spec.kind,
        schedule=spec.index + 1,
        found_after=found_after,
        original=original,
        shrinking_cut_short=search.cancel.is_set(),
    )
    return ExploreResult(search.coverage(), finding=finding)


class _Search:
    def __init__(
        self,
        request: Request,
        progress: Callable[[Progress], None] | None,
        cancel: threading.Event,
    ) -> None:
        self.request = request
        self.planner = Planner(request.strategy, request.seed, reduce=request.reduce)
        self.progress = progress
        self.cancel = cancel
        self.started = time.monotonic()
        self.specs: dict[int, Spec] = {}
        self.received: dict[int, Outcome] = {}
        self.next_index = 0
        self.checked = 0
        """Outcomes looked at for a failure, in order."""
        self.schedules = 0
        self.cut_short = 0
        self.in_flight = 0
        self.stuck: Stuck | None = None
        self._last_report = 0.0

    def _out_of_budget(self) -> bool:
        request = self.request
        if self.cancel.is_set() or self.planner.done:
            return True
        if request.schedules is not None and self.next_index >= request.schedules:
            return True
        return request.seconds is not None and time.monotonic() - self.started >= request.seconds

    def run(self, executor: Executor) -> tuple[Spec, Outcome] | None:
        """Plan and run until a failure, the budget's end or a cancel."""
        emitting = True
        while True:
            found = self._check()
            if found is not None or self.stuck is not None:
                return found
            if emitting and self._out_of_budget():
                emitting = False
            if self.cancel.is_set():
                return None
            while emitting and self.in_flight < executor.capacity:
                spec = self._plan()
                if spec is None:
                    break
                self.specs[spec.index] = spec
                self.next_index += 1
                self.in_flight += 1
                executor.submit(spec)
            if not self.in_flight:
                if not emitting or self.planner.done:
                    return self._check()
                if not self._waiting_for_results():
                    return self._check()  # nothing left to plan
            outcome = executor.get(min(0.1, PATIENCE))
            if outcome is not None:
                self.received[outcome.index] = outcome
                self.in_flight -= 1
            self.report()

    def _waiting_for_results(self) -> bool:
        return self.planner.integrated < self.next_index

    def _plan(self) -> Spec | None:
        planner = self.planner
        while planner.integrated < self.next_index - WINDOW:
            if not self._integrate_next():
                return None  # wait for the outcome it must take in first
        while True:
            spec = planner.plan(self.next_index)
            if spec is not None or planner.done:
                return spec
            # the depth-first search waits for its tree: take the next outcome in order
            if planner.integrated >= self.next_index or not self._integrate_next():
                return None

    def _integrate_next(self) -> bool:
        index = self.planner.integrated
        outcome = self.received.get(index)
        if outcome is None:
            return False
        self.planner.integrate(self.specs.pop(index), outcome)
        del self.received[index]
        return True

    def _check(self) -> tuple[Spec, Outcome] | None:
        """Look at the outcomes in order: the first failure is the find."""
        while True:
            index = self.checked
            outcome = self.received.get(index)
            if outcome is None:
                if index < self.planner.integrated:  # already taken in: it passed
                    self.checked += 1
                    continue
                return None
            spec = self.specs[index]
            if outcome.stuck:
                self.stuck = Stuck(outcome.stuck_thread, outcome.stuck_line, PATIENCE)
                return None
            if outcome.failed:
                return spec, outcome
            self.checked += 1
            halted = outcome.cut_short and outcome.steps < spec.max_steps
            if not halted:
                self.schedules += 1
            if outcome.cut_short and not halted:
                self.cut_short += 1

    def report(self, *, shrinking: bool = False, found: FoundSoFar | None = None) -> None:
        now = time.monotonic()
        if self.progress is None or (now - self._last_report < PROGRESS_EVERY and not shrinking):
            return
        self._last_report = now
        tree = self.planner.depth_first
        self.progress(
            Progress(
                schedules=self.schedules,
                seconds=now - self.started,
                strategies=self._strategies(),
                bound_done=tree.bound_done if tree is not None and not tree.uncertain else None,
                bound_schedules=tree.bound_schedules if tree is not None else 0,
                shrinking=shrinking,
                found=found,
            )
        )

    def _strategies(self) -> tuple[str, ...]:
        return tuple(s for s in ("random", "pct", "dfs") if s in self.planner.used)

    def coverage(self) -> Coverage:
        tree = self.planner.depth_first
        exhaustive = bool(
            tree is not None and tree.finished and not tree.uncertain and not self.cut_short
        )
        return Coverage(
            schedules=self.schedules,
            seconds=time.monotonic() - self.started,
            strategies=self._strategies(),
            bound_done=tree.bound_done if tree is not None and not tree.uncertain else None,
            bound_schedules=tree.bound_schedules if tree is not None else 0,
            exhaustive=exhaustive,
            cut_short=self.cut_short,
            cancelled=self.cancel.is_set(),
            spurious=self.request.spurious,
            unwatched_steps=self.planner.mislabelled,
            unwatched=self.planner.mislabel,
            diverged_at=self.planner.diverged_at,
        )
