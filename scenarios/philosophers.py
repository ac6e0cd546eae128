"""Dining philosophers: each needs two forks; left-then-right can deadlock in a cycle."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, Variant, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    count = params["philosophers"]
    forks = [world.mutex(f"fork{n}") for n in range(1, count + 1)]

    def philosopher(me: str, left: int, right: int) -> None:
        for _ in range(params["meals"]):
            work(1, "think")
            with forks[left], forks[right]:
                work(2, "eat")

    def philosopher_ordered(me: str, left: int, right: int) -> None:
        first, second = min(left, right), max(left, right)  # a global order on forks
        for _ in range(params["meals"]):
            work(1, "think")
            with forks[first], forks[second]:
                work(2, "eat")

    body = philosopher if variant == "left-right" else philosopher_ordered
    for n in range(count):
        world.spawn(f"Ph{n + 1}", body, f"Ph{n + 1}", n, (n + 1) % count)


SCENARIO = Scenario(
    name="philosophers",
    title="Dining philosophers: a deadlock cycle",
    summary="Philosophers take the left fork, then the right: a cycle of waits is reachable.",
    explanation=(
        "Each philosopher holds one fork and waits for the next one. If every philosopher "
        "takes a left fork, each waits for a fork its neighbour holds: a cycle, and no one "
        "ever eats again. Step Ph1, Ph2, … to their first fork to see it. Variant 'ordered' "
        "takes the lower-numbered fork first, which breaks the cycle."
    ),
    build=build,
    params=(
        Param("philosophers", 3, 2, 9, "philosophers (and forks) around the table"),
        Param("meals", 3, 1, 50, "meals each philosopher eats"),
    ),
    variants=(
        Variant("left-right", "left fork, then right: deadlock is reachable"),
        Variant("ordered", "lower-numbered fork first: never deadlocks"),
    ),
)
