"""What every primitive shares: a name, its run's kernel, and a visible FIFO wait queue."""

from __future__ import annotations

from collections import deque
from types import TracebackType
from typing import TYPE_CHECKING

from ..snapshot.model import PrimitiveKind, PrimitiveView

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


class Primitive:
    """A primitive uses only the public interface of its kernel (``engine/core/kernel.py``)."""

    kind: PrimitiveKind
    accepts_user = False
    """Whether the user can wake a thread waiting here (signal, post an event)."""
    waits_for_signal = False
    """Whether a thread waits here for another to signal it (a condition's notify, an
    event's set) rather than for something held: stuck here with no cycle of holds, it is
    a lost wakeup, not a deadlock."""
    lines_in_text = False
    """Whether ``waiting_text`` says the lines itself (else a verdict adds the thread's)."""

    def __init__(self, kernel: Kernel, name: str) -> None:
        self._kernel = kernel
        self.name = name
        self.queue: deque[SimThread] = deque()
        """Threads waiting here, first to be woken first."""

    def hand_to_waiter(self, value: object, operation: str) -> bool:
        """Wake the first thread in the queue and hand it ``value`` (lock held): the task
        for an idle worker, the event for a waiting loop. The woken thread gets it from
        ``kernel.resume``.

        Returns:
            False when nobody waits (the caller keeps ``value`` for later).
        """
        if not self.queue:
            return False
        self._kernel.wake(self.queue.popleft(), operation, value)
        return True

    def timed_out(self, thread: SimThread) -> None:
        """``thread`` has just left the queue because its timeout passed (lock held)."""

    def settle(self) -> None:
        """Called between steps (lock held): copy any state the view reads from threads."""

    def holding(self) -> tuple[str, SimThread, float] | None:
        """For an event loop: the callback or task that holds it now, the loop's thread,
        and for how long it has (virtual seconds); None while nothing holds it (the
        default)."""
        return None

    def handler_running(self) -> tuple[str, SimThread, float, int] | None:
        """For a queue of handlers that a thread-based event loop runs: the handler its
        loop thread runs now, that thread, for how long it has (virtual seconds), and how
        many events wait in the queue meanwhile; None unless an event waits (the default)."""
        return None

    def signal_waiters(self, thread: SimThread) -> str:
        """Who waits for a signal when ``thread`` waits here (for a lost wakeup's words):
        the thread itself (the default), or an asyncio loop's tasks."""
        return thread.name

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
