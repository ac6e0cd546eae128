"""Shared by the benchmarks: a summary of repeated measurements, and an endless scenario.

These machines are shared and noisy, so every figure is measured several times, interleaved
with its baseline, and reported as the median with its spread (lowest and highest).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path

from threadlab.engine import Check, RunConfig, Scenario, entry_params, resolve_config
from threadlab.engine.program.loader import ProgramState


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


ENDLESS_PROGRAM = str(Path(__file__).with_name("endless_mutex.py"))


def _at_most_one_inside(program: ProgramState) -> str | None:
    inside = program.threads_in("critical_section")
    if len(inside) > 1:
        return f"{' and '.join(inside)} are in the critical section together"
    return None


ENDLESS_MUTEX = Scenario(
    name="endless-mutex",
    title="Mutex, endless: the mutex scenario's threads, never finishing",
    summary="5 threads take turns in a critical section for ever (a benchmark load).",
    explanation="The shipped mutex scenario ends after at most 50 rounds; this one runs until "
    "stopped, so a measurement window of any length sees the same steady load.",
    program=ENDLESS_PROGRAM,
    params=entry_params(ENDLESS_PROGRAM, "main", ("threads", 1, 9, "threads T1..Tn")),
    checks=(Check("at most one thread in the critical section", _at_most_one_inside),),
)


def endless_config(seed: int = 0) -> RunConfig:
    """A run that never finishes on its own: same steps as ``mutex``, for ever."""
    return resolve_config(ENDLESS_MUTEX, None, None, seed)
