"""Challenges: the goal a variant sets the learner, and whether a run has met it.

A buggy variant's challenge is to make its bug happen ("Make a consumer take from an empty
buffer"): it is won when the run reaches a verdict of a given kind, optionally refined (the
failure is an ``IndexError``, a given invariant broke). A fixed variant's challenge is to try
to break it: it cannot be won, and what the run survived is counted instead.

A challenge is played on its variant with the default parameters and seed 0, opened paused at
step 0. Whether it is won is a pure function of the run's configuration and a snapshot;
what it took (the steps, and the user's own choices and actions) is counted from the run's
history. The words a person reads about it are written in ``tui/``; the goals themselves are
lesson content, declared with each variant (``Variant.challenge``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.history import History
from ..snapshot.model import ActionKind, Snapshot, Verdict, VerdictKind

if TYPE_CHECKING:
    from .scenario import RunConfig

CHALLENGE_SEED = 0
"""The seed every challenge is played with."""


@dataclass(frozen=True)
class Win:
    """What a run must reach to win a challenge: a verdict of ``verdict``'s kind, and, when
    given, of that failure or that broken invariant."""

    verdict: VerdictKind
    error: str | None = None
    """FAILED: the name of the exception's type that ended the thread ('IndexError')."""
    check: str | None = None
    """VIOLATION: the broken invariant's words (its ``Check.text``)."""

    def met_by(self, verdict: Verdict | None) -> bool:
        """Whether ``verdict`` meets this win condition."""
        if verdict is None or verdict.kind is not self.verdict:
            return False
        if self.error is not None and verdict.error != self.error:
            return False
        return self.check is None or verdict.check == self.check


@dataclass(frozen=True)
class Challenge:
    """A variant's challenge. With no ``win``, it is "try to break it" (a fixed variant):
    it cannot be won."""

    goal: str | None = None
    """What to make happen, in words ('Make a consumer take from an empty buffer'); None
    for a fixed variant (the app words that challenge itself)."""
    win: Win | None = None

    def __post_init__(self) -> None:
        if (self.goal is None) != (self.win is None):
            raise ValueError("a challenge to win needs both a goal and a win condition")

    @property
    def winnable(self) -> bool:
        """Whether it is a buggy variant's challenge, won by making its bug happen."""
        return self.win is not None


BREAK_IT = Challenge()
"""A fixed variant's challenge: try to break it (it cannot be won)."""


@dataclass(frozen=True)
class Actions:
    """What the user did in a run, up to a step: each kind of action counted."""

    choices: int = 0
    """Steps of a thread the user chose (a number key, the palette's Step T1)."""
    signals: int = 0
    broadcasts: int = 0
    spurious: int = 0
    """Spurious wakeups."""
    posts: int = 0
    """Events posted to a queue."""

    @property
    def total(self) -> int:
        return self.choices + self.signals + self.broadcasts + self.spurious + self.posts


def count_actions(history: History, steps: int) -> Actions:
    """The user's actions that led to step ``steps`` of a run with ``history``: the steps
    among the first ``steps`` the user chose, and the actions applied before step
    ``steps + 1`` was taken (those that followed step ``steps`` itself came after it)."""
    choices = sum(1 for entry in history.steps[:steps] if History.decode(entry)[1])
    kinds = [action.kind for step, action in history.actions if step < steps]
    return Actions(
        choices=choices,
        signals=kinds.count(ActionKind.SIGNAL),
        broadcasts=kinds.count(ActionKind.BROADCAST),
        spurious=kinds.count(ActionKind.SPURIOUS),
        posts=kinds.count(ActionKind.POST),
    )


def challenge_of(config: RunConfig) -> Challenge:
    """The challenge of the run's variant (``BREAK_IT`` when it declares none)."""
    for variant in config.scenario.variants:
        if variant.name == config.variant:
            return variant.challenge
    return BREAK_IT


def is_challenge_run(config: RunConfig) -> bool:
    """Whether ``config`` is how its variant's challenge is played: the default parameters
    and seed ``CHALLENGE_SEED`` (whether the scenario is a shipped lesson is the
    catalogue's to say)."""
    defaults = tuple((p.name, p.default) for p in config.scenario.params)
    return config.params == defaults and config.seed == CHALLENGE_SEED and not config.argv


def won(config: RunConfig, snapshot: Snapshot) -> bool:
    """Whether the run in ``snapshot`` (of ``config``) has met its variant's challenge, at
    ``snapshot.verdict.step``."""
    win = challenge_of(config).win
    return win is not None and win.met_by(snapshot.verdict)
