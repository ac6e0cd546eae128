"""The explorer's hold on one run: at every scheduling point it lists the choices and asks a
chooser (a strategy) which to take.

A choice is a thread to run next, or, with spurious wakeups allowed, a waiter of a
condition to wake with no signal. The policy keeps what the strategies and the shrinker
need: every decision and what was picked, the preemptions (a switch away from a thread that
could have gone on), and, when asked, who ran where at each switch (for the story).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..core.actions import apply_action
from ..core.footprint import Footprint
from ..snapshot.model import ActionKind, PrimitiveKind, UserAction

if TYPE_CHECKING:
    from ..core.driver import Driver
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

T = TypeVar("T")

FAIR_STREAK = 32
"""Steps one thread may take in a row, while others could run, before it must let them."""

HALT = -1
"""What a chooser returns to end the run here: what follows would repeat a schedule already
explored (the step given now is the last)."""


@dataclass(frozen=True)
class Option:
    """One choice at a scheduling point."""

    thread: int
    """The number of the thread to run, or of the waiter to wake."""
    condition: str = ""
    """Not empty: wake ``thread`` from this condition with no signal (a spurious wakeup)."""
    touches: Footprint = None
    """What the thread's next step touches (None: unknown, maybe anything)."""


@dataclass(frozen=True)
class Decision:
    """A scheduling point: the choices, in a fixed order, and who took the last step."""

    step: int
    options: tuple[Option, ...]
    last: int | None
    """The thread that took the previous step, when it could go on (else None: any choice
    is free)."""
    tired: int | None = None
    """A thread that has taken ``FAIR_STREAK`` steps in a row while others could run: it
    lets another go without that counting as a preemption (as a fair scheduler would;
    a thread that spins on a flag would otherwise keep the one it waits for away)."""
    ran: Footprint = None
    """What the step taken just before this point turned out to touch."""
    mislabelled: bool = False
    """That step touched more than its footprint said when it was chosen."""

    @property
    def shape(self) -> int:
        """The choices here, as a number (what a replay checks it meets again): the threads
        that can run and the waiters that could be woken."""
        return zlib.crc32(repr([(o.thread, o.condition) for o in self.options]).encode())

    def preempts(self, index: int) -> bool:
        """Whether taking option ``index`` switches away from a thread that could go on
        (a spurious wakeup always counts: it is a fault injected)."""
        option = self.options[index]
        return bool(option.condition) or (self.last is not None and option.thread != self.last)

    def default(self) -> int:
        """The choice that preempts nobody: the last thread again, else the first."""
        for index, option in enumerate(self.options):
            if not option.condition and option.thread == self.last:
                return index
        if self.tired is not None:  # the next thread after the tired one, round the ring
            threads = [(o.thread, i) for i, o in enumerate(self.options) if not o.condition]
            after = [pair for pair in threads if pair[0] > self.tired]
            return min(after or threads)[1]
        return 0


MISLABELS_KEPT = 3
"""Mislabelled steps a run keeps, to say which (the count is kept in full)."""


@dataclass(frozen=True)
class Mislabel:
    """A step that touched more than its footprint said: it ran code threadlab did not
    expect (a call into a library, an item read through a name of its own...)."""

    step: int
    """The step it ended before (its thread's next checkpoint)."""
    thread: str
    line: int | None
    """Where its thread was when the step ended."""
    beyond: list[str] | None
    """What it touched beyond its footprint (None: it may have touched anything)."""


class Chooser(Protocol):
    def choose(self, decision: Decision) -> int:
        """The index of the option to take, or ``HALT``."""
        ...


@dataclass(frozen=True)
class Place:
    """Where a thread was when it took a step, and what it was about to do."""

    step: int
    line: int | None
    file: str | None
    operation: str


@dataclass(frozen=True)
class Switch:
    """A turn: the steps one thread took in a row, from a switch to the next."""

    thread: str
    places: tuple[Place, ...]
    """Each step of the turn, in order."""
    preempted: str | None
    """The thread it switched away from although that thread could go on, if any."""
    spurious: str = ""
    """The condition a waiter was woken from with no signal just before this turn."""

    @property
    def first(self) -> Place:
        return self.places[0]

    @property
    def last(self) -> Place:
        return self.places[-1]

    @property
    def step(self) -> int:
        return self.first.step

    @property
    def steps(self) -> int:
        return len(self.places)


