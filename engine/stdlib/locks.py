"""``threading``'s locks, controlled: ``Lock``, ``RLock``, ``Condition``, ``Semaphore``,
``BoundedSemaphore``, ``Event`` and ``Barrier``, with CPython's API and errors.

They are the engine's primitives (the panels draw them as such) with CPython's rules on
top: a ``Lock`` may be released by any thread, an ``RLock`` only by its owner, a
``Condition`` needs its lock held to wait or notify, a semaphore never goes negative.
Acquiring, releasing, waiting, notifying, setting and clearing are checkpoints. Waiters
queue in FIFO order. As in CPython, a release does not hand the lock (or the permit) to a
waiter: it frees it and wakes the first waiter, which tries again when it next runs, so
another thread may barge in first. Timeouts are in the run's virtual time.
"""

from __future__ import annotations

import sys
import threading as _real_threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..core.errors import StopRun
from ..core.kernel import TIMED_OUT
from ..core.threads import bound
from ..primitives.barrier import Barrier as EngineBarrier
from ..primitives.base import Primitive
from ..primitives.condition import Condition as EngineCondition
from ..primitives.mutex import Mutex
from ..primitives.semaphore import Semaphore as EngineSemaphore
from ..snapshot.model import EventKind, PrimitiveKind, ThreadState
from ..snapshot.views import EventFlagView, MutexView
from .naming import name_from_source, program_frame

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


def _register(primitive: Primitive) -> None:
    kernel = primitive._kernel
    with kernel.lock:
        kernel.register(primitive)


def _new_name(kind: str, name: str | None) -> tuple[Kernel, str]:
    """The run of the calling thread, and a unique name for the primitive it makes."""
    kernel, _thread = bound()
    with kernel.lock:
        return kernel, kernel.unique_name(name) if name else name_from_source(kernel, kind)


def _deadline(kernel: Kernel, timeout: float | None) -> float | None:
    return None if timeout is None else kernel.clock + max(0.0, timeout)


class _WithStatement:
    """``with lock:`` acquires and releases."""

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


_NEGATIVE_LOCK_TIMEOUT = (
    "timeout value must be a non-negative number"
    if sys.version_info >= (3, 13)
    else "timeout value must be positive"
)
"""What ``Lock.acquire`` says of a negative timeout (other than -1): 3.13 reworded it."""


def _lock_timeout(blocking: bool, timeout: float) -> float | None:
    """A lock's ``timeout`` argument checked as CPython does: None for no timeout."""
    if not blocking and timeout != -1:
        raise ValueError("can't specify a timeout for a non-blocking call")
    if timeout < 0 and timeout != -1:
        raise ValueError(_NEGATIVE_LOCK_TIMEOUT)
    return None if timeout == -1 else timeout


def _made_by_library() -> bool:
    """Whether the lock being made is a standard-library module's own (``logging``'s,
    run for the program), not one the program makes: the innermost frame outside the
    engine is not the program's."""
    kernel, _thread = bound()
    frame = program_frame()
    return frame is not None and frame.f_code.co_filename not in kernel.program_files


