"""Asynchronous IO: a device that completes requests after a latency, and a completion port.

A thread issues a request and goes on at once; the device thread advances every request
in flight by one step per tick and posts each finished one to its completion port, where
the issuer can poll (never blocks) or wait (blocks until a completion arrives).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from threadlab.engine.model import (
    CompletionPortView,
    DeviceState,
    DeviceView,
    RequestView,
    ThreadState,
)
from threadlab.engine.primitives.base import Primitive

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime, SimThread


@dataclass
class Request:
    what: str
    port: CompletionPort
    left: int
    """Device ticks until it completes."""


class CompletionPort(Primitive):
    kind = "port"

    def __init__(self, runtime: Runtime, name: str) -> None:
        super().__init__(runtime, name)
        self.completions: deque[str] = deque()
        self._handed: dict[str, str] = {}

    def poll(self) -> str | None:
        """Take a completion if there is one; never waits."""
        rt = self._rt
        thread = rt._checkpoint(f"poll {self.name}")
        with rt._cv:
            if not self.completions:
                rt._event(thread, "poll", self.name, "nothing yet")
                return None
            done = self.completions.popleft()
            rt._event(thread, "poll", self.name, f"{done} done")
            return done

    def wait(self) -> str:
        """Take a completion, waiting until one arrives."""
        rt = self._rt
        thread = rt._checkpoint(f"wait on {self.name}")
        with rt._cv:
            if self.completions:
                return self._take(thread, self.completions.popleft())
            self.queue.append(thread)
            rt._event(thread, "wait", self.name, "no completion yet")
            rt._block(thread, ThreadState.WAITING, self)
        rt._await_turn(thread)
        with rt._cv:
            return self._take(thread, self._handed.pop(thread.name))

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits on {self.name} for a completion that never comes"

    def view(self) -> CompletionPortView:
        return CompletionPortView(
            name=self.name, queue=self._queue_names(), completions=tuple(self.completions)
        )

    # -- engine side (lock held)

    def _take(self, thread: SimThread, done: str) -> str:
        self._rt._event(thread, "complete", self.name, f"{done} done")
        return done

    def _post(self, done: str) -> None:
        if self.queue:  # a waiter gets it straight away
            waiter = self.queue.popleft()
            self._handed[waiter.name] = done
            self._rt._wake(waiter, f"take the completion of {done}")
        else:
            self.completions.append(done)


class Device(Primitive):
    """A disk or network card: works on every request in flight at once, one tick a step."""

    kind = "device"

    def __init__(self, runtime: Runtime, name: str, latency: int) -> None:
        super().__init__(runtime, name)
        self.latency = latency
        self.in_flight: list[Request] = []
        self._issued = 0
        self._closed = False

    def read(self, what: str, port: CompletionPort) -> None:
        """Issue a request and return at once; its completion goes to ``port``."""
        rt = self._rt
        thread = rt._checkpoint(f"issue read {what}")
        with rt._cv:
            # Requests differ a little in latency, so they complete out of order.
            latency = self.latency + self._issued % 3
            self._issued += 1
            self.in_flight.append(Request(what, port, latency))
            rt._event(thread, "issue", self.name, f"read {what} ({latency} ticks)")
            self._wake_device()

    def close(self) -> None:
        """No more requests: the device thread ends once nothing is in flight."""
        rt = self._rt
        thread = rt._checkpoint(f"close {self.name}")
        with rt._cv:
            self._closed = True
            rt._event(thread, "close", self.name)
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
        rt = self._rt
        thread = rt._checkpoint(f"{self.name} tick", ThreadState.WORKING)
        with rt._cv:
            if self.in_flight:
                for request in self.in_flight:
                    request.left -= 1
                for request in [r for r in self.in_flight if r.left == 0]:
                    self.in_flight.remove(request)
                    rt._event(
                        thread, "complete", self.name, f"{request.what} → {request.port.name}"
                    )
                    request.port._post(request.what)
                return True
            if self._closed:
                rt._event(thread, "off", self.name, "closed, nothing in flight")
                return False
            self.queue.append(thread)
            rt._block(thread, ThreadState.WAITING, self)
        rt._await_turn(thread)
        return True

    def _wake_device(self) -> None:
        if self.queue:
            self._rt._wake(self.queue.popleft(), f"{self.name} wakes up")
