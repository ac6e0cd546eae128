"""Atomic cell: load, store and compare-and-exchange, each one indivisible step."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from threadlab.engine.model import AtomicView, CasAttempt
from threadlab.engine.primitives.base import Primitive

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime

RECENT_ATTEMPTS = 5


class AtomicCell(Primitive):
    """A value that only changes through whole, indivisible operations."""

    kind = "atomic"

    def __init__(self, runtime: Runtime, name: str, value: int) -> None:
        super().__init__(runtime, name)
        self.value = value
        self.attempts: deque[CasAttempt] = deque(maxlen=RECENT_ATTEMPTS)
        """The last compare-and-exchange attempts."""

    def load(self) -> int:
        rt = self._rt
        thread = rt._checkpoint(f"load {self.name}")
        with rt._cv:
            rt._event(thread, "load", self.name, f"= {self.value}")
            return self.value

    def store(self, value: int) -> None:
        rt = self._rt
        thread = rt._checkpoint(f"store {self.name} = {value}")
        with rt._cv:
            self.value = value
            rt._event(thread, "store", self.name, f"= {value}")

    def compare_exchange(self, expected: int, new: int) -> bool:
        """If the value is ``expected``, make it ``new``; report whether it swapped."""
        rt = self._rt
        thread = rt._checkpoint(f"CAS {self.name}: {expected}→{new}")
        with rt._cv:
            swapped = self.value == expected
            if swapped:
                self.value = new
                note = f"{thread.name} expected {expected}: swapped → {new}"
            else:
                note = f"{thread.name} expected {expected}: failed (is {self.value})"
            found = expected if swapped else self.value
            self.attempts.append(CasAttempt(thread.name, expected, found, new, swapped))
            rt._event(thread, "cas", self.name, note.removeprefix(f"{thread.name} "))
            return swapped

    def view(self) -> AtomicView:
        return AtomicView(name=self.name, value=self.value, attempts=tuple(self.attempts))
