"""The builder a scenario's ``build`` function receives: primitives, threads, invariants."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from engine.primitives.buffer import Buffer
from engine.primitives.condition import Condition
from engine.primitives.mutex import Mutex
from engine.primitives.semaphore import Semaphore

if TYPE_CHECKING:
    from engine.runtime import Runtime


P = TypeVar("P")


class World:
    """Creates a run's primitives and threads; names must be unique within the run."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def mutex(self, name: str) -> Mutex:
        return self._add(Mutex(self._runtime, name))

    def condition(self, name: str, mutex: Mutex) -> Condition:
        return self._add(Condition(self._runtime, name, mutex))

    def semaphore(self, name: str, permits: int) -> Semaphore:
        return self._add(Semaphore(self._runtime, name, permits))

    def buffer(self, name: str, capacity: int) -> Buffer:
        """A bounded buffer; its invariant (0 ≤ count ≤ capacity, no get when empty) is
        checked after every step."""
        buffer = self._add(Buffer(self._runtime, name, capacity))
        self.invariant(
            f"0 ≤ {name} count ≤ {capacity}, and no get from an empty {name}", buffer.misuse
        )
        return buffer

    def spawn(self, name: str, target: Callable[..., Any], *args: Any) -> None:
        """Add a scenario thread; it starts when the run starts."""
        self._runtime._spawn(name, target, args)

    def invariant(self, text: str, check: Callable[[], str | None]) -> None:
        """Declare an invariant, checked after every step.

        Args:
            text: the invariant in words ('at most one thread in the critical section').
            check: returns None while it holds, else what is wrong, naming the threads.
        """
        self._runtime._add_invariant(text, check)

    def _add(self, primitive: P) -> P:
        self._runtime._register(primitive)  # type: ignore[arg-type]
        return primitive
