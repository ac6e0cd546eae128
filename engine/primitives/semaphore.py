"""Counting semaphore: permits, FIFO waiters, and a permit handed straight to the first one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadlab.engine.model import SemaphoreView, ThreadState
from threadlab.engine.primitives.base import Acquirable

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime, SimThread


class Semaphore(Acquirable):
    """Like ``threading.Semaphore``; a mutex is the one-permit case without an owner."""

    kind = "semaphore"

    def __init__(self, runtime: Runtime, name: str, permits: int) -> None:
        super().__init__(runtime, name)
        if permits < 0:
            raise ValueError("a semaphore starts with zero or more permits")
        self.count = permits
        self.capacity = permits
        self.holders: list[SimThread] = []
        """Threads that acquired a permit and have not released one (for display)."""

    def acquire(self) -> None:
        rt = self._rt
        thread = rt._checkpoint(f"acquire {self.name}")
        with rt._cv:
            if self.count > 0:
                self.count -= 1
                self.holders.append(thread)
                rt._event(thread, "acquire", self.name, f"{self.count} left")
                return
            self.queue.append(thread)
            rt._event(thread, "block", self.name, "no permit left")
            rt._block(thread, ThreadState.BLOCKED, self)
        rt._await_turn(thread)

    def release(self) -> None:
        rt = self._rt
        thread = rt._checkpoint(f"release {self.name}")
        with rt._cv:
            if thread in self.holders:
                self.holders.remove(thread)
            if self.queue:
                successor = self.queue.popleft()
                self.holders.append(successor)
                rt._wake(successor, f"got a permit of {self.name} (from {thread.name})")
                rt._event(thread, "release", self.name, f"permit handed to {successor.name}")
            else:
                self.count += 1
                rt._event(thread, "release", self.name, f"{self.count} left")

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
