"""Thread-safe event queue: what an event loop takes its handlers from, in FIFO order.

Each posted event remembers the step it was posted at, so the panel can show how long
every waiting event has waited, and the loop's record shows how late each was handled.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import ControlRefused
from ..snapshot.model import EventKind, EventQueueView, EventWait, PrimitiveKind, ThreadState
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

RECENT_HANDLED = 5


@dataclass(frozen=True)
class PostedEvent:
    name: str
    handler: Callable[[], None]
    posted_at: int
    """The step it was posted at."""


class EventQueue(Primitive):
    kind = PrimitiveKind.EVENTS
    accepts_user = True
    """The user can post an event (the runtime's ``post_event``)."""

    def __init__(
        self, kernel: Kernel, name: str, user_handler: Callable[[], None] | None = None
    ) -> None:
        super().__init__(kernel, name)
        self.events: deque[PostedEvent] = deque()
        self.user_handler = user_handler
        self.current: str | None = None
        """The event whose handler runs now."""
        self.handled: deque[EventWait] = deque(maxlen=RECENT_HANDLED)
        self.longest_wait = 0
        self._user_posts = 0

    def post(self, name: str, handler: Callable[[], None]) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"post {name}")
        with kernel.lock:
            self._post_locked(PostedEvent(name, handler, kernel.step), thread)

    def take(self) -> PostedEvent:
        """The oldest event; waits while there is none."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"take the next event from {self.name}")
        with kernel.lock:
            self.current = None
            if self.events:
                return self._start(thread, self.events.popleft())
            kernel.emit(thread, EventKind.IDLE, self.name, "no event: wait")
            kernel.park(thread, self, ThreadState.WAITING)
        handed: PostedEvent = kernel.resume(thread)
        with kernel.lock:
            return self._start(thread, handed)

    def user_post(self) -> None:
        """The user posts an event (runtime lock held, between steps)."""
        if self.user_handler is None:
            raise ControlRefused(f"{self.name} takes no events from you")
        self._user_posts += 1
        event = PostedEvent(f"key {self._user_posts}", self.user_handler, self._kernel.step)
        self._post_locked(event, None)

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for an event in {self.name}"

    def view(self) -> EventQueueView:
        step = self._kernel.step
        return EventQueueView(
            name=self.name,
            queue=self._queue_names(),
            current=self.current,
            waiting=tuple(EventWait(e.name, step - e.posted_at) for e in self.events),
            handled=tuple(self.handled),
        )

    # -- engine side (lock held)

    def _post_locked(self, event: PostedEvent, by: SimThread | None) -> None:
        kernel = self._kernel
        kernel.emit(by, EventKind.POST, self.name, event.name if by else f"{event.name} (by you)")
        if not self.hand_to_waiter(event, f"handle {event.name}"):  # the loop is busy
            self.events.append(event)

    def _start(self, thread: SimThread, event: PostedEvent) -> PostedEvent:
        waited = self._kernel.step - event.posted_at
        self.current = event.name
        self.longest_wait = max(self.longest_wait, waited)
        steps = f"{waited} step{'' if waited == 1 else 's'}"
        self.handled.append(EventWait(event.name, waited))
        self._kernel.emit(thread, EventKind.HANDLE, self.name, f"{event.name} after {steps}")
        return event
