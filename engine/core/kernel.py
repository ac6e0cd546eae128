"""The kernel: the one small interface every primitive is written against.

A primitive uses this and nothing else of the engine:

- ``lock``: the engine lock. Hold it (``with kernel.lock:``) to read or change shared state;
  control calls from the UI thread take it too, so they are safe at any moment.
- ``checkpoint(operation)``: the calling scenario thread reaches a scheduling point and
  waits for its turn. Returns the caller's ``SimThread``.
- ``park(thread, primitive, state)`` (lock held): the running thread joins ``primitive``'s
  FIFO queue, BLOCKED or WAITING, and its step ends. After leaving the lock it calls
  ``resume(thread)``, which returns once someone has woken it and it has the turn again,
  with whatever the waker handed it.
- ``wake(thread, operation, value)`` (lock held): make a parked thread runnable again,
  optionally handing it a value (a task for a worker, an event for a loop).
- ``emit(thread, kind, primitive, detail)`` (lock held): record an event.
- ``current()``, ``thread_named()``, ``register()``, ``step`` and ``program_file``.
- ``clock``: the run's virtual time in seconds. Every step takes ``TICK``; when no thread
  can run but some sleep or wait with a timeout, the clock jumps to the earliest deadline.
  ``park(..., deadline=)`` and ``sleep(thread, deadline)`` wait in virtual time; a thread
  whose deadline passes is woken with ``TIMED_OUT``.
- ``start_thread_now(...)``: a thread the program starts while it runs (``Thread.start``).

The turn: exactly one scenario thread runs between two checkpoints. When it reaches its
next one (or parks, or ends) it calls ``turn_ended``, which the driver supplies: that
checks the verdicts and, when the pace allows, releases the next thread's gate straight
away, so a step costs about one thread switch.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from ..snapshot.model import STATE_CODES, Event, EventKind, OutputLine, ThreadState, TimelineColumn
from . import awake
from .collector import collecting
from .errors import StopRun
from .footprint import continuation_watched, footprint_of
from .history import MAX_THREADS
from .registry import Registry
from .source import broken_assert, caller_place, program_traceback
from .threads import SimThread, bind, bound, unwind

_NOTHING: frozenset[str] = frozenset()

if TYPE_CHECKING:
    from ..primitives.base import Primitive

RECENT_EVENTS = 200
"""How many events a snapshot carries; older ones are dropped, so memory stays bounded."""

TIMELINE_STEPS = 400
"""How many timeline columns a snapshot carries."""

TIMELINE_MARKS = {
    EventKind.SIGNAL: "s",
    EventKind.BROADCAST: "b",
    EventKind.SPURIOUS: "!",
    EventKind.VIOLATION: "V",
    EventKind.DEADLOCK: "D",
    EventKind.FAIL: "F",
}
"""Events worth a mark on the timeline, and their mark."""

Invariant = tuple[str, Callable[[], str | None]]
"""An invariant in words, and its check: None while it holds, else what is wrong."""

TICK = 0.001
"""Virtual seconds every step takes, so timeouts expire even while other threads run."""

OUTPUT_LINES = 1000
"""How many lines of the program's printed output a run keeps."""

SNAPSHOT_OUTPUT_LINES = 200
"""How many of the latest printed lines a snapshot carries."""

OutputSink = Callable[[OutputLine], None]
"""Called with every whole line the program prints, as it prints it."""

TIMED_OUT = object()
"""What ``resume`` returns to a thread woken because its deadline passed."""

INTERRUPTED = object()
"""What ``resume`` returns to a thread woken from its wait by a signal's handler
(``interrupt``): it waits again unless the handler raised."""

StepSink = Callable[[int, tuple[tuple[str, ThreadState], ...]], None]
"""Called after every step with its number and each thread's (name, state)."""


_RUNNING = ThreadState.RUNNING  # looked up once: a step reads it for every thread
_INTERRUPTIBLE = frozenset({ThreadState.BLOCKED, ThreadState.WAITING, ThreadState.SLEEPING})
_CODE_BYTES = {state: code.encode("ascii")[0] for state, code in STATE_CODES.items()}


