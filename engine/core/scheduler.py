"""Scheduling policies: which runnable thread goes next when the user does not choose."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from .driver import Driver
    from .kernel import Kernel

T = TypeVar("T")


class Policy(Protocol):
    def choose(self, runnable: Sequence[T]) -> T:
        """Pick one of ``runnable`` (never empty, in thread-list order)."""
        ...


class BindingPolicy(Protocol):
    """A policy that looks at the run itself (the explorer's): bound to the run's kernel and
    driver before the run starts; ``choose`` is called with the engine lock held. Its
    choices are recorded as chosen steps (``as_chosen``), so a replay follows them."""

    as_chosen: bool

    def bind(self, kernel: Kernel, driver: Driver) -> None: ...

    def choose(self, runnable: Sequence[T]) -> T: ...


class SeededRandomPolicy:
    """Lively but reproducible: the same seed picks the same threads in the same order."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def choose(self, runnable: Sequence[T]) -> T:
        # Always draw, even from one candidate, so the stream never depends on timing.
        return runnable[self._rng.randrange(len(runnable))]


class RoundRobinPolicy:
    """Each thread in turn, skipping those that cannot run."""

    def __init__(self) -> None:
        self._last = -1

    def choose(self, runnable: Sequence[T]) -> T:
        indices = [getattr(t, "index", i) for i, t in enumerate(runnable)]
        for position, index in enumerate(indices):
            if index > self._last:
                self._last = index
                return runnable[position]
        self._last = indices[0]
        return runnable[0]


def make_policy(name: str, seed: int) -> Policy:
    if name == "random":
        return SeededRandomPolicy(seed)
    if name == "round-robin":
        return RoundRobinPolicy()
    raise ValueError(f"unknown policy {name!r} (valid: random, round-robin)")
