"""What threadlab and a program's process say to each other (see ``channel``).

threadlab sends ``Launch`` once, then ``Call`` after ``Call``; the program's process answers
``Ready`` (or ``LaunchFailed``), a ``Reply`` to each call, and a ``Report`` for every event,
step and output line the run makes, in the order the run makes them, several to a
``Reports`` (every report made before a reply is sent before it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.history import History
    from ..lesson.scenario import RunConfig
    from ..snapshot.model import Snapshot

SINKS = ("event", "step", "output")
"""What a ``Report`` can carry: an ``Event``, a step's thread states, an ``OutputLine``."""


@dataclass(frozen=True)
class Launch:
    """Build the run: ``Runtime(config, paused=..., speed=..., history=...)``, reporting
    what ``sinks`` name."""

    config: RunConfig
    paused: bool
    speed: float | None
    history: History | None
    sinks: frozenset[str]


@dataclass(frozen=True)
class Ready:
    """The run is built: calls may come. ``snapshot`` is the run before it starts (what
    stands if the program ends its process before any other is taken)."""

    snapshot: Snapshot


@dataclass(frozen=True)
class LaunchFailed:
    """The run could not be built (the program does not load): ``error`` says why."""

    error: BaseException


@dataclass(frozen=True)
class Call:
    """Call the runtime's ``method`` (or read its property) with ``args``."""

    number: int
    method: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Reply:
    """What call ``number`` returned, or the exception it raised."""

    number: int
    value: Any = None
    error: BaseException | None = None


@dataclass(frozen=True)
class Report:
    """One report to the sink ``sink`` (one of ``SINKS``), with the sink's arguments."""

    sink: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Reports:
    """Reports in the order they were made (one message for many: a run makes thousands a
    second)."""

    reports: tuple[Report, ...]


@dataclass(frozen=True)
class LastWords:
    """The run as it stands when the program ends its process (``os._exit``)."""

    snapshot: Snapshot