class Lock(_WithStatement, Mutex):  # type: ignore[misc]
    """``threading.Lock``: any thread may release it, not only the one that acquired it.

    One a standard-library module makes for itself (``logging``'s) is *quiet*: not in the
    panels, its operations no step and no event of their own (they belong to the call
    that uses it), though a thread that finds it taken still waits for it."""

    quiet = False

    def __init__(self, *, name: str | None = None) -> None:
        if _made_by_library():
            self._quiet_init("Lock")
            return
        kernel, unique = _new_name("Lock", name)
        Mutex.__init__(self, kernel, unique)
        _register(self)

    def _quiet_init(self, kind: str) -> None:
        kernel, _thread = bound()
        Mutex.__init__(self, kernel, f"{kind}@{id(self):x}")
        self.quiet = True

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:  # type: ignore[override]
        limit = _lock_timeout(blocking, timeout)
        thread = self._step(f"acquire {self.name}")
        if thread is None:
            return True  # a garbage collection's callback, outside the run: nothing waits
        return self._acquire_now(thread, blocking, limit)

    def release(self) -> None:
        thread = self._step(f"release {self.name}")
        if thread is None:
            return
        with self._kernel.lock:
            self._release_locked(thread)

    def _step(self, operation: str) -> SimThread | None:
        """A checkpoint, unless the lock is quiet: then just the calling thread, or None
        when that is no thread of a run (logging's weakref callback, run by a garbage
        collection in any thread, takes logging's lock)."""
        if self.quiet:
            try:
                return self._kernel.current()
            except RuntimeError:
                return None
        return self._kernel.checkpoint(operation, touches=self.name)

    def locked(self) -> bool:
        return self.owner is not None

    def _acquire_now(self, thread: SimThread, blocking: bool, timeout: float | None) -> bool:
        """Acquire in the caller's current step: own it now, or queue until a release
        wakes it to try again, as CPython's locks do (lock not held)."""
        kernel = self._kernel
        deadline = _deadline(kernel, timeout)
        while True:
            with kernel.lock:
                if self._free_for(thread):
                    self._own(thread)
                    if not self.quiet:
                        kernel.emit(thread, EventKind.ACQUIRE, self.name)
                    return True
                if not blocking:
                    return False
                holder = self.owner.name if self.owner is not None else "nobody"
                if not self.quiet:
                    kernel.emit(thread, EventKind.BLOCK, self.name, f"held by {holder}")
                kernel.park(thread, self, ThreadState.BLOCKED, deadline=deadline)
            if kernel.resume(thread) is TIMED_OUT:
                return False

    def _free_for(self, thread: SimThread) -> bool:
        return self.owner is None

    def _own(self, thread: SimThread) -> None:
        self.owner = thread

    def _take(self, thread: SimThread) -> None:
        self._acquire_now(thread, True, None)

    def _release_locked(self, thread: SimThread) -> None:
        if self.owner is None:
            raise RuntimeError("release unlocked lock")
        self._hand_over(thread)

    def _hand_over(self, thread: SimThread) -> None:
        """Free it and wake the first waiter, which tries again when it next runs: as in
        CPython, another thread may take the lock first (lock held)."""
        kernel = self._kernel
        self.owner = None
        if self.queue:
            waiter = self.queue.popleft()
            kernel.wake(waiter, f"acquire {self.name} (woken by {thread.name})")
            if not self.quiet:
                kernel.emit(thread, EventKind.RELEASE, self.name, f"wakes {waiter.name}")
        elif not self.quiet:
            kernel.emit(thread, EventKind.RELEASE, self.name)

    # What a Condition built on it needs (CPython's _is_owned, _release_save,
    # _acquire_restore): a plain lock counts as owned while anyone holds it.
    def _is_owned(self, thread: SimThread) -> bool:
        return self.owner is not None

    def _release_save(self, thread: SimThread) -> int:
        self._hand_over(thread)
        return 1

    def _acquire_restore(self, thread: SimThread, saved: int) -> None:
        self._acquire_now(thread, True, None)


