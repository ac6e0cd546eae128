"""Asynchronous IO: issue requests, keep computing, collect completions from a port."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    requests = params["requests"]
    port = world.completion_port("port")
    disk = world.device("disk", params["latency"], thread="Disk")
    collected: list[str] = []

    def app(me: str) -> None:
        for number in range(1, requests + 1):
            disk.read(f"block {number}", port)  # returns at once: the disk works alone
        for chunk in range(1, params["chunks"] + 1):
            work(1, f"compute chunk {chunk}")
            while (done := port.poll()) is not None:  # check now and then, never block
                collected.append(done)
        while len(collected) < requests:
            collected.append(port.wait())  # nothing left to do: wait for the rest
        disk.close()

    def each_once() -> str | None:
        repeated = {c for c in collected if collected.count(c) > 1}
        if repeated:
            return f"{', '.join(sorted(repeated))} completed twice"
        return None

    world.spawn("App", app, "App")
    world.watch("collected", lambda: ", ".join(collected) or "none yet")
    world.invariant("every request completes exactly once", each_once)


SCENARIO = Scenario(
    name="async-io",
    title="Asynchronous IO with a completion port",
    summary="A thread issues reads, keeps computing, polls a completion port, then waits.",
    explanation=(
        "The App thread issues reads to the disk and goes on computing at once: the disk "
        "thread works on every request in flight and posts each finished one to the "
        "completion port. App polls the port between chunks (never blocking) and, when it "
        "has nothing left to compute, waits on the port for the rest."
    ),
    build=build,
    params=(
        Param("requests", 3, 1, 8, "reads App issues"),
        Param("latency", 4, 1, 20, "device ticks a read takes (a little more for some)"),
        Param("chunks", 4, 0, 20, "chunks App computes while the reads are in flight"),
    ),
    invariants=("every request completes exactly once",),
)
