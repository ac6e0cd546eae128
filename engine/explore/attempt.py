"""One schedule, run headless under the explorer's policy, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import awake
from ..core.footprint import Footprint
from ..core.history import History
from ..lesson.scenario import RunConfig
from ..runtime import Runtime
from ..snapshot.model import Verdict, VerdictKind
from .policy import Chooser, Decision, ExplorePolicy, Mislabel, Switch

FAILURES = (
    VerdictKind.DEADLOCK,
    VerdictKind.LOST_WAKEUP,
    VerdictKind.VIOLATION,
    VerdictKind.FAILED,
    VerdictKind.LOOP_BLOCKED,
    VerdictKind.STARVATION,
)
"""The verdicts the explorer looks for."""

PATIENCE = 10.0
"""Real seconds a schedule may take before the explorer gives up on it: a thread runs
outside the schedule (a busy loop, real I/O, a blocking call threadlab does not control)."""


@dataclass(frozen=True)
class Attempt:
    """How one schedule ended."""

    verdict: Verdict | None
    steps: int
    preemptions: int
    cut_short: bool
    """It ran ``max_steps`` steps without ending (taken to loop) or was halted as
    redundant."""
    stuck: bool
    """A thread stayed away from every checkpoint for ``PATIENCE`` seconds."""
    history: History
    decisions: tuple[Decision, ...]
    picks: tuple[int, ...]
    switches: tuple[Switch, ...] = ()
    stuck_thread: str = ""
    """For a stuck run: the thread that stayed away from every checkpoint, and its line."""
    stuck_line: int | None = None
    last_ran: Footprint = None
    """What the run's last step turned out to touch."""
    mislabelled: int = 0
    """Steps that touched more than their footprints said."""
    mislabels: tuple[Mislabel, ...] = ()
    """The first few of them."""

    @property
    def points(self) -> int:
        """Scheduling points with a real choice (two options or more)."""
        return sum(len(decision.options) > 1 for decision in self.decisions)

    @property
    def failed(self) -> bool:
        return self.verdict is not None and self.verdict.kind in FAILURES


LOOK_EVERY = 0.25
"""Seconds between two looks at a run that has not ended yet."""


def _await_end(runtime: Runtime, patience: float) -> tuple[bool, str, int | None]:
    """Wait for the run to end. It is stuck when one thread has run outside the schedule
    for ``patience`` seconds of the awake clock (``core.awake``: a stalled machine is not a
    stuck thread; that thread and its line are returned), or, with no such thread, when no
    step was taken for that long; a run that goes on taking steps is waited for."""
    seen_step, since = -1, awake.now()
    while not runtime.wait_idle(LOOK_EVERY):
        snapshot = runtime.snapshot()
        for view in snapshot.threads:
            if view.outside_for is not None and view.outside_for >= patience:
                return False, view.name, runtime.line_now(view.name) or view.line
        if snapshot.step != seen_step:
            seen_step, since = snapshot.step, awake.now()
        elif awake.now() - since >= patience and not any(
            view.outside_for is not None for view in snapshot.threads
        ):
            return False, "", None
    return True, "", None


def run_schedule(
    config: RunConfig,
    chooser: Chooser,
    *,
    spurious: bool = False,
    max_steps: int = 20_000,
    describe: bool = False,
    patience: float = PATIENCE,
) -> Attempt:
    """Run ``config`` once, every choice made by ``chooser``, until it ends, fails, loops
    or gets stuck."""
    policy = ExplorePolicy(chooser, spurious=spurious, max_steps=max_steps, describe=describe)
    runtime = Runtime(config, paused=False, speed=None, policy=policy)
    try:
        runtime.start()
        ended, stuck_thread, stuck_line = _await_end(runtime, patience)
        verdict, steps = runtime.outcome()
        history = runtime.history()
        policy.settle_last()  # the last step's footprint, now that it has run
    finally:
        runtime.stop(1.0)
    failed = verdict is not None and verdict.kind in FAILURES
    return Attempt(
        verdict=verdict,
        steps=steps,
        preemptions=policy.preemptions,
        cut_short=(policy.cut_short or policy.halted) and not failed,
        stuck=not ended,
        history=history,
        decisions=tuple(policy.decisions),
        picks=tuple(policy.picks),
        switches=tuple(policy.switches),
        stuck_thread=stuck_thread,
        stuck_line=stuck_line,
        last_ran=policy.ran,
        mislabelled=policy.mislabelled,
        mislabels=tuple(policy.mislabels),
    )