class RLock(Lock):
    """``threading.RLock``: its owner may acquire it again; each acquire needs a release."""

    def __init__(self, *, name: str | None = None) -> None:
        self.depth = 0
        """How many times the owner holds it."""
        if _made_by_library():
            self._quiet_init("RLock")
            return
        kernel, unique = _new_name("RLock", name)
        Mutex.__init__(self, kernel, unique)
        _register(self)

    def _free_for(self, thread: SimThread) -> bool:
        return self.owner is None or self.owner is thread

    def _own(self, thread: SimThread) -> None:
        self.depth = self.depth + 1 if self.owner is thread else 1
        self.owner = thread

    def _release_locked(self, thread: SimThread) -> None:
        if self.owner is not thread:
            raise RuntimeError("cannot release un-acquired lock")
        self.depth -= 1
        if self.depth == 0:
            self._hand_over(thread)
        elif not self.quiet:
            self._kernel.emit(thread, EventKind.RELEASE, self.name, f"still held {self.depth}×")

    def _is_owned(self, thread: SimThread) -> bool:
        return self.owner is thread

    def _release_save(self, thread: SimThread) -> int:
        saved, self.depth = self.depth, 0
        self._hand_over(thread)
        return saved

    def _acquire_restore(self, thread: SimThread, saved: int) -> None:
        self._acquire_now(thread, True, None)
        self.depth = saved

    def view(self) -> MutexView:
        return MutexView(
            name=self.name,
            queue=self._queue_names(),
            owner=self.owner.name if self.owner is not None else None,
            depth=self.depth,
        )


class Condition(EngineCondition):
    """``threading.Condition``: a context manager for its lock, ``wait`` (returning False
    on a timeout), ``wait_for``, ``notify(n)`` and ``notify_all``. A spurious wakeup
    returns from ``wait`` as if notified, as CPython allows."""

    mutex: Lock

    def __init__(self, lock: Lock | None = None, *, name: str | None = None) -> None:
        kernel, unique = _new_name("Condition", name)
        if lock is None:
            lock = RLock(name=f"{unique}.lock")
        elif not isinstance(lock, Lock):
            raise TypeError(f"Condition needs a threading lock, not {type(lock).__name__}")
        EngineCondition.__init__(self, kernel, unique, lock)
        _register(self)

    def __enter__(self) -> bool:
        return self.mutex.__enter__()

    def __exit__(self, *exc_info: object) -> None:
        self.mutex.release()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self.mutex.acquire(blocking, timeout)

    def release(self) -> None:
        self.mutex.release()

    def wait(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        kernel = self._kernel
        thread = kernel.checkpoint(f"wait on {self.name}", touches=self.mutex.name)
        with kernel.lock:
            if not self.mutex._is_owned(thread):
                raise RuntimeError("cannot wait on un-acquired lock")
            kernel.emit(thread, EventKind.WAIT, self.name, f"releases {self.mutex.name}")
            saved = self.mutex._release_save(thread)
            kernel.park(thread, self, ThreadState.WAITING, deadline=_deadline(kernel, timeout))
        woken = kernel.resume(thread) is not TIMED_OUT
        self.mutex._acquire_restore(thread, saved)  # woken or not, it holds the lock again
        return woken

    def wait_for(self, predicate: Callable[[], Any], timeout: float | None = None) -> Any:
        kernel = self._kernel
        end = None if timeout is None else kernel.clock + timeout
        result = predicate()
        while not result:
            remaining = None
            if end is not None:
                remaining = end - kernel.clock
                if remaining <= 0:
                    break
            self.wait(remaining)
            result = predicate()
        return result

    def notify(self, n: int = 1) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(
            f"notify {self.name}" if n == 1 else f"notify {n} on {self.name}",
            touches=self.mutex.name,
        )
        with kernel.lock:
            if not self.mutex._is_owned(thread):
                raise RuntimeError("cannot notify on un-acquired lock")
            woken = list(self.queue)[: max(0, n)]
            if not woken:
                kernel.emit(thread, EventKind.SIGNAL, self.name, "nobody waits: the notify is lost")
            for waiter in woken:
                self._wake(waiter, "signalled", thread.name)

    def notify_all(self) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"notify_all {self.name}", touches=self.mutex.name)
        with kernel.lock:
            if not self.mutex._is_owned(thread):
                raise RuntimeError("cannot notify on un-acquired lock")
            if not self.queue:
                kernel.emit(thread, EventKind.BROADCAST, self.name, "nobody waits")
            for waiter in list(self.queue):
                self._wake(waiter, "broadcast", thread.name)

    notifyAll = notify_all

    def _require_mutex(self, thread: SimThread, call: str) -> None:
        if not self.mutex._is_owned(thread):
            raise RuntimeError(f"cannot {call.removesuffix('()')} on un-acquired lock")


