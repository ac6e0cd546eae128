"""Asynchronous IO: a device that completes requests after a latency, and a completion port.

A thread issues a request and goes on at once; the device thread advances every request
in flight by one step per tick and posts each finished one to its completion port, where
the issuer can poll (never blocks) or wait (blocks until a completion arrives).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..snapshot.model import (
    CompletionPortView,
    DeviceState,
    DeviceView,
    EventKind,
    PrimitiveKind,
    RequestView,
    ThreadState,
)
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


@dataclass
class Request:
    what: str
    port: CompletionPort
    left: int
    """Device ticks until it completes."""


class CompletionPort(Primitive):
    kind = PrimitiveKind.PORT

    def __init__(self, kernel: Kernel, name: str) -> None:
        super().__init__(kernel, name)
        self.completions: deque[str] = deque()

    def poll(self) -> str | None:
        """Take a completion if there is one; never waits."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"poll {self.name}")
        with kernel.lock:
            if not self.completions:
                kernel.emit(thread, EventKind.POLL, self.name, "nothing yet")
                return None
            done = self.completions.popleft()
            kernel.emit(thread, EventKind.POLL, self.name, f"{done} done")
            return done

    def wait(self) -> str:
        """Take a completion, waiting until one arrives."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"wait on {self.name}")
        with kernel.lock:
            if self.completions:
                return self._take(thread, self.completions.popleft())
            kernel.emit(thread, EventKind.WAIT, self.name, "no completion yet")
            kernel.park(thread, self, ThreadState.WAITING)
        handed: str = kernel.resume(thread)
        with kernel.lock:
            return self._take(thread, handed)

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits on {self.name} for a completion that never comes"

    def view(self) -> CompletionPortView:
        return CompletionPortView(
            name=self.name, queue=self._queue_names(), completions=tuple(self.completions)
        )

    # -- engine side (lock held)

    def _take(self, thread: SimThread, done: str) -> str:
        self._kernel.emit(thread, EventKind.COMPLETE, self.name, f"{done} done")
        return done

    def _post(self, done: str) -> None:
        if not self.hand_to_waiter(done, f"take the completion of {done}"):  # nobody waits
            self.completions.append(done)


class Device(Primitive):
    """A disk or network card: works on every request in flight at once, one tick a step."""

    kind = PrimitiveKind.DEVICE

    def __init__(self, kernel: Kernel, name: str, latency: int) -> None:
        super().__init__(kernel, name)
        self.latency = latency
        self.in_flight: list[Request] = []
        self._issued = 0
        self._closed = False

    def read(self, what: str, port: CompletionPort) -> None:
        """Issue a request and return at once; its completion goes to ``port``."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"issue read {what}")
        with kernel.lock:
            # Requests differ a little in latency, so they complete out of order.
            latency = self.latency + self._issued % 3
            self._issued += 1
            self.in_flight.append(Request(what, port, latency))
            kernel.emit(thread, EventKind.ISSUE, self.name, f"read {what} ({latency} ticks)")
            self._wake_device()

    def close(self) -> None:
        """No more requests: the device thread ends once nothing is in flight."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"close {self.name}")
        with kernel.lock:
            self._closed = True
            kernel.emit(thread, EventKind.CLOSE, self.name)
            self._wake_device()

    def serve(self, me: str) -> None:
        """The body of the device thread."""
        while self._tick():
            pass

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for a request to {self.name}"

    def view(self) -> DeviceView:
        if self.in_flight:
            state = DeviceState.BUSY
        else:
            state = DeviceState.OFF if self._closed else DeviceState.IDLE
        return DeviceView(
            name=self.name,
            queue=self._queue_names(),
            state=state,
            in_flight=tuple(RequestView(r.what, r.left) for r in self.in_flight),
        )

    # -- engine side

    def _tick(self) -> bool:
        kernel = self._kernel
        thread = kernel.checkpoint(f"{self.name} tick", ThreadState.WORKING)
        with kernel.lock:
            if self.in_flight:
                for request in self.in_flight:
                    request.left -= 1
                for request in [r for r in self.in_flight if r.left == 0]:
                    self.in_flight.remove(request)
                    kernel.emit(
                        thread,
                        EventKind.COMPLETE,
                        self.name,
                        f"{request.what} → {request.port.name}",
                    )
                    request.port._post(request.what)
                return True
            if self._closed:
                kernel.emit(thread, EventKind.OFF, self.name, "closed, nothing in flight")
                return False
            kernel.park(thread, self, ThreadState.WAITING)
        kernel.resume(thread)
        return True

    def _wake_device(self) -> None:
        if self.queue:
            self._kernel.wake(self.queue.popleft(), f"{self.name} wakes up")
