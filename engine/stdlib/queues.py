"""``queue``, controlled: ``Queue``, ``LifoQueue``, ``PriorityQueue`` and ``SimpleQueue``,
with CPython's API and errors (``Empty`` and ``Full`` are CPython's own classes, so
``except queue.Empty`` matches either way).

A queue is one primitive of the run, named from the source (``jobs = queue.Queue()`` is
``jobs``), whose view shows its items (next out first, each with the thread that put it),
its size limit, its unfinished tasks, and the threads waiting to get, to put or to join.
``put``, ``get``, ``task_done`` and ``join`` are checkpoints. As in CPython, a put does not
hand its item to a waiting getter: it wakes the first one, which tries again when it next
runs, so another thread may take the item first (the woken one then waits again, at the end
of the line). Timeouts are in the run's virtual time.

On 3.13 and later, as there, ``Queue.shutdown(immediate=False)`` makes puts raise
``ShutDown`` and gets raise it once the queue is empty (at once, emptied, if ``immediate``),
and wakes every thread blocked in ``put`` or ``get`` (and, if ``immediate``, in ``join``).
"""

from __future__ import annotations

import heapq
import queue as _real_queue
import sys
from collections import deque
from types import FunctionType, MethodType
from typing import TYPE_CHECKING, Any

from ..core.errors import ControlRefused
from ..core.kernel import TIMED_OUT
from ..core.threads import bound
from ..primitives.base import Primitive
from ..snapshot.model import (
    BufferItem,
    EventKind,
    PrimitiveKind,
    QueueOrder,
    QueueView,
    ThreadState,
)
from .naming import name_from_source

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

Empty = _real_queue.Empty
Full = _real_queue.Full
if sys.version_info >= (3, 13):
    ShutDown = _real_queue.ShutDown
    _ShutDown: type[Exception] = ShutDown
else:
    _ShutDown = RuntimeError  # never raised: only 3.13's ``Queue.shutdown()`` shuts a queue

ITEM_TEXT = 24
"""How many characters of an item's ``repr`` the view shows."""

_NEGATIVE_TIMEOUT = "'timeout' must be a non-negative number"


class _Entry:
    """An item and who put it; entries compare as their items do (a priority queue's heap)."""

    __slots__ = ("item", "putter", "text")

    def __init__(self, item: Any, putter: str) -> None:
        self.item = item
        self.text = _item_text(item)
        self.putter = putter

    def __lt__(self, other: _Entry) -> bool:
        return bool(self.item < other.item)


def _item_text(item: Any) -> str:
    if isinstance(item, FunctionType | MethodType):
        return _item_text_cut(item.__qualname__)  # a handler, not its address
    try:
        text = repr(item)
    except Exception:
        text = f"<{type(item).__name__}>"
    return _item_text_cut(text)


def _item_text_cut(text: str) -> str:
    return text if len(text) <= ITEM_TEXT else text[: ITEM_TEXT - 1] + "…"


class _Line(Primitive):
    """Where threads wait on a queue for one reason (an item, a free slot, every task
    done); not a primitive of its own in the panels: the queue's view lists them."""

    kind = PrimitiveKind.QUEUE

    def __init__(self, kernel: Kernel, owner: QueueState, why: str) -> None:
        super().__init__(kernel, owner.name)
        self.why = why

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for {self.why} {self.name}"


