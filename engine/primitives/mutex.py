"""Mutex: one owner at a time, a FIFO wait queue, and ownership handed to the first waiter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..snapshot.model import EventKind, MutexView, PrimitiveKind, ThreadState
from .base import Acquirable

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


class Mutex(Acquirable):
    """A non-reentrant lock, like ``threading.Lock``: acquiring it twice deadlocks."""

    kind = PrimitiveKind.MUTEX

    def __init__(self, kernel: Kernel, name: str) -> None:
        super().__init__(kernel, name)
        self.owner: SimThread | None = None

    def acquire(self) -> None:
        thread = self._kernel.checkpoint(f"acquire {self.name}")
        self._take(thread)

    def release(self) -> None:
        thread = self._kernel.checkpoint(f"release {self.name}")
        with self._kernel.lock:
            self._release_locked(thread)

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

    # -- engine side

    def _take(self, thread: SimThread) -> None:
        """Acquire for ``thread`` in its current step: own it now, or queue until handed it."""
        kernel = self._kernel
        with kernel.lock:
            if self.owner is None:
                self.owner = thread
                kernel.emit(thread, EventKind.ACQUIRE, self.name)
                return
            kernel.emit(thread, EventKind.BLOCK, self.name, f"held by {self.owner.name}")
            kernel.park(thread, self, ThreadState.BLOCKED)
        kernel.resume(thread)  # released with ownership already handed over

    def _release_locked(self, thread: SimThread) -> None:
        """Release by ``thread`` (lock held); the first waiter, if any, becomes the owner."""
        if self.owner is not thread:
            holder = self.owner.name if self.owner is not None else "nobody"
            raise RuntimeError(
                f"{thread.name} released {self.name}, which it does not hold (held by {holder})"
            )
        kernel = self._kernel
        if self.queue:
            successor = self.queue.popleft()
            self.owner = successor
            kernel.wake(successor, f"acquired {self.name} (handed over by {thread.name})")
            kernel.emit(thread, EventKind.RELEASE, self.name, f"handed over to {successor.name}")
        else:
            self.owner = None
            kernel.emit(thread, EventKind.RELEASE, self.name)
