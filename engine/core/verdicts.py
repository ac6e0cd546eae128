"""Verdicts, checked after every step: a failed thread, a broken invariant, the end of the
run, a deadlock (who waits on what, and the cycle where there is one), a lost wakeup
(threads wait for a signal no live thread is left to send), or an idle run that waits for
the user. Two quiet bugs pause the run without ending it, as a failed thread does: an event
loop held by one task for too long, or a thread-based one by one handler while events
wait (LOOP BLOCKED), and a thread kept waiting while others
keep taking what it waits for (STARVATION)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..snapshot.model import EventKind, RunState, ThreadState, Verdict, VerdictKind
from .errors import ControlRefused

LOOP_BLOCKED_SECONDS = 0.05
"""How long (virtual seconds) one task or callback may hold an event loop before the run
is paused with a LOOP BLOCKED verdict: fifty steps' worth, far more than a step of a task
that only awaits takes, far less than the shortest blocking sleep of a lesson (0.1 s)."""

HANDLER_BLOCKED_SECONDS = 0.5
"""How long (virtual seconds) one handler may run on a thread-based event loop (a
``HandlerLoop``: a thread that takes handlers from a queue and runs each to its end) while
an event waits in its queue, before the run is paused with a LOOP BLOCKED verdict. A
handler there does real work (a sleep stands for it), so the bound is the lag a user
notices, not a step's worth as for asyncio: a part of the event-loop lesson's chunked
computation runs 0.2 s and then yields, a click's handler 0.1 s; its blocking handler
computes every part (1.2 s by default) while the clicks wait."""

STARVATION_PASSES = 100
"""How many times other threads may take what a thread waits for (the lock, or a condition's
lock) while it stays parked there, never woken to take a turn, before the run is paused
with a STARVATION verdict. A woken thread that loses the race when its turn comes starts
again from zero: a schedule that does not give it its turn in time is the scheduler's
unfairness, not the program's."""

PAUSING = frozenset({VerdictKind.FAILED, VerdictKind.LOOP_BLOCKED, VerdictKind.STARVATION})
"""Verdicts that pause the run without ending it: the other threads can go on."""

if TYPE_CHECKING:
    from ..primitives.base import Primitive
    from .kernel import Kernel
    from .threads import SimThread


_PARKED = frozenset({ThreadState.BLOCKED, ThreadState.WAITING})


@dataclass
class _Stretch:
    """A thread parked at ``line`` since step ``start`` without a turn of its own, and how
    often others took ``resource`` meanwhile."""

    line: int
    waits_on: str
    resource: str
    start: int
    passes: int = 0
    peers: set[str] = field(default_factory=set)
    """Threads seen waiting on a condition of the same lock meanwhile: they wait their turn
    as this one does (writers behind writers), so what they take is no overtaking."""


