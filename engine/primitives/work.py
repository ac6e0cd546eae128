"""Simulated work: an operation that takes a number of steps and touches no shared state."""

from __future__ import annotations

from threadlab.engine.model import ThreadState


def work(steps: int = 1, what: str = "work") -> None:
    """Spend ``steps`` scheduling steps doing ``what`` (the thread shows as working)."""
    from threadlab.engine.runtime import current_thread

    runtime, _thread = current_thread()
    for done in range(steps):
        runtime._checkpoint(f"{what} {done + 1}/{steps}", ThreadState.WORKING)
