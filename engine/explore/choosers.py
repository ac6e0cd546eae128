"""How each strategy chooses within one run: random walk, PCT, a prefix then a depth-first
default (with sleep sets and a preemption bound), and a recorded schedule followed
leniently (for shrinking).

A chooser sees each scheduling point as a ``Decision`` and returns the index of an option.
All of them are deterministic: the same seed or prefix and the same program give the same
run.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.footprint import Footprint, independent
from .policy import HALT, Decision, Option

SPURIOUS_CHANCE = 0.1
"""How often a random walk takes a spurious wakeup when one is offered."""

STARVE_LIMIT = 200
"""Steps one thread may run in a row under PCT while others could run, before it is
demoted: a spinning thread of high priority would otherwise starve the one it waits for."""

Sleep = tuple[tuple[int, Footprint], ...]
"""A sleep set: threads whose next step was already explored from here, with what that
step touches (they stay asleep until a step that touches the same object runs)."""

SHAPE_BYTES = 4
"""How a point's choices (``Decision.shape``, a CRC-32) are kept in a prefix."""

Choice = tuple[int, str]
"""An option without what it touches: (thread, condition woken spuriously or '')."""


def choice_of(option: Option) -> Choice:
    return option.thread, option.condition


class RandomChooser:
    """A random walk: every option alike (a spurious wakeup now and then)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def choose(self, decision: Decision) -> int:
        options = decision.options
        wakeups = [i for i, o in enumerate(options) if o.condition]
        if wakeups and self._rng.random() < SPURIOUS_CHANCE:
            return self._rng.choice(wakeups)
        threads = [i for i, o in enumerate(options) if not o.condition]
        return self._rng.choice(threads) if threads else 0


class PCTChooser:
    """Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): threads get
    random distinct priorities and the highest that can run goes; at ``depth - 1`` random
    points the running thread drops below every other. A bug that needs ``depth`` ordering
    constraints is found with probability at least 1 / (n · k^(depth-1)) per run, for n
    threads and k points.

    The points counted (k, and where the change points fall) are those with a real choice,
    two threads or more able to run: a step where only one can is no point at which a
    schedule could differ. How this differs from the paper, and what that does to the bound:

    - A thread's priority is drawn when it first can run (in [depth, depth + 1), above every
      lowered one), not for all threads at the start: threads are made as the run goes. The
      draws are still independent and uniform among the threads present, as the bound needs.
    - A thread that runs ``STARVE_LIMIT`` points in a row while others could is lowered below
      every other (the paper assumes fair, terminating programs; a spinning thread would
      otherwise keep the one it waits for away forever). This only happens in runs the
      bound's argument does not cover (spins of over 200 points).
    - With spurious wakeups allowed, a point may wake a condition's waiter instead, with
      probability 1/40; in a run with none such offered, nothing changes.
    - A change point that falls where the running thread cannot go on (it blocked or ended)
      lowers nobody, as in the paper's own implementation.

    Args:
        seed: the run's seed.
        depth: the bug depth aimed at (1 or more).
        length: the expected number of points with a real choice (where change points fall).
    """

    def __init__(self, seed: int, depth: int, length: int) -> None:
        self._rng = random.Random(seed)
        self._depth = depth
        points = self._rng.sample(range(1, max(length, depth) + 1), depth - 1)
        self._change_points = {step: depth - 1 - n for n, step in enumerate(sorted(points))}
        self._priority: dict[int, float] = {}
        self._count = 0
        self._streak = 0
        self._last: int | None = None

    def choose(self, decision: Decision) -> int:
        options = decision.options
        if sum(not o.condition for o in options) < 2 and not any(o.condition for o in options):
            return 0  # one thread can run: no choice, and no point counted
        self._count += 1
        low = self._change_points.get(self._count)
        if low is not None and decision.last is not None:
            self._priority[decision.last] = float(low)
        if self._streak >= STARVE_LIMIT and self._last is not None:
            self._priority[self._last] = min(self._priority.values()) - 1.0
            self._streak = 0
        wakeups = [i for i, o in enumerate(options) if o.condition]
        if wakeups and self._rng.random() < SPURIOUS_CHANCE / 4:
            return self._rng.choice(wakeups)
        best, best_priority = 0, float("-inf")
        for index, option in enumerate(options):
            if option.condition:
                continue
            priority = self._priority.get(option.thread)
            if priority is None:  # a new thread: a random place among the high ones
                priority = self._depth + self._rng.random()
                self._priority[option.thread] = priority
            if priority > best_priority:
                best, best_priority = index, priority
        thread = options[best].thread
        others = any(not o.condition and o.thread != thread for o in options)
        self._streak = self._streak + 1 if thread == self._last and others else 0
        self._last = thread
        return best


@dataclass
class Node:
    """A scheduling point beyond a depth-first run's prefix, as the planner needs it."""

    decision: Decision
    pick: int
    sleep: Sleep
    preemptions: int
    """Preemptions before this point."""
    ran: Footprint = None
    """What the step taken here turned out to touch, once it has run."""
    ran_known: bool = False
    shape: int = 0
    """The choices here (``Decision.shape``): a replay of this point must meet them again."""


