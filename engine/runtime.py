"""The runtime: real scenario threads under a controlled, reproducible schedule.

Each scenario thread is a real ``threading.Thread``. Every operation on an engine primitive
is a checkpoint: the thread parks there on its own semaphore (its *gate*) until the
scheduler grants it one step. Between two checkpoints exactly one scenario thread runs, so
the same scenario, variant, parameters, seed and user actions give the same events, every
time.

A driver thread (the scheduler) grants steps: as paced by the speed, when the user steps,
or never while paused. User actions (signal, broadcast, spurious wakeup) are applied
between steps, under the runtime's one lock, so they are safe from any thread at any moment.
"""

from __future__ import annotations

import inspect
import re
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

from threadlab.engine.history import MAX_THREADS, Action, History
from threadlab.engine.model import (
    STATE_CODES,
    Event,
    RunState,
    Snapshot,
    SourceLine,
    ThreadState,
    ThreadView,
    TimelineColumn,
    Verdict,
    VerdictKind,
)
from threadlab.engine.scheduler import make_policy
from threadlab.engine.verdicts import describe_deadlock
from threadlab.engine.world import World

if TYPE_CHECKING:
    from threadlab.engine.primitives.base import Primitive
    from threadlab.engine.primitives.condition import Condition
    from threadlab.engine.primitives.event_queue import EventQueue
    from threadlab.engine.scenario import RunConfig

DEFAULT_SPEED = 4.0
"""Steps per second when nothing else is asked for: slow enough to follow by eye."""

RECENT_EVENTS = 200
"""How many events a snapshot carries; older ones are dropped, so memory stays bounded."""

TIMELINE_STEPS = 400
"""How many timeline columns a snapshot carries."""

TIMELINE_MARKS = {
    "signal": "s",
    "broadcast": "b",
    "spurious": "!",
    "violation": "V",
    "deadlock": "D",
    "fail": "F",
}
"""Events worth a mark on the timeline, and their mark."""

_local = threading.local()


class StopRun(SystemExit):
    """Raised inside a scenario thread at a checkpoint to unwind it when the run stops.

    Not an ``Exception``, so scenario code catching ``Exception`` cannot swallow it; a
    ``SystemExit`` because asyncio lets that (and only that kind) through its callbacks
    and tasks, so a thread running an event loop unwinds too.
    """


class ControlRefused(Exception):
    """A control action that does not apply now; the message says why, for a notification."""


class ReplayDiverged(Exception):
    """Re-executing a recorded history went another way: the scenario (or its code)
    is not the one the history was recorded with."""

    def __init__(self, step: int, reason: str) -> None:
        super().__init__(f"the run went another way at step {step}: {reason}")
        self.step = step


@dataclass(eq=False)
class SimThread:
    """The engine's bookkeeping for one scenario thread (mutable, internal)."""

    name: str
    index: int
    target: Callable[..., Any]
    args: tuple[Any, ...]
    state: ThreadState = ThreadState.RUNNABLE
    operation: str = "starting"
    blocked_on: Primitive | None = None
    line: int | None = None
    traceback: str | None = None
    gate: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    os_thread: threading.Thread | None = None
    stopped: bool = False
    """Set when its run stops: the thread unwinds at its next checkpoint. Per thread, so a
    straggler of a stopped run can never act on the run that replaced it."""

    def view(self) -> ThreadView:
        return ThreadView(
            name=self.name,
            index=self.index,
            state=self.state,
            operation=self.operation,
            waits_on=self.blocked_on.name if self.blocked_on is not None else None,
            line=self.line,
            traceback=self.traceback,
        )


def current_thread() -> tuple[Runtime, SimThread]:
    """The runtime and scenario thread the caller runs in.

    Raises:
        RuntimeError: when called outside a scenario thread.
    """
    runtime = getattr(_local, "runtime", None)
    if runtime is None:
        raise RuntimeError("engine primitives can only be used from scenario threads")
    return runtime, _local.thread