class Judge:
    """Gives a run its verdicts and says whether it is over.

    Args:
        kernel: the run.
        waits_for_user: threads are meant to wait until the user acts, so nothing
            runnable while one waits where the user can wake it is idle, not a deadlock.
        idle_hint: what to say while the run is idle.
    """

    def __init__(self, kernel: Kernel, *, waits_for_user: bool, idle_hint: str) -> None:
        self._kernel = kernel
        self._waits_for_user = waits_for_user
        self._idle_hint = idle_hint
        self._reported: set[str] = set()
        self._ended_seen = 0
        """How many of ``kernel.ended_threads`` a step has looked at."""
        self._just_ended: list[SimThread] = []
        """Threads that ended and were not looked at yet (a verdict cut the look short)."""
        self._stretches: dict[str, _Stretch] = {}
        self._events_seen = 0
        self.verdict: Verdict | None = None
        """The latest verdict, if any."""
        self.terminal = False
        """The run is over: finished, deadlocked or broken (a failure alone is not)."""
        self.failed_state = False
        """A thread has just failed, a loop has been blocked or a thread starved: shown as
        FAILED (LOOP BLOCKED, STARVATION) until the run goes on."""

    def after_step(self, ran: SimThread | None) -> Verdict | None:
        """Check everything after a step (lock held). Returns a new verdict that should
        pause the run, or None."""
        kernel = self._kernel
        if kernel.ended_program is not None:
            return self._program_ended(kernel.ended_program)
        new: Verdict | None = None
        failed = ThreadState.FAILED
        ended = kernel.ended_threads
        if self._ended_seen < len(ended):
            # in thread order, as when every thread was looked at
            self._just_ended = sorted(self._just_ended + ended[self._ended_seen :], key=_number)
            self._ended_seen = len(ended)
            for thread in self._just_ended:
                self._stretches.pop(thread.name, None)
        while self._just_ended:
            thread = self._just_ended.pop(0)
            if thread.state is failed and thread.name not in self._reported:
                self._reported.add(thread.name)
                if thread.broken_assert is not None:  # the program's own invariant
                    self.terminal = True
                    self.verdict = _broken_assert(thread, kernel.program_file, kernel.step)
                    kernel.emit(thread, EventKind.VIOLATION, None, self.verdict.text)
                    return self.verdict
                self.failed_state = True
                failure = thread.operation.removeprefix("failed: ")
                new = Verdict(
                    VerdictKind.FAILED,
                    f"{thread.name} failed: {failure}",
                    (thread.name,),
                    kernel.step,
                    error=thread.error,
                    file=thread.file or kernel.program_file,
                    line=thread.line,
                )
                self.verdict = new
        primitives = kernel.primitives
        quiet = (
            self._loop_blocked(primitives) or self._handler_blocked(primitives) or self._starving()
        )
        if quiet is not None:
            self.failed_state = True
            self.verdict = new = quiet
        for text, check in kernel.invariants:
            problem = check()
            if problem:
                involved = [t.name for t in kernel.threads if _mentions(problem, t.name)]
                if not involved and ran is not None:
                    involved = [ran.name]
                self.terminal = True
                kernel.emit(None, EventKind.VIOLATION, None, f"{text}: {problem}")
                self.verdict = Verdict(
                    VerdictKind.VIOLATION,
                    f"Invariant broken: {text}. {problem}.",
                    tuple(involved),
                    kernel.step,
                    check=text,
                )
                return self.verdict
        if all(t.daemon for t in kernel.live_threads):  # daemons die with it
            if not self.terminal:
                self.terminal = True
                kernel.emit(None, EventKind.FINISHED, None, "every thread has finished")
            return new
        if any(t.state.can_run for t in kernel.live_threads) or self.idle_reason():
            return new
        self.terminal = True
        self.verdict = describe_deadlock(kernel.threads, kernel.step)
        kernel.emit(None, EventKind.DEADLOCK, None, self.verdict.text)
        return self.verdict

    def _loop_blocked(self, primitives: list[Primitive]) -> Verdict | None:
        """The first event loop held by one task or callback for longer than
        ``LOOP_BLOCKED_SECONDS`` (each loop is reported once)."""
        for primitive in primitives:
            held = primitive.holding()
            if held is None or held[2] <= LOOP_BLOCKED_SECONDS:
                continue
            if not self._first_report(primitive):
                continue
            what, thread, seconds = held
            return self._loop_blocked_verdict(
                primitive,
                thread,
                f"{what} has held {primitive.name} for {seconds:.3g} s{_at_line(thread)} "
                f"without an await that yields: no other task or callback of {primitive.name} "
                "ran meanwhile (a blocking call in a coroutine)",
            )
        return None

    def _handler_blocked(self, primitives: list[Primitive]) -> Verdict | None:
        """The first thread-based event loop whose handler has run for longer than
        ``HANDLER_BLOCKED_SECONDS`` while an event waited in its queue (each queue is
        reported once)."""
        for primitive in primitives:
            running = primitive.handler_running()
            if running is None or running[2] <= HANDLER_BLOCKED_SECONDS:
                continue
            if not self._first_report(primitive):
                continue
            handler, thread, seconds, waiting = running
            events = "an event waits" if waiting == 1 else f"{waiting} events wait"
            return self._loop_blocked_verdict(
                primitive,
                thread,
                f"handler {handler} has run on the event loop {thread.name} for "
                f"{seconds:.3g} s{_at_line(thread)} while {events} in {primitive.name}: "
                f"{thread.name} runs each handler to its end before it takes the next "
                "(a long job in one handler)",
            )
        return None

    def _first_report(self, primitive: Primitive) -> bool:
        """Whether the loop ``primitive`` has not been reported blocked yet (it is now)."""
        key = f"loop {primitive.name}"
        if key in self._reported:
            return False
        self._reported.add(key)
        return True

    def _loop_blocked_verdict(self, primitive: Primitive, thread: SimThread, text: str) -> Verdict:
        """The LOOP BLOCKED verdict saying ``text``, with its event in the log."""
        kernel = self._kernel
        kernel.emit(thread, EventKind.BLOCK, primitive.name, text)
        return Verdict(
            VerdictKind.LOOP_BLOCKED, f"Loop blocked: {text}.", (thread.name,), kernel.step
        )

    def _starving(self) -> Verdict | None:
        """The first thread that has waited at one line while other threads took what it
        waits for ``STARVATION_PASSES`` times (each thread is reported once)."""
        kernel = self._kernel
        taken: list[tuple[str | None, str | None]] = []
        for event in reversed(kernel.events):
            if event.step <= self._events_seen:
                break
            if event.kind is EventKind.ACQUIRE:
                taken.append((event.thread, event.primitive))
        self._events_seen = kernel.step
        found: Verdict | None = None
        waiting_by_resource: dict[str | None, list[str]] | None = None  # made when needed
        for thread in kernel.live_threads:
            stretch = self._stretches.get(thread.name)
            primitive = thread.blocked_on
            parked = thread.state in _PARKED
            if not parked or primitive is None or thread.main_line is None:
                if thread.state.ended:
                    self._stretches.pop(thread.name, None)
                continue  # woken, its turn not yet come: the schedule's doing, not starving
            if stretch is None or thread.last_turn > stretch.start:  # it has run since
                resource = _resource(primitive) or primitive.name
                stretch = _Stretch(thread.main_line, primitive.name, resource, kernel.step)
                self._stretches[thread.name] = stretch
            if waiting_by_resource is None:
                waiting_by_resource = {}
                waiting_state = ThreadState.WAITING
                for other in kernel.live_threads:
                    if other.state is waiting_state:
                        resource_of = _resource(other.blocked_on)
                        waiting_by_resource.setdefault(resource_of, []).append(other.name)
            peers = waiting_by_resource.get(stretch.resource)
            if peers:
                stretch.peers.update(peers)
            if taken:
                stretch.passes += sum(
                    1
                    for name, what in taken
                    if name != thread.name
                    and name not in stretch.peers
                    and what == stretch.resource
                )
            if found is not None or stretch.passes < STARVATION_PASSES:
                continue
            key = f"starved {thread.name}"
            if key not in self._reported:
                self._reported.add(key)
                steps = kernel.step - stretch.start
                text = (
                    f"Starvation: {thread.name} has waited at line {stretch.line} (on "
                    f"{stretch.waits_on}) for {steps} steps, while other threads took "
                    f"{stretch.resource} {stretch.passes} times"
                )
                kernel.emit(thread, EventKind.BLOCK, stretch.waits_on, text)
                found = Verdict(VerdictKind.STARVATION, text + ".", (thread.name,), kernel.step)
        return found

    def _program_ended(self, thread: SimThread) -> Verdict | None:
        """``thread`` ended the program's process (``os._exit``, or a signal's default
        action): the run is over, finished with status 0, failed with any other."""
        kernel = self._kernel
        if self.terminal:
            return None
        self.terminal = True
        status = kernel.exit_status
        if not status:
            kernel.emit(None, EventKind.FINISHED, None, f"{thread.name} ended the program")
            return None
        self.failed_state = True
        self.verdict = Verdict(
            VerdictKind.FAILED,
            f"{thread.name} ended the program's process: {kernel.how_it_ended}",
            (thread.name,),
            kernel.step,
            ends_program=True,
        )
        kernel.emit(thread, EventKind.FAIL, None, self.verdict.text)
        return self.verdict

    def idle_reason(self) -> str | None:
        """Why nothing runs although the user can still move things (or None)."""
        kernel = self._kernel
        if self.terminal or kernel.in_step or not self._waits_for_user:
            return None
        live = kernel.live_threads
        if not live or any(t.state.can_run for t in live):
            return None
        if any(
            t.state is ThreadState.WAITING and getattr(t.blocked_on, "accepts_user", False)
            for t in live
        ):
            return self._idle_hint
        return None

    def run_state(self, paused: bool) -> RunState:
        verdict = self.verdict
        if verdict is not None and verdict.kind not in PAUSING and self.terminal:
            return RunState(verdict.kind.value)
        if self.failed_state:
            return RunState(verdict.kind.value) if verdict is not None else RunState.FAILED
        if self.terminal:
            return RunState.FINISHED
        return RunState.PAUSED if paused else RunState.RUNNING

    def refuse_if_over(self) -> None:
        """Raise ``ControlRefused`` when the run has ended."""
        if self._kernel.stopping:
            raise ControlRefused("the run has stopped")
        if self.terminal:
            if self.verdict is not None and self.verdict.kind not in PAUSING:
                ended = self.verdict.kind.value.lower()
                raise ControlRefused(f"the run has ended in {ended}: step back or restart it")
            raise ControlRefused("the run has finished: step back or restart it")


