"""Barrier: threads work in phases and wait for each other between phases."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    threads = params["threads"]
    barrier = world.barrier("barrier", threads)
    phase_of: dict[str, int] = {}

    def worker(me: str, effort: int) -> None:
        for phase in range(params["phases"]):
            phase_of[me] = phase
            work(effort, f"phase {phase + 1}")
            barrier.wait()  # nobody starts phase k+1 before all finish phase k

    def same_phase() -> str | None:
        low, high = min(phase_of.values()), max(phase_of.values())
        if high - low > 1:
            ahead = [n for n, p in phase_of.items() if p == high]
            return f"{', '.join(ahead)} got to phase {high + 1} while others are in {low + 1}"
        return None

    for number in range(1, threads + 1):
        phase_of[f"T{number}"] = 0
        world.spawn(f"T{number}", worker, f"T{number}", number)
    world.watch("phases", lambda: "  ".join(f"{n}:{p + 1}" for n, p in phase_of.items()))
    world.invariant("no thread is two phases ahead of another", same_phase)


SCENARIO = Scenario(
    name="barrier",
    title="Barrier: meet between phases",
    summary="Threads work in phases and wait at a barrier for each other between them.",
    explanation=(
        "A barrier for N parties holds each arriving thread until the N-th arrives; then all "
        "of them go on together into the next phase. Fast threads (T1 works 1 step, T3 "
        "works 3) wait for the slow ones."
    ),
    build=build,
    params=(
        Param("threads", 3, 2, 9, "threads T1..Tn; Tk works k steps per phase"),
        Param("phases", 3, 1, 20, "phases of work"),
    ),
    invariants=("no thread is two phases ahead of another",),
)