class Semaphore(_WithStatement, EngineSemaphore):  # type: ignore[misc]
    """``threading.Semaphore``: any thread may release; a release adds permits and wakes
    as many waiters, which try again when they next run."""

    def __init__(self, value: int = 1, *, name: str | None = None) -> None:
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        kernel, unique = _new_name(type(self).__name__, name)
        EngineSemaphore.__init__(self, kernel, unique, value)
        _register(self)

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:  # type: ignore[override]
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        kernel = self._kernel
        thread = kernel.checkpoint(f"acquire {self.name}", touches=self.name)
        deadline = _deadline(kernel, timeout)
        while True:
            with kernel.lock:
                if self.count > 0:
                    self.count -= 1
                    self.holders.append(thread)
                    kernel.emit(thread, EventKind.ACQUIRE, self.name, f"{self.count} left")
                    return True
                if not blocking:
                    return False
                kernel.emit(thread, EventKind.BLOCK, self.name, "no permit left")
                kernel.park(thread, self, ThreadState.BLOCKED, deadline=deadline)
            if kernel.resume(thread) is TIMED_OUT:
                return False

    def release(self, n: int = 1) -> None:
        if n < 1:
            raise ValueError("n must be one or more")
        kernel = self._kernel
        thread = kernel.checkpoint(f"release {self.name}", touches=self.name)
        with kernel.lock:
            self._check_release(n)
            for _ in range(n):
                if thread in self.holders:
                    self.holders.remove(thread)
                elif self.holders:
                    self.holders.pop(0)  # a permit given back for someone else
            self.count += n
            woken = [self.queue.popleft() for _ in range(min(n, len(self.queue)))]
            for waiter in woken:
                kernel.wake(waiter, f"acquire {self.name} (woken by {thread.name})")
            names = ", ".join(w.name for w in woken)
            detail = f"{self.count} left" + (f", wakes {names}" if names else "")
            kernel.emit(thread, EventKind.RELEASE, self.name, detail)

    def _check_release(self, n: int) -> None:
        """Raise if releasing ``n`` permits is not allowed (lock held)."""


class BoundedSemaphore(Semaphore):
    """``threading.BoundedSemaphore``: releasing more than it started with is an error."""

    def _check_release(self, n: int) -> None:
        if self.count + n > self.capacity:
            raise ValueError("Semaphore released too many times")


class Event(Primitive):
    """``threading.Event``: a flag; ``wait`` blocks until it is set (or times out)."""

    kind = PrimitiveKind.EVENT
    waits_for_signal = True

    def __init__(self, *, name: str | None = None) -> None:
        kernel, unique = _new_name("Event", name)
        super().__init__(kernel, unique)
        self.flag = False
        _register(self)

    def is_set(self) -> bool:
        return self.flag

    isSet = is_set

    def set(self) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"set {self.name}", touches=self.name)
        with kernel.lock:
            self.flag = True
            detail = ", ".join(t.name for t in self.queue)
            kernel.emit(thread, EventKind.SET, self.name, f"wakes {detail}" if detail else "")
            while self.queue:
                kernel.wake(self.queue.popleft(), f"{self.name} is set")

    def clear(self) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"clear {self.name}", touches=self.name)
        with kernel.lock:
            self.flag = False
            kernel.emit(thread, EventKind.CLEAR, self.name)

    def wait(self, timeout: float | None = None) -> bool:
        kernel = self._kernel
        thread = kernel.checkpoint(f"wait for {self.name}", touches=self.name)
        with kernel.lock:
            if self.flag:
                return True
            kernel.emit(thread, EventKind.WAIT, self.name)
            kernel.park(thread, self, ThreadState.WAITING, deadline=_deadline(kernel, timeout))
        # As CPython: True when set() woke it, even if the flag was cleared again since.
        return kernel.resume(thread) is not TIMED_OUT

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for {self.name} to be set, and no thread is left to set it"

    def view(self) -> EventFlagView:
        return EventFlagView(name=self.name, queue=self._queue_names(), is_set=self.flag)


