"""The cas scenario as it was written against the engine's own builder (World): its
atomic cell and shared variable are the engine's, so the panels that draw a CAS cell's
attempts and a shared variable's lost updates are tested with it. (The shipped cas
scenario is plain Python now, whose cells are the program's own.)"""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, Variant, World, work

UNLOCKED, LOCKED = 0, 1


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    threads, rounds = params["threads"], params["rounds"]
    if variant == "spinlock":
        lock = world.atomic("lock", UNLOCKED)
    elif variant == "counter-racy":
        counter = world.shared("counter", 0)
    else:
        cas_counter = world.atomic("counter", 0)
    retries = {f"T{n}": 0 for n in range(1, threads + 1)}
    inside: list[str] = []
    finished: list[str] = []

    def spinlock(me: str) -> None:
        for _ in range(rounds):
            while not lock.compare_exchange(UNLOCKED, LOCKED):
                retries[me] += 1  # spin: try again
            inside.append(me)
            work(2, "critical section")
            inside.remove(me)
            lock.store(UNLOCKED)

    def racy_increment(me: str) -> None:
        for _ in range(rounds):
            value = counter.read()
            counter.write(value + 1)  # another thread may have written in between
        finished.append(me)

    def cas_increment(me: str) -> None:
        for _ in range(rounds):
            while True:
                value = cas_counter.load()
                if cas_counter.compare_exchange(value, value + 1):
                    break
                retries[me] += 1  # someone else got there first: retry
        finished.append(me)

    bodies = {"spinlock": spinlock, "counter-racy": racy_increment, "counter-cas": cas_increment}
    for name in retries:
        world.spawn(name, bodies[variant], name)
    if variant != "counter-racy":
        world.watch("retries", lambda: "  ".join(f"{n}:{c}" for n, c in retries.items()))

    if variant == "spinlock":

        def one_inside() -> str | None:
            if len(inside) > 1:
                return f"{' and '.join(inside)} are in the critical section together"
            return None

        world.invariant("at most one thread in the critical section", one_inside)
    else:
        cell = counter if variant == "counter-racy" else cas_counter  # whichever exists

        def no_lost_update() -> str | None:
            expected = threads * rounds
            if len(finished) == threads and cell.value != expected:
                lost = expected - cell.value
                return f"counter is {cell.value} after {expected} increments: {lost} lost"
            return None

        world.invariant("final count equals increments made", no_lost_update)


SCENARIO = Scenario(
    name="world-cas",
    title="Compare-and-exchange: spinlocks and lost updates",
    summary="A spinlock from compare-and-exchange; a racy counter and a CAS counter.",
    explanation=(
        "compare_exchange(expected, new) is one indivisible step: it swaps only if the value "
        "is still what you expected, and says whether it did. 'spinlock' threads spin on it "
        "until they get the lock (retries counted). 'counter-racy' increments with a separate "
        "read and write: step T1 read, T2 read, T1 write, T2 write and an update is lost. "
        "'counter-cas' retries its exchange and never loses one."
    ),
    build=build,
    params=(
        Param("threads", 3, 1, 9, "threads T1..Tn"),
        Param("rounds", 3, 1, 50, "lock rounds or increments per thread"),
    ),
    variants=(
        Variant("spinlock", "a spinlock: spin on compare-and-exchange until it swaps"),
        Variant("counter-racy", "counter += 1 as a separate read and write: updates get lost"),
        Variant("counter-cas", "counter += 1 with a compare-and-exchange retry loop"),
    ),
    invariants=(
        "at most one thread in the critical section (spinlock)",
        "final count equals increments made (counters)",
    ),
)
