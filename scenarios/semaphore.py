"""Semaphore: K permits shared by N threads, like a pool of K database connections."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    permits = params["permits"]
    connections = world.semaphore("connections", permits)
    using: list[str] = []

    def client(me: str) -> None:
        for _ in range(params["rounds"]):
            work(1, "prepare a query")
            with connections:
                using.append(me)
                work(3, "query the database")
                using.remove(me)

    def at_most_k() -> str | None:
        if len(using) > permits:
            return f"{', '.join(using)} hold {len(using)} of {permits} connections"
        return None

    for number in range(1, params["threads"] + 1):
        world.spawn(f"T{number}", client, f"T{number}")
    world.watch("in use", lambda: ", ".join(using) or "nobody")
    world.invariant(f"at most {permits} threads hold a connection", at_most_k)


SCENARIO = Scenario(
    name="semaphore",
    title="Semaphore: K permits for N threads",
    summary="N threads share K connections through a counting semaphore.",
    explanation=(
        "A semaphore holds a count of permits. acquire takes one, or waits in FIFO order when "
        "none is left; release gives one back, straight to the first waiter if there is one. "
        "A mutex is the case K = 1."
    ),
    build=build,
    params=(
        Param("permits", 2, 1, 8, "K: connections in the pool"),
        Param("threads", 5, 1, 9, "N: client threads T1..Tn"),
        Param("rounds", 2, 1, 50, "queries each thread makes"),
    ),
    invariants=("at most K threads hold a connection",),
)
