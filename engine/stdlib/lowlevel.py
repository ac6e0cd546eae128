"""A controlled ``_thread``: the lowest layer CPython's own ``threading`` is written on.

A program's ``threading`` and ``queue`` are the interpreter's own pure-Python modules, run
afresh for each run on top of this module, so their semantics, errors and ``repr``s are
CPython's by construction, on every Python version. Only locks, thread start and end, and
identities are the engine's.

Steps: one program-level call is one step. The first operation on one of the program's
own locks in a call (``lock.acquire()``, ``with cond:``) is a checkpoint, and so is each
public method of CPython's objects the program calls (``engine/stdlib/shown.py``). The
locks the standard library makes inside (a condition's waiter locks, a queue's mutex)
take no step of their own: blocking on one parks the thread (its step ends) and it goes
on in the step it is woken into. So ``q.put(x)`` is one step, although CPython's code
takes and releases three locks.
"""

from __future__ import annotations

import _thread as _real_thread
import contextlib
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any

from ..core.collector import collecting
from ..core.errors import StopRun
from ..core.kernel import TIMED_OUT
from ..core.threads import bound, unwind
from ..primitives.base import Primitive
from ..snapshot.model import EventKind, MutexView, PrimitiveKind, ThreadState
from .naming import name_from_source

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

TRY_TIME = 1e-6
"""Virtual seconds a waiter's try of its own lock takes when it tries again with no
time gone by (a step takes a thousand times as long)."""

_NEGATIVE_TIMEOUT = (
    "timeout value must be a non-negative number"
    if sys.version_info >= (3, 13)
    else "timeout value must be positive"
)


_CANNOT_WAIT_INSIDE = (
    "{thread} cannot wait for {lock.name} here: the garbage collector ran this code (a "
    "__del__ or a weakref callback) inside threadlab's own work, where no thread can wait "
    "(under CPython it would wait for the lock's holder)"
)


def _call_of(kernel: Kernel) -> FrameType | None:
    """The program-level call the caller is in: the outermost frame below the program's
    innermost frame (None when no program frame is on the stack: a thread's start or end).
    Frame 2 is the lock's own method, which the program may have called itself."""
    files = kernel.program_files
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        caller = frame.f_back
        if caller is None:
            return None
        if caller.f_code.co_filename in files:
            return frame
        frame = caller
    return None


def _caller(lock: ControlledLock) -> tuple[Kernel, SimThread] | None:
    """The run and thread of the caller, or None when it is not a thread of the lock's
    run and either no thread of that run is in a step (a scenario's watch reading
    ``q.qsize()`` between steps; the collector freeing, in a later run, an object of a run
    that is over), or the garbage collector runs the program's finalizer in one of
    threadlab's own threads. The lock's state is left as it is then: the finalizer takes
    no step, and cannot wait for a thread of the run from a thread the run does not
    schedule.

    Raises:
        RuntimeError: a thread outside the run uses it while a thread of the run runs.
    """
    kernel = lock._kernel
    try:
        caller = bound()
    except RuntimeError:
        if not kernel.in_step or kernel.stopping or collecting():
            return None
        raise RuntimeError(
            f"{threading.current_thread().name}, a thread the program did not start with "
            f"threading, used {lock.name} while the run ran: threadlab schedules only the "
            "threads started with threading"
        ) from None
    # A lock of a run that is over, which the collector frees in a later run's thread.
    return caller if caller[0] is kernel else None


def _step_for(lock: ControlledLock, thread: SimThread, operation: str) -> None:
    """Take a checkpoint for an operation on one of the program's own locks, unless it
    belongs to the program-level call whose step the thread is in already. A lock made
    inside the standard library takes no step of its own: the call that uses it has one."""
    if not lock.visible:
        return
    kernel = lock._kernel
    call = _call_of(kernel)
    if call is None or call is thread.step_call:
        return
    kernel.checkpoint(operation, touches=lock.name)
    thread.step_call = call


