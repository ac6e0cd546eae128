"""One schedule to run, as the planner hands it to a worker, and what the worker sends back:
plain data, so that it crosses between processes."""

from __future__ import annotations

from dataclasses import dataclass

from ..lesson.scenario import RunConfig
from ..snapshot.model import Verdict, VerdictKind
from .attempt import Attempt, run_schedule
from .choosers import Choice, Node, PCTChooser, PrefixChooser, RandomChooser, Sleep, choice_of
from .policy import Chooser, Mislabel

RANDOM, PCT, DFS = "random", "pct", "dfs"
STRATEGIES = (RANDOM, PCT, DFS)


@dataclass(frozen=True)
class Spec:
    """The ``index``-th schedule of a search."""

    index: int
    kind: str
    """RANDOM, PCT or DFS."""
    max_steps: int
    seed: int = 0
    depth: int = 1
    length: int = 0
    prefix: bytes = b""
    shapes: bytes = b""
    """The choices recorded at each point of the prefix (``Decision.shape``), four bytes
    each."""
    sleep: Sleep = ()
    preemptions: int = 0
    bound: int = 0


@dataclass(frozen=True)
class Outcome:
    """How the ``index``-th schedule ended."""

    index: int
    kind: str
    failed: bool
    verdict: VerdictKind | None
    steps: int
    preemptions: int
    cut_short: bool
    stuck: bool
    stuck_thread: str
    """For a stuck run: the thread that stayed away from every checkpoint, and its line."""
    stuck_line: int | None
    choices: tuple[Choice, ...]
    """Every choice made (kept for a failure, to shrink it)."""
    nodes: tuple[Node, ...] = ()
    """For a depth-first run: the scheduling points beyond its prefix."""
    diverged: bool = False
    diverged_at: int | None = None
    """For a run that did not meet its prefix's choices again: the step where."""
    verdict_found: Verdict | None = None
    """For a failure: the verdict, whole (to report it at once, before shrinking)."""
    points: int = 0
    """Scheduling points with a real choice (two options or more)."""
    mislabelled: int = 0
    """Steps that touched more than their footprints said (nothing relying on those
    footprints can be claimed)."""
    mislabel: Mislabel | None = None
    """The first of them."""


def chooser_for(spec: Spec, reduce: bool) -> Chooser:
    if spec.kind == RANDOM:
        return RandomChooser(spec.seed)
    if spec.kind == PCT:
        return PCTChooser(spec.seed, spec.depth, spec.length)
    return PrefixChooser(
        spec.prefix, spec.sleep, spec.preemptions, spec.bound, reduce, shapes=spec.shapes
    )


def run_spec(config: RunConfig, spec: Spec, *, spurious: bool, reduce: bool) -> Outcome:
    """Run one schedule (in whichever process) and say how it ended."""
    chooser = chooser_for(spec, reduce)
    attempt = run_schedule(config, chooser, spurious=spurious, max_steps=spec.max_steps)
    nodes: tuple[Node, ...] = ()
    diverged, diverged_at = False, None
    if isinstance(chooser, PrefixChooser):
        nodes, diverged = tuple(chooser.nodes), chooser.diverged
        diverged_at = chooser.diverged_at
        if nodes and not nodes[-1].ran_known:
            last = nodes[-1]
            chosen = last.decision.options[last.pick]
            last.ran = attempt.last_ran if not chosen.condition else chosen.touches
            last.ran_known = True
    return Outcome(
        index=spec.index,
        kind=spec.kind,
        failed=attempt.failed,
        verdict=attempt.verdict.kind if attempt.verdict is not None else None,
        steps=attempt.steps,
        preemptions=attempt.preemptions,
        cut_short=attempt.cut_short,
        stuck=attempt.stuck,
        stuck_thread=attempt.stuck_thread,
        stuck_line=attempt.stuck_line,
        choices=choices_of(attempt) if attempt.failed else (),
        nodes=nodes,
        diverged=diverged,
        diverged_at=diverged_at,
        verdict_found=attempt.verdict if attempt.failed else None,
        points=attempt.points,
        mislabelled=attempt.mislabelled,
        mislabel=attempt.mislabels[0] if attempt.mislabels else None,
    )


def choices_of(attempt: Attempt) -> tuple[Choice, ...]:
    return tuple(
        choice_of(decision.options[pick])
        for decision, pick in zip(attempt.decisions, attempt.picks, strict=True)
    )
