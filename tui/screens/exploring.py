"""The explore key (x): search the schedules of the run's configuration for one that fails,
in the background, and turn what the search ends with into what the screen does.

The search runs in a Textual thread worker; with more than one job its schedules run in
worker processes, so the screen stays responsive. The search never waits on the screen: its
progress reports are kept here (the latest one only) and the screen's frame timer draws the
latest. Escape sets the cancel event: the search stops at its next look (a tenth of a second
at most), and its worker processes are ended; escape while a find is shrunk keeps the
smallest schedule found by then, and opens it.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

from ...cli.explore_text import (
    cancelled_text,
    coverage_text,
    exploring_text,
    found_message,
    stuck_text,
)
from ...engine import ConfigError, RunConfig
from ...engine.core.history import History
from ...engine.explore import (
    ExploreResult,
    Finding,
    Progress,
    Request,
    WorkerFailed,
    default_jobs,
    explore_in_own_process,
    target_of,
)
from ...scenarios import get_scenario
from ..widgets.hint import HintMessage

EXPLORE_SECONDS = 60.0
"""The app's budget for one search."""

JOBS_VARIABLE = "THREADLAB_EXPLORE_JOBS"
"""Environment variable: worker processes of the app's searches (default: the cores)."""

MAX_JOBS = 64

ALREADY = "already exploring: escape cancels it"
"""The answer to x while a search is under way."""

ALREADY_SECONDS = 3.0
"""How long that answer stays."""

FOUND_SECONDS = 30.0
"""How long the line about a find stays (the next action clears it sooner)."""
RESULT_SECONDS = 15.0


def explore_jobs(configured: int | None = None) -> int:
    """Worker processes for a search: ``configured``, else ``THREADLAB_EXPLORE_JOBS``, else
    the machine's cores."""
    if configured is not None:
        return max(1, min(configured, MAX_JOBS))
    text = os.environ.get(JOBS_VARIABLE, "").strip()
    if text.isdigit() and int(text) >= 1:
        return min(int(text), MAX_JOBS)
    return default_jobs()


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (once), which starting worker processes
    needs, with a standard error that has a file descriptor.

    While the app runs, ``sys.stderr`` is Textual's stand-in, whose ``fileno()`` is -1: the
    tracker, started with it, fails ("bad value(s) in fds_to_keep"). It is handed an open
    /dev/null instead, for the moment it takes to start.
    """
    from multiprocessing import resource_tracker

    with open(os.devnull, "w") as quiet:
        standard_error, sys.stderr = sys.stderr, quiet
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = standard_error


@dataclass(frozen=True)
class Opening:
    """A find to open: the run to put on screen, where, and what to say once it is there."""

    finding: Finding
    message: HintMessage

    @property
    def history(self) -> History:
        return self.finding.history

    @property
    def step(self) -> int:
        """The failing step: the end of the schedule."""
        return len(self.finding.history)


class Exploration:
    """One search of ``config``'s schedules, under way in a worker.

    Args:
        config: the run's configuration (scenario or program, variant, parameters, seed,
            arguments): the search starts from its seed.
        jobs: worker processes (1: every schedule in the worker's own thread).
        seconds: the time budget.
    """

    def __init__(self, config: RunConfig, jobs: int, seconds: float = EXPLORE_SECONDS) -> None:
        self.config = config
        self.request = Request(
            target=target_of(config),
            find_scenario=get_scenario,
            seconds=seconds,
            seed=config.seed,
            jobs=jobs,
        )
        self.cancel = threading.Event()
        self._latest: Progress | None = None

    def run(self) -> ExploreResult:
        """The search (in the worker's thread).

        Raises:
            ConfigError, WorkerFailed: the search could not run or go on.
        """
        start_resource_tracker()  # (the search's process is started from this thread)
        return explore_in_own_process(self.request, progress=self._report, cancel=self.cancel)

    def _report(self, progress: Progress) -> None:
        self._latest = progress  # one reference: read by the UI thread's timer

    def progress_line(self) -> str:
        """The words of the progress line now."""
        return exploring_text(self._latest)

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def outcome(self, result: ExploreResult) -> HintMessage | Opening:
        """What to do with the search's result: a find to open, or a line to say."""
        if result.finding is not None:  # (escape while it was shrunk: the smallest by then)
            message = HintMessage(found_message(result.finding), "information", FOUND_SECONDS)
            return Opening(result.finding, message)
        if self.cancelled:
            return HintMessage(cancelled_text(result), "information", RESULT_SECONDS)
        if result.stuck is not None:
            return HintMessage(stuck_text(result.stuck), "error", RESULT_SECONDS)
        return HintMessage(coverage_text(result.coverage), "information", RESULT_SECONDS)


def failure_message(error: BaseException) -> HintMessage:
    """One line for a search that could not run or go on."""
    if isinstance(error, ConfigError | WorkerFailed):
        text = f"cannot explore: {error}"
    else:
        text = f"exploring failed: {type(error).__name__}: {error}"
    return HintMessage(text, "error", RESULT_SECONDS)