class BrokenBarrierError(RuntimeError):
    """``threading.BrokenBarrierError``."""


_BROKEN = object()
"""Handed to the waiters of a barrier that breaks (aborted, reset, or timed out)."""


class Barrier(EngineBarrier):
    """``threading.Barrier``: ``wait`` returns the arrival index (0 to parties-1); the last
    to arrive runs ``action`` first; a timeout, ``abort`` or failing action breaks it and
    every waiter raises ``BrokenBarrierError``; ``reset`` mends it."""

    def __init__(
        self,
        parties: int,
        action: Callable[[], object] | None = None,
        timeout: float | None = None,
        *,
        name: str | None = None,
    ) -> None:
        # What this CPython says of parties < 1: 3.11 accepts them (its waiters then wait
        # forever); a later one may raise ValueError. Ask it rather than guess.
        _real_threading.Barrier(parties)
        kernel, unique = _new_name("Barrier", name)
        EngineBarrier.__init__(self, kernel, unique, max(1, parties))
        self.parties = parties
        self.action = action
        self.timeout = timeout
        self.broken = False
        _register(self)

    @property
    def n_waiting(self) -> int:
        return len(self.queue)

    def wait(self, timeout: float | None = None) -> int:
        kernel = self._kernel
        limit = self.timeout if timeout is None else timeout
        thread = kernel.checkpoint(f"wait at {self.name}", touches=self.name)
        with kernel.lock:
            if self.broken:
                raise BrokenBarrierError
            index = len(self.queue)
            if index + 1 < self.parties:
                kernel.emit(
                    thread, EventKind.ARRIVE, self.name, f"{index + 1}/{self.parties} arrived"
                )
                kernel.park(thread, self, ThreadState.BLOCKED, deadline=_deadline(kernel, limit))
        if index + 1 == self.parties:
            self._last_arrives(thread)
            return index
        handed = kernel.resume(thread)
        if handed is TIMED_OUT:
            with kernel.lock:
                self._break(thread, "timed out")
            raise BrokenBarrierError
        if handed is _BROKEN:
            raise BrokenBarrierError
        return index

    def _last_arrives(self, thread: SimThread) -> None:
        kernel = self._kernel
        if self.action is not None:
            try:
                self.action()
            except StopRun:
                raise  # the run stops: the barrier is not broken, nothing is recorded
            except BaseException:
                with kernel.lock:
                    self._break(thread, "its action failed")
                raise
        with kernel.lock:
            phase = self.phase
            for waiter in self.queue:
                kernel.wake(waiter, f"passed {self.name} (phase {phase + 1} done)")
            self.queue.clear()
            self.phase += 1
            kernel.emit(thread, EventKind.RELEASE, self.name, f"all {self.parties} arrived: go")

    def abort(self) -> None:
        thread = self._kernel.checkpoint(f"abort {self.name}", touches=self.name)
        with self._kernel.lock:
            self._break(thread, "aborted")

    def reset(self) -> None:
        thread = self._kernel.checkpoint(f"reset {self.name}", touches=self.name)
        with self._kernel.lock:
            if self.queue:
                self._break(thread, "reset")
            self.broken = False

    def _break(self, thread: SimThread, why: str) -> None:
        """Break the barrier: every waiter raises BrokenBarrierError (lock held)."""
        kernel = self._kernel
        self.broken = True
        kernel.emit(thread, EventKind.BREAK, self.name, why)
        while self.queue:
            kernel.wake(self.queue.popleft(), f"{self.name} is broken", _BROKEN)

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits at {self.name} ({len(self.queue)} of {self.parties} arrived)"
