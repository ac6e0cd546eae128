"""Shared variables: values whose read and write are separate steps.

Between one thread's read and its write, another thread may run: read-modify-write races
and lost updates are reachable, exactly as with an unsynchronised variable.

``ProgramVariable`` stands for a variable of a program's own (a global, a closure variable,
an attribute, an item), whose value lives in the program: it only keeps the record of who
read and wrote it (``engine.races`` reports the accesses).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.registry import reference
from ..snapshot.model import AccessKind, LostUpdate, PrimitiveKind, SharedAccess, SharedView
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel

RECENT_ACCESSES = 5


class AccessLog:
    """The last reads and writes of one variable, naming the update a write loses.

    Writes are numbered; each thread remembers the number of the last write it saw (by
    reading, or by writing itself) and what it read. A write loses an update when another
    thread wrote after this thread last read (a blind write loses nothing)."""

    def __init__(self) -> None:
        self.accesses: deque[SharedAccess] = deque(maxlen=RECENT_ACCESSES)
        self._writes = 0
        self._last_writer: str | None = None
        self._seen: dict[str, tuple[int, int | str]] = {}
        """Per thread: how many writes it had seen at its last access, and its last read."""

    def read(self, thread: str, value: int | str) -> SharedAccess:
        self._seen[thread] = (self._writes, value)
        access = SharedAccess(thread, AccessKind.READ, value)
        self.accesses.append(access)
        return access

    def write(self, thread: str, value: int | str, old: int | str) -> SharedAccess:
        """The write of ``value`` over ``old``."""
        lost = None
        seen = self._seen.get(thread)
        writer = self._last_writer
        if seen is not None and writer is not None and writer != thread:
            writes_seen, read = seen
            if writes_seen < self._writes:
                lost = LostUpdate(writer, old, read)
        self._writes += 1
        self._last_writer = thread
        if seen is not None:
            self._seen[thread] = (self._writes, seen[1])
        access = SharedAccess(thread, AccessKind.WRITE, value, old=old, lost=lost)
        self.accesses.append(access)
        return access


class ProgramVariable(Primitive):
    """A variable of the program's own that threads share (lock held for every call).

    Args:
        kernel: the run.
        name: what the panel calls it (``counter``, ``Counter.count``, ``buf[3]``).
        owner: the object holding it (its container, or None). Referred to weakly where
            it can be: the panel lives as long as the program keeps the object.
    """

    kind = PrimitiveKind.SHARED

    def __init__(
        self,
        kernel: Kernel,
        name: str,
        owner: object = None,
        dropped: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(kernel, name)
        self._owner = reference(owner, dropped) if owner is not None else None
        self.value: int | str = "?"
        """The value last seen (read or written), as shown."""
        self.log = AccessLog()

    @property
    def owner_dropped(self) -> bool:
        """Whether it had an owner, which the program has dropped since."""
        return self._owner is not None and self._owner() is None

    def belongs_to(self, owner: object) -> bool:
        """Whether it is ``owner``'s (not one's that died, whose identity ``owner`` has)."""
        return (self._owner() if self._owner is not None else None) is owner

    def read(self, thread: str, value: int | str) -> None:
        self.log.read(thread, value)
        self.value = value

    def write(self, thread: str, value: int | str, old: int | str | None) -> None:
        self.log.write(thread, value, self.value if old is None else old)
        self.value = value

    def view(self) -> SharedView:
        return SharedView(name=self.name, value=self.value, accesses=tuple(self.log.accesses))