def why_not(thread: SimThread) -> str:
    """Why ``thread`` cannot run now, in words."""
    state = thread.state
    if state is ThreadState.BLOCKED and thread.blocked_on is not None:
        return f"it is blocked on {thread.blocked_on.name}"
    if state is ThreadState.WAITING and thread.blocked_on is not None:
        return f"it is waiting on {thread.blocked_on.name}"
    return f"it is {state.value}"


def _broken_assert(thread: SimThread, program_file: str, step: int) -> Verdict:
    """An uncaught ``AssertionError`` in a program's thread: its own invariant broke."""
    broken = thread.broken_assert
    assert broken is not None
    where = f"line {broken.line}" if broken.line is not None else "no line"
    if broken.file and broken.file != program_file:
        where = f"{os.path.basename(broken.file)}, {where}"
    what = broken.source or "AssertionError"
    text = f"Invariant broken in {thread.name}: {what} ({where})"
    text += f": {broken.message}" if broken.message else "."
    return Verdict(
        VerdictKind.VIOLATION,
        text,
        (thread.name,),
        step,
        file=broken.file or program_file,
        line=broken.line,
    )


def _mentions(text: str, name: str) -> bool:
    """Whether ``text`` names the thread ``name`` as a whole word."""
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def _holder(thread: SimThread) -> SimThread | None:
    """The thread that holds what ``thread`` waits for (mutexes only have one)."""
    return getattr(thread.blocked_on, "owner", None)


