"""Simulated work: an operation that takes a number of steps and touches no shared state."""

from __future__ import annotations

from ..core.threads import bound
from ..snapshot.model import ThreadState


def work(steps: int = 1, what: str = "work") -> None:
    """Spend ``steps`` scheduling steps doing ``what`` (the thread shows as working)."""
    kernel, _thread = bound()
    for done in range(steps):
        kernel.checkpoint(f"{what} {done + 1}/{steps}", ThreadState.WORKING)