class ControlledLock(Primitive):
    """``_thread.lock``: one owner, any thread may release it, FIFO waiters that try again
    when a release wakes them (as CPython's, another thread may take it first)."""

    kind = PrimitiveKind.MUTEX

    def __init__(self) -> None:
        kernel, _thread = bound()
        visible = _made_by_program(kernel)
        with kernel.lock:
            kind = "RLock" if isinstance(self, ControlledRLock) else "Lock"
            name = name_from_source(kernel, kind) if visible else f"lock@{id(self):x}"
            super().__init__(kernel, name)
            serial = kernel.names_used.get("\0lock", 0) + 1
            kernel.names_used["\0lock"] = serial
            self._serial = serial
            """Its hash: the order it was made in the run, so a set of locks (threading's
            ``_shutdown_locks``) is iterated in the same order in every execution."""
            self.owner: SimThread | None = None
            self.waiters: deque[SimThread] = deque()
            """Threads blocked acquiring it, first to be woken first. Each waits, as the
            panels show it, on ``shown_as`` or on what its program-level call presents
            (a condition's waiter lock shows its thread waiting on the condition)."""
            self.shown_as: Primitive | None = None
            """What a thread blocked on this lock is shown waiting on, if not the lock
            itself nor what its call presents (a thread's end lock: its thread's end)."""
            self.visible = visible
            """Made by the program (shown, and its events recorded), not inside a
            standard-library object."""
            if visible:
                kernel.register(self, lives_with=self)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not blocking and timeout != -1:
            raise ValueError("can't specify a timeout for a non-blocking call")
        if timeout < 0 and timeout != -1:
            raise ValueError(_NEGATIVE_TIMEOUT)
        if timeout > _real_thread.TIMEOUT_MAX:
            raise OverflowError("timeout value is too large")
        caller = _caller(self)
        if caller is None:
            return True  # after the run: nothing waits any more
        kernel, thread = caller
        if thread.stopped:
            unwind(thread)  # the run has stopped: the thread unwinds, taking nothing more
        outer_call = thread.step_call
        _step_for(self, thread, f"acquire {self.name}")
        try:
            return self._acquire_for(kernel, thread, blocking, timeout)
        finally:
            # The call is over: its frame (and whatever it refers to) is not kept.
            thread.step_call = outer_call

    def _acquire_for(
        self, kernel: Kernel, thread: SimThread, blocking: bool, timeout: float
    ) -> bool:
        if self.shown_as is not None and thread.presenting is None and blocking and self.owner:
            # A thread's end, waited for by the interpreter's exit (threading._shutdown):
            # one step, "join Thread-1", as a join the program calls.
            kernel.checkpoint(f"join {self.shown_as.name}")
        deadline = None if timeout == -1 else kernel.clock + timeout
        inside_engine = kernel.inside_engine(thread)
        while True:
            with kernel.lock:
                if self._free_for(thread):
                    self._take(thread)
                    if self.visible:
                        kernel.emit(thread, EventKind.ACQUIRE, self.name)
                    return True
                if not blocking:
                    break
                if thread.stopped:
                    unwind(thread)  # the run has stopped: no more waiting
                if inside_engine:
                    raise RuntimeError(_CANNOT_WAIT_INSIDE.format(thread=thread.name, lock=self))
                shown, state = self._shown_for(thread)
                if shown is self:
                    holder = self.owner.name if self.owner is not None else "nobody"
                    if self.visible:
                        kernel.emit(thread, EventKind.BLOCK, self.name, f"held by {holder}")
                else:
                    shown.blocked(thread)  # type: ignore[attr-defined]
                # Before parking: parking ends the step, and what runs next (another
                # thread, a replayed user action) may wake it at once.
                thread.parked_lock = self
                self.waiters.append(thread)
                kernel.park(thread, shown, state, deadline=deadline)
            if kernel.resume(thread) is TIMED_OUT:
                return False
        if self.owner is thread:
            # A try for a lock the caller holds itself is ``Condition.wait(0)``. Tried
            # again with no time gone by, it takes a little, as it does under CPython: a
            # loop that waits for the time left to its deadline (``as_completed``) then
            # comes to the deadline rather than trying for ever.
            with kernel.lock:
                if thread.failed_try_at == kernel.clock:
                    kernel.clock += TRY_TIME
                thread.failed_try_at = kernel.clock
        return False

    acquire_lock = acquire

    def release(self) -> None:
        caller = _caller(self)
        if caller is None:
            return  # after the run: nothing waits any more
        kernel, thread = caller
        if thread.stopped:
            unwind(thread)  # unwinding: what it holds no longer matters
        outer_call = thread.step_call
        _step_for(self, thread, f"release {self.name}")
        try:
            with kernel.lock:
                self._release_by(thread)
        finally:
            thread.step_call = outer_call

    release_lock = release

    def locked(self) -> bool:
        return self.owner is not None

    locked_lock = locked

    def _at_fork_reinit(self) -> None:
        self.owner = None

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def __hash__(self) -> int:
        return self._serial

    def __eq__(self, other: object) -> bool:
        return self is other

    def __repr__(self) -> str:
        state = "locked" if self.owner is not None else "unlocked"
        return f"<{state} _thread.lock object at {id(self):#x}>"

    # -- engine side (kernel lock held)

    def _free_for(self, thread: SimThread) -> bool:
        return self.owner is None

    def _take(self, thread: SimThread) -> None:
        self.owner = thread

    def _release_by(self, thread: SimThread) -> None:
        if self.owner is None:
            raise RuntimeError("release unlocked lock")
        self._hand_back(thread)

    def _shown_for(self, thread: SimThread) -> tuple[Primitive, ThreadState]:
        """What ``thread``, about to block on this lock, is shown waiting on, and how."""
        if self.visible:
            return self, ThreadState.BLOCKED
        if thread.presenting is not None:
            return thread.presenting
        if self.shown_as is not None:
            return self.shown_as, ThreadState.BLOCKED
        return self, ThreadState.BLOCKED

    def timed_out(self, thread: SimThread) -> None:
        unpark(thread)

    def _hand_back(self, thread: SimThread | None) -> None:
        """Free it and wake its first waiter, which tries again (kernel lock held);
        ``thread`` None: the user did it (a signal to a condition's waiter)."""
        self.owner = None
        waiter = self.waiters.popleft() if self.waiters else None
        if waiter is not None:
            shown = waiter.blocked_on
            if shown is not None and waiter in shown.queue:
                shown.queue.remove(waiter)
            waiter.parked_lock = None
            woken = getattr(shown, "woken", None)
            by = f" (woken by {thread.name})" if thread is not None else ""
            operation = woken(waiter) if woken is not None else f"acquire {self.name}{by}"
            self._kernel.wake(waiter, operation)
        if self.visible:
            detail = f"wakes {waiter.name}" if waiter is not None else ""
            self._kernel.emit(thread, EventKind.RELEASE, self.name, detail)

    def waiting_text(self, thread: SimThread) -> str:
        if self.owner is thread:
            return f"{thread.name} waits for {self.name}, which it holds itself"
        holder = self.owner.name if self.owner is not None else "nobody"
        return f"{thread.name} waits for {self.name}, held by {holder}"

    def view(self) -> MutexView:
        return MutexView(
            name=self.name,
            queue=self._queue_names(),
            owner=self.owner.name if self.owner is not None else None,
        )


