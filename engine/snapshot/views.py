"""Typed views of the primitives: what each kind publishes in a snapshot.

Every primitive kind has a frozen view of its own (a mutex its owner, a queue its items
with who put each one, a shared variable its last reads and writes), all subclasses of
``PrimitiveView``, which holds what every primitive shares: a name, a kind and a FIFO wait
queue. The views carry data, never sentences: the words a person reads are written by the
app (``tui/``), which dispatches on the view's type.

The asyncio loop's view and the types it is made of live in ``engine.loop_views``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PrimitiveKind(StrEnum):
    """The kinds of primitive the engine has (equal to the plain strings they replace)."""

    MUTEX = "mutex"
    CONDITION = "condition"
    SEMAPHORE = "semaphore"
    BARRIER = "barrier"
    SHARED = "shared"
    FUTURE = "future"
    POOL = "pool"
    EXECUTOR = "executor"
    LOOP = "loop"
    EVENT = "event"
    QUEUE = "queue"


@dataclass(frozen=True, kw_only=True)
class PrimitiveView:
    """What every primitive shows; a subclass per kind adds what that kind holds."""

    name: str
    """What the scenario calls it."""
    kind: str
    """A ``PrimitiveKind`` for the engine's primitives (each view class fixes its own);
    another string only for a primitive kind the app has no drawing for."""
    queue: tuple[str, ...] = ()
    """Threads waiting here in FIFO order, first to be woken first."""


@dataclass(frozen=True)
class ErrorView:
    """An exception something raised: its type's name and its message."""

    type_name: str
    """'ValueError'."""
    message: str
    """``str()`` of the exception: 'cannot square 3'."""

    @classmethod
    def of(cls, exception: BaseException) -> ErrorView:
        return cls(type(exception).__name__, str(exception))


# -- locks and their kin


@dataclass(frozen=True, kw_only=True)
class MutexView(PrimitiveView):
    """A mutex: its owner; ``queue`` holds the threads blocked acquiring it."""

    kind: PrimitiveKind = field(default=PrimitiveKind.MUTEX, init=False)
    owner: str | None = None
    """The thread that holds it, or None while it is free."""
    depth: int = 0
    """An ``RLock``: how many times its owner holds it (0 for a plain lock)."""


@dataclass(frozen=True, kw_only=True)
class ConditionView(PrimitiveView):
    """A condition variable; ``queue`` holds its waiters, first to be signalled first."""

    kind: PrimitiveKind = field(default=PrimitiveKind.CONDITION, init=False)
    mutex: str
    """The mutex it is bound to."""


@dataclass(frozen=True, kw_only=True)
class SemaphoreView(PrimitiveView):
    """A counting semaphore; ``queue`` holds the threads waiting for a permit."""

    kind: PrimitiveKind = field(default=PrimitiveKind.SEMAPHORE, init=False)
    count: int
    """Permits left."""
    permits: int
    """Permits it started with."""
    holders: tuple[str, ...] = ()
    """Threads that hold a permit, in the order they got it."""


@dataclass(frozen=True, kw_only=True)
class EventFlagView(PrimitiveView):
    """A ``threading.Event``; ``queue`` holds the threads waiting for it to be set."""

    kind: PrimitiveKind = field(default=PrimitiveKind.EVENT, init=False)
    is_set: bool


@dataclass(frozen=True, kw_only=True)
class BarrierView(PrimitiveView):
    """A barrier; ``queue`` holds the threads that arrived and wait for the rest."""

    kind: PrimitiveKind = field(default=PrimitiveKind.BARRIER, init=False)
    parties: int
    """How many threads must arrive before all go on."""
    phase: int
    """How many times all parties have arrived so far."""

    @property
    def arrived(self) -> int:
        """Parties that have arrived in this phase (all of them wait)."""
        return len(self.queue)


# -- shared data


@dataclass(frozen=True)
class BufferItem:
    """One item in a queue and the thread that put it there."""

    value: str
    """The item, as ``str()`` of what was put: 'P1.3'."""
    producer: str | None
    """The thread that put it."""


class QueueOrder(StrEnum):
    """Which item a ``queue`` module queue hands out next."""

    FIFO = "fifo"
    """``Queue``: the oldest."""
    LIFO = "lifo"
    """``LifoQueue``: the newest."""
    PRIORITY = "priority"
    """``PriorityQueue``: the smallest."""
    SIMPLE = "simple"
    """``SimpleQueue``: the oldest; never full, no task tracking."""


