"""Atomic cell: load, store and compare-and-exchange, each one indivisible step."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from ..snapshot.model import AtomicView, CasAttempt, EventKind, PrimitiveKind
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel

RECENT_ATTEMPTS = 5


class AtomicCell(Primitive):
    """A value that only changes through whole, indivisible operations."""

    kind = PrimitiveKind.ATOMIC

    def __init__(self, kernel: Kernel, name: str, value: int) -> None:
        super().__init__(kernel, name)
        self.value = value
        self.attempts: deque[CasAttempt] = deque(maxlen=RECENT_ATTEMPTS)
        """The last compare-and-exchange attempts."""

    def load(self) -> int:
        kernel = self._kernel
        thread = kernel.checkpoint(f"load {self.name}")
        with kernel.lock:
            kernel.emit(thread, EventKind.LOAD, self.name, f"= {self.value}")
            return self.value

    def store(self, value: int) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"store {self.name} = {value}")
        with kernel.lock:
            self.value = value
            kernel.emit(thread, EventKind.STORE, self.name, f"= {value}")

    def compare_exchange(self, expected: int, new: int) -> bool:
        """If the value is ``expected``, make it ``new``; report whether it swapped."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"CAS {self.name}: {expected}→{new}")
        with kernel.lock:
            swapped = self.value == expected
            if swapped:
                self.value = new
                note = f"{thread.name} expected {expected}: swapped → {new}"
            else:
                note = f"{thread.name} expected {expected}: failed (is {self.value})"
            found = expected if swapped else self.value
            self.attempts.append(CasAttempt(thread.name, expected, found, new, swapped))
            kernel.emit(thread, EventKind.CAS, self.name, note.removeprefix(f"{thread.name} "))
            return swapped

    def view(self) -> AtomicView:
        return AtomicView(name=self.name, value=self.value, attempts=tuple(self.attempts))