class ControlledRLock(ControlledLock):
    """``_thread.RLock``: its owner may take it again; only the owner may release it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        # CPython's C RLock takes and ignores any arguments (3.13's threading.RLock warns
        # that passing them is deprecated, then passes them on).
        self.count = 0
        super().__init__()

    def _free_for(self, thread: SimThread) -> bool:
        return self.owner is None or self.owner is thread

    def _take(self, thread: SimThread) -> None:
        self.count = self.count + 1 if self.owner is thread else 1
        self.owner = thread

    def _release_by(self, thread: SimThread) -> None:
        if self.owner is not thread:
            raise RuntimeError("cannot release un-acquired lock")
        self.count -= 1
        if self.count == 0:
            self._hand_back(thread)

    def _is_owned(self) -> bool:
        _kernel, thread = bound()
        return self.owner is thread

    def _recursion_count(self) -> int:
        _kernel, thread = bound()
        return self.count if self.owner is thread else 0

    def _release_save(self) -> tuple[int, int]:
        kernel, thread = bound()
        if self.count == 0:
            raise RuntimeError("cannot release un-acquired lock")
        with kernel.lock:
            saved = (self.count, thread.index)
            self.count = 0
            self._hand_back(thread)
        return saved

    def _acquire_restore(self, state: tuple[int, int]) -> None:
        self.acquire()
        self.count = state[0]

    def _at_fork_reinit(self) -> None:
        self.owner = None
        self.count = 0

    def __repr__(self) -> str:
        state = "locked" if self.owner is not None else "unlocked"
        owner = self.owner.index if self.owner is not None else 0
        return f"<{state} _thread.RLock object owner={owner} count={self.count} at {id(self):#x}>"

    def view(self) -> MutexView:
        return MutexView(
            name=self.name,
            queue=self._queue_names(),
            owner=self.owner.name if self.owner is not None else None,
            depth=self.count,
        )


@contextlib.contextmanager
def _starting(kernel: Kernel) -> Iterator[None]:
    """The calling thread starts a thread: from the new thread's making to its start-up's
    end, no step of the starter's can begin (``Kernel.inside_engine``), or the new thread
    could be given a turn before its start-up is in place."""
    _kernel, starter = bound()
    starter.inside_engine += 1
    try:
        yield
    finally:
        starter.inside_engine -= 1


def _run_prologue(kernel: Kernel, child: SimThread, owner: object) -> None:
    """Let a ``threading.Thread`` just started run CPython's start-up protocol (its ident,
    its end lock, ``_started.set()``) at once, inside its starter's step, and stop where
    its own ``run`` begins: so ``start()`` is one step that does not wait, as the program
    sees it, and the new thread's first turn runs the program's code, whenever the
    schedule gives it one."""
    if owner is None or not callable(getattr(owner, "run", None)):
        return  # _thread.start_new_thread called by hand: nothing to wait for
    had_own_run = "run" in vars(owner)
    original_run = owner.run  # type: ignore[attr-defined]
    reached = threading.Event()

    def begin() -> object:
        if had_own_run:
            owner.run = original_run  # type: ignore[attr-defined]
        else:
            del owner.run  # type: ignore[attr-defined]
        child.inside_engine -= 1
        reached.set()
        kernel.resume(child)  # its first turn
        return original_run()

    owner.run = begin  # type: ignore[attr-defined]
    child.prologue = reached
    child.inside_engine += 1
    child.gate.release()  # it runs now, outside the schedule, until ``begin``
    while not reached.wait(0.05):
        if child.stopped:  # the run stopped before the child began: it never will
            raise StopRun


def unpark(thread: SimThread) -> None:
    """``thread`` has left the queue it was shown in because its timeout passed (kernel
    lock held): it no longer waits for the lock it was blocked on."""
    lock = thread.parked_lock
    if lock is not None and thread in lock.waiters:
        lock.waiters.remove(thread)
    thread.parked_lock = None


# As the program sees them: type(threading.Lock()) is _thread.lock, as under CPython.
ControlledLock.__name__ = ControlledLock.__qualname__ = "lock"
ControlledLock.__module__ = "_thread"
ControlledRLock.__name__ = ControlledRLock.__qualname__ = "RLock"
ControlledRLock.__module__ = "_thread"


def _made_by_program(kernel: Kernel) -> bool:
    """Whether the lock being made is the program's own (``threading.Lock()`` or
    ``RLock()`` called from its code), not one a standard-library object makes inside."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and (
        frame.f_code.co_filename == __file__ or frame.f_code.co_name == "RLock"
    ):
        frame = frame.f_back  # this module's frames, and threading.RLock() calling _CRLock
    return frame is not None and frame.f_code.co_filename in kernel.program_files


