"""Mutex: one owner at a time, a FIFO wait queue, and ownership handed to the first waiter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadlab.engine.model import MutexView, ThreadState
from threadlab.engine.primitives.base import Acquirable

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime, SimThread


class Mutex(Acquirable):
    """A non-reentrant lock, like ``threading.Lock``: acquiring it twice deadlocks."""

    kind = "mutex"

    def __init__(self, runtime: Runtime, name: str) -> None:
        super().__init__(runtime, name)
        self.owner: SimThread | None = None

    def acquire(self) -> None:
        thread = self._rt._checkpoint(f"acquire {self.name}")
        self._take(thread)

    def release(self) -> None:
        thread = self._rt._checkpoint(f"release {self.name}")
        with self._rt._cv:
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
        rt = self._rt
        with rt._cv:
            if self.owner is None:
                self.owner = thread
                rt._event(thread, "acquire", self.name)
                return
            self.queue.append(thread)
            rt._event(thread, "block", self.name, f"held by {self.owner.name}")
            rt._block(thread, ThreadState.BLOCKED, self)
        rt._await_turn(thread)  # released with ownership already handed over

    def _release_locked(self, thread: SimThread) -> None:
        """Release by ``thread`` (lock held); the first waiter, if any, becomes the owner."""
        if self.owner is not thread:
            holder = self.owner.name if self.owner is not None else "nobody"
            raise RuntimeError(
                f"{thread.name} released {self.name}, which it does not hold (held by {holder})"
            )
        rt = self._rt
        if self.queue:
            successor = self.queue.popleft()
            self.owner = successor
            rt._wake(successor, f"acquired {self.name} (handed over by {thread.name})")
            rt._event(thread, "release", self.name, f"handed over to {successor.name}")
        else:
            self.owner = None
            rt._event(thread, "release", self.name)
