"""The engine's synchronisation primitives; every operation on them is a checkpoint."""

from __future__ import annotations

from .aio import AsyncLoop, LoopExecutor, VirtualClock
from .atomic import AtomicCell
from .barrier import Barrier
from .buffer import Buffer
from .condition import Condition
from .future import Future, ThreadPool
from .mutex import Mutex
from .semaphore import Semaphore
from .shared import SharedVariable
from .work import work

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
