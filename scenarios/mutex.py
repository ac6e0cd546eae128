"""Mutex: threads take turns in a critical section, one at a time."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, Variant, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    mutex = world.mutex("mutex")
    inside: list[str] = []  # who is in the critical section now

    def worker(me: str) -> None:
        for _ in range(params["rounds"]):
            work(1, "think")
            with mutex:
                inside.append(me)
                work(2, "critical section")
                inside.remove(me)

    def worker_without_lock(me: str) -> None:
        for _ in range(params["rounds"]):
            work(1, "think")
            # forgot: with mutex:
            inside.append(me)
            work(2, "critical section")
            inside.remove(me)

    def at_most_one_inside() -> str | None:
        if len(inside) > 1:
            return f"{' and '.join(inside)} are in the critical section together"
        return None

    body = worker if variant == "locked" else worker_without_lock
    for number in range(1, params["threads"] + 1):
        world.spawn(f"T{number}", body, f"T{number}")
    world.invariant("at most one thread in the critical section", at_most_one_inside)


SCENARIO = Scenario(
    name="mutex",
    title="Mutex: one at a time",
    summary="N threads take turns in a critical section guarded by one mutex.",
    explanation=(
        "A mutex has at most one owner. A thread that tries to acquire it while another "
        "holds it joins the mutex's wait queue and sleeps; on release, ownership passes "
        "straight to the first waiter, in FIFO order. Variant 'unlocked' forgets the mutex: "
        "step two threads into the critical section and the invariant catches them."
    ),
    build=build,
    params=(
        Param("threads", 3, 1, 9, "how many threads contend for the mutex"),
        Param("rounds", 3, 1, 50, "how many times each thread enters the critical section"),
    ),
    variants=(
        Variant("locked", "every thread takes the mutex around its critical section"),
        Variant("unlocked", "the mutex is forgotten: two threads can be inside at once"),
    ),
    invariants=("at most one thread in the critical section",),
)