def find_cycle(threads: Sequence[SimThread]) -> list[str]:
    """Names along a wait-for cycle (first name repeated at the end), or [] if none."""
    for start in threads:
        path: list[SimThread] = []
        current: SimThread | None = start
        while current is not None and current not in path:
            path.append(current)
            current = _holder(current) if current.state is ThreadState.BLOCKED else None
        if current is not None:
            cycle = path[path.index(current) :]
            return [t.name for t in cycle] + [current.name]
    return []


def _waits_on(thread: SimThread) -> str:
    primitive = thread.blocked_on
    if primitive is None:
        return f"{thread.name} is {thread.state.value}"
    return primitive.waiting_text(thread)


def _resource(primitive: object) -> str | None:
    """What a thread waiting on ``primitive`` needs: a condition's lock, else the primitive."""
    if primitive is None:
        return None
    mutex = getattr(primitive, "mutex", None)
    return str(mutex.name if mutex is not None else getattr(primitive, "name", ""))


def _at_line(thread: SimThread) -> str:
    line = thread.main_line if thread.main_line is not None else thread.line
    return f" at line {line}" if line is not None else ""


def _line_of(thread: SimThread) -> str:
    line = thread.main_line if thread.main_line is not None else thread.line
    return f" (line {line})" if line is not None else ""


def _signal_waiters(thread: SimThread) -> str:
    primitive = thread.blocked_on
    return primitive.signal_waiters(thread) if primitive is not None else thread.name


def _own_line(thread: SimThread) -> str:
    """The thread's line, unless what it waits on says the lines itself (a loop's tasks)."""
    if getattr(thread.blocked_on, "lines_in_text", False):
        return ""
    return _line_of(thread)


def waits_for_signal(thread: SimThread) -> bool:
    """Whether ``thread`` waits for another thread's signal (a notify, an event's set)."""
    return thread.state is ThreadState.WAITING and bool(
        getattr(thread.blocked_on, "waits_for_signal", False)
    )


def _number(thread: SimThread) -> int:
    return thread.index


def describe_deadlock(threads: Sequence[SimThread], step: int) -> Verdict:
    """Why no thread can run: a cycle of holds is a deadlock; with no cycle, threads
    waiting for a signal no live thread can send are a lost wakeup."""
    stuck = [t for t in threads if t.state in (ThreadState.BLOCKED, ThreadState.WAITING)]
    cycle = find_cycle(stuck)
    waiters = [t for t in stuck if waits_for_signal(t)]
    if not cycle and waiters:
        return _lost_wakeup(stuck, waiters, step)
    parts = ["Deadlock: no thread can run."]
    if cycle:
        parts.append(f"Cycle: {' → '.join(cycle)}.")
    parts.append("; ".join(_waits_on(t) for t in stuck) + ".")
    return Verdict(VerdictKind.DEADLOCK, " ".join(parts), tuple(t.name for t in stuck), step)


def _lost_wakeup(stuck: Sequence[SimThread], waiters: Sequence[SimThread], step: int) -> Verdict:
    """No cycle of holds: the waiters wait for a signal that was sent before they waited,
    or never, and every thread that could send it has ended or waits too."""
    names = ", ".join(_signal_waiters(t) for t in waiters)
    parts = [
        f"Lost wakeup: no thread can run, and no live thread is left to wake {names} "
        "(no cycle of locks: the signal came before the wait, or never)."
    ]
    parts.append("; ".join(_waits_on(t) + _own_line(t) for t in stuck) + ".")
    others = tuple(t.name for t in stuck if t not in waiters)
    return Verdict(
        VerdictKind.LOST_WAKEUP,
        " ".join(parts),
        tuple(t.name for t in waiters) + others,
        step,
    )
