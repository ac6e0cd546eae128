"""Shared variable: a plain value whose read and write are separate steps.

Between one thread's read and its write, another thread may run: read-modify-write races
and lost updates are reachable, exactly as with an unsynchronised variable.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from threadlab.engine.model import (
    AccessKind,
    EventKind,
    LostUpdate,
    PrimitiveKind,
    SharedAccess,
    SharedView,
)
from threadlab.engine.primitives.base import Primitive

if TYPE_CHECKING:
    from threadlab.engine.kernel import Kernel

RECENT_ACCESSES = 5


class SharedVariable(Primitive):
    kind = PrimitiveKind.SHARED

    def __init__(self, kernel: Kernel, name: str, value: int) -> None:
        super().__init__(kernel, name)
        self.value = value
        self.accesses: deque[SharedAccess] = deque(maxlen=RECENT_ACCESSES)
        # To name the update a write loses: writes are numbered; each thread remembers the
        # number of the last write it saw (by reading, or by writing itself) and what it read.
        self._writes = 0
        self._last_writer: str | None = None
        self._seen: dict[str, tuple[int, int]] = {}
        """Per thread: how many writes it had seen at its last access, and its last read."""

    def read(self) -> int:
        kernel = self._kernel
        thread = kernel.checkpoint(f"read {self.name}")
        with kernel.lock:
            self.accesses.append(self._record_read(thread.name))
            kernel.emit(thread, EventKind.READ, self.name, f"= {self.value}")
            return self.value

    def write(self, value: int) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"write {self.name} = {value}")
        with kernel.lock:
            self.accesses.append(self._record_write(thread.name, value))
            kernel.emit(thread, EventKind.WRITE, self.name, f"= {value} (was {self.value})")
            self.value = value

    def view(self) -> SharedView:
        return SharedView(name=self.name, value=self.value, accesses=tuple(self.accesses))

    # -- bookkeeping for the view (lock held)

    def _record_read(self, thread: str) -> SharedAccess:
        self._seen[thread] = (self._writes, self.value)
        return SharedAccess(thread, AccessKind.READ, self.value)

    def _record_write(self, thread: str, value: int) -> SharedAccess:
        """The write of ``value`` over the current value, naming the update it loses: one
        another thread wrote after this thread last read (a blind write loses nothing)."""
        lost = None
        seen = self._seen.get(thread)
        writer = self._last_writer
        if seen is not None and writer is not None and writer != thread:
            writes_seen, read = seen
            if writes_seen < self._writes:
                lost = LostUpdate(writer, self.value, read)
        self._writes += 1
        self._last_writer = thread
        if seen is not None:
            self._seen[thread] = (self._writes, seen[1])
        return SharedAccess(thread, AccessKind.WRITE, value, old=self.value, lost=lost)
