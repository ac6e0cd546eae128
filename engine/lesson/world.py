"""The builder a scenario's ``build`` function receives: primitives, threads, invariants."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..primitives.aio import AsyncLoop, LoopExecutor
from ..primitives.atomic import AtomicCell
from ..primitives.barrier import Barrier
from ..primitives.buffer import Buffer
from ..primitives.condition import Condition
from ..primitives.event_queue import EventQueue
from ..primitives.future import ThreadPool
from ..primitives.io import CompletionPort, Device
from ..primitives.mutex import Mutex
from ..primitives.semaphore import Semaphore
from ..primitives.shared import SharedVariable

if TYPE_CHECKING:
    from ..core.kernel import Kernel


P = TypeVar("P")


class World:
    """Creates a run's primitives and threads; names must be unique within the run."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel

    def mutex(self, name: str) -> Mutex:
        return self._add(Mutex(self._kernel, name))

    def condition(self, name: str, mutex: Mutex) -> Condition:
        return self._add(Condition(self._kernel, name, mutex))

    def semaphore(self, name: str, permits: int) -> Semaphore:
        return self._add(Semaphore(self._kernel, name, permits))

    def buffer(self, name: str, capacity: int) -> Buffer:
        """A bounded buffer; its invariant (0 ≤ count ≤ capacity, no get when empty) is
        checked after every step."""
        buffer = self._add(Buffer(self._kernel, name, capacity))
        self.invariant(
            f"0 ≤ {name} count ≤ {capacity}, and no get from an empty {name}", buffer.misuse
        )
        return buffer

    def atomic(self, name: str, value: int = 0) -> AtomicCell:
        """A cell with load, store and compare-and-exchange, each one atomic step."""
        return self._add(AtomicCell(self._kernel, name, value))

    def shared(self, name: str, value: int = 0) -> SharedVariable:
        """A variable whose read and write are separate steps (races are reachable)."""
        return self._add(SharedVariable(self._kernel, name, value))

    def barrier(self, name: str, parties: int) -> Barrier:
        return self._add(Barrier(self._kernel, name, parties))

    def pool(self, name: str, workers: int) -> ThreadPool:
        """A thread pool executor whose worker threads W1..Wn are spawned here."""
        pool = self._add(ThreadPool(self._kernel, name))
        for number in range(1, workers + 1):
            self.spawn(f"W{number}", pool.worker, f"W{number}")
        return pool

    def async_loop(self, name: str = "loop", workers: int = 1) -> AsyncLoop:
        """An asyncio event loop on virtual time, run by a scenario thread with
        ``loop.run(main())``, and the worker threads W1..Wn that ``asyncio.to_thread`` uses."""
        loop = self._add(AsyncLoop(self._kernel, name))
        executor_name = "executor" if name == "loop" else f"{name}-executor"
        loop.executor = self._add(LoopExecutor(self._kernel, executor_name, loop))
        for number in range(1, workers + 1):
            self.spawn(f"W{number}", loop.executor.worker, f"W{number}")
        return loop

    def source(self, *functions: Callable[..., Any]) -> None:
        """Also show these functions in the source panel (e.g. tasks run by pool workers)."""
        self._kernel.extra_source.extend(functions)

    def event_queue(self, name: str, user_handler: Callable[[], None] | None = None) -> EventQueue:
        """A thread-safe event queue; ``user_handler`` runs for events the user posts."""
        return self._add(EventQueue(self._kernel, name, user_handler))

    def completion_port(self, name: str) -> CompletionPort:
        return self._add(CompletionPort(self._kernel, name))

    def device(self, name: str, latency: int, thread: str) -> Device:
        """An IO device whose requests take ``latency`` ticks or a little more; its
        thread (named ``thread``) is spawned here."""
        device = self._add(Device(self._kernel, name, latency))
        self.spawn(thread, device.serve, thread)
        return device

    def add(self, make: Callable[[Kernel], P]) -> P:
        """Add a primitive of your own: ``make`` builds it on the run's kernel, the
        interface every primitive is written against (``threadlab.engine.core.kernel``)."""
        return self._add(make(self._kernel))

    def watch(self, name: str, read: Callable[[], object]) -> None:
        """Show a piece of the scenario's own state (read between steps) in the app."""
        self._kernel.watches.append((name, read))

    def spawn(self, name: str, target: Callable[..., Any], *args: Any) -> None:
        """Add a scenario thread; it starts when the run starts."""
        self._kernel.spawn(name, target, args)

    def invariant(self, text: str, check: Callable[[], str | None]) -> None:
        """Declare an invariant, checked after every step.

        Args:
            text: the invariant in words ('at most one thread in the critical section').
            check: returns None while it holds, else what is wrong, naming the threads.
        """
        self._kernel.invariants.append((text, check))

    def _add(self, primitive: P) -> P:
        self._kernel.register(primitive)  # type: ignore[arg-type]
        return primitive