class ThreadHandle:
    """``_thread._ThreadHandle`` (3.13): a started thread's ident, and a lock its thread
    holds until it ends, which ``join`` waits for."""

    def __init__(self) -> None:
        self.ident: int | None = None
        self._end: ControlledLock | None = None
        self._done = False

    def start(self, thread: SimThread) -> None:
        """``thread`` runs for this handle from now on (it holds the end lock)."""
        self.ident = thread.index
        self._end = ControlledLock()
        self._end.owner = thread

    def is_done(self) -> bool:
        return self._done

    def _set_done(self) -> None:
        kernel, thread = bound()
        with kernel.lock:
            self._finish(thread)

    def _finish(self, thread: SimThread) -> None:
        """The thread has ended (kernel lock held): wake every joiner."""
        self._done = True
        end = self._end
        if end is not None and end.owner is not None:
            end._hand_back(thread)

    def join(self, timeout: float | None = None) -> None:
        _kernel, thread = bound()
        if self.ident == thread.index and not self._done:
            raise RuntimeError("Cannot join current thread")
        end = self._end
        if self._done or end is None:
            return
        wait = -1 if timeout is None else max(0.0, timeout)
        if end.acquire(True, wait):
            end.release()


def make_module(kernel: Kernel, end_of: Callable[[Any], Primitive]) -> ModuleType:
    """A controlled ``_thread`` for one run; ``end_of`` gives where joiners of a
    ``threading.Thread`` are shown waiting."""
    module = ModuleType("_thread", _real_thread.__doc__)
    sentinels: dict[int, ControlledLock] = {}
    failures: dict[int, BaseException] = {}

    def get_ident() -> int:
        _kernel, thread = bound()
        return thread.index

    def start_new_thread(
        function: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
    ) -> int:
        owner = getattr(function, "__self__", None)
        name = str(getattr(owner, "name", None) or "Thread")
        daemon = bool(getattr(owner, "daemon", False))

        def body() -> None:
            _kernel, me = bound()
            try:
                function(*args, **(kwargs or {}))
            finally:
                if me.prologue is not None:
                    me.prologue.set()  # ended before its run began: its starter goes on
                sentinel = sentinels.pop(me.index, None)
                if sentinel is not None and sentinel.owner is me:
                    with kernel.lock:
                        sentinel._hand_back(me)
            failure = failures.pop(me.index, None)
            if failure is not None:
                raise failure  # CPython's hook reported it: the thread fails, as a verdict says

        with _starting(kernel):
            with kernel.lock:
                sim = kernel.start_thread_now(name, body, daemon=daemon, handle=owner)
            _run_prologue(kernel, sim, owner)
        return sim.index

    handles: dict[int, ThreadHandle] = {}

    def start_joinable_thread(
        function: Callable[..., object], handle: ThreadHandle | None = None, daemon: bool = True
    ) -> ThreadHandle:
        handle = handle if handle is not None else ThreadHandle()
        owner = getattr(function, "__self__", None)
        name = str(getattr(owner, "name", None) or "Thread")

        def body() -> None:
            _kernel, me = bound()
            try:
                function()
            finally:
                if me.prologue is not None:
                    me.prologue.set()  # ended before its run began: its starter goes on
                with kernel.lock:
                    handle._finish(me)
            failure = failures.pop(me.index, None)
            if failure is not None:
                raise failure

        with _starting(kernel):
            with kernel.lock:
                sim = kernel.start_thread_now(name, body, daemon=daemon, handle=owner)
                handle.start(sim)
                if owner is not None and handle._end is not None:
                    handle._end.shown_as = end_of(owner)
                if not daemon:
                    handles[sim.index] = handle
            _run_prologue(kernel, sim, owner)
        return handle

    def _make_thread_handle(ident: int) -> ThreadHandle:
        handle = ThreadHandle()
        handle.ident = ident
        return handle

    def _shutdown() -> None:
        """Wait for every non-daemon thread to end, oldest first."""
        while handles:
            index = min(handles)
            handles.pop(index).join()

    def _set_sentinel() -> ControlledLock:
        lock = ControlledLock()
        _kernel, thread = bound()
        if thread.handle is not None:
            lock.shown_as = end_of(thread.handle)
        sentinels[thread.index] = lock
        return lock

    def _excepthook(args: Any) -> None:
        if args.exc_type is SystemExit:
            return
        if args.exc_type is StopRun or isinstance(args.exc_value, StopRun):
            raise args.exc_value
        _kernel, thread = bound()
        failures[thread.index] = args.exc_value

    def allocate_lock() -> ControlledLock:
        return ControlledLock()

    module.__dict__.update(
        allocate_lock=allocate_lock,
        allocate=allocate_lock,
        LockType=ControlledLock,
        lock=ControlledLock,
        RLock=ControlledRLock,
        get_ident=get_ident,
        get_native_id=get_ident,
        start_new_thread=start_new_thread,
        start_new=start_new_thread,
        start_joinable_thread=start_joinable_thread,
        _ThreadHandle=ThreadHandle,
        _make_thread_handle=_make_thread_handle,
        _get_main_thread_ident=lambda: kernel.threads[0].index,
        _shutdown=_shutdown,
        _set_sentinel=_set_sentinel,
        _excepthook=_excepthook,
        _ExceptHookArgs=_real_thread._ExceptHookArgs,
        _local=_real_thread._local,
        error=_real_thread.error,
        TIMEOUT_MAX=_real_thread.TIMEOUT_MAX,
        stack_size=lambda size=0: 0,
        _count=lambda: len(kernel.live_threads) - 1,
        interrupt_main=_real_thread.interrupt_main,
        exit=_real_thread.exit,
        daemon_threads_allowed=lambda: True,
        _is_main_interpreter=lambda: True,
    )
    return module
