"""threadlab's engine: real threads under a controlled schedule, seen through snapshots.

It never imports textual or rich; everything the UI shows comes out of
``Runtime.snapshot()`` and everything the user does goes in through its control methods.
"""

from __future__ import annotations

from .core.errors import ControlRefused, OutsideSchedule, ReplayDiverged, StopRun
from .lesson.scenario import (
    Check,
    ConfigError,
    HandlerLoop,
    Param,
    RunConfig,
    Scenario,
    UserPost,
    Variant,
    Watch,
    entry_params,
    resolve_config,
)
from .runtime import Runtime
from .snapshot.model import (
    Event,
    EventKind,
    PrimitiveView,
    RunState,
    Snapshot,
    SourceLine,
    ThreadState,
    ThreadView,
    Verdict,
    VerdictKind,
)

__all__ = [
    "Check",
    "ConfigError",
    "ControlRefused",
    "Event",
    "EventKind",
    "HandlerLoop",
    "OutsideSchedule",
    "Param",
    "PrimitiveView",
    "ReplayDiverged",
    "RunConfig",
    "RunState",
    "Runtime",
    "Scenario",
    "Snapshot",
    "SourceLine",
    "StopRun",
    "ThreadState",
    "ThreadView",
    "UserPost",
    "Variant",
    "Verdict",
    "VerdictKind",
    "Watch",
    "entry_params",
    "resolve_config",
]
