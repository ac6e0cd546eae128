"""Condition variable: threads sleep in a wait queue until someone signals them."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, Variant, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    mutex = world.mutex("mutex")
    wakeup = world.condition("wakeup", mutex)
    woken: dict[str, int] = {}

    def sleeper(me: str) -> None:
        woken[me] = 0
        for _ in range(params["rounds"]):
            with mutex:
                wakeup.wait()
                woken[me] += 1
            work(1, "do the job")

    def alarm(me: str) -> None:
        for _ in range(params["threads"] * params["rounds"]):
            work(3, "tick")
            with mutex:
                wakeup.signal()

    for number in range(1, params["threads"] + 1):
        world.spawn(f"T{number}", sleeper, f"T{number}")
    if variant == "alarm":
        world.spawn("A1", alarm, "A1")
    world.watch("woken", lambda: "  ".join(f"{n}:{c}" for n, c in woken.items()))


SCENARIO = Scenario(
    name="condition",
    title="Condition variable: wait, signal, broadcast",
    summary="Threads wait on a condition until you signal, broadcast, or wake one spuriously.",
    explanation=(
        "wait() releases the mutex and puts the thread in the condition's wait queue. "
        "signal wakes the first waiter, broadcast wakes them all; a woken thread must "
        "re-acquire the mutex before wait() returns. Press s, b or w to wake threads. "
        "Variant 'alarm' adds a thread that signals now and then; signals sent while nobody "
        "waits are lost."
    ),
    build=build,
    params=(
        Param("threads", 3, 1, 9, "how many threads wait on the condition"),
        Param("rounds", 2, 1, 20, "how many times each thread waits"),
    ),
    variants=(
        Variant("manual", "only you wake the threads"),
        Variant("alarm", "an alarm thread A1 signals every few steps"),
    ),
    waits_for_user=True,
)