@dataclass(frozen=True, kw_only=True)
class QueueView(PrimitiveView):
    """A ``queue.Queue`` (or its kin); ``queue`` holds every thread waiting on it: the
    getters, then the putters, then the joiners."""

    kind: PrimitiveKind = field(default=PrimitiveKind.QUEUE, init=False)
    order: QueueOrder = QueueOrder.FIFO
    items: tuple[BufferItem, ...] = ()
    """The items, next out first (``repr()`` of each, shortened), with who put each."""
    maxsize: int = 0
    """Its size limit; 0 (or less) for none."""
    unfinished: int | None = None
    """Items put and not yet marked done with ``task_done()`` (None: a ``SimpleQueue``)."""
    getters: tuple[str, ...] = ()
    """Threads blocked in ``get()`` on the empty queue, first to be woken first."""
    putters: tuple[str, ...] = ()
    """Threads blocked in ``put()`` on the full queue, first to be woken first."""
    joiners: tuple[str, ...] = ()
    """Threads in ``join()``, waiting for every task to be done."""

    @property
    def count(self) -> int:
        return len(self.items)


class AccessKind(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class LostUpdate:
    """Another thread's write that a write replaced without its thread ever seeing it."""

    writer: str
    """The thread whose update is lost."""
    value: int | str
    """The value that update had stored."""
    read: int | str
    """What the overwriting thread had last read: the stale value it computed from."""


@dataclass(frozen=True)
class SharedAccess:
    """One read or one write of a shared variable."""

    thread: str
    kind: AccessKind
    value: int | str
    """What a read saw, or what a write stored (a program's variable that does not hold
    an int: its value as text, ``[1, 2]`` or ``<Job>``)."""
    old: int | str | None = None
    """A write: the value it replaced."""
    lost: LostUpdate | None = None
    """A write: the update it overwrote unseen (another thread wrote after this thread's
    last read of the variable), when it did."""


@dataclass(frozen=True, kw_only=True)
class SharedView(PrimitiveView):
    """A shared variable whose read and write are separate steps: its value and its last
    accesses."""

    kind: PrimitiveKind = field(default=PrimitiveKind.SHARED, init=False)
    value: int | str
    """Its value (a program's variable: the value last read or written, as text unless it
    is an int)."""
    accesses: tuple[SharedAccess, ...] = ()
    """The most recent reads and writes, oldest first."""


# -- futures and workers


class FutureState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, kw_only=True)
class FutureView(PrimitiveView):
    """A future; ``queue`` holds the threads blocked in ``result()``."""

    kind: PrimitiveKind = field(default=PrimitiveKind.FUTURE, init=False)
    task: str
    """The call it stands for: 'square(3)'."""
    state: FutureState
    worker: str | None = None
    """The worker thread that took the task, once one has."""
    result: str | None = None
    """DONE: ``repr()`` of what the task returned."""
    error: ErrorView | None = None
    """FAILED: what the task raised."""


@dataclass(frozen=True)
class Job:
    """A piece of work for a worker thread."""

    call: str
    """The call: 'square(3)', 'crunch(4)'."""
    future: str | None = None
    """The future that will hold its result, when it has one of its own (a pool's)."""


@dataclass(frozen=True)
class WorkerJob:
    """A worker thread and the job it runs now."""

    worker: str
    job: Job


@dataclass(frozen=True, kw_only=True)
class WorkersView(PrimitiveView):
    """Worker threads taking jobs from one FIFO queue; ``queue`` holds the idle workers."""

    busy: tuple[WorkerJob, ...] = ()
    """Busy workers and their jobs, in the order they started."""
    queued: tuple[Job, ...] = ()
    """Jobs no worker has taken yet, first to start first."""
    shut_down: bool = False
    """Whether it takes no more jobs."""

    @property
    def idle(self) -> tuple[str, ...]:
        """Workers waiting for a job."""
        return self.queue


@dataclass(frozen=True, kw_only=True)
class ThreadPoolView(WorkersView):
    """A thread pool executor: each job settles a future."""

    kind: PrimitiveKind = field(default=PrimitiveKind.POOL, init=False)


@dataclass(frozen=True, kw_only=True)
class ExecutorView(WorkersView):
    """An asyncio loop's default executor, running ``to_thread`` calls."""

    kind: PrimitiveKind = field(default=PrimitiveKind.EXECUTOR, init=False)
