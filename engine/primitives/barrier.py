"""Barrier: threads wait until all parties arrive, then all go on into the next phase.

Its parties and phase, and the view of them; ``threading.Barrier`` (``engine.stdlib``)
is built on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..snapshot.model import BarrierView, PrimitiveKind
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

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits at {self.name} ({len(self.queue)} of {self.parties} arrived)"

    def view(self) -> BarrierView:
        return BarrierView(
            name=self.name, queue=self._queue_names(), parties=self.parties, phase=self.phase
        )
