"""The snapshot model: immutable views of a run that the UI, the CLI and the tests read.

Everything the app shows comes out of ``Runtime.snapshot()`` as these frozen dataclasses.
Taking one costs time proportional to the number of threads, primitives and recent events,
never to the length of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The primitives' typed views live in modules of their own; they are part of the model.
from .loop_views import (
    Awaiting,
    AwaitsCallback,
    AwaitsFuture,
    AwaitsGather,
    AwaitsNothing,
    AwaitsSleep,
    AwaitsTask,
    AwaitsThreadCall,
    CallbackKind,
    LoopCallback,
    LoopView,
    NeverAwaited,
    TaskState,
    TaskView,
    TimerView,
)
from .views import (
    AccessKind,
    BarrierView,
    BufferItem,
    ConditionView,
    ErrorView,
    EventFlagView,
    ExecutorView,
    FutureState,
    FutureView,
    Job,
    LostUpdate,
    MutexView,
    PrimitiveKind,
    PrimitiveView,
    QueueOrder,
    QueueView,
    SemaphoreView,
    SharedAccess,
    SharedView,
    ThreadPoolView,
    WorkerJob,
    WorkersView,
)

__all__ = [
    "CODE_STATES",
    "STATE_CODES",
    "AccessKind",
    "Awaiting",
    "AwaitsCallback",
    "AwaitsFuture",
    "AwaitsGather",
    "AwaitsNothing",
    "AwaitsSleep",
    "AwaitsTask",
    "AwaitsThreadCall",
    "BarrierView",
    "BufferItem",
    "CallbackKind",
    "ConditionView",
    "ErrorView",
    "Event",
    "EventFlagView",
    "ExecutorView",
    "FutureState",
    "FutureView",
    "Job",
    "LoopCallback",
    "LoopView",
    "LostUpdate",
    "MutexView",
    "NeverAwaited",
    "OutputLine",
    "PrimitiveKind",
    "PrimitiveView",
    "QueueOrder",
    "QueueView",
    "RunState",
    "SemaphoreView",
    "SharedAccess",
    "SharedView",
    "Snapshot",
    "SourceLine",
    "TaskState",
    "TaskView",
    "ThreadPoolView",
    "ThreadState",
    "ThreadView",
    "TimelineColumn",
    "TimerView",
    "Verdict",
    "VerdictKind",
    "WorkerJob",
    "WorkersView",
]


class RunState(StrEnum):
    """Where the run as a whole stands."""

    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    FINISHED = "FINISHED"
    DEADLOCK = "DEADLOCK"
    LOST_WAKEUP = "LOST WAKEUP"
    VIOLATION = "VIOLATION"
    FAILED = "FAILED"
    LOOP_BLOCKED = "LOOP BLOCKED"
    STARVATION = "STARVATION"


class ThreadState(StrEnum):
    """What one scenario thread is doing at this step."""

    RUNNABLE = "runnable"
    """Ready at a checkpoint; the scheduler may pick it next."""
    RUNNING = "running"
    """Executing its step right now (only ever one thread)."""
    BLOCKED = "blocked"
    """In a mutex's or semaphore's wait queue."""
    WAITING = "waiting"
    """In a condition variable's wait queue, until a signal, broadcast or spurious wakeup."""
    WORKING = "working"
    """Runnable, in the middle of simulated work that takes several steps."""
    SLEEPING = "sleeping"
    """In ``time.sleep``: runnable again once the run's virtual clock reaches its deadline."""
    DONE = "done"
    FAILED = "failed"

    @property
    def can_run(self) -> bool:
        """Whether the scheduler may pick a thread in this state."""
        return self in _CAN_RUN

    @property
    def ended(self) -> bool:
        return self in _ENDED


_CAN_RUN = frozenset({ThreadState.RUNNABLE, ThreadState.WORKING})
_ENDED = frozenset({ThreadState.DONE, ThreadState.FAILED})
"""The states of ``can_run`` and ``ended`` (a set: a step asks them of every thread)."""


class VerdictKind(StrEnum):
    DEADLOCK = "DEADLOCK"
    """No thread can run, and some hold what others wait for (a cycle of holds)."""
    LOST_WAKEUP = "LOST WAKEUP"
    """No thread can run, and some wait for a signal (a condition's notify, an event's set)
    that no live thread is left to send: no cycle of holds."""
    VIOLATION = "VIOLATION"
    FAILED = "FAILED"
    LOOP_BLOCKED = "LOOP BLOCKED"
    """One task or callback has held an event loop longer than ``LOOP_BLOCKED_SECONDS``: no
    other ran meanwhile; or one handler has run on a thread-based event loop longer than
    ``HANDLER_BLOCKED_SECONDS`` while an event waited. Like FAILED it pauses the run, which
    can go on."""
    STARVATION = "STARVATION"
    """A thread has waited at one line while other threads took what it waits for
    ``STARVATION_PASSES`` times. Like FAILED it pauses the run, which can go on."""


