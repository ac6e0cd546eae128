"""The run's challenge as it is played on the scenario screen: whether the snapshot shown
wins it (or, for a fixed variant, what the run has survived), what the banner says about it,
and keeping the best result.

A win is judged from the configuration and the snapshot alone (``engine.challenge.won``); the
steps are those of the verdict, the actions the user's, counted from the run's history up to
it. Only a run that plays the challenge (a shipped lesson, default parameters, seed 0) is
scored, and not a schedule the explorer found: the goal is still said to be met, and why it
does not count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...engine.core.history import History
from ...engine.lesson.challenge import challenge_of, count_actions, won
from ...engine.lesson.scenario import RunConfig
from ...engine.snapshot.model import RunState, Snapshot
from ..challenges import (
    BREAK_IT_GOAL,
    NOT_SCORED,
    SURVIVAL_STRETCH,
    ChallengeStore,
    Result,
    counts,
    goal_words,
    key_of,
    shipped,
    steps_and_actions,
    survived_words,
    won_words,
)
from ..widgets.verdict import ChallengeNote

WON = "CHALLENGE WON"
MET = "GOAL MET"
SURVIVED = "SURVIVED"

EXPLORED = "by the explorer's schedule: not scored (press r and make it happen yourself)"
UNAIDED = "by the scheduler alone: not scored (press r, then step the threads yourself)"


@dataclass(frozen=True)
class Judged:
    """What the screen shows of the challenge now."""

    note: ChallengeNote | None
    """The banner's challenge line (None: none)."""
    say: str | None = None
    """A message for the hint line (what a long run has survived, a file problem)."""


class ChallengePlay:
    """Judges each snapshot shown against the run's challenge, once per verdict.

    Args:
        store: where the best results are kept.
    """

    def __init__(self, store: ChallengeStore) -> None:
        self.store = store
        self._judged: tuple[object, ...] | None = None
        self._note: ChallengeNote | None = None
        self._stretch: tuple[int, int] | None = None
        """(epoch, stretches of ``SURVIVAL_STRETCH`` steps) last seen by a fixed variant."""

    @staticmethod
    def goal(config: RunConfig) -> str | None:
        """The challenge in words (None: a program of the user's has none)."""
        return goal_words(challenge_of(config)) if shipped(config) else None

    @staticmethod
    def winnable(config: RunConfig) -> bool:
        """Whether the run's challenge is won by making its bug happen."""
        return challenge_of(config).winnable

    def judge(
        self,
        config: RunConfig,
        snapshot: Snapshot,
        epoch: int,
        history: Callable[[], History],
        explored: Callable[[History, int], bool],
    ) -> Judged:
        """The challenge's line for ``snapshot`` (of ``config``; ``epoch`` changes each
        time the run is re-executed). ``history`` gives the run's history; ``explored``
        says whether its first steps up to a step are a schedule the explorer found."""
        challenge = challenge_of(config)
        if not shipped(config):
            return Judged(None)
        if challenge.goal is not None:
            if not won(config, snapshot):
                self._forget()
                return Judged(None)
            assert snapshot.verdict is not None
            key: tuple[object, ...] = (epoch, snapshot.verdict.step, snapshot.verdict.kind)
            if key == self._judged:
                return Judged(self._note)
            self._judged = key
            return self._won(config, challenge.goal, snapshot.verdict.step, history(), explored)
        if snapshot.verdict is None and snapshot.run_state is RunState.FINISHED:
            key = (epoch, snapshot.step, "finished")
            if key == self._judged:
                return Judged(self._note)
            self._judged = key
            return self._survived(config, snapshot.step, history(), explored, finished=True)
        self._forget()
        stretch = snapshot.step // SURVIVAL_STRETCH
        last, self._stretch = self._stretch, (epoch, stretch)
        if snapshot.verdict is None and last is not None and last[0] == epoch and stretch > last[1]:
            return self._survived(config, snapshot.step, history(), explored, finished=False)
        return Judged(None)

    def _forget(self) -> None:
        self._judged = None
        self._note = None

    def _won(
        self,
        config: RunConfig,
        goal: str,
        steps: int,
        history: History,
        explored: Callable[[History, int], bool],
    ) -> Judged:
        actions = count_actions(history, steps).total
        problem = None
        if explored(history, steps):
            note = ChallengeNote(MET, f"{goal}, {EXPLORED}.", short=f"{EXPLORED}.")
        elif actions == 0:
            # space alone meets several goals at seed 0: a win is what the user made happen
            note = ChallengeNote(MET, f"{goal}, {UNAIDED}.", short=f"{UNAIDED}.")
        elif not counts(config):
            done = f"in {steps_and_actions(steps, actions)}; {NOT_SCORED}."
            note = ChallengeNote(MET, f"{goal} {done}", short=done)
        else:
            result = Result(True, steps, actions)
            before = self.store.record(key_of(config), result)
            words = won_words(goal, result, before if before and before.won else None)
            note = ChallengeNote(WON, words, short=words.removeprefix(f"{goal} "))
            problem = self.store.problem()
        self._note = note
        return Judged(note, problem)

    def _survived(
        self,
        config: RunConfig,
        steps: int,
        history: History,
        explored: Callable[[History, int], bool],
        *,
        finished: bool,
    ) -> Judged:
        actions = count_actions(history, steps)
        words = survived_words(steps, actions)
        problem = None
        if counts(config) and not explored(history, steps):
            self.store.record(key_of(config), Result(False, steps, actions.total))
            problem = self.store.problem()
        if not finished:
            return Judged(None, problem or f"{BREAK_IT_GOAL}: still unbroken. {words}")
        self._note = ChallengeNote(SURVIVED, f"{BREAK_IT_GOAL}: {words}", won=False)
        return Judged(self._note, problem)
