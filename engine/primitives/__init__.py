"""The engine's synchronisation primitives; every operation on them is a checkpoint."""

from __future__ import annotations

from threadlab.engine.primitives.aio import AsyncLoop, LoopExecutor, VirtualClock
from threadlab.engine.primitives.atomic import AtomicCell
from threadlab.engine.primitives.barrier import Barrier
from threadlab.engine.primitives.buffer import Buffer
from threadlab.engine.primitives.condition import Condition
from threadlab.engine.primitives.future import Future, ThreadPool
from threadlab.engine.primitives.mutex import Mutex
from threadlab.engine.primitives.semaphore import Semaphore
from threadlab.engine.primitives.shared import SharedVariable
from threadlab.engine.primitives.work import work

__all__ = [
    "AsyncLoop",
    "AtomicCell",
    "Barrier",
    "Buffer",
    "Condition",
    "Future",
    "LoopExecutor",
    "Mutex",
    "Semaphore",
    "SharedVariable",
    "ThreadPool",
    "VirtualClock",
    "work",
]
