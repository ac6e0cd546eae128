"""The engine's synchronisation primitives; every operation on them is a checkpoint."""

from __future__ import annotations

from engine.primitives.aio import AsyncLoop, LoopExecutor, VirtualClock
from engine.primitives.atomic import AtomicCell
from engine.primitives.barrier import Barrier
from engine.primitives.buffer import Buffer
from engine.primitives.condition import Condition
from engine.primitives.future import Future, ThreadPool
from engine.primitives.mutex import Mutex
from engine.primitives.semaphore import Semaphore
from engine.primitives.shared import SharedVariable
from engine.primitives.work import work

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
