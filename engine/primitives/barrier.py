"""Barrier: threads wait until all parties arrive, then all go on into the next phase."""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadlab.engine.model import BarrierView, ThreadState
from threadlab.engine.primitives.base import Primitive

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime, SimThread


class Barrier(Primitive):
    kind = "barrier"

    def __init__(self, runtime: Runtime, name: str, parties: int) -> None:
        super().__init__(runtime, name)
        if parties < 1:
            raise ValueError("a barrier needs at least one party")
        self.parties = parties
        self.phase = 0

    def wait(self) -> int:
        """Arrive; the last to arrive releases everyone. Returns the phase just completed."""
        rt = self._rt
        thread = rt._checkpoint(f"wait at {self.name}")
        with rt._cv:
            phase = self.phase
            arrived = len(self.queue) + 1
            if arrived < self.parties:
                self.queue.append(thread)
                rt._event(thread, "arrive", self.name, f"{arrived}/{self.parties} arrived")
                rt._block(thread, ThreadState.BLOCKED, self)
            else:
                for waiter in self.queue:
                    rt._wake(waiter, f"passed {self.name} (phase {phase + 1} done)")
                self.queue.clear()
                self.phase += 1
                rt._event(thread, "release", self.name, f"all {self.parties} arrived: go")
                return phase
        rt._await_turn(thread)
        return phase

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits at {self.name} ({len(self.queue)} of {self.parties} arrived)"

    def view(self) -> BarrierView:
        return BarrierView(
            name=self.name, queue=self._queue_names(), parties=self.parties, phase=self.phase
        )
