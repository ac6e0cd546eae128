"""What every primitive shares: a name, a runtime, and a visible FIFO wait queue."""

from __future__ import annotations

from collections import deque
from types import TracebackType
from typing import TYPE_CHECKING

from threadlab.engine.model import PrimitiveView

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime, SimThread


class Primitive:
    kind = "primitive"
    accepts_user = False
    """Whether the user can wake a thread waiting here (signal, post an event)."""

    def __init__(self, runtime: Runtime, name: str) -> None:
        self._rt = runtime
        self.name = name
        self.queue: deque[SimThread] = deque()
        """Threads waiting here, first to be woken first."""

    def settle(self) -> None:
        """Called between steps (lock held): copy any state the view reads from threads."""

    def waiting_text(self, thread: SimThread) -> str:
        """What ``thread``, stuck in this primitive's queue, waits for (for verdicts)."""
        return f"{thread.name} waits on {self.name}"

    def view(self) -> PrimitiveView:
        return PrimitiveView(name=self.name, kind=self.kind, queue=self._queue_names())

    def _queue_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.queue)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class Acquirable(Primitive):
    """A primitive taken with ``acquire`` and given back with ``release``, usable in a
    ``with`` statement, as the textbook writes it."""

    def acquire(self) -> None:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Acquirable:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
