"""threadlab's engine: real threads under a controlled schedule, seen through snapshots.

It never imports textual or rich; everything the UI shows comes out of
``Runtime.snapshot()`` and everything the user does goes in through its control methods.
"""

from __future__ import annotations

from engine.model import (
    Event,
    PrimitiveView,
    RunState,
    Snapshot,
    SourceLine,
    ThreadState,
    ThreadView,
    Verdict,
    VerdictKind,
)
from engine.primitives import (
    AsyncLoop,
    AtomicCell,
    Barrier,
    Buffer,
    Condition,
    Future,
    Mutex,
    Semaphore,
    SharedVariable,
    ThreadPool,
    work,
)
from engine.runtime import ControlRefused, Runtime, StopRun
from engine.scenario import ConfigError, Param, RunConfig, Scenario, Variant, resolve_config
from engine.world import World

__all__ = [
    "AsyncLoop",
    "AtomicCell",
    "Barrier",
    "Buffer",
    "Condition",
    "ConfigError",
    "ControlRefused",
    "Event",
    "Future",
    "Mutex",
    "Param",
    "PrimitiveView",
    "RunConfig",
    "RunState",
    "Runtime",
    "Scenario",
    "Semaphore",
    "SharedVariable",
    "Snapshot",
    "SourceLine",
    "StopRun",
    "ThreadPool",
    "ThreadState",
    "ThreadView",
    "Variant",
    "Verdict",
    "VerdictKind",
    "World",
    "resolve_config",
    "work",
]