class QueueState(Primitive):
    """The engine side of one queue: its entries, its limit and its three lines of waiters."""

    kind = PrimitiveKind.QUEUE

    def __init__(self, kernel: Kernel, name: str, maxsize: int, order: QueueOrder) -> None:
        super().__init__(kernel, name)
        self.maxsize = maxsize
        self.order = order
        self.entries: deque[_Entry] | list[_Entry] = [] if order is QueueOrder.PRIORITY else deque()
        self.unfinished = 0
        self.getters = _Line(kernel, self, "an item in")
        self.putters = _Line(kernel, self, "a free slot in")
        self.joiners = _Line(kernel, self, "every task to be done in")
        self.tracks_tasks = order is not QueueOrder.SIMPLE
        self.is_shutdown = False
        """``shutdown()`` was called (3.13 and later)."""
        self.handler: tuple[str, SimThread, float] | None = None
        """A queue of handlers (``kernel.handler_loops``): the one its loop thread took
        last and runs now, that thread, and when (virtual seconds) it took it."""

    def handler_running(self) -> tuple[str, SimThread, float, int] | None:
        if self.handler is None or not self.entries:
            return None
        text, thread, since = self.handler
        if thread.state.ended:
            return None
        return text, thread, self._kernel.clock - since, len(self.entries)

    def took(self, thread: SimThread, entry: _Entry) -> None:
        """``thread`` took ``entry`` (lock held): if it is this queue's loop thread, the
        handler it runs now."""
        if self._kernel.handler_loops.get(self.name) == thread.name:
            self.handler = (entry.text, thread, self._kernel.clock)

    def back_for_more(self, thread: SimThread) -> None:
        """``thread`` comes back to get from the queue: the handler it ran has ended."""
        if self.handler is not None and self.handler[1] is thread:
            with self._kernel.lock:
                self.handler = None

    # -- the entries in their order (lock held)

    def push(self, entry: _Entry) -> None:
        if self.order is QueueOrder.PRIORITY:
            heapq.heappush(self.entries, entry)  # type: ignore[arg-type]
        else:
            self.entries.append(entry)

    def pop(self) -> _Entry:
        entries = self.entries
        if self.order is QueueOrder.PRIORITY:
            return heapq.heappop(entries)  # type: ignore[arg-type]
        if self.order is QueueOrder.LIFO:
            return entries.pop()
        assert isinstance(entries, deque)
        return entries.popleft()

    def next_out_first(self) -> list[_Entry]:
        entries = list(self.entries)
        if self.order is QueueOrder.LIFO:
            return entries[::-1]
        if self.order is QueueOrder.PRIORITY:
            try:
                return [heapq.heappop(entries) for _ in range(len(entries))]
            except Exception:  # items that do not compare: the heap's own order
                return list(self.entries)
        return entries

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self.entries)

    def wake_first(self, line: _Line, operation: str) -> None:
        if line.queue:
            self._kernel.wake(line.queue.popleft(), operation)

    def user_put(self, item: Any) -> None:
        """The user puts ``item`` (runtime lock held, between steps), as a thread's put
        would if the queue had room: it wakes the first getter."""
        if self.is_shutdown:
            raise ControlRefused(f"{self.name} is shut down")
        if self.full():
            raise ControlRefused(f"{self.name} is full ({self.maxsize})")
        entry = _Entry(item, "you")
        self.push(entry)
        self.unfinished += 1
        waking = f", wakes {self.getters.queue[0].name}" if self.getters.queue else ""
        self._kernel.emit(None, EventKind.PUT, self.name, f"{entry.text} (by you){waking}")
        self.wake_first(self.getters, f"get from {self.name} (woken by you)")

    def view(self) -> QueueView:
        getters, putters, joiners = (
            tuple(t.name for t in line.queue) for line in (self.getters, self.putters, self.joiners)
        )
        return QueueView(
            name=self.name,
            queue=getters + putters + joiners,
            order=self.order,
            items=tuple(BufferItem(e.text, e.putter) for e in self.next_out_first()),
            maxsize=self.maxsize,
            unfinished=self.unfinished if self.tracks_tasks else None,
            getters=getters,
            putters=putters,
            joiners=joiners,
        )


def _new_state(kind: str, maxsize: int, order: QueueOrder) -> QueueState:
    kernel, _thread = bound()
    with kernel.lock:
        state = QueueState(kernel, name_from_source(kernel, kind), maxsize, order)
        kernel.register(state)
    return state


def _deadline(kernel: Kernel, timeout: float) -> float:
    return kernel.clock + timeout


