"""The schedule explorer: search the interleavings of a program for one that ends in a
deadlock, a broken invariant or a failure, shrink it, and hand it over as a run.

``explore(Request(...))`` is the front door; see ``search`` for how a search goes, ``plan``
for which schedules it runs, ``choosers`` for the strategies and ``shrink`` for shrinking.
"""

from __future__ import annotations

from .own_process import explore_in_own_process
from .policy import Mislabel, Place, Switch
from .search import (
    STRATEGY_NAMES,
    Coverage,
    ExploreResult,
    Finding,
    FoundSoFar,
    Progress,
    Request,
    Stuck,
    default_jobs,
    explore,
)
from .target import Target, target_of
from .workers import WorkerFailed

__all__ = [
    "STRATEGY_NAMES",
    "Coverage",
    "ExploreResult",
    "Finding",
    "FoundSoFar",
    "Mislabel",
    "Place",
    "Progress",
    "Request",
    "Stuck",
    "Switch",
    "Target",
    "WorkerFailed",
    "default_jobs",
    "explore",
    "explore_in_own_process",
    "target_of",
]
