"""The engine's synchronisation primitives; every operation on them is a checkpoint."""

from __future__ import annotations

from engine.primitives.buffer import Buffer
from engine.primitives.condition import Condition
from engine.primitives.mutex import Mutex
from engine.primitives.semaphore import Semaphore
from engine.primitives.work import work

__all__ = ["Buffer", "Condition", "Mutex", "Semaphore", "work"]
