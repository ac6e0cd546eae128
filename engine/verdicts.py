"""Deadlock verdicts in plain words: who waits on what, and the cycle where there is one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from threadlab.engine.model import ThreadState, Verdict, VerdictKind

if TYPE_CHECKING:
    from threadlab.engine.runtime import SimThread


def _holder(thread: SimThread) -> SimThread | None:
    """The thread that holds what ``thread`` waits for (mutexes only have one)."""
    return getattr(thread.blocked_on, "owner", None)


def find_cycle(threads: Sequence[SimThread]) -> list[str]:
    """Names along a wait-for cycle (first name repeated at the end), or [] if none."""
    for start in threads:
        path: list[SimThread] = []
        current: SimThread | None = start
        while current is not None and current not in path:
            path.append(current)
            current = _holder(current) if current.state is ThreadState.BLOCKED else None
        if current is not None:
            cycle = path[path.index(current) :]
            return [t.name for t in cycle] + [current.name]
    return []


def _waits_on(thread: SimThread) -> str:
    primitive = thread.blocked_on
    if primitive is None:
        return f"{thread.name} is {thread.state.value}"
    return primitive.waiting_text(thread)


def describe_deadlock(threads: Sequence[SimThread], step: int) -> Verdict:
    stuck = [t for t in threads if t.state in (ThreadState.BLOCKED, ThreadState.WAITING)]
    cycle = find_cycle(stuck)
    parts = ["Deadlock: no thread can run."]
    if cycle:
        parts.append(f"Cycle: {' → '.join(cycle)}.")
    parts.append("; ".join(_waits_on(t) for t in stuck) + ".")
    return Verdict(VerdictKind.DEADLOCK, " ".join(parts), tuple(t.name for t in stuck), step)
