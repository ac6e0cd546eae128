"""Shared by the benchmarks: a summary of repeated measurements, and an endless scenario.

These machines are shared and noisy, so every figure is measured several times, interleaved
with its baseline, and reported as the median with its spread (lowest and highest).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from threadlab.engine import Param, RunConfig, Scenario, World, resolve_config, work


def spread(values: Sequence[float], unit: str = "", scale: float = 1.0, digits: int = 2) -> str:
    """'median 1.23 (1.10-1.40, 5 runs)' with every value multiplied by ``scale``."""
    low, mid, high = min(values) * scale, statistics.median(values) * scale, max(values) * scale
    unit = f" {unit}" if unit else ""

    def number(value: float) -> str:
        return f"{value:,.{digits}f}"

    return f"median {number(mid)}{unit}  ({number(low)}-{number(high)}, {len(values)} runs)"


def row(label: str, text: str) -> None:
    """Print one figure: an indented label in a column, then the figure."""
    print(f"  {label:<36} {text}")


def goal(text: str, met: bool) -> str:
    """'(goal ≤ 2: met)' or '(goal ≤ 2: NOT met)'."""
    return f"(goal {text}: {'met' if met else 'NOT met'})"


def _build_endless_mutex(world: World, params: Mapping[str, int], variant: str) -> None:
    """The ``mutex`` scenario's threads, looping for ever instead of for N rounds."""
    mutex = world.mutex("mutex")
    inside: list[str] = []

    def worker(me: str) -> None:
        while True:
            work(1, "think")
            with mutex:
                inside.append(me)
                work(2, "critical section")
                inside.remove(me)

    def at_most_one_inside() -> str | None:
        if len(inside) > 1:
            return f"{' and '.join(inside)} are in the critical section together"
        return None

    for number in range(1, params["threads"] + 1):
        world.spawn(f"T{number}", worker, f"T{number}")
    world.invariant("at most one thread in the critical section", at_most_one_inside)


ENDLESS_MUTEX = Scenario(
    name="endless-mutex",
    title="Mutex, endless: the mutex scenario's threads, never finishing",
    summary="5 threads take turns in a critical section for ever (a benchmark load).",
    explanation="The shipped mutex scenario ends after at most 50 rounds; this one runs until "
    "stopped, so a measurement window of any length sees the same steady load.",
    build=_build_endless_mutex,
    params=(Param("threads", 5, 1, 9, "threads T1..Tn"),),
)


def endless_config(seed: int = 0) -> RunConfig:
    """A run that never finishes on its own: same steps as ``mutex``, for ever."""
    return resolve_config(ENDLESS_MUTEX, None, None, seed)
