"""Shared variable: a plain value whose read and write are separate steps.

Between one thread's read and its write, another thread may run: read-modify-write races
and lost updates are reachable, exactly as with an unsynchronised variable.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from threadlab.engine.model import EventKind, PrimitiveKind, PrimitiveView
from threadlab.engine.primitives.base import Primitive

if TYPE_CHECKING:
    from threadlab.engine.kernel import Kernel

RECENT_ACCESSES = 5


class SharedVariable(Primitive):
    kind = PrimitiveKind.SHARED

    def __init__(self, kernel: Kernel, name: str, value: int) -> None:
        super().__init__(kernel, name)
        self.value = value
        self.accesses: deque[str] = deque(maxlen=RECENT_ACCESSES)

    def read(self) -> int:
        kernel = self._kernel
        thread = kernel.checkpoint(f"read {self.name}")
        with kernel.lock:
            self.accesses.append(f"{thread.name} read {self.value}")
            kernel.emit(thread, EventKind.READ, self.name, f"= {self.value}")
            return self.value

    def write(self, value: int) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"write {self.name} = {value}")
        with kernel.lock:
            self.accesses.append(f"{thread.name} wrote {value} over {self.value}")
            kernel.emit(thread, EventKind.WRITE, self.name, f"= {value} (was {self.value})")
            self.value = value

    def view(self) -> PrimitiveView:
        return PrimitiveView(
            name=self.name, kind=self.kind, value=str(self.value), notes=tuple(self.accesses)
        )
