"""Challenges as the learner sees them: their words, the suggested order, and the small file
that keeps the best result of each.

Every variant has a challenge (``engine.challenge``). A buggy variant's is won by making its
bug happen; the *best* win is the one with the fewest steps, and among those the fewest
actions (steps of a thread the user chose, signals, broadcasts, spurious wakeups, posted
events): the shortest way to the bug, then the most economical. A fixed variant's challenge,
"Try to break it", cannot be won: what a run survived is kept instead, the longest (most
steps, then most actions) being the best.

Progress is kept in ``challenges.json`` in the user's data folder: ``$THREADLAB_DATA_DIR``
when set, else ``$XDG_DATA_HOME/threadlab``, else ``~/.local/share/threadlab``. It is written
whole to a temporary file then renamed over the old one, so it is never half written. A
missing file is no progress yet; a file that cannot be read or written is said once (on the
hint line) and the app goes on, keeping the progress of this session in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..engine.core.bounded_read import NotAFileToRead, read_bounded
from ..engine.lesson.challenge import Actions, Challenge, challenge_of, is_challenge_run
from ..engine.lesson.scenario import RunConfig, Scenario, resolve_config
from ..scenarios import SCENARIOS

DATA_DIR_VARIABLE = "THREADLAB_DATA_DIR"
STORE_NAME = "challenges.json"
STORE_VERSION = 1

BREAK_IT_GOAL = "Try to break it"
"""The challenge of every fixed variant, in words."""

TOUR = (
    "mutex",
    "cas",
    "condition",
    "producer-consumer",
    "semaphore",
    "readers-writers",
    "philosophers",
    "barrier",
    "futures",
    "event-loop",
    "async-io",
    "coroutines",
)
"""The lessons in the suggested order: each builds on the ones before it."""

NOT_SCORED = "not scored: a challenge is played with the default parameters and seed 0"
"""Said of a run with other parameters or another seed that meets the goal."""

SURVIVAL_STRETCH = 500
"""Every this many steps without a verdict, a fixed variant's run says what it survived."""


def goal_words(challenge: Challenge) -> str:
    """The challenge in words: its goal, or "Try to break it"."""
    return challenge.goal if challenge.goal is not None else BREAK_IT_GOAL


def key_of(config: RunConfig) -> str:
    """The challenge's name in the progress file: ``scenario/variant``."""
    return f"{config.scenario.name}/{config.variant}"


def shipped(config: RunConfig) -> bool:
    """Whether ``config`` runs one of threadlab's lessons (not a program of the user's):
    only those have challenges."""
    return SCENARIOS.get(config.scenario.name) is config.scenario


def counts(config: RunConfig) -> bool:
    """Whether a run of ``config`` plays its variant's challenge: a shipped lesson, with the
    default parameters and seed 0 (another run may still meet the goal, but is not scored)."""
    return shipped(config) and is_challenge_run(config)


def tour() -> Iterator[RunConfig]:
    """Every challenge in the suggested order, as the run that plays it: the lessons of
    ``TOUR`` (then any other), the buggy variants of each before its fixed ones."""
    names = [name for name in TOUR if name in SCENARIOS]
    names += [name for name in SCENARIOS if name not in names]
    for name in names:
        scenario: Scenario = SCENARIOS[name]
        configs = [resolve_config(scenario, variant.name) for variant in scenario.variants]
        configs.sort(key=lambda config: not challenge_of(config).winnable)
        yield from configs


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 step``, ``3 steps``."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def steps_and_actions(steps: int, actions: int) -> str:
    return f"{plural(steps, 'step')} and {plural(actions, 'action')}"


def survived_words(steps: int, actions: Actions) -> str:
    """'It survived 212 steps, 14 of your choices and 3 spurious wakeups.'"""
    parts = [plural(steps, "step")]
    if actions.choices == 1:
        parts.append("1 choice of yours")
    elif actions.choices:
        parts.append(f"{actions.choices:,} of your choices")
    for count, one in (
        (actions.signals, "signal"),
        (actions.broadcasts, "broadcast"),
        (actions.spurious, "spurious wakeup"),
        (actions.posts, "posted event"),
    ):
        if count:
            parts.append(plural(count, one))
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"It survived {listed}."


