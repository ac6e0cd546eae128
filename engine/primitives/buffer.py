"""Bounded buffer: the shared data a producer/consumer guards with its own mutex.

The buffer itself does no locking (that is the scenario's job); it only notices misuse, a
get from an empty buffer or a put into a full one, which its invariant reports.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ..snapshot.model import BufferItem, BufferView, EventKind, PrimitiveKind
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel


class Buffer(Primitive):
    kind = PrimitiveKind.BUFFER

    def __init__(self, kernel: Kernel, name: str, capacity: int) -> None:
        super().__init__(kernel, name)
        if capacity < 1:
            raise ValueError("a buffer holds at least one item")
        self.capacity = capacity
        self.items: deque[object] = deque()
        self.producers: deque[str] = deque()
        """Who put each of ``items`` (for display)."""
        self._misuse: str | None = None

    def put(self, item: object) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"put {item} into {self.name}")
        with kernel.lock:
            if len(self.items) >= self.capacity:
                self._misuse = f"{thread.name} put {item} into the full {self.name}"
            self.items.append(item)
            self.producers.append(thread.name)
            kernel.emit(
                thread, EventKind.PUT, self.name, f"{item} ({len(self.items)}/{self.capacity})"
            )

    def get(self) -> object | None:
        """Take the oldest item; from an empty buffer, return None (and break the invariant)."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"get from {self.name}")
        with kernel.lock:
            if not self.items:
                self._misuse = f"{thread.name} took from the empty {self.name}"
                kernel.emit(thread, EventKind.GET, self.name, "the buffer is empty!")
                return None
            item = self.items.popleft()
            self.producers.popleft()
            kernel.emit(
                thread, EventKind.GET, self.name, f"{item} ({len(self.items)}/{self.capacity})"
            )
            return item

    def is_full(self) -> bool:
        return self._check("full", lambda: len(self.items) >= self.capacity)

    def is_empty(self) -> bool:
        return self._check("empty", lambda: not self.items)

    def misuse(self) -> str | None:
        """The invariant check: None while 0 ≤ count ≤ capacity and no get found it empty."""
        if self._misuse:
            return self._misuse
        if len(self.items) > self.capacity:
            return f"{self.name} holds {len(self.items)} items in {self.capacity} slots"
        return None

    def view(self) -> BufferView:
        return BufferView(
            name=self.name,
            capacity=self.capacity,
            items=tuple(
                BufferItem(str(item), producer)
                for item, producer in zip(self.items, self.producers, strict=True)
            ),
        )

    def _check(self, what: str, test) -> bool:
        kernel = self._kernel
        thread = kernel.checkpoint(f"is {self.name} {what}?")
        with kernel.lock:
            answer = bool(test())
            kernel.emit(thread, EventKind.CHECK, self.name, f"{what}? {'yes' if answer else 'no'}")
            return answer