class EventKind(StrEnum):
    """What an event records. The values are the ``kind`` strings of the trace and run-file
    formats, so a StrEnum keeps those formats as they are."""

    # locks, semaphores, conditions, barriers
    ACQUIRE = "acquire"
    BLOCK = "block"
    RELEASE = "release"
    WAIT = "wait"
    SIGNAL = "signal"
    BROADCAST = "broadcast"
    SPURIOUS = "spurious"
    ARRIVE = "arrive"
    BREAK = "break"
    SET = "set"
    CLEAR = "clear"
    JOIN = "join"
    SLEEP = "sleep"
    # shared data
    PUT = "put"
    GET = "get"
    CHECK = "check"
    READ = "read"
    WRITE = "write"
    # pools, futures, executors
    SUBMIT = "submit"
    START = "start"
    FINISH = "finish"
    RAISE = "raise"
    RESULT = "result"
    SHUTDOWN = "shutdown"
    IDLE = "idle"
    EXIT = "exit"
    # an asyncio loop
    RUN = "run"
    CALLBACK = "callback"
    AWAIT = "await"
    RETURN = "return"
    CANCELLED = "cancelled"
    WAKE = "wake"
    UNBLOCK = "unblock"
    NEVER_AWAITED = "never-awaited"
    # a signal the program sends its process (its handler runs in the main thread)
    OS_SIGNAL = "os-signal"
    # a thread's end, and the run's verdicts
    DONE = "done"
    FAIL = "fail"
    FINISHED = "finished"
    VIOLATION = "violation"
    DEADLOCK = "deadlock"


class ActionKind(StrEnum):
    """A user action that changes the run (recorded in its history)."""

    SIGNAL = "signal"
    BROADCAST = "broadcast"
    SPURIOUS = "spurious"
    POST = "post"


@dataclass(frozen=True)
class UserAction:
    """One user action and its target: signal a condition, wake one of its waiters
    spuriously, post an event to a queue."""

    kind: ActionKind
    target: str
    """The condition or event queue it acts on."""
    thread: str = ""
    """Spurious wakeup: the waiter to wake ('' for the first)."""


STATE_CODES = {
    ThreadState.RUNNABLE: "r",
    ThreadState.RUNNING: "R",
    ThreadState.BLOCKED: "b",
    ThreadState.WAITING: "w",
    ThreadState.WORKING: "k",
    ThreadState.SLEEPING: "z",
    ThreadState.DONE: "d",
    ThreadState.FAILED: "f",
}
"""One character per thread state, for compact timeline columns."""
CODE_STATES = {code: state for state, code in STATE_CODES.items()}


@dataclass(frozen=True)
class TimelineColumn:
    """Every thread's state after one step, in thread order, as ``STATE_CODES``."""

    step: int
    states: str
    marks: str = ""
    """Marks for notable events at this step: s signal, b broadcast, ! spurious wakeup,
    V violation, D deadlock, F failure."""
    stalls: tuple[int, ...] = ()
    """The threads (numbers) stalling the event loop they run at this step: in a blocking
    call (``time.sleep``) inside a coroutine, so no task of the loop can run."""

    def state(self, index: int) -> ThreadState:
        """The state of thread number ``index`` (1-based). A thread the program had not
        started yet at this step has no state here: it reads as DONE (drawn blank)."""
        if index > len(self.states):
            return ThreadState.DONE
        return CODE_STATES[self.states[index - 1]]


@dataclass(frozen=True)
class SourceLine:
    """One line of the scenario source shown in the code panel."""

    lineno: int
    """Line number in the scenario module (0 for a separator between functions)."""
    text: str


@dataclass(frozen=True)
class ThreadView:
    name: str
    index: int
    """1-based position in the threads panel; the key that steps this thread."""
    state: ThreadState
    operation: str
    """The operation the thread is at (or just did), in words: 'acquire mutex'."""
    waits_on: str | None
    """Name of the primitive whose queue holds the thread, when blocked or waiting."""
    line: int | None
    """Its current line in the scenario module."""
    traceback: str | None = None
    outside_for: float | None = None
    """Real seconds it has run without reaching a checkpoint, once that is long (a busy
    loop, real I/O, a blocking call the engine does not control); None otherwise."""
    file: str | None = None
    """The program file ``line`` is in: None for the main file, else the path of one of the
    program's own modules (``ProgramFile.path``)."""


