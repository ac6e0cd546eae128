"""Condition variable bound to a mutex: wait, signal, broadcast, and spurious wakeups.

``wait()`` releases the mutex, joins the condition's FIFO queue, and after waking
re-acquires the mutex (a step of its own, which may block) before returning. A spurious
wakeup returns from ``wait()`` with no signal at all: a ``while`` loop around the wait
survives it, an ``if`` does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import ControlRefused
from ..snapshot.model import ConditionView, EventKind, PrimitiveKind, ThreadState
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread
    from .mutex import Mutex


class Condition(Primitive):
    kind = PrimitiveKind.CONDITION
    accepts_user = True
    waits_for_signal = True

    def __init__(self, kernel: Kernel, name: str, mutex: Mutex) -> None:
        super().__init__(kernel, name)
        self.mutex = mutex

    def wait(self) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"wait on {self.name}")
        with kernel.lock:
            self._require_mutex(thread, "wait()")
            kernel.emit(thread, EventKind.WAIT, self.name, f"releases {self.mutex.name}")
            self.mutex._release_locked(thread)
            kernel.park(thread, self, ThreadState.WAITING)
        kernel.resume(thread)
        self.mutex._take(thread)  # woken: re-acquire before returning

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits on {self.name}, and no thread is left to signal it"

    def view(self) -> ConditionView:
        return ConditionView(name=self.name, queue=self._queue_names(), mutex=self.mutex.name)

    # -- the user's actions (runtime lock held, between steps)

    def user_signal(self) -> None:
        self._require_waiter()
        self._wake(self.queue[0], "signalled", None)

    def user_broadcast(self) -> None:
        self._require_waiter()
        for waiter in list(self.queue):
            self._wake(waiter, "broadcast", None)

    def user_spurious(self, thread_name: str | None) -> None:
        self._require_waiter()
        if thread_name is None:
            waiter = self.queue[0]
        else:
            found = [t for t in self.queue if t.name == thread_name]
            if not found:
                waiting = ", ".join(t.name for t in self.queue)
                raise ControlRefused(
                    f"{thread_name} is not waiting on {self.name} (waiting: {waiting})"
                )
            waiter = found[0]
        self._wake(waiter, "spurious wakeup", None)

    # -- helpers

    def _wake(self, waiter: SimThread, why: str, by: str | None) -> None:
        kernel = self._kernel
        self.queue.remove(waiter)
        kernel.wake(waiter, f"re-acquire {self.mutex.name} ({why})")
        kind = {"signalled": EventKind.SIGNAL, "broadcast": EventKind.BROADCAST}.get(
            why, EventKind.SPURIOUS
        )
        who = by if by is not None else "you"
        detail = (
            f"{waiter.name} woken by {who}"
            if kind is not EventKind.SPURIOUS
            else (f"{waiter.name} woken with no signal")
        )
        event_thread = kernel.thread_named(by) if by is not None else None
        kernel.emit(event_thread, kind, self.name, detail)

    def _require_mutex(self, thread: SimThread, call: str) -> None:
        if self.mutex.owner is not thread:
            raise RuntimeError(
                f"{thread.name} called {self.name}.{call} without holding {self.mutex.name}"
            )

    def _require_waiter(self) -> None:
        if not self.queue:
            raise ControlRefused(f"nobody is waiting on {self.name}")