@dataclass(frozen=True)
class Result:
    """One challenge's best result: a win (fewest steps, then actions) or, for a fixed
    variant, the longest run it survived."""

    won: bool
    steps: int
    actions: int

    def better_than(self, other: Result | None) -> bool:
        if other is None:
            return True
        if self.won:
            return (self.steps, self.actions) < (other.steps, other.actions)
        return (self.steps, self.actions) > (other.steps, other.actions)

    def to_json(self) -> dict[str, object]:
        return {"won": self.won, "steps": self.steps, "actions": self.actions}

    @classmethod
    def from_json(cls, data: object) -> Result | None:
        """None when ``data`` is not a result this version wrote."""
        if not isinstance(data, dict):
            return None
        won, steps, actions = data.get("won"), data.get("steps"), data.get("actions")
        if not isinstance(won, bool) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (steps, actions)
        ):
            return None
        assert isinstance(steps, int) and isinstance(actions, int)
        return cls(won, steps, actions)


def won_words(goal: str, result: Result, before: Result | None) -> str:
    """'<goal> in 14 steps and 6 actions (best so far: 12 steps and 5 actions).', the
    banner's words after CHALLENGE WON. ``before``: the best before this win (None: the
    first)."""
    done = f"{goal} in {steps_and_actions(result.steps, result.actions)}"
    if before is None:
        return f"{done} (your first win)."
    if result.better_than(before):
        return f"{done} (a new best; it was {steps_and_actions(before.steps, before.actions)})."
    return f"{done} (best so far: {steps_and_actions(before.steps, before.actions)})."


def data_dir(environ: Mapping[str, str] | None = None) -> str:
    """The user's data folder for threadlab (see the module's docstring)."""
    env = os.environ if environ is None else environ
    chosen = env.get(DATA_DIR_VARIABLE)
    if chosen:
        return chosen
    xdg = env.get("XDG_DATA_HOME")
    if xdg:
        return os.path.join(xdg, "threadlab")
    return os.path.join(os.path.expanduser("~"), ".local", "share", "threadlab")


class ChallengeStore:
    """The best result of every challenge, read once and written after each change.

    Args:
        folder: where ``challenges.json`` is (None: ``data_dir()``).
    """

    def __init__(self, folder: str | None = None) -> None:
        self.path = os.path.join(data_dir() if folder is None else folder, STORE_NAME)
        self._results: dict[str, Result] = {}
        self._problem: str | None = None
        self._told = False
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            data = json.loads(read_bounded(self.path, MAX_STORE_BYTES).decode("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            self._trouble(f"cannot read {self.path} ({_reason(error)})")
            return
        entries = data.get("challenges") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            self._trouble(f"{self.path} is not a threadlab challenges file")
            return
        for key, value in entries.items():
            result = Result.from_json(value)
            if isinstance(key, str) and result is not None:
                self._results[key] = result

    def _trouble(self, problem: str) -> None:
        if self._problem is None:
            self._problem = problem

    @property
    def trouble(self) -> str | None:
        """What went wrong with the file, if anything (every time it is asked)."""
        self._load()
        return None if self._problem is None else f"challenge progress is not kept: {self._problem}"

    def problem(self) -> str | None:
        """What went wrong with the file, the first time it is asked after it happened
        (then None: it is said once)."""
        if self._problem is None or self._told:
            return None
        self._told = True
        return f"challenge progress is not kept: {self._problem}"

    def best(self, key: str) -> Result | None:
        self._load()
        return self._results.get(key)

    def results(self) -> dict[str, Result]:
        self._load()
        return dict(self._results)

    def record(self, key: str, result: Result) -> Result | None:
        """Keep ``result`` if it is the best of ``key`` (a win always beats a survival);
        returns the best before it (None: none yet)."""
        self._load()
        before = self._results.get(key)
        if before is not None and before.won and not result.won:
            return before
        if (before is not None and before.won != result.won) or result.better_than(before):
            self._results[key] = result
            self._save()
        return before

    def _save(self) -> None:
        data = {
            "version": STORE_VERSION,
            "challenges": {key: r.to_json() for key, r in sorted(self._results.items())},
        }
        # Through a symbolic link to the file the link names: the link stays a link.
        path = os.path.realpath(self.path)
        folder = os.path.dirname(path) or os.curdir
        temporary = None
        try:
            os.makedirs(folder, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(
                prefix=".challenges-", suffix=".tmp", dir=folder
            )
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                json.dump(data, file, indent=1)
                file.write("\n")
            os.replace(temporary, path)
        except OSError as error:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.remove(temporary)
            self._trouble(f"cannot write {self.path} ({_reason(error)})")


MAX_STORE_BYTES = 1 << 20
"""The largest ``challenges.json`` read (a real one is a few kilobytes)."""


def _reason(error: Exception) -> str:
    if isinstance(error, NotAFileToRead):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    if isinstance(error, (ValueError, RecursionError)):
        return "not valid JSON"
    return type(error).__name__
