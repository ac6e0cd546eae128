"""Scenario threads: the engine's bookkeeping for each one, and which one is calling.

A ``SimThread`` is mutable and internal; the UI sees it only as a frozen ``ThreadView``.
Each scenario thread runs on a real OS thread bound to its ``SimThread`` and its kernel, so
a primitive can always tell which scenario thread called it.
"""

from __future__ import annotations

import _thread
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from ..snapshot.model import ThreadState, ThreadView
from .errors import StopRun
from .footprint import Footprint

if TYPE_CHECKING:
    from ..primitives.base import Primitive
    from .kernel import Kernel

_bound = threading.local()

UNWIND_ORDERS = 10_000
"""How often a thread of a stopped run may be told to unwind before it is taken to catch the
order and carry on (a bare ``except:`` around its calls in a loop). Unwinding through
``finally`` blocks and ``with`` statements takes a few; a loop that swallows them takes
this many in a few milliseconds."""

_NEVER = _thread.allocate_lock()
_NEVER.acquire()  # never released: an abandoned thread waits on it for good


def unwind(thread: SimThread) -> NoReturn:
    """Unwind ``thread``, whose run has stopped (raises ``StopRun``). A thread that keeps
    catching it is abandoned instead: it waits for good, using no CPU (its OS thread is a
    daemon, which ends with the process), and its run counts it as ended."""
    thread.unwinds += 1
    if thread.unwinds > UNWIND_ORDERS:
        thread.abandoned = True
        # No longer one of the engine's threads in play (its name says so, in a debugger).
        threading.current_thread().name = f"abandoned-{thread.name}"
        while True:
            _NEVER.acquire()
    raise StopRun


@dataclass(eq=False)
class SimThread:
    """One scenario thread, as the engine keeps it."""

    name: str
    index: int
    """1-based, in the order the threads were declared; the key that steps it."""
    target: Callable[..., Any]
    args: tuple[Any, ...]
    state: ThreadState = ThreadState.RUNNABLE
    operation: str = "starting"
    touches: Footprint = None
    """What its next step touches, if known (see ``Kernel.checkpoint``)."""
    extras: frozenset[str] = frozenset()
    """What its step under way touched beyond ``touches``, as far as was seen."""
    unwatched: bool = False
    """Its step under way ran code that may touch anything (beyond ``touches``)."""
    blocked_on: Primitive | None = None
    line: int | None = None
    """Its current line, in ``file``."""
    file: str | None = None
    """The program file it is in: None for the main file, else the path of one of the
    program's own modules."""
    main_line: int | None = None
    """Its line in the main file (the innermost frame there): the line its events record."""
    traceback: str | None = None
    error: str | None = None
    """Once an exception has ended it: the name of the exception's type."""
    gate: _thread.LockType = field(default_factory=lambda: _closed_gate())
    """Held while the thread may not go on; released once for every step it is given (and
    when the run stops). A bare lock rather than a ``threading.Semaphore``: handing the turn
    over is then one release and one acquire in C, with no Python-level condition."""
    handed: Any = None
    """What the thread that woke this one handed it (a task, an event, a completion)."""
    os_thread: threading.Thread | None = None
    stopped: bool = False
    """Set when its run stops: the thread unwinds at its next checkpoint."""
    unwinds: int = 0
    """How often it has been told to unwind since its run stopped (``unwind``)."""
    abandoned: bool = False
    """It caught every order to unwind and carried on, so it waits for good (``unwind``)."""
    last_turn: int = -1
    """The step it last took (its stack has not changed since)."""
    deadline: float | None = None
    """While sleeping or in a wait with a timeout: the virtual time it is woken at."""
    stalls_loop: bool = False
    """While it sleeps in a blocking ``time.sleep`` inside a coroutine of the event loop it
    runs: the loop (every one of its tasks) is stalled meanwhile."""
    daemon: bool = False
    """A daemon thread does not keep a program alive (``threading.Thread(daemon=True)``)."""
    parked_lock: Any = None
    """Under CPython's own ``threading``: the controlled lock it is blocked on, whatever
    it is shown waiting on (``engine/stdlib/lowlevel.py``)."""
    presenting: Any = None
    """Under CPython's own ``threading``: what its program-level call shows it waiting on
    when it blocks inside (a primitive, and BLOCKED or WAITING), or None."""
    prologue: Any = None
    """Under CPython's own ``threading``: set once the thread's start-up protocol has run
    (its starter waits for it, outside the schedule)."""
    calls: int = 0
    """Under CPython's own ``threading``: how many shown calls it is inside (a call the
    library makes inside another is not a step of its own)."""
    inside_engine: int = 0
    """How deep it is in the engine's own work outside the engine lock, where no step can
    start (a thread's start-up, which its starter waits for): a finalizer the garbage
    collector runs there belongs to the step it interrupts (``Kernel.inside_engine``)."""
    parked: bool = False
    """Whether it waits at its gate for a turn: its stack stands still, so another thread
    may read it (reading a running thread's frames can crash the interpreter)."""
    step_call: Any = None
    """The program-level call (a frame) whose step the thread is in, under CPython's own
    ``threading`` (``engine/stdlib/lowlevel.py``): its further lock operations take no step."""
    failed_try_at: float | None = None
    """The virtual time of its last failed try of a lock it holds itself (a
    ``Condition.wait(0)``), under CPython's own ``threading``."""
    handle: Any = None
    """The program's own object for this thread (its ``threading.Thread``), if it has one."""
    broken_assert: BrokenAssert | None = None
    """When an ``assert`` of the program ended the thread: which one."""

    def view(self) -> ThreadView:
        return ThreadView(
            name=self.name,
            index=self.index,
            state=self.state,
            operation=self.operation,
            waits_on=self.blocked_on.name if self.blocked_on is not None else None,
            line=self.line,
            traceback=self.traceback,
            file=self.file,
        )


@dataclass(frozen=True)
class BrokenAssert:
    """An ``assert`` that failed and ended a thread: its statement's first line of source
    (None when the error was not raised by an assert statement), where it is, and the
    assert's message ("" when it has none)."""

    source: str | None
    file: str
    line: int | None
    message: str


def _closed_gate() -> _thread.LockType:
    gate = _thread.allocate_lock()
    gate.acquire()
    return gate


def bind(kernel: Kernel, thread: SimThread) -> None:
    """Make the calling OS thread scenario thread ``thread`` of ``kernel``."""
    _bound.kernel = kernel
    _bound.thread = thread


def bound_or_none() -> tuple[Kernel, SimThread] | None:
    """The kernel and scenario thread the caller runs in, or None outside scenario threads."""
    kernel = getattr(_bound, "kernel", None)
    return None if kernel is None else (kernel, _bound.thread)


def bound() -> tuple[Kernel, SimThread]:
    """The kernel and scenario thread the caller runs in.

    Raises:
        RuntimeError: when called outside a scenario thread.
    """
    kernel = getattr(_bound, "kernel", None)
    if kernel is None:
        raise RuntimeError("engine primitives can only be used from scenario threads")
    return kernel, _bound.thread
