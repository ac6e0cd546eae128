"""The search plan: which schedule comes next, decided only from results already in.

Schedule ``k`` of a search is planned from the results of schedules ``0 .. k - WINDOW``
and no others (or, when a depth-first search must wait for its tree, from the next ones in
order), so the same seed gives the same schedules and the same find whether they run in
one process or in eight, however fast each one is.

The portfolio (``auto``) takes turns: a random walk, PCT (depths 1 to 3 in turn), and a
depth-first search with iterative preemption bounding: every schedule with no preemption
first, then those with one, then two... With partial-order reduction (sleep sets), a
thread's step that touches another object than the step taken is not explored again in
the other order.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field

from ..core.footprint import independent
from .choosers import SHAPE_BYTES, Sleep
from .policy import Mislabel
from .specs import DFS, PCT, RANDOM, Outcome, Spec

WINDOW = 32
"""How far behind the schedule being planned the results it may use are."""

MAX_DEFERRED = 300_000
"""Schedules waiting for the next preemption bound, at most (memory stays bounded; past it,
that bound is no longer claimed complete)."""

MAX_STACK = 1_000_000
"""Schedules waiting within the current bound, at most (past it, some are dropped and
nothing is claimed complete)."""

FIRST_MAX_STEPS = 20_000
"""Steps after which a run is cut short, until runs have shown how long one takes."""

PCT_DEPTHS = (1, 2, 3)


@dataclass(frozen=True)
class Prefix:
    """A depth-first schedule still to explore: its first choices, then defaults."""

    run: bytes
    """Every pick of the run it branches off (shared by all its branches, not copied)."""
    cut: int
    """How many of them it keeps..."""
    pick: int
    """...before its own pick (-1: none, for the first schedule)."""
    sleep: Sleep
    preemptions: int
    run_shapes: bytes = b""
    """The choices met at each point of the run it branches off, four bytes each
    (``Decision.shape``; shared, not copied)."""

    @property
    def picks(self) -> bytes:
        if self.pick < 0:
            return self.run[: self.cut]
        return self.run[: self.cut] + bytes((self.pick,))

    @property
    def shapes(self) -> bytes:
        """The choices to meet again at each of ``picks``, four bytes each."""
        return self.run_shapes[: SHAPE_BYTES * (self.cut + (self.pick >= 0))]


FIRST = Prefix(b"", 0, -1, (), 0)


@dataclass
class DepthFirst:
    """The depth-first search's tree, kept as the schedules still to run."""

    reduce: bool
    bound: int = 0
    stack: list[Prefix] = field(default_factory=lambda: [FIRST])
    deferred: list[Prefix] = field(default_factory=list)
    overflow: bool = False
    """Some schedules of the next bound were dropped: it cannot be claimed complete."""
    outstanding: int = 0
    """Schedules handed out and not yet integrated."""
    schedules: int = 0
    """Schedules run to their end (not halted as redundant)."""
    bound_done: int | None = None
    """The largest bound whose every schedule has been run."""
    bound_schedules: int = 0
    """Schedules run when ``bound_done`` was completed."""
    uncertain: bool = False
    """A run was cut short or went another way, or a step touched more than its footprint
    said: nothing is claimed exhaustive."""
    finished: bool = False
    """Every schedule there is has been run (within the bound when it was raised last)."""

    def take(self) -> Prefix | None:
        """The next schedule to run, raising the bound when this one is done."""
        if not self.stack and not self.outstanding and not self.finished:
            self._bound_complete()
        if not self.stack:
            return None
        self.outstanding += 1
        return self.stack.pop()

    def _bound_complete(self) -> None:
        if not self.overflow:
            self.bound_done, self.bound_schedules = self.bound, self.schedules
        if not self.deferred:
            self.finished = True
            return
        self.bound += 1
        self.overflow = False
        self.stack = self.deferred[::-1]  # explored in the order they were found
        self.deferred = []

    def integrate(self, spec: Spec, outcome: Outcome) -> None:
        """Take in a finished run: its unexplored choices become schedules to run."""
        self.outstanding -= 1
        if outcome.diverged:  # (it stopped where it went another way: no nodes)
            self.uncertain = True
        if outcome.cut_short and not outcome.nodes:
            return
        if outcome.cut_short and outcome.steps >= spec.max_steps:
            self.uncertain = True
        if not outcome.cut_short or outcome.steps >= spec.max_steps:
            self.schedules += 1
        # every branch shares one copy of the run's picks (a copy for each branch made the
        # memory quadratic in the run's length)
        run = bytes(spec.prefix) + bytes(min(node.pick, 255) for node in outcome.nodes)
        shapes = spec.shapes + array("I", (node.shape for node in outcome.nodes)).tobytes()
        cut = len(spec.prefix)
        found: list[Prefix] = []
        for node in outcome.nodes:
            options = node.decision.options
            chosen = options[node.pick]
            ran = node.ran if node.ran_known else None  # what it touched, as it ran
            explored = [(chosen.thread, ran)] if not chosen.condition else []
            asleep = {thread for thread, _ in node.sleep}
            for index, option in enumerate(options):
                if index == node.pick or (not option.condition and option.thread in asleep):
                    continue
                if index > 255:
                    break  # a run file's step fits one thread number in a byte anyway
                sleep: Sleep = ()
                if self.reduce and not option.condition:
                    sleep = tuple(
                        (thread, touches)
                        for thread, touches in (*node.sleep, *explored)
                        if independent(touches, option.touches) and thread != option.thread
                    )
                preemptions = node.preemptions + node.decision.preempts(index)
                found.append(Prefix(run, cut, index, sleep, preemptions, shapes))
                if not option.condition:
                    explored.append((option.thread, option.touches))
            cut += 1
        for prefix in found:
            if prefix.preemptions <= self.bound:
                continue
            if len(self.deferred) < MAX_DEFERRED:
                self.deferred.append(prefix)
            else:
                self.overflow = True
        within = [p for p in found if p.preemptions <= self.bound]
        if len(self.stack) + len(within) > MAX_STACK:
            self.uncertain = True  # some are dropped: nothing is claimed complete
            within = within[: max(0, MAX_STACK - len(self.stack))]
        self.stack.extend(reversed(within))  # the first found is explored first


