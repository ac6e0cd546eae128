"""Drive real scenarios step by step, as a learner does with the number keys."""

from __future__ import annotations

from collections.abc import Callable

from threadlab.engine import Runtime, Snapshot
from threadlab.scenarios import get_scenario


class Driver:
    """Opens scenario runs paused through ``launch`` (the shared fixture in
    ``tests/conftest.py``), which stops every one of them at the end of the test."""

    def __init__(self, launch: Callable[..., Runtime]) -> None:
        self._launch = launch
        self.runtimes: list[Runtime] = []

    def open(self, name: str, variant: str | None = None, seed: int = 0, **params: int) -> Runtime:
        """Start the shipped scenario ``name`` paused (max speed when resumed or stepped)."""
        runtime = self._launch(
            get_scenario(name), variant=variant, params=params, seed=seed, paused=True
        )
        self.runtimes.append(runtime)
        return runtime

    @staticmethod
    def step(runtime: Runtime, *names: str) -> Snapshot:
        """Step each named thread once, in order."""
        for name in names:
            runtime.step_thread(name)
            assert runtime.wait_idle(10)
        return runtime.snapshot()

    @staticmethod
    def step_until(runtime: Runtime, name: str, operation: str, limit: int = 50) -> Snapshot:
        """Step ``name`` until the operation it is at starts with ``operation``."""
        for _ in range(limit):
            snapshot = runtime.snapshot()
            if snapshot.thread(name).operation.startswith(operation):
                return snapshot
            Driver.step(runtime, name)
        raise AssertionError(f"{name} never got to {operation!r}")

    @staticmethod
    def finish(runtime: Runtime, steps: int = 20_000) -> Snapshot:
        """Let the seeded policy run to the end (or a verdict)."""
        runtime.step(steps)
        assert runtime.wait_idle(60)
        return runtime.snapshot()
