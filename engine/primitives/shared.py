"""Shared variable: a plain value whose read and write are separate steps.

Between one thread's read and its write, another thread may run: read-modify-write races
and lost updates are reachable, exactly as with an unsynchronised variable.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from threadlab.engine.model import PrimitiveView
from threadlab.engine.primitives.base import Primitive

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime

RECENT_ACCESSES = 5


class SharedVariable(Primitive):
    kind = "shared"

    def __init__(self, runtime: Runtime, name: str, value: int) -> None:
        super().__init__(runtime, name)
        self.value = value
        self.accesses: deque[str] = deque(maxlen=RECENT_ACCESSES)

    def read(self) -> int:
        rt = self._rt
        thread = rt._checkpoint(f"read {self.name}")
        with rt._cv:
            self.accesses.append(f"{thread.name} read {self.value}")
            rt._event(thread, "read", self.name, f"= {self.value}")
            return self.value

    def write(self, value: int) -> None:
        rt = self._rt
        thread = rt._checkpoint(f"write {self.name} = {value}")
        with rt._cv:
            self.accesses.append(f"{thread.name} wrote {value} over {self.value}")
            rt._event(thread, "write", self.name, f"= {value} (was {self.value})")
            self.value = value

    def view(self) -> PrimitiveView:
        return PrimitiveView(
            name=self.name, kind=self.kind, value=str(self.value), notes=tuple(self.accesses)
        )