class Queue:
    """``queue.Queue``: first in, first out; ``maxsize`` <= 0 means no limit."""

    _order = QueueOrder.FIFO

    def __init__(self, maxsize: int = 0) -> None:
        self.maxsize = maxsize
        self._state = _new_state(type(self).__name__, maxsize, self._order)
        self._kernel = self._state._kernel

    @property
    def name(self) -> str:
        return self._state.name

    @property
    def unfinished_tasks(self) -> int:
        return self._state.unfinished

    def qsize(self) -> int:
        return len(self._state.entries)

    def empty(self) -> bool:
        return not self._state.entries

    def full(self) -> bool:
        return self._state.full()

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        kernel, state = self._kernel, self._state
        thread = kernel.checkpoint(f"put {_item_text(item)} into {state.name}", touches=state.name)
        deadline = None
        if state.maxsize > 0 and block and timeout is not None:
            if timeout < 0:
                raise ValueError(_NEGATIVE_TIMEOUT)
            deadline = _deadline(kernel, timeout)
        entry = _Entry(item, thread.name)
        while True:
            with kernel.lock:
                if state.is_shutdown:  # on the way in, and after each wait
                    kernel.emit(thread, EventKind.PUT, state.name, f"{entry.text}: shut down")
                    raise _ShutDown
                if not state.full():
                    self._put_now(thread, entry)
                    return
                if not block or (deadline is not None and deadline <= kernel.clock):
                    kernel.emit(thread, EventKind.PUT, state.name, f"{entry.text}: full")
                    raise Full
                kernel.emit(thread, EventKind.BLOCK, state.name, f"full ({state.maxsize})")
                kernel.park(thread, state.putters, ThreadState.BLOCKED, deadline=deadline)
            kernel.resume(thread)

    def _put_now(self, thread: SimThread, entry: _Entry) -> None:
        """Add ``entry`` and wake the first getter (lock held)."""
        state = self._state
        state.push(entry)
        state.unfinished += 1
        size = f"{len(state.entries)}/{state.maxsize}" if state.maxsize > 0 else len(state.entries)
        waking = state.getters.queue[0].name if state.getters.queue else None
        detail = f"{entry.text} ({size})" + (f", wakes {waking}" if waking else "")
        self._kernel.emit(thread, EventKind.PUT, state.name, detail)
        state.wake_first(state.getters, f"get from {state.name} (woken by {thread.name})")

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        kernel, state = self._kernel, self._state
        state.back_for_more(kernel.current())
        thread = kernel.checkpoint(f"get from {state.name}", touches=state.name)
        deadline = None
        if block and timeout is not None:
            if timeout < 0:
                raise ValueError(_NEGATIVE_TIMEOUT)
            deadline = _deadline(kernel, timeout)
        while True:
            with kernel.lock:
                if state.is_shutdown and not state.entries:
                    kernel.emit(thread, EventKind.GET, state.name, "empty and shut down")
                    raise _ShutDown
                if state.entries:
                    return self._get_now(thread)
                if not block or (deadline is not None and deadline <= kernel.clock):
                    kernel.emit(thread, EventKind.GET, state.name, "empty")
                    raise Empty
                kernel.emit(thread, EventKind.BLOCK, state.name, "empty")
                kernel.park(thread, state.getters, ThreadState.BLOCKED, deadline=deadline)
            if kernel.resume(thread) is TIMED_OUT:
                deadline = kernel.clock  # one last look, as CPython's loop takes

    def _get_now(self, thread: SimThread) -> Any:
        """Take the next item and wake the first putter (lock held)."""
        state = self._state
        entry = state.pop()
        size = f"{len(state.entries)}/{state.maxsize}" if state.maxsize > 0 else len(state.entries)
        waking = state.putters.queue[0].name if state.putters.queue else None
        detail = f"{entry.text} from {entry.putter} ({size})"
        if waking:
            detail += f", wakes {waking}"
        self._kernel.emit(thread, EventKind.GET, state.name, detail)
        state.took(thread, entry)
        state.wake_first(state.putters, f"put into {state.name} (woken by {thread.name})")
        return entry.item

    def put_nowait(self, item: Any) -> None:
        self.put(item, block=False)

    def get_nowait(self) -> Any:
        return self.get(block=False)

    def task_done(self) -> None:
        kernel, state = self._kernel, self._state
        thread = kernel.checkpoint(f"task_done on {state.name}", touches=state.name)
        with kernel.lock:
            unfinished = state.unfinished - 1
            if unfinished < 0:
                raise ValueError("task_done() called too many times")
            state.unfinished = unfinished
            woken = list(state.joiners.queue) if unfinished == 0 else []
            detail = f"{unfinished} unfinished"
            if woken:
                detail += ", wakes " + ", ".join(t.name for t in woken)
            kernel.emit(thread, EventKind.RELEASE, state.name, detail)
            for joiner in woken:
                state.joiners.queue.remove(joiner)
                kernel.wake(joiner, f"joined {state.name} (every task done)")

    def join(self) -> None:
        kernel, state = self._kernel, self._state
        thread = kernel.checkpoint(f"join {state.name}", touches=state.name)
        while True:
            with kernel.lock:
                if not state.unfinished:
                    return
                kernel.emit(thread, EventKind.JOIN, state.name, f"{state.unfinished} unfinished")
                kernel.park(thread, state.joiners, ThreadState.WAITING)
            kernel.resume(thread)

    if sys.version_info >= (3, 13):

        @property
        def is_shutdown(self) -> bool:
            return self._state.is_shutdown

        def shutdown(self, immediate: bool = False) -> None:
            """Puts raise ``ShutDown`` from now on, gets once the queue is empty; every
            thread blocked in ``put`` or ``get`` wakes to find out. ``immediate``: the
            items are dropped now (each a task done), so gets raise at once and ``join``
            may return."""
            kernel, state = self._kernel, self._state
            what = "shutdown(immediate=True)" if immediate else "shutdown()"
            thread = kernel.checkpoint(f"{what} {state.name}", touches=state.name)
            with kernel.lock:
                state.is_shutdown = True
                dropped = 0
                if immediate:
                    while state.entries:
                        state.pop()
                        dropped += 1
                        if state.unfinished > 0:
                            state.unfinished -= 1
                woken = [*state.getters.queue, *state.putters.queue]
                if immediate:
                    woken += state.joiners.queue
                detail = what + (f": {dropped} dropped" if immediate else "")
                if woken:
                    detail += ", wakes " + ", ".join(t.name for t in woken)
                kernel.emit(thread, EventKind.SHUTDOWN, state.name, detail)
                lines = (state.joiners, state.getters, state.putters)
                for line in lines if immediate else lines[1:]:
                    while line.queue:
                        kernel.wake(line.queue.popleft(), f"{what} {state.name}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class LifoQueue(Queue):
    """``queue.LifoQueue``: last in, first out."""

    _order = QueueOrder.LIFO


class PriorityQueue(Queue):
    """``queue.PriorityQueue``: the smallest item first (items must compare with ``<``)."""

    _order = QueueOrder.PRIORITY


class SimpleQueue:
    """``queue.SimpleQueue``: first in, first out, never full, no task tracking."""

    def __init__(self) -> None:
        self._queue = Queue.__new__(Queue)
        self._queue.maxsize = 0
        self._queue._state = _new_state("SimpleQueue", 0, QueueOrder.SIMPLE)
        self._queue._kernel = self._queue._state._kernel

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        self._queue.put(item)

    def put_nowait(self, item: Any) -> None:
        self._queue.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if block and timeout is not None and timeout < 0:
            raise ValueError(_NEGATIVE_TIMEOUT)
        return self._queue.get(block, timeout)

    def get_nowait(self) -> Any:
        return self._queue.get(block=False)

    def qsize(self) -> int:
        return self._queue.qsize()

    def empty(self) -> bool:
        return self._queue.empty()

    def __repr__(self) -> str:
        return f"<SimpleQueue {self._queue.name}>"