class Kernel:
    """One run's threads, primitives and events, and the interface primitives use.

    Args:
        program_file: the file of the program's own code (its lines are the ones shown).
        revision: the revision to start counting from (it never goes back, across runs).
        event_sink: called with every event as it happens (under the lock).
        step_sink: called after every step (under the lock).
        output_sink: called with every whole line the program prints (under the lock).
    """

    def __init__(
        self,
        program_file: str,
        *,
        revision: int = 0,
        event_sink: Callable[[Event], None] | None = None,
        step_sink: StepSink | None = None,
        output_sink: OutputSink | None = None,
    ) -> None:
        self.lock = threading.Condition()
        """The engine lock (reentrant), and the condition control calls wait on."""
        self._lock_owned: Callable[[], bool] = self.lock._is_owned  # type: ignore[attr-defined]
        self.program_file = program_file
        self.program_files: list[str] = [program_file]
        """The program's file and every module of its own it has imported so far."""
        self.threads: list[SimThread] = []
        self.live_threads: dict[SimThread, None] = {}
        """The threads that have not ended, in the order they were made: what a step looks
        at, so that a step costs the same however many threads the program has finished."""
        self.ended_threads: list[SimThread] = []
        """The threads that have ended, in the order they ended."""
        self._state_codes = bytearray()
        """Every thread's ``STATE_CODES`` at the last timeline column (an ended thread's is
        written once, when it ends)."""
        self._registry = Registry()
        self.invariants: list[Invariant] = []
        self.watches: list[tuple[str, Callable[[], object]]] = []
        self.user_posts: dict[str, Callable[[], Any]] = {}
        """A program's queues the user may post into, by name: what each post puts."""
        self.handler_loops: dict[str, str] = {}
        """A program's queues of handlers, by name: the thread that runs them (an event
        loop whose handlers the judge times, see ``verdicts.HANDLER_BLOCKED_SECONDS``)."""
        self.events: deque[Event] = deque(maxlen=RECENT_EVENTS)
        self.timeline: deque[TimelineColumn] = deque(maxlen=TIMELINE_STEPS)
        self.step = 0
        """Steps taken so far."""
        self.revision = revision
        """Changes whenever anything visible changes."""
        self.in_step = False
        """A scenario thread has the turn now (between two checkpoints)."""
        self.running: SimThread | None = None
        """The thread given the turn last (it has it while ``in_step``)."""
        self.turn_began = 0.0
        """When (on the awake clock, ``awake.now``) ``running`` was given the turn: to tell
        a thread that runs long outside the schedule, never to choose what runs."""
        self.stopping = False
        self.clock = 0.0
        """Virtual seconds since the run started."""
        self.timed = 0
        """Threads with a deadline (sleeping, or waiting with a timeout)."""
        self.timers: dict[int, tuple[float, float]] = {}
        """The program's interval timers on the clock (``signal.setitimer``, ``alarm``): by
        key, when each rings next and its interval (0: once)."""
        self.timer_rang: Callable[[int], None] = lambda key: None
        """Called (lock held) with a timer's key when it rings (``program.signals``)."""
        self.output: deque[OutputLine] = deque(maxlen=OUTPUT_LINES)
        """The last lines the program printed."""
        self.exit_status: int | None = None
        """The program's exit status, once its main thread has ended."""
        self.ended_program: SimThread | None = None
        self.watching = False
        """The program's own code is watched (its shared accesses are steps: races on), so
        a step's footprint can be known (``core.footprint``); else every step touches
        anything."""
        self.raw_output: Callable[[], list[tuple[str, str]]] | None = None
        """What the process's descriptors 1 and 2 hold now, as (stream, text) pieces, where
        they are read (``Runtime``'s ``raw_output``): taken at the end of every step."""
        """The thread that ended the program's process (``os._exit``), once one has."""
        self.how_it_ended = ""
        """How ``ended_program`` ended it, in the program's words (``os._exit(3)``)."""
        self.pending_signals: list[int] = []
        """Signals whose handlers the main thread runs when it next has the turn."""
        self.handle_signals: Callable[[SimThread], None] = lambda thread: None
        """Runs the pending signals' handlers in the main thread (``program.signals``)."""
        self._partial_lines: dict[str, str] = {}
        """Per stream, what was printed after its last line end (it waits for the end)."""
        self._printed = 0
        """Lines printed so far (the shown output changes whenever this does)."""
        self._output_shown: tuple[int, tuple[OutputLine, ...]] = (0, ())
        """The latest lines as last handed to a snapshot, and ``_printed`` then."""
        self.names_used: dict[str, int] = {}
        """How often each name was given (threads' ``Thread-N``, primitives' names)."""
        self.sink_error: BaseException | None = None
        """What a sink raised, if one did (the run was stopped then)."""
        self.attached: dict[str, Any] = {}
        """What the layers above keep for this run (its ``threading`` module, its
        executors, its world), by a key of their own. Kept here, not in a weak mapping
        keyed by the kernel: such a value refers back to the kernel, so the mapping would
        keep every run alive for good."""
        self.turn_ended: Callable[[SimThread], None] = lambda thread: None
        """Called (lock held) by the thread whose turn just ended; the driver sets it."""
        self._threads_by_name: dict[str, SimThread] = {}
        self._marks = ""
        self._event_sink = event_sink
        self._step_sink = step_sink
        self._output_sink = output_sink

    # ------------------------------------------------------ for primitives

    def current(self) -> SimThread:
        """The scenario thread that calls.

        Raises:
            RuntimeError: when called outside a scenario thread of this run.
        """
        kernel, thread = bound()
        if kernel is not self:
            raise RuntimeError("this primitive belongs to another run")
        return thread

    def checkpoint(
        self,
        operation: str,
        state: ThreadState = ThreadState.RUNNABLE,
        line: int | None = None,
        touches: str | frozenset[str] | None = None,
    ) -> SimThread:
        """Park the calling scenario thread until the scheduler gives it the turn.

        Args:
            operation: what the thread is about to do, in words.
            state: RUNNABLE, or WORKING for simulated work.
            line: its line in the program; by default the innermost program frame.
            touches: the shared object the step touches (a primitive's or a variable's
                name, or a set of them), or None when it may touch anything: steps on
                different objects give the same state in either order (the explorer
                explores one). It holds only where the code after the checkpoint is
                watched (``core.footprint``); elsewhere the step touches anything.
        """
        thread = self.current()
        if self.inside_engine(thread) or collecting():
            # Code the garbage collector runs (a finalizer) belongs to the step it interrupts,
            # as under CPython, where it runs in the interrupted thread's time slice.
            return thread
        file: str | None = None
        main_line = line
        if line is None:
            file, line, main_line = caller_place(self.program_files, 1)
        footprint = None
        if (
            touches is not None
            and self.watching
            and continuation_watched(sys._getframe(1), self.program_files)
        ):
            footprint = footprint_of(touches)
        with self.lock:
            if thread.stopped:
                unwind(thread)
            thread.operation = operation
            thread.touches = footprint
            thread.file = file
            thread.line = line
            thread.main_line = main_line
            thread.state = state
            thread.blocked_on = None
            self.turn_ended(thread)
        self._await_turn(thread)
        return thread

    def end_program(self, thread: SimThread, status: int, how: str | None = None) -> NoReturn:
        """``thread`` ends the program's process (``os._exit``, or a signal whose default
        action ends it): its step is the run's last, with ``status`` as the program's exit
        status (minus the signal's number for a signal, as ``subprocess`` reports it);
        it then waits for the run to stop, and unwinds. Nothing is recorded after this
        step. ``how``: what ended it, in the program's words (``os._exit(status)``)."""
        how = how or f"os._exit({status})"
        if self.inside_engine(thread) or collecting():
            raise RuntimeError(f"{how} cannot end a run from where it was called")
        file, line, main_line = caller_place(self.program_files, 1)
        with self.lock:
            if thread.stopped:
                unwind(thread)
            self.take_raw_output()  # what it wrote before it ended the process is the run's
            self.exit_status = status
            self.ended_program = thread
            self.how_it_ended = how
            thread.file, thread.line, thread.main_line = file, line, main_line
            thread.state = ThreadState.DONE
            thread.operation = how
            self._thread_ended(thread)
            self.emit(thread, EventKind.EXIT, None, f"{how}: the program ends")
            self.turn_ended(thread)
        self._await_turn(thread)  # the run is over: no turn comes, only the stop
        raise StopRun

    def inside_engine(self, thread: SimThread) -> bool:
        """Whether ``thread`` is inside the engine's own work (holding the engine lock, or
        starting a thread), where no step can start and no thread can wait: only code the
        garbage collector runs there (a ``__del__``, a weakref callback) calls the program
        back then. Such code belongs to the step it interrupts, as it does under CPython."""
        return thread.inside_engine > 0 or self._lock_owned()

    def park(
        self,
        thread: SimThread,
        primitive: Primitive,
        state: ThreadState,
        *,
        operation: str | None = None,
        deadline: float | None = None,
    ) -> None:
        """The running ``thread`` joins the end of ``primitive``'s queue, BLOCKED or
        WAITING, and its step ends (lock held). Call ``resume`` after leaving the lock.

        With a ``deadline`` (virtual time), it is taken out of the queue and woken with
        ``TIMED_OUT`` once the clock reaches it, unless someone wakes it first."""
        primitive.queue.append(thread)
        thread.state = state
        thread.blocked_on = primitive
        if operation is not None:
            thread.operation = operation
        self._set_deadline(thread, deadline)
        self.turn_ended(thread)

    def sleep(self, thread: SimThread, deadline: float, operation: str) -> None:
        """The running ``thread`` sleeps until the clock reaches ``deadline`` (lock held);
        its step ends. Call ``resume`` after leaving the lock."""
        thread.state = ThreadState.SLEEPING
        thread.blocked_on = None
        thread.operation = operation
        self._set_deadline(thread, deadline)
        self.turn_ended(thread)

    def advance_clock(self) -> None:
        """A step has ended: time moves on by ``TICK``, timers due ring, and threads whose
        deadline has come are woken. When none can run but some have a deadline, or a
        timer is set, the clock jumps to the earliest (lock held)."""
        self.clock += TICK
        if not self.timed and not self.timers:
            return
        self._expire()
        if not any(t.state.can_run for t in self.live_threads):
            deadlines = [t.deadline for t in self.live_threads if t.deadline is not None]
            deadlines += (when for when, _interval in self.timers.values())
            if deadlines:
                self.clock = max(self.clock, min(deadlines))
                self._expire()

    def _expire(self) -> None:
        for key, (when, interval) in list(self.timers.items()):
            if when <= self.clock:
                if interval > 0:  # one signal for the periods that passed, as the kernel's
                    periods = (self.clock - when) // interval + 1
                    self.timers[key] = (when + periods * interval, interval)
                else:
                    del self.timers[key]
                self.timer_rang(key)
        for thread in list(self.live_threads):
            if thread.deadline is not None and thread.deadline <= self.clock:
                primitive = thread.blocked_on
                if primitive is not None and thread in primitive.queue:
                    primitive.queue.remove(thread)
                    primitive.timed_out(thread)
                    self.wake(thread, f"timed out on {primitive.name}", TIMED_OUT)
                else:
                    self.wake(thread, "woke up", TIMED_OUT)

    def _set_deadline(self, thread: SimThread, deadline: float | None) -> None:
        if thread.deadline is not None:
            self.timed -= 1
        thread.deadline = deadline
        if deadline is not None:
            self.timed += 1

    def resume(self, thread: SimThread) -> Any:
        """Wait (lock not held) until ``thread`` is woken and has the turn again.

        Returns:
            The value its waker handed it (None when nothing was handed).
        """
        self._await_turn(thread)
        handed, thread.handed = thread.handed, None
        return handed

    def interrupt(self, thread: SimThread, operation: str) -> bool:
        """Take ``thread`` out of its wait or sleep, as a signal interrupts the main
        thread's under CPython, woken with ``INTERRUPTED`` (lock held); False when it
        neither waits nor sleeps (it runs its handlers at its next turn anyway)."""
        if thread.state not in _INTERRUPTIBLE:
            return False
        primitive = thread.blocked_on
        if primitive is not None and thread in primitive.queue:
            primitive.queue.remove(thread)
            primitive.timed_out(thread)  # it leaves the wait as a timed-out waiter does
        self.wake(thread, operation, INTERRUPTED)
        return True

    def wake(self, thread: SimThread, operation: str, value: Any = None) -> None:
        """Make a parked thread runnable again, handing it ``value`` (lock held). The
        caller has already taken it out of the primitive's queue."""
        thread.state = ThreadState.RUNNABLE
        thread.blocked_on = None
        thread.operation = operation
        thread.touches = None  # what its wait's end and the code after touch: unknown
        thread.handed = value
        self._set_deadline(thread, None)
        self.revision += 1

    def emit(
        self,
        thread: SimThread | None,
        kind: EventKind,
        primitive: str | None,
        detail: str = "",
    ) -> None:
        """Record an event (lock held); ``thread`` None means the user or the engine."""
        event = Event(
            step=self.step,
            thread=thread.name if thread is not None else None,
            kind=kind,
            primitive=primitive,
            detail=detail,
            line=thread.main_line if thread is not None else None,
        )
        self.events.append(event)
        mark = TIMELINE_MARKS.get(kind)
        if mark is not None:
            self._mark(mark)
        if self._event_sink is not None:
            try:
                self._event_sink(event)
            except BaseException as error:
                self._sink_failed(error)

    def print_output(self, text: str, stream: str = "stdout", *, raw: bool = False) -> None:
        """Keep what the program printed to ``stream`` (whole lines; a line without its
        end waits for it). A line is credited to the thread that ends it; one ``raw``
        (written to the process's descriptor, by a child process or C code) to no thread,
        and its lines are cut apart from those of the program's ``sys.stdout``."""
        name = None
        if not raw:
            try:
                kernel, thread = bound()
                name = thread.name if kernel is self else None
            except RuntimeError:
                pass  # not a thread of the run
        partial = f"raw {stream}" if raw else stream
        with self.lock:
            if self.stopping or self.ended_program is not None:
                return  # a thread unwinding: no part of the run (nor after os._exit)
            *lines, rest = (self._partial_lines.get(partial, "") + text).split("\n")
            self._partial_lines[partial] = rest
            for line in lines:
                printed = OutputLine(self.step, name, line, stream)
                self.output.append(printed)
                if self._output_sink is not None:
                    try:
                        self._output_sink(printed)
                    except BaseException as error:
                        self._sink_failed(error)
            if lines:
                self._printed += len(lines)
                self.revision += 1

    def take_raw_output(self) -> None:
        """Keep what the process's descriptors hold now as the run's output at this step
        (lock held): a child process's output, C code's."""
        if self.raw_output is not None:
            for stream, text in self.raw_output():
                self.print_output(text, stream, raw=True)

    def latest_output(self) -> tuple[OutputLine, ...]:
        """The latest lines printed, for a snapshot (lock held); copied only when the
        program has printed since the last time."""
        printed, shown = self._output_shown
        if printed != self._printed:
            count = min(len(self.output), SNAPSHOT_OUTPUT_LINES)
            shown = tuple(self.output[i] for i in range(len(self.output) - count, len(self.output)))
            self._output_shown = (self._printed, shown)
        return shown

    def register(self, primitive: Primitive, lives_with: object | None = None) -> None:
        """Add a primitive to the run (also while it runs: a pool's futures): for the
        whole run, or (``lives_with``, the program's object it shows, or the primitive
        itself) while the program keeps that object (``registry``)."""
        self._registry.add(primitive, lives_with)

    @property
    def primitives(self) -> list[Primitive]:
        """The run's primitives alive now, in the order they were made."""
        with self.lock:
            return self._registry.live()

    def thread_named(self, name: str) -> SimThread | None:
        return self._threads_by_name.get(name)

    def primitive_named(self, name: str) -> Primitive | None:
        return self._registry.named(name)

    # ----------------------------------------------- for the run's builder

    def spawn(self, name: str, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Add a scenario thread; it starts when the run starts."""
        if name in self._threads_by_name:
            raise ValueError(f"two threads are named {name!r}")
        if len(self.threads) >= MAX_THREADS:
            raise ValueError(f"a run has at most {MAX_THREADS} threads")
        thread = SimThread(name, len(self.threads) + 1, target, args)
        self.threads.append(thread)
        self.live_threads[thread] = None
        self._state_codes.append(_CODE_BYTES[thread.state])
        self._threads_by_name[name] = thread

    def start_thread_now(
        self, name: str, target: Callable[..., Any], *, daemon: bool, handle: Any = None
    ) -> SimThread:
        """A thread the running program starts (lock held): it is runnable at once, and
        runs ``target`` from its first turn.

        Raises:
            RuntimeError: the run already has as many threads as it can record.
            StopRun: the run has stopped.
        """
        if self.stopping:
            raise StopRun  # the run stopped while the caller was on its way here
        if len(self.threads) >= MAX_THREADS:
            raise RuntimeError(f"can't start new thread: a run has at most {MAX_THREADS}")
        unique = self.unique_name(name)
        self.spawn(unique, target, ())
        thread = self.threads[-1]
        thread.daemon = daemon
        thread.handle = handle
        thread.operation = "started"
        self.start_thread(thread)
        self.revision += 1
        return thread

    def unique_name(self, name: str) -> str:
        """``name``, or ``name-2``, ``name-3``... when threads or primitives already have it."""
        count = self.names_used.get(name, 0) + 1
        self.names_used[name] = count
        threads, primitive_taken = self._threads_by_name, self._registry.taken

        def taken(candidate: str) -> bool:  # the same cost at any number of names
            return candidate in threads or primitive_taken(candidate)

        if count == 1 and not taken(name):
            return name
        count = max(count, 2)  # taken by a thread spawned under this name: -2 comes next
        self.names_used[name] = count
        candidate = f"{name}-{count}"
        while taken(candidate):
            count += 1
            self.names_used[name] = count
            candidate = f"{name}-{count}"
        return candidate

    # --------------------------------------------------- for the driver

    def start_thread(self, thread: SimThread) -> None:
        """Start ``thread``'s OS thread; it waits for its first turn (its gate)."""
        thread.os_thread = threading.Thread(
            target=self._thread_main, args=(thread,), name=f"threadlab-{thread.name}", daemon=True
        )
        thread.os_thread.start()

    def give_turn(self, thread: SimThread) -> None:
        """Let ``thread`` run its next step (lock held)."""
        self.step += 1
        self.revision += 1
        self.in_step = True
        self.mark_running(thread)
        thread.last_turn = self.step
        thread.state = ThreadState.RUNNING
        thread.extras = _NOTHING
        thread.unwatched = False
        thread.gate.release()

    def mark_running(self, thread: SimThread) -> None:
        """``thread`` is given the turn now (lock held)."""
        self.running = thread
        self.turn_began = awake.now()

    def outside(self, after: float) -> tuple[SimThread, float] | None:
        """The thread whose turn has lasted more than ``after`` seconds of the awake clock
        (``core.awake``: real time, less the stalls of the machine), and how long it has
        lasted (lock held): it runs outside the schedule, away from any checkpoint."""
        if not self.in_step or self.running is None:
            return None
        lasted = awake.now() - self.turn_began
        return (self.running, lasted) if lasted > after else None

    def record_column(self, ran: SimThread) -> None:
        """One timeline column: every thread's state after this step, the one that ran
        shown as running (lock held)."""
        codes = self._state_codes
        for thread in self.live_threads:
            codes[thread.index - 1] = _CODE_BYTES[_RUNNING if thread is ran else thread.state]
        stalls = tuple([t.index for t in self.live_threads if t.stalls_loop])
        self.timeline.append(TimelineColumn(self.step, codes.decode("ascii"), self._marks, stalls))
        self._marks = ""
        if self._step_sink is not None:
            states = tuple(
                (t.name, _RUNNING if t is ran and not t.state.ended else t.state)
                for t in self.threads
            )
            try:
                self._step_sink(self.step, states)
            except BaseException as error:
                self._sink_failed(error)

    @property
    def reports_steps(self) -> bool:
        """Whether a step sink wants every step's column."""
        return self._step_sink is not None

    def skip_column(self) -> None:
        """Forget this step's timeline marks without adding its column (lock held)."""
        self._marks = ""

    def stop_threads(self) -> None:
        """Every thread unwinds at its next checkpoint, parked ones at once (lock held)."""
        self.stopping = True
        for thread in self.threads:
            thread.stopped = True
            if thread.gate.locked():  # only ever released under the engine lock
                thread.gate.release()
        self.lock.notify_all()

    # ---------------------------------------------------------- internals

    def _sink_failed(self, error: BaseException) -> None:
        """A sink raised (in whichever thread reported to it): the run stops, and whoever
        drives it finds the error in ``sink_error``; the scenario thread goes on unharmed
        to its next checkpoint, where it unwinds."""
        self.sink_error = error
        self._event_sink = None
        self._step_sink = None
        self._output_sink = None
        self.stop_threads()

    def _await_turn(self, thread: SimThread) -> None:
        thread.parked = True
        thread.gate.acquire()
        thread.parked = False
        if thread.stopped:
            unwind(thread)
        if self.pending_signals and thread.index == 1:
            self.handle_signals(thread)  # the main thread's: what they raise, it raises

    def _mark(self, mark: str) -> None:
        """A timeline mark at this step: on the column the step adds, or on the last
        column when the user acts between steps."""
        if self.in_step:
            if mark not in self._marks:
                self._marks += mark
        elif self.timeline and self.timeline[-1].step == self.step:
            column = self.timeline[-1]
            if mark not in column.marks:
                self.timeline[-1] = dataclasses.replace(column, marks=column.marks + mark)

    def _thread_ended(self, thread: SimThread) -> None:
        """``thread`` has just ended (DONE or FAILED; lock held)."""
        del self.live_threads[thread]
        self.ended_threads.append(thread)
        self._state_codes[thread.index - 1] = _CODE_BYTES[thread.state]

    def _thread_main(self, thread: SimThread) -> None:
        bind(self, thread)
        try:
            self._await_turn(thread)
            thread.target(*thread.args)
        except StopRun:
            with self.lock:
                self.lock.notify_all()
        except BaseException as exc:  # a program bug: the thread fails, the others go on
            with self.lock:
                thread.state = ThreadState.FAILED
                self._thread_ended(thread)
                thread.blocked_on = None
                thread.operation = f"failed: {type(exc).__name__}: {exc}"
                thread.error = type(exc).__name__
                thread.traceback, file, line, main_line = program_traceback(self.program_files, exc)
                if line is not None:
                    thread.file, thread.line = file, line
                thread.main_line = main_line or thread.main_line
                if isinstance(exc, AssertionError):  # the program's own invariant broke
                    thread.broken_assert = broken_assert(exc)
                self.emit(thread, EventKind.FAIL, None, f"{type(exc).__name__}: {exc}")
                if not thread.stopped:
                    self.turn_ended(thread)
        else:
            with self.lock:
                thread.state = ThreadState.DONE
                self._thread_ended(thread)
                thread.operation = "done"
                self.emit(thread, EventKind.DONE, None)
                if not thread.stopped:
                    self.turn_ended(thread)