class ExplorePolicy:
    """Asks ``chooser`` at every scheduling point of one run.

    Args:
        chooser: the strategy's chooser for this run.
        spurious: offer spurious wakeups of condition waiters as choices.
        max_steps: steps after which the run is cut short (paused): a run that long is
            taken to loop, not to end.
        max_injections: spurious wakeups at most in one run.
        describe: keep the switches for the story.
    """

    as_chosen = True

    def __init__(
        self,
        chooser: Chooser,
        *,
        spurious: bool = False,
        max_steps: int = 20_000,
        max_injections: int = 3,
        describe: bool = False,
    ) -> None:
        self.chooser = chooser
        self.spurious = spurious
        self.max_steps = max_steps
        self.max_injections = max_injections
        self.describe = describe
        self.decisions: list[Decision] = []
        self.picks: list[int] = []
        self.preemptions = 0
        self.injections = 0
        self.cut_short = False
        self.halted = False
        self.switches: list[Switch] = []
        self._kernel: Kernel | None = None
        self._driver: Driver | None = None
        self._last_thread: int | None = None
        self._streak = 0
        """Steps ``_last_thread`` has taken in a row while others could run."""
        self._running: tuple[SimThread, Footprint] | None = None
        """The thread given the last step, and the footprint it was chosen with."""
        self.ran: Footprint = None
        """What the last step taken turned out to touch (``settle_last`` after the run)."""
        self.mislabels: list[Mislabel] = []
        """Steps that touched more than their footprints said (the first few)."""
        self.mislabelled = 0
        """How many steps did."""

    def bind(self, kernel: Kernel, driver: Driver) -> None:
        self._kernel = kernel
        self._driver = driver

    def choose(self, runnable: Sequence[T]) -> T:
        kernel, driver = self._kernel, self._driver
        assert kernel is not None and driver is not None, "bind() first"
        if len(self.picks) >= self.max_steps:
            self.cut_short = True
            driver.paused = True  # this step is the last one
        spurious_from = ""
        ran, mislabelled = self.settle_last()
        while True:
            decision = self._decision(kernel, ran, mislabelled)
            pick = self.chooser.choose(decision)
            if pick == HALT:
                self.halted = True
                driver.paused = True
            if not 0 <= pick < len(decision.options):
                pick = decision.default()
            self.decisions.append(decision)
            self.picks.append(pick)
            if decision.preempts(pick):
                self.preemptions += 1
            option = decision.options[pick]
            if not option.condition:
                break
            self._wake_spuriously(kernel, driver, option)
            spurious_from = option.condition
        chosen = kernel.threads[option.thread - 1]
        self._running = (chosen, option.touches)
        if self.describe:
            self._describe(kernel, decision, chosen, spurious_from)
        others = any(o.thread != option.thread for o in decision.options)
        same = option.thread == self._last_thread and others
        self._streak = self._streak + 1 if same else 0
        self._last_thread = option.thread
        return chosen  # type: ignore[return-value]

    def settle_last(self) -> tuple[Footprint, bool]:
        """What the last step taken touched, now that it has run, and whether that was
        more than its footprint said (noted in ``mislabels``)."""
        if self._running is None:
            return None, False
        thread, footprint = self._running
        self._running = None
        if thread.unwatched:
            ran = None
        elif thread.extras and footprint is not None:
            ran = footprint | thread.extras
        else:
            ran = footprint
        self.ran = ran
        if footprint is None or ran == footprint:
            return ran, False
        self.mislabelled += 1
        if len(self.mislabels) < MISLABELS_KEPT:
            kernel = self._kernel
            assert kernel is not None
            what = sorted(ran - footprint) if ran is not None else None
            self.mislabels.append(Mislabel(kernel.step, thread.name, thread.line, what))
        return ran, True

    def _describe(
        self, kernel: Kernel, decision: Decision, chosen: SimThread, spurious_from: str
    ) -> None:
        """Keep the turn ``chosen`` takes a step in: a new one at a switch."""
        place = Place(kernel.step + 1, chosen.line, chosen.file, chosen.operation)
        if chosen.index == self._last_thread and self.switches and not spurious_from:
            turn = self.switches[-1]
            self.switches[-1] = replace(turn, places=(*turn.places, place))
            return
        preempted = None
        if decision.last is not None and decision.last != chosen.index:
            preempted = kernel.threads[decision.last - 1].name
        self.switches.append(Switch(chosen.name, (place,), preempted, spurious_from))

    def _decision(self, kernel: Kernel, ran: Footprint, mislabelled: bool) -> Decision:
        threads = kernel.threads
        options = [
            Option(t.index, touches=t.touches) for t in kernel.live_threads if t.state.can_run
        ]
        if self.spurious and self.injections < self.max_injections:
            for primitive in kernel.primitives:
                if primitive.kind is PrimitiveKind.CONDITION and primitive.queue:
                    mutex = getattr(primitive, "mutex", None)
                    options.extend(
                        Option(waiter.index, primitive.name, mutex.name if mutex else None)
                        for waiter in primitive.queue
                    )
        last = self._last_thread
        tired = None
        if last is not None and not threads[last - 1].state.can_run:
            last = None
        elif last is not None and self._streak >= FAIR_STREAK:
            last, tired = None, last
        return Decision(kernel.step, tuple(options), last, tired, ran, mislabelled)

    def _wake_spuriously(self, kernel: Kernel, driver: Driver, option: Option) -> None:
        """Wake a waiter with no signal, recorded as the user's action would be."""
        action = UserAction(
            ActionKind.SPURIOUS, option.condition, kernel.threads[option.thread - 1].name
        )
        apply_action(kernel, action)
        driver.settle()
        driver.history.truncate(kernel.step, driver.actions_applied)
        driver.history.record_action(kernel.step, action)
        driver.actions_applied += 1
        self.injections += 1