class Planner:
    """Plans a search's schedules one after the other (see the module's docstring).

    Args:
        strategy: 'auto', 'random', 'pct' or 'dfs'.
        seed: the search's seed.
        reduce: partial-order reduction in the depth-first search.
    """

    def __init__(self, strategy: str, seed: int, *, reduce: bool = True) -> None:
        self.strategy = strategy
        self.seed = seed
        self.depth_first = DepthFirst(reduce) if strategy in ("auto", DFS) else None
        self.integrated = 0
        """Results taken in so far (always the first ones, in order)."""
        self.longest = 0
        self.most_points = 0
        """The most points with a real choice a run that ended by itself has had (PCT's
        change points fall among them)."""
        """The most steps a run has taken that ended by itself."""
        self.used: set[str] = set()
        self.diverged_at: int | None = None
        """The step where a replayed schedule first met other choices than recorded (the
        program does not run the same way twice)."""
        self.mislabelled = 0
        """Steps of the runs taken in that touched more than their footprints said."""
        self.mislabel: Mislabel | None = None
        """The first of them, to say why nothing is claimed exhaustive."""

    @property
    def done(self) -> bool:
        """Every schedule there is has been explored (only a depth-first search ends)."""
        return self.depth_first is not None and self.depth_first.finished

    def max_steps(self) -> int:
        if not self.longest:
            return FIRST_MAX_STEPS
        return max(2_000, min(100_000, 20 * self.longest))

    def plan(self, index: int) -> Spec | None:
        """Schedule ``index``, or None when the depth-first search must wait for results
        (or has finished)."""
        kind = self._kind(index)
        seed = random.Random(f"{self.seed}:{index}").getrandbits(48)
        if kind == DFS and self.depth_first is not None:
            prefix = self.depth_first.take()
            if prefix is not None:
                self.used.add(DFS)
                return Spec(
                    index,
                    DFS,
                    self.max_steps(),
                    prefix=prefix.picks,
                    shapes=prefix.shapes,
                    sleep=prefix.sleep,
                    preemptions=prefix.preemptions,
                    bound=self.depth_first.bound,
                )
            if self.strategy == DFS:
                return None
            kind = RANDOM  # its tree waits for results: a random walk meanwhile
        self.used.add(kind)
        if kind == PCT:
            depth = PCT_DEPTHS[(index // 3) % len(PCT_DEPTHS)]
            length = max(self.most_points, 20)
            return Spec(index, PCT, self.max_steps(), seed=seed, depth=depth, length=length)
        return Spec(index, RANDOM, self.max_steps(), seed=seed)

    def _kind(self, index: int) -> str:
        if self.strategy != "auto":
            return self.strategy
        return (RANDOM, PCT, DFS)[index % 3]

    def waiting(self) -> bool:
        """A depth-first search waits for results before it can plan more."""
        tree = self.depth_first
        return tree is not None and not tree.stack and tree.outstanding > 0

    def integrate(self, spec: Spec, outcome: Outcome) -> None:
        self.integrated += 1
        if outcome.diverged and self.diverged_at is None:
            self.diverged_at = outcome.diverged_at
        if outcome.mislabelled:
            self.mislabelled += outcome.mislabelled
            if self.mislabel is None:
                self.mislabel = outcome.mislabel
            if self.depth_first is not None:
                self.depth_first.uncertain = True
        if not outcome.cut_short and not outcome.stuck:
            self.longest = max(self.longest, outcome.steps)
            self.most_points = max(self.most_points, outcome.points)
        if spec.kind == DFS and self.depth_first is not None:
            self.depth_first.integrate(spec, outcome)
