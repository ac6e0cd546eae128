"""Thread-safe event queue: what an event loop takes its handlers from, in FIFO order.

Each posted event remembers the step it was posted at, so the panel can show how long
every waiting event has waited, and the loop's record shows how late each was handled.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from threadlab.engine.model import EventQueueView, EventWait, ThreadState
from threadlab.engine.primitives.base import Primitive

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime, SimThread

RECENT_HANDLED = 5


@dataclass(frozen=True)
class PostedEvent:
    name: str
    handler: Callable[[], None]
    posted_at: int
    """The step it was posted at."""


class EventQueue(Primitive):
    kind = "events"
    accepts_user = True
    """The user can post an event (the runtime's ``post_event``)."""

    def __init__(
        self, runtime: Runtime, name: str, user_handler: Callable[[], None] | None = None
    ) -> None:
        super().__init__(runtime, name)
        self.events: deque[PostedEvent] = deque()
        self.user_handler = user_handler
        self.current: str | None = None
        """The event whose handler runs now."""
        self.handled: deque[EventWait] = deque(maxlen=RECENT_HANDLED)
        self.longest_wait = 0
        self._handed: dict[str, PostedEvent] = {}
        self._user_posts = 0

    def post(self, name: str, handler: Callable[[], None]) -> None:
        rt = self._rt
        thread = rt._checkpoint(f"post {name}")
        with rt._cv:
            self._post_locked(PostedEvent(name, handler, rt._step), thread)

    def take(self) -> PostedEvent:
        """The oldest event; waits while there is none."""
        rt = self._rt
        thread = rt._checkpoint(f"take the next event from {self.name}")
        with rt._cv:
            self.current = None
            if self.events:
                return self._start(thread, self.events.popleft())
            rt._event(thread, "idle", self.name, "no event: wait")
            self.queue.append(thread)
            rt._block(thread, ThreadState.WAITING, self)
        rt._await_turn(thread)
        with rt._cv:
            return self._start(thread, self._handed.pop(thread.name))

    def user_post(self) -> None:
        """The user posts an event (runtime lock held, between steps)."""
        if self.user_handler is None:
            raise self._refused(f"{self.name} takes no events from you")
        self._user_posts += 1
        event = PostedEvent(f"key {self._user_posts}", self.user_handler, self._rt._step)
        self._post_locked(event, None)

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for an event in {self.name}"

    def view(self) -> EventQueueView:
        step = self._rt._step
        return EventQueueView(
            name=self.name,
            queue=self._queue_names(),
            current=self.current,
            waiting=tuple(EventWait(e.name, step - e.posted_at) for e in self.events),
            handled=tuple(self.handled),
        )

    # -- engine side (lock held)

    def _post_locked(self, event: PostedEvent, by: SimThread | None) -> None:
        rt = self._rt
        rt._event(by, "post", self.name, event.name if by else f"{event.name} (by you)")
        if self.queue:  # the loop is idle: hand it the event at once
            taker = self.queue.popleft()
            self._handed[taker.name] = event
            rt._wake(taker, f"handle {event.name}")
        else:
            self.events.append(event)

    def _start(self, thread: SimThread, event: PostedEvent) -> PostedEvent:
        waited = self._rt._step - event.posted_at
        self.current = event.name
        self.longest_wait = max(self.longest_wait, waited)
        steps = f"{waited} step{'' if waited == 1 else 's'}"
        self.handled.append(EventWait(event.name, waited))
        self._rt._event(thread, "handle", self.name, f"{event.name} after {steps}")
        return event

    @staticmethod
    def _refused(message: str) -> Exception:
        from threadlab.engine.runtime import ControlRefused

        return ControlRefused(message)
