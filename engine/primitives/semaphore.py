"""Counting semaphore: permits, FIFO waiters, and a permit handed straight to the first one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..snapshot.model import EventKind, PrimitiveKind, SemaphoreView, ThreadState
from .base import Acquirable

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


class Semaphore(Acquirable):
    """Like ``threading.Semaphore``; a mutex is the one-permit case without an owner."""

    kind = PrimitiveKind.SEMAPHORE

    def __init__(self, kernel: Kernel, name: str, permits: int) -> None:
        super().__init__(kernel, name)
        if permits < 0:
            raise ValueError("a semaphore starts with zero or more permits")
        self.count = permits
        self.capacity = permits
        self.holders: list[SimThread] = []
        """Threads that acquired a permit and have not released one (for display)."""

    def acquire(self) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"acquire {self.name}")
        with kernel.lock:
            if self.count > 0:
                self.count -= 1
                self.holders.append(thread)
                kernel.emit(thread, EventKind.ACQUIRE, self.name, f"{self.count} left")
                return
            kernel.emit(thread, EventKind.BLOCK, self.name, "no permit left")
            kernel.park(thread, self, ThreadState.BLOCKED)
        kernel.resume(thread)

    def release(self) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"release {self.name}")
        with kernel.lock:
            if thread in self.holders:
                self.holders.remove(thread)
            if self.queue:
                successor = self.queue.popleft()
                self.holders.append(successor)
                kernel.wake(successor, f"got a permit of {self.name} (from {thread.name})")
                kernel.emit(
                    thread, EventKind.RELEASE, self.name, f"permit handed to {successor.name}"
                )
            else:
                self.count += 1
                kernel.emit(thread, EventKind.RELEASE, self.name, f"{self.count} left")

    def waiting_text(self, thread: SimThread) -> str:
        holders = ", ".join(t.name for t in self.holders) or "nobody"
        return f"{thread.name} waits for a permit of {self.name} (held by {holders})"

    def view(self) -> SemaphoreView:
        return SemaphoreView(
            name=self.name,
            queue=self._queue_names(),
            count=self.count,
            permits=self.capacity,
            holders=tuple(t.name for t in self.holders),
        )