@dataclass(frozen=True)
class ProgramFile:
    """One file of a program that has more than one: the main file or a module of its own."""

    path: str
    name: str
    """Its path relative to the main file's folder ('shared.py', 'pkg/util.py')."""
    source: tuple[SourceLine, ...]


@dataclass(frozen=True)
class Event:
    """Something that happened at a step: the unit of the event log and of traces."""

    step: int
    thread: str | None
    """The scenario thread that did it, or None for the user ('you')."""
    kind: EventKind
    primitive: str | None
    detail: str = ""
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "step": self.step,
            "thread": self.thread,
            "kind": self.kind,
            "primitive": self.primitive,
            "detail": self.detail,
            "line": self.line,
        }


@dataclass(frozen=True)
class OutputLine:
    """One whole line a program printed, the step it was printed at, and by which thread
    (None when not printed by a thread of the run)."""

    step: int
    thread: str | None
    text: str
    stream: str = "stdout"
    """``stdout`` or ``stderr``: where the program wrote it (``print`` goes to stdout)."""


@dataclass(frozen=True)
class Verdict:
    """What went wrong, in plain words, and who is involved."""

    kind: VerdictKind
    text: str
    threads: tuple[str, ...]
    step: int
    error: str | None = None
    """FAILED: the name of the type of the exception that ended the thread ('IndexError')."""
    check: str | None = None
    """VIOLATION: the words of the scenario's invariant that broke (its ``Check.text``);
    None for a program's own ``assert``."""
    ends_program: bool = False
    """FAILED: a thread ended the program's process there (``os._exit`` with a status other
    than 0): the run is over, and can be stepped back."""
    file: str | None = None
    """FAILED, or a program's own ``assert``: the program file the exception came from."""
    line: int | None = None
    """...and its line there."""

    def same_failure(self, other: Verdict | None) -> bool:
        """Whether ``other`` is this failure again: the same kind, the same exception type,
        the same broken check, from the same line (the threads and steps may differ)."""
        return (
            other is not None
            and other.kind is self.kind
            and other.error == self.error
            and other.check == self.check
            and (other.file, other.line) == (self.file, self.line)
        )


@dataclass(frozen=True)
class Snapshot:
    """The whole visible state of a run at one step."""

    scenario: str
    title: str
    variant: str
    seed: int
    step: int
    revision: int
    """Changes whenever anything visible changes (a step or a user action)."""
    run_state: RunState
    speed: float | None
    """Steps per second; None for as fast as possible."""
    threads: tuple[ThreadView, ...]
    primitives: tuple[PrimitiveView, ...]
    events: tuple[Event, ...]
    """The most recent events, oldest first."""
    verdict: Verdict | None
    idle_reason: str | None
    """Why nothing can run although the run is not over (it waits for the user)."""
    source: tuple[SourceLine, ...]
    watches: tuple[tuple[str, str], ...] = ()
    """Scenario state the scenario asks to show, as (name, value) pairs ('readers', '2')."""
    timeline: tuple[TimelineColumn, ...] = ()
    """The most recent steps, oldest first."""
    history_length: int = 0
    """Steps in the recorded history: after a rewind, the end one can go forward to."""
    pace_paused: bool = False
    """Whether the pace grants no steps now (the user paused, or the run started paused):
    ``resume`` lets it go. A verdict pauses it too."""
    conditions: tuple[str, ...] = ()
    """The conditions the user can signal, broadcast and wake spuriously, in order."""
    event_queues: tuple[str, ...] = ()
    """The queues the user can post to, in order: event queues, and a program's queues its
    scenario lets the user post into."""
    output: tuple[OutputLine, ...] = ()
    """The last lines the program printed, oldest first (empty when it printed nothing)."""
    exit_status: int | None = None
    """A program's exit status once its main thread has ended (``sys.exit(n)`` gives n, the
    end of its code 0), or None while it has not."""
    process_ended: bool = False
    """The program ended its own process (``os._exit``, a crash of the interpreter): the run
    cannot go on or go back; a restart starts it in a new process."""
    files: tuple[ProgramFile, ...] = ()
    """Once the program has imported a module of its own: each of its files, the main file
    first, in the order they were imported (empty while it has only the main file)."""

    @property
    def paused(self) -> bool:
        return self.run_state is not RunState.RUNNING

    def thread(self, name: str) -> ThreadView:
        for view in self.threads:
            if view.name == name:
                return view
        raise KeyError(name)

    def primitive(self, name: str) -> PrimitiveView:
        for view in self.primitives:
            if view.name == name:
                return view
        raise KeyError(name)
