"""The engine's synchronisation primitives; every operation on them is a checkpoint.

The controlled standard library (``engine.stdlib``) builds ``threading``'s and
``asyncio``'s objects on them.
"""

from __future__ import annotations

from .aio import AsyncLoop, LoopExecutor
from .barrier import Barrier
from .condition import Condition
from .mutex import Mutex
from .semaphore import Semaphore

__all__ = [
    "AsyncLoop",
    "Barrier",
    "Condition",
    "LoopExecutor",
    "Mutex",
    "Semaphore",
]