@dataclass
class PrefixChooser:
    """Depth-first search, one run: follow ``prefix`` (the picks of a schedule explored
    before, with one changed at its end), then take the choice that preempts nobody,
    skipping threads asleep (already explored here) and staying within ``bound``
    preemptions. What it chose beyond the prefix is kept in ``nodes``.

    Args:
        prefix: option indices to take first.
        sleep: the sleep set at the first point after the prefix.
        preemptions: preemptions within the prefix.
        bound: preemptions allowed in the whole run.
        reduce: use sleep sets (partial-order reduction); without, nothing sleeps.
    """

    prefix: bytes
    sleep: Sleep
    preemptions: int
    bound: int
    reduce: bool = True
    shapes: bytes = b""
    """The choices recorded at each point of the prefix (``Decision.shape``, four bytes
    each), to meet again; none: not checked."""
    nodes: list[Node] = field(default_factory=list)
    diverged: bool = False
    """The program did not offer the recorded choices again (it is not deterministic)."""
    diverged_at: int | None = None
    """The step where it did not."""
    _depth: int = 0

    def choose(self, decision: Decision) -> int:
        depth = self._depth
        self._depth += 1
        if depth < len(self.prefix):
            pick = self.prefix[depth]
            recorded = self.shapes[SHAPE_BYTES * depth : SHAPE_BYTES * (depth + 1)]
            met = decision.shape.to_bytes(SHAPE_BYTES, sys.byteorder)
            if pick >= len(decision.options) or recorded not in (b"", met):
                self.diverged, self.diverged_at = True, decision.step
                return HALT
            return pick
        if self.nodes:
            last = self.nodes[-1]
            chosen = last.decision.options[last.pick]
            # what the step taken there turned out to touch (it has run by now)
            ran = decision.ran if chosen.condition == "" else chosen.touches
            last.ran, last.ran_known = ran, True
            sleep = tuple(
                (thread, touches)
                for thread, touches in last.sleep
                if independent(touches, ran) and thread != chosen.thread
            )
            preemptions = last.preemptions + last.decision.preempts(last.pick)
        else:
            sleep, preemptions = self.sleep, self.preemptions
            if decision.mislabelled:
                # the prefix's own last step touched more than its footprint said, and
                # this sleep set was worked out from that footprint: nobody sleeps
                sleep = ()
        if not self.reduce:
            sleep = ()
        asleep = {thread for thread, _touches in sleep}
        awake = [
            i
            for i, option in enumerate(decision.options)
            if option.condition or option.thread not in asleep
        ]
        pick = HALT
        default = decision.default()
        if default in awake and not decision.preempts(default):
            pick = default
        else:
            free = [i for i in awake if not decision.preempts(i)]
            within = [i for i in awake if preemptions + 1 <= self.bound]
            pick = free[0] if free else within[0] if within else HALT
        if pick == HALT:
            return HALT
        self.nodes.append(Node(decision, pick, sleep, preemptions, shape=decision.shape))
        return pick


class FollowChooser:
    """Follows a recorded sequence of choices leniently: a choice that is not offered
    where it was recorded is replaced by the one that preempts nobody; after the end of
    the sequence, nobody is preempted."""

    def __init__(self, choices: Sequence[Choice]) -> None:
        self._choices = choices
        self._index = 0

    def choose(self, decision: Decision) -> int:
        index = self._index
        self._index += 1
        if index < len(self._choices):
            wanted = self._choices[index]
            for position, option in enumerate(decision.options):
                if choice_of(option) == wanted:
                    return position
        return decision.default()


class BoundedRandomChooser:
    """A random walk that preempts at most ``bound`` times: where the last thread can go
    on, it does, except at random points (about ``bound`` in ``length`` steps); where it
    cannot, any thread may go. Used to look for a failure with fewer preemptions."""

    def __init__(self, seed: int, bound: int, length: int) -> None:
        self._rng = random.Random(seed)
        self._bound = bound
        self._chance = bound / max(length, 1)
        self._used = 0

    def choose(self, decision: Decision) -> int:
        options = decision.options
        threads = [i for i, o in enumerate(options) if not o.condition]
        if decision.last is None:
            return self._rng.choice(threads) if threads else 0
        default = decision.default()
        others = [i for i in range(len(options)) if i != default]
        if others and self._used < self._bound and self._rng.random() < self._chance:
            self._used += 1
            return self._rng.choice(others)
        return default
