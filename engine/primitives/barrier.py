"""Barrier: threads wait until all parties arrive, then all go on into the next phase."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..snapshot.model import BarrierView, EventKind, PrimitiveKind, ThreadState
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


class Barrier(Primitive):
    kind = PrimitiveKind.BARRIER

    def __init__(self, kernel: Kernel, name: str, parties: int) -> None:
        super().__init__(kernel, name)
        if parties < 1:
            raise ValueError("a barrier needs at least one party")
        self.parties = parties
        self.phase = 0

    def wait(self) -> int:
        """Arrive; the last to arrive releases everyone. Returns the phase just completed."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"wait at {self.name}")
        with kernel.lock:
            phase = self.phase
            arrived = len(self.queue) + 1
            if arrived < self.parties:
                kernel.emit(
                    thread, EventKind.ARRIVE, self.name, f"{arrived}/{self.parties} arrived"
                )
                kernel.park(thread, self, ThreadState.BLOCKED)
            else:
                for waiter in self.queue:
                    kernel.wake(waiter, f"passed {self.name} (phase {phase + 1} done)")
                self.queue.clear()
                self.phase += 1
                kernel.emit(thread, EventKind.RELEASE, self.name, f"all {self.parties} arrived: go")
                return phase
        kernel.resume(thread)
        return phase

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits at {self.name} ({len(self.queue)} of {self.parties} arrived)"

    def view(self) -> BarrierView:
        return BarrierView(
            name=self.name, queue=self._queue_names(), parties=self.parties, phase=self.phase
        )
