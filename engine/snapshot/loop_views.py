"""The asyncio loop's typed view: its clock, ready queue, tasks and timers.

A task's state is an enum; the line it is paused at and what it waits for are data (a
task, a gather, a sleep, a call on a worker thread), never a sentence to parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .views import ErrorView, PrimitiveKind, PrimitiveView


class CallbackKind(StrEnum):
    """What a callback in the loop's ready queue (or a timer) does when it runs."""

    TASK_STEP = "task step"
    """Runs a task from one ``await`` to the next; ``subject`` is the task."""
    THREAD_RESULT = "thread result"
    """Hands a worker thread's result to the task awaiting it; ``subject`` is the call."""
    WAKE = "wake"
    """Ends a task's sleep; ``subject`` is the task."""
    END_SLEEP = "end sleep"
    """Ends a sleep no task waits for any more."""
    CHILD_DONE = "child done"
    """Tells a gather one of its children is done; ``subject`` is the child task."""
    RUN_UNTIL_COMPLETE = "run until complete"
    """Stops ``run_until_complete`` as its task is done; ``subject`` is that task."""
    OTHER = "other"
    """Any other callback; ``subject`` is its function's name."""


@dataclass(frozen=True)
class LoopCallback:
    """A callback the loop will run."""

    kind: CallbackKind
    subject: str | None = None
    """What it is about (see ``CallbackKind``), when that is known."""


@dataclass(frozen=True)
class TimerView:
    """A pending timer."""

    due: float
    """The virtual time it fires at, in seconds."""
    callback: LoopCallback


class TaskState(StrEnum):
    RUNNING = "running"
    """In the middle of a step."""
    READY = "ready"
    """Its next step is in the ready queue."""
    WAITING = "waiting"
    """Paused at an ``await`` (or not started, with no step in the ready queue)."""
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class AwaitsTask:
    """Awaits another task."""

    task: str


@dataclass(frozen=True)
class AwaitsGather:
    """Awaits a gather of several children."""

    done: int
    """Children done so far."""
    total: int


@dataclass(frozen=True)
class AwaitsSleep:
    """Awaits the end of a sleep."""

    until: float
    """The virtual time the sleep ends."""
    fired: bool = False
    """Whether its timer has fired already and waits in the ready queue."""


@dataclass(frozen=True)
class AwaitsCallback:
    """Awaits a callback that waits in the ready queue."""

    callback: LoopCallback


@dataclass(frozen=True)
class AwaitsThreadCall:
    """Awaits a call running on (or queued for) a worker thread (``to_thread``)."""

    call: str
    worker: str | None
    """The worker running it, or None while no worker has taken it."""


@dataclass(frozen=True)
class AwaitsFuture:
    """Awaits some other future."""


@dataclass(frozen=True)
class AwaitsNothing:
    """What it awaited is settled: it goes on at its next step."""


Awaiting = (
    AwaitsTask
    | AwaitsGather
    | AwaitsSleep
    | AwaitsCallback
    | AwaitsThreadCall
    | AwaitsFuture
    | AwaitsNothing
)
"""What a paused task waits for."""


@dataclass(frozen=True)
class TaskView:
    """One task of the loop."""

    name: str
    """Named after its coroutine and a per-loop count: 'fetch#2'."""
    state: TaskState
    started: bool = True
    """False before its first step."""
    line: int | None = None
    """RUNNING, READY, WAITING: the scenario line it is paused at (its ``await``)."""
    awaiting: Awaiting | None = None
    """WAITING, once started: what it waits for."""
    result: str | None = None
    """DONE: ``repr()`` of what it returned."""
    error: ErrorView | None = None
    """FAILED: what it raised."""


@dataclass(frozen=True)
class NeverAwaited:
    """A coroutine the program made and dropped without awaiting it: it never ran.
    (CPython warns "RuntimeWarning: coroutine 'to_thread' was never awaited".)"""

    coroutine: str
    """The coroutine's name: 'to_thread'."""
    call: str
    """The call that made it: 'to_thread(crunch, 6)'."""
    line: int | None
    """The program's line that made it."""
    task: str | None
    """The task whose step made it, if a task's did."""


@dataclass(frozen=True, kw_only=True)
class LoopView(PrimitiveView):
    """An asyncio event loop; ``queue`` holds its thread while it waits for another thread
    (nothing ready, no timer)."""

    kind: PrimitiveKind = field(default=PrimitiveKind.LOOP, init=False)
    time: float = 0.0
    """The virtual clock, in seconds."""
    ready: tuple[LoopCallback, ...] = ()
    """The ready queue, the callback that runs next first."""
    tasks: tuple[TaskView, ...] = ()
    """The scenario's tasks, in the order they were created."""
    timers: tuple[TimerView, ...] = ()
    """Pending timers, soonest first."""
    never_awaited: tuple[NeverAwaited, ...] = ()
    """Coroutines made and dropped without being awaited, in the order they were found."""