class Runtime:
    """Runs one scenario configuration and answers control calls from any thread.

    Args:
        config: scenario, variant, parameters and seed.
        paused: start paused (no step is taken until ``step`` or ``resume``).
        speed: steps per second, or None for as fast as possible.
        policy: 'random' (seeded) or 'round-robin'.
        event_sink: called with every event as it happens (under the runtime lock).
        step_sink: called after every step with the step number and each thread's
            (name, state), the running one shown as running (under the runtime lock).
        history: a recorded history to follow (a run file's); ``goto`` re-executes it.
    """

    def __init__(
        self,
        config: RunConfig,
        *,
        paused: bool = False,
        speed: float | None = DEFAULT_SPEED,
        policy: str = "random",
        event_sink: Callable[[Event], None] | None = None,
        step_sink: Callable[[int, tuple[tuple[str, ThreadState], ...]], None] | None = None,
        history: History | None = None,
    ) -> None:
        self.config = config
        self._policy_name = policy
        self._event_sink = event_sink
        self._step_sink = step_sink
        self._history = history.copy() if history is not None else History()
        self._revision = 0
        self._cv = threading.Condition()
        self._lifecycle = threading.RLock()
        """Serialises start, stop, goto and restart, whichever threads call them."""
        self._paused = paused
        self._speed = self._check_speed(speed)
        self._driver: threading.Thread | None = None
        self._scenario_file = config.scenario.build.__code__.co_filename
        self._setup()

    # ----------------------------------------------------------------- set-up

    def _setup(self) -> None:
        self._threads: list[SimThread] = []
        self._by_name: dict[str, SimThread] = {}
        self._primitives: list[Primitive] = []
        self._by_primitive_name: dict[str, Primitive] = {}
        self._invariants: list[tuple[str, Callable[[], str | None]]] = []
        self._watches: list[tuple[str, Callable[[], object]]] = []
        self._extra_source: list[Callable[..., Any]] = []
        self._watch_values: tuple[tuple[str, str], ...] = ()
        self._events: deque[Event] = deque(maxlen=RECENT_EVENTS)
        self._step = 0
        self._revision += 1  # never reset: the UI redraws whenever it changes
        self._actions_applied = 0
        self._replaying = False
        self._timeline: deque[TimelineColumn] = deque(maxlen=TIMELINE_STEPS)
        self._step_marks = ""
        self._verdict: Verdict | None = None
        self._failure_pending: SimThread | None = None
        self._failed_state = False
        self._terminal = False
        self._budget = 0
        self._targets: deque[str] = deque()
        self._in_step = False
        self._step_done = False
        self._stopping = False
        self._waiting_controls = 0
        self._next_due = 0.0
        self._policy = make_policy(self._policy_name, self.config.seed)
        scenario = self.config.scenario
        scenario.build(World(self), self.config.param_values, self.config.variant)
        self._source = self._collect_source()

    def _register(self, primitive: Primitive) -> None:
        if primitive.name in self._by_primitive_name:
            raise ValueError(f"two primitives are named {primitive.name!r}")
        self._primitives.append(primitive)
        self._by_primitive_name[primitive.name] = primitive

    def _spawn(self, name: str, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
        if name in self._by_name:
            raise ValueError(f"two threads are named {name!r}")
        if len(self._threads) >= MAX_THREADS:
            raise ValueError(f"a run has at most {MAX_THREADS} threads")
        thread = SimThread(name, len(self._threads) + 1, target, args)
        self._threads.append(thread)
        self._by_name[name] = thread

    def _add_invariant(self, text: str, check: Callable[[], str | None]) -> None:
        self._invariants.append((text, check))

    def _add_watch(self, name: str, read: Callable[[], object]) -> None:
        self._watches.append((name, read))

    def _read_watches(self) -> None:
        """Read watched scenario state between steps, where it is consistent; primitives
        that show state owned by a scenario thread (an event loop's tasks) copy it now."""
        self._watch_values = tuple((name, str(read())) for name, read in self._watches)
        for primitive in self._primitives:
            primitive.settle()

    def _collect_source(self) -> tuple[SourceLine, ...]:
        """The source of every distinct thread function, dedented, with file line numbers."""
        lines: list[SourceLine] = []
        seen: set[object] = set()
        for function in [t.target for t in self._threads] + self._extra_source:
            code = function.__code__
            if code in seen or code.co_filename != self._scenario_file:
                continue  # shown once; engine-provided bodies (pool workers) not at all
            seen.add(code)
            texts, start = inspect.getsourcelines(function)
            indent = min(
                (len(t) - len(t.lstrip()) for t in texts if t.strip()),
                default=0,
            )
            if lines:
                lines.append(SourceLine(0, ""))
            lines.extend(
                SourceLine(start + i, text[indent:].rstrip()) for i, text in enumerate(texts)
            )
        return tuple(lines)

    # --------------------------------------------------------------- lifecycle

    def start(self, at_step: int = 0) -> None:
        """Run every thread to its first checkpoint (step 0), re-execute the recorded
        history up to ``at_step`` (paused there), then start the scheduler."""
        with self._lifecycle:
            if self._driver is not None:
                raise RuntimeError("this run has already started")
            diverged = None
            with self._cv:
                if self._stopping:
                    return  # stopped before it started: nothing to run
                for thread in self._threads:
                    self._in_step, self._step_done = True, False
                    thread.state = ThreadState.RUNNING
                    thread.os_thread = threading.Thread(
                        target=self._thread_main,
                        args=(thread,),
                        name=f"threadlab-{thread.name}",
                        daemon=True,
                    )
                    thread.os_thread.start()
                    while not self._step_done and not self._stopping:
                        self._cv.wait()
                    self._in_step = False
                self._after_step(self._threads[0] if self._threads else None)
                if at_step:
                    self._paused = True
                try:
                    self._fast_forward(min(at_step, len(self._history)))
                except ReplayDiverged as error:
                    # Keep what matched: the run stays usable, paused at the last good step.
                    diverged = error
                    self._history.truncate(self._step, self._actions_applied)
                    self._paused = True
                self._next_due = time.monotonic()
            self._driver = threading.Thread(
                target=self._drive, name="threadlab-scheduler", daemon=True
            )
            self._driver.start()
        if diverged is not None:
            raise diverged

    def stop(self, timeout: float = 1.0) -> bool:
        """End the run: every scenario thread, blocked and waiting ones too, unwinds.

        Returns:
            True when every thread has ended within ``timeout`` seconds.
        """
        with self._lifecycle:
            return self._stop(timeout)

    def _stop(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cv:
            self._stopping = True
            for thread in self._threads:
                thread.stopped = True
            self._cv.notify_all()
        if self._driver is not None:
            self._driver.join(max(0.0, deadline - time.monotonic()))
        for thread in self._threads:
            thread.gate.release()
        alive = False
        for thread in self._threads:
            if thread.os_thread is not None:
                thread.os_thread.join(max(0.0, deadline - time.monotonic()))
                alive = alive or thread.os_thread.is_alive()
        return not alive and not (self._driver is not None and self._driver.is_alive())

    def restart(self) -> None:
        """Stop this run and start the same configuration from step 0, with a new history."""
        with self._lifecycle:
            self.stop()
            with self._cv:
                self._driver = None
                self._history = History()
                self._setup()
            self.start()

    # ------------------------------------------------------------ time travel

    def goto(self, step: int) -> None:
        """Show the run exactly as it was at ``step`` (0 to the end of the history),
        paused, by re-executing the recorded choices and actions from the start.

        The history after ``step`` is kept, so going forward again replays it, until the
        user takes a new step or action there, which starts a new history.

        Raises:
            ControlRefused: ``step`` is outside the recorded history.
        """
        with self._lifecycle:
            end = len(self._history)
            if not 0 <= step <= end:
                raise ControlRefused(f"step {step} is not in this run (valid: 0..{end})")
            self.stop()
            with self._cv:
                self._driver = None
                self._setup()
                self._paused = True
            self.start(at_step=step)

    def step_back(self, count: int = 1) -> None:
        """Go back ``count`` steps (to the start at most)."""
        with self._cv:
            current = self._step
        if current == 0:
            raise ControlRefused("already at step 0")
        self.goto(max(0, current - count))

    @property
    def history_length(self) -> int:
        """How many steps the recorded history holds (the end ``goto`` can reach)."""
        with self._cv:
            return len(self._history)

    def history(self, up_to_now: bool = False) -> History:
        """A copy of the recorded history (what a run file stores); with ``up_to_now``,
        only as far as the step shown now, so that replaying it ends here."""
        with self._cv:
            history = self._history.copy()
            if up_to_now:
                history.truncate(self._step, self._actions_applied)
            return history

    # ----------------------------------------------------------------- control

    def pause(self) -> None:
        with self._cv:
            self._paused = True
            self._revision += 1
            self._cv.notify_all()

    def resume(self) -> None:
        with self._cv:
            self._refuse_if_over()
            self._paused = False
            self._failed_state = False
            self._next_due = time.monotonic()
            self._revision += 1
            self._cv.notify_all()

    def toggle_pause(self) -> bool:
        """Pause when running, resume when paused. Returns True when now paused."""
        if self.is_paused:
            self.resume()
            return False
        self.pause()
        return True

    @property
    def is_paused(self) -> bool:
        with self._cv:
            return self._paused

    def step(self, count: int = 1) -> None:
        """Grant ``count`` steps, each to the thread the policy picks."""
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._cv:
            self._wait_between_steps()
            self._refuse_if_over()
            if not any(t.state.can_run for t in self._threads):
                raise ControlRefused(self._idle_reason() or "no thread can run now")
            self._budget += count
            self._cv.notify_all()

    def step_thread(self, name: str) -> None:
        """Grant one step to the named thread.

        Raises:
            ControlRefused: the thread does not exist or cannot run now; nothing changes.
        """
        with self._cv:
            self._wait_between_steps()
            self._refuse_if_over()
            thread = self._by_name.get(name)
            if thread is None:
                valid = ", ".join(self._by_name)
                raise ControlRefused(f"no thread named {name!r} (valid: {valid})")
            if not thread.state.can_run:
                raise ControlRefused(f"{name} cannot run now: {self._why_not(thread)}")
            self._targets.append(name)
            self._cv.notify_all()

    @property
    def speed(self) -> float | None:
        return self._speed

    def set_speed(self, speed: float | None) -> None:
        """Steps per second (a positive number), or None for as fast as possible."""
        speed = self._check_speed(speed)
        with self._cv:
            self._speed = speed
            self._next_due = time.monotonic()
            self._revision += 1
            self._cv.notify_all()

    def signal(self, condition: str) -> None:
        """The user signals a condition: its first waiter wakes."""
        self._user_action(("signal", condition))

    def broadcast(self, condition: str) -> None:
        """The user broadcasts on a condition: all its waiters wake."""
        self._user_action(("broadcast", condition))

    def spurious_wakeup(self, condition: str, thread: str | None = None) -> None:
        """Wake a waiter of ``condition`` with no signal at all (the first one if None)."""
        self._user_action(("spurious", condition, thread or ""))

    def post_event(self, queue: str) -> None:
        """The user posts an event to an event queue (its scenario says what it does)."""
        self._user_action(("post", queue))

    def event_queue_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self._primitives if p.kind == "events")

    def wait_idle(self, timeout: float | None = 10.0) -> bool:
        """Block until no step is in progress or owed (paused, or nothing can run).

        Returns:
            False when ``timeout`` passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while not self._quiet():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cv.wait(0.05 if remaining is None else min(remaining, 0.05))
            return True

    # ----------------------------------------------------------------- snapshot

    def snapshot(self) -> Snapshot:
        """An immutable view of everything visible now."""
        with self._cv:
            return Snapshot(
                scenario=self.config.scenario.name,
                title=self.config.scenario.title,
                variant=self.config.variant,
                seed=self.config.seed,
                step=self._step,
                revision=self._revision,
                run_state=self._run_state(),
                speed=self._speed,
                threads=tuple(t.view() for t in self._threads),
                primitives=tuple(p.view() for p in self._primitives),
                events=tuple(self._events),
                verdict=self._verdict,
                idle_reason=self._idle_reason(),
                source=self._source,
                watches=self._watch_values,
                timeline=tuple(self._timeline),
                history_length=len(self._history),
                pace_paused=self._paused,
                conditions=self.condition_names(),
                event_queues=self.event_queue_names(),
            )

    def condition_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self._primitives if p.kind == "condition")

    # --------------------------------------------------- driver (the scheduler)

    def _drive(self) -> None:
        with self._cv:
            while not self._stopping:
                if self._waiting_controls and not (self._targets or self._budget):
                    # A control call waits for the gap after the steps already asked for:
                    # let it in, or at max speed it would never get the lock.
                    self._cv.wait()
                    continue
                thread, by_user, timeout = self._pick()
                if thread is None:
                    self._cv.notify_all()
                    self._cv.wait(timeout)
                    continue
                self._run_step(thread, by_user)
                self._cv.notify_all()

    def _pick(self) -> tuple[SimThread | None, bool, float | None]:
        """The thread to run now and whether the user chose it, or None and how long to
        wait before asking again."""
        runnable = [t for t in self._threads if t.state.can_run]
        if self._terminal or not runnable:
            self._budget = 0
            self._targets.clear()
            return None, False, None
        while self._targets:
            thread = self._by_name[self._targets.popleft()]
            if thread.state.can_run:
                return thread, True, None
        if self._budget:
            self._budget -= 1
            return self._policy.choose(runnable), False, None
        if self._paused:
            return None, False, None
        if self._speed is not None:
            now = time.monotonic()
            if now < self._next_due:
                return None, False, self._next_due - now
            self._next_due = now + 1.0 / self._speed
        return self._policy.choose(runnable), False, None

    def _run_step(self, thread: SimThread, by_user: bool) -> None:
        if not self._replaying:  # a new step: from here on, this is the history
            self._history.truncate(self._step, self._actions_applied)
            self._history.record_step(thread.index, by_user)
        self._step += 1
        self._revision += 1
        self._failed_state = False
        self._in_step, self._step_done = True, False
        thread.state = ThreadState.RUNNING
        thread.gate.release()
        while not self._step_done and not self._stopping:
            self._cv.wait()
        self._in_step = False
        if not self._stopping:
            self._record_column(thread)
            self._after_step(thread)

    def _record_column(self, ran: SimThread) -> None:
        """One timeline column: every thread's state after this step, the one that ran
        shown as running."""
        states = tuple(
            (t.name, ThreadState.RUNNING if t is ran and not t.state.ended else t.state)
            for t in self._threads
        )
        codes = "".join(STATE_CODES[s] for _, s in states)
        self._timeline.append(TimelineColumn(self._step, codes, self._step_marks))
        self._step_marks = ""
        if self._step_sink is not None:
            self._step_sink(self._step, states)

    def _after_step(self, thread: SimThread | None) -> None:
        """Verdicts, checked after every step: failure, invariants, end, deadlock."""
        self._read_watches()
        failed = self._failure_pending
        if failed is not None:
            self._failure_pending = None
            self._failed_state = True
            self._pause_for_verdict(
                Verdict(
                    VerdictKind.FAILED,
                    f"{failed.name} failed: {failed.operation.removeprefix('failed: ')}",
                    (failed.name,),
                    self._step,
                )
            )
        for text, check in self._invariants:
            problem = check()
            if problem:
                involved = [t.name for t in self._threads if _mentions(problem, t.name)]
                if not involved and thread is not None:
                    involved = [thread.name]
                self._terminal = True
                self._event(None, "violation", None, f"{text}: {problem}")
                self._pause_for_verdict(
                    Verdict(
                        VerdictKind.VIOLATION,
                        f"Invariant broken: {text}. {problem}.",
                        tuple(involved),
                        self._step,
                    )
                )
                return
        if all(t.state.ended for t in self._threads):
            if not self._terminal:
                self._terminal = True
                self._event(None, "finished", None, "every thread has finished")
            return
        if any(t.state.can_run for t in self._threads) or self._idle_reason():
            return
        self._terminal = True
        verdict = describe_deadlock(self._threads, self._step)
        self._event(None, "deadlock", None, verdict.text)
        self._pause_for_verdict(verdict)

    def _pause_for_verdict(self, verdict: Verdict) -> None:
        self._verdict = verdict
        self._paused = True
        self._budget = 0
        self._targets.clear()

    # ------------------------------------------- called from scenario threads

    def _checkpoint(
        self,
        operation: str,
        state: ThreadState = ThreadState.RUNNABLE,
        line: int | None = None,
    ) -> SimThread:
        """Park the calling scenario thread until the scheduler grants it a step.

        Args:
            operation: what the thread is about to do, in words.
            state: RUNNABLE, or WORKING for simulated work.
            line: its line in the scenario source; by default the innermost scenario frame.
        """
        _runtime, thread = current_thread()
        if line is None:
            line = self._caller_line()
        with self._cv:
            if thread.stopped:
                raise StopRun
            thread.operation = operation
            thread.line = line
            thread.state = state
            thread.blocked_on = None
            self._end_step()
        self._await_turn(thread)
        return thread

    def _block(self, thread: SimThread, state: ThreadState, primitive: Primitive) -> None:
        """Mark the running thread blocked or waiting in ``primitive``'s queue (lock held).

        The caller then leaves the lock and calls ``_await_turn``.
        """
        thread.state = state
        thread.blocked_on = primitive
        self._end_step()

    def _await_turn(self, thread: SimThread) -> None:
        thread.gate.acquire()
        if thread.stopped:
            raise StopRun

    def _wake(self, thread: SimThread, operation: str) -> None:
        """Make a blocked or waiting thread runnable again (lock held)."""
        thread.state = ThreadState.RUNNABLE
        thread.blocked_on = None
        thread.operation = operation
        self._revision += 1

    def _current(self) -> tuple[Runtime, SimThread]:
        return current_thread()

    def _end_step(self) -> None:
        self._step_done = True
        self._cv.notify_all()

    def _event(
        self, thread: SimThread | None, kind: str, primitive: str | None, detail: str = ""
    ) -> None:
        event = Event(
            step=self._step,
            thread=thread.name if thread is not None else None,
            kind=kind,
            primitive=primitive,
            detail=detail,
            line=thread.line if thread is not None else None,
        )
        self._events.append(event)
        mark = TIMELINE_MARKS.get(kind)
        if mark is not None:
            if self._in_step:  # its column is added when the step ends
                self._step_marks += mark if mark not in self._step_marks else ""
            elif self._timeline and self._timeline[-1].step == self._step:
                column = self._timeline[-1]
                if mark not in column.marks:
                    self._timeline[-1] = TimelineColumn(
                        column.step, column.states, column.marks + mark
                    )
        if self._event_sink is not None:
            self._event_sink(event)

    def _thread_main(self, thread: SimThread) -> None:
        _local.runtime = self
        _local.thread = thread
        try:
            thread.target(*thread.args)
        except StopRun:
            with self._cv:
                if thread in self._threads:  # not a straggler of a run since replaced
                    self._end_step()
        except BaseException as exc:  # a scenario bug: the thread fails, the others go on
            with self._cv:
                thread.state = ThreadState.FAILED
                thread.blocked_on = None
                thread.operation = f"failed: {type(exc).__name__}: {exc}"
                thread.traceback, line = self._scenario_traceback(exc)
                thread.line = line or thread.line
                self._failure_pending = thread
                self._event(thread, "fail", None, f"{type(exc).__name__}: {exc}")
                self._end_step()
        else:
            with self._cv:
                thread.state = ThreadState.DONE
                thread.operation = "done"
                self._event(thread, "done", None)
                self._end_step()

    def _caller_line(self) -> int | None:
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename == self._scenario_file:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def _scenario_traceback(self, exc: BaseException) -> tuple[str, int | None]:
        """The traceback trimmed to the scenario's own frames, and the failing line."""
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if f.filename == self._scenario_file
        ]
        text = "".join(traceback.format_list(frames))
        text += "".join(traceback.format_exception_only(type(exc), exc))
        return text, frames[-1].lineno if frames else None

    # ---------------------------------------------------------------- helpers

    def _user_action(self, action: Action) -> None:
        with self._cv:
            self._wait_between_steps()
            self._refuse_if_over()
            self._apply_action(action)
            self._history.truncate(self._step, self._actions_applied)
            self._history.record_action(self._step, action)
            self._actions_applied += 1
            self._cv.notify_all()

    def _apply_action(self, action: Action) -> None:
        """Carry out a user action (lock held, between steps)."""
        kind, target, *rest = action
        if kind == "signal":
            self._condition(target).user_signal()
        elif kind == "broadcast":
            self._condition(target).user_broadcast()
        elif kind == "spurious":
            self._condition(target).user_spurious(rest[0] or None)
        elif kind == "post":
            self._event_queue(target).user_post()
        else:
            raise ControlRefused(f"unknown action {kind!r}")
        self._read_watches()
        self._revision += 1

    def _apply_recorded_actions(self, step: int) -> None:
        """Re-apply the recorded actions that followed ``step`` (lock held)."""
        actions = self._history.actions
        while self._actions_applied < len(actions) and actions[self._actions_applied][0] == step:
            try:
                self._apply_action(actions[self._actions_applied][1])
            except ControlRefused as refused:
                raise ReplayDiverged(step, f"the recorded action was refused: {refused}") from None
            self._actions_applied += 1

    def _fast_forward(self, target: int) -> None:
        """Re-execute the recorded history up to ``target`` steps (lock held, before the
        scheduler starts): policy choices are drawn again, so the policy's state matches."""
        self._replaying = True
        try:
            for index in range(target):
                self._apply_recorded_actions(index)
                if self._stopping:
                    return
                if self._terminal:
                    raise ReplayDiverged(index + 1, "the run had already ended")
                number, by_user = History.decode(self._history.steps[index])
                self._run_step(self._recorded_choice(index + 1, number, by_user), by_user)
            self._apply_recorded_actions(target)
        finally:
            self._replaying = False

    def _recorded_choice(self, step: int, number: int, by_user: bool) -> SimThread:
        """The thread a recorded step ran, checked against what can run now."""
        if not 1 <= number <= len(self._threads):
            raise ReplayDiverged(step, f"thread {number} was recorded, but there is no such thread")
        recorded = self._threads[number - 1]
        runnable = [t for t in self._threads if t.state.can_run]
        if not by_user and runnable:
            chosen = self._policy.choose(runnable)
            if chosen is not recorded:
                raise ReplayDiverged(
                    step, f"the policy picked {chosen.name} where {recorded.name} was recorded"
                )
        if recorded not in runnable:
            raise ReplayDiverged(
                step, f"{recorded.name} was recorded, but {self._why_not(recorded)}"
            )
        return recorded

    def _wait_between_steps(self) -> None:
        """Wait until the steps already asked for have run, so that the same sequence of
        calls always means the same run, however quickly the calls follow each other."""
        self._waiting_controls += 1
        try:
            while (self._in_step or self._targets or self._budget) and not self._stopping:
                self._cv.wait()
        finally:
            self._waiting_controls -= 1
            self._cv.notify_all()

    def _condition(self, name: str) -> Condition:
        primitive = self._by_primitive_name.get(name)
        if primitive is None or primitive.kind != "condition":
            valid = ", ".join(self.condition_names()) or "none in this scenario"
            raise ControlRefused(f"no condition named {name!r} (valid: {valid})")
        return primitive  # type: ignore[return-value]

    def _event_queue(self, name: str) -> EventQueue:
        primitive = self._by_primitive_name.get(name)
        if primitive is None or primitive.kind != "events":
            valid = ", ".join(self.event_queue_names()) or "none in this scenario"
            raise ControlRefused(f"no event queue named {name!r} (valid: {valid})")
        return primitive  # type: ignore[return-value]

    def _refuse_if_over(self) -> None:
        if self._stopping:
            raise ControlRefused("the run has stopped")
        if self._terminal:
            if self._verdict is not None and self._verdict.kind is not VerdictKind.FAILED:
                ended = self._verdict.kind.value.lower()
                raise ControlRefused(f"the run has ended in {ended}: step back or restart it")
            raise ControlRefused("the run has finished: step back or restart it")

    def _why_not(self, thread: SimThread) -> str:
        state = thread.state
        if state is ThreadState.BLOCKED and thread.blocked_on is not None:
            return f"it is blocked on {thread.blocked_on.name}"
        if state is ThreadState.WAITING and thread.blocked_on is not None:
            return f"it is waiting on {thread.blocked_on.name}"
        return f"it is {state.value}"

    def _idle_reason(self) -> str | None:
        """Why nothing runs although the user can still move things (or None)."""
        if self._terminal or self._in_step or not self.config.scenario.waits_for_user:
            return None
        live = [t for t in self._threads if not t.state.ended]
        if not live or any(t.state.can_run for t in live):
            return None
        if any(
            t.state is ThreadState.WAITING and getattr(t.blocked_on, "accepts_user", False)
            for t in live
        ):
            return self.config.scenario.idle_hint
        return None

    def _quiet(self) -> bool:
        if self._in_step:
            return False
        if self._terminal or self._stopping:
            return True
        if not any(t.state.can_run for t in self._threads):
            return True
        if self._budget or self._targets:
            return False
        return self._paused

    def _run_state(self) -> RunState:
        verdict = self._verdict
        if verdict is not None and verdict.kind is not VerdictKind.FAILED and self._terminal:
            return RunState(verdict.kind.value)
        if self._failed_state:
            return RunState.FAILED
        if self._terminal:
            return RunState.FINISHED
        return RunState.PAUSED if self._paused else RunState.RUNNING

    @staticmethod
    def _check_speed(speed: float | None) -> float | None:
        if speed is not None and not speed > 0:
            raise ValueError(f"speed must be a positive number of steps per second, not {speed}")
        return speed


def _mentions(text: str, name: str) -> bool:
    """Whether ``text`` names the thread ``name`` as a whole word."""
    return re.search(rf"\b{re.escape(name)}\b", text) is not None
