"""Futures: the main thread submits tasks to a thread pool and blocks on their results."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    workers = params["workers"]
    pool = world.pool("pool", workers)
    outcome = {"total": 0, "errors": 0}
    started: list[int] = []  # which tasks a worker has started, to check the pool

    def square(n: int) -> int:
        started.append(n)
        work(n % 3 + 1, f"compute {n}²")
        if n == params["failing"]:
            raise ValueError(f"cannot square {n}")
        return n * n

    def main(me: str) -> None:
        with pool:
            futures = [pool.submit(square, n) for n in range(1, params["tasks"] + 1)]
            for future in futures:
                try:
                    outcome["total"] += future.result()  # blocks until it is done
                except ValueError:
                    outcome["errors"] += 1  # the task's exception comes out of result()

    def each_task_runs_once() -> str | None:
        twice = sorted({n for n in started if started.count(n) > 1})
        if twice:
            return f"square({twice[0]}) ran twice"
        return None

    world.spawn("Main", main, "Main")
    world.source(square)
    world.watch("total", lambda: outcome["total"])
    world.watch("errors", lambda: outcome["errors"])
    world.invariant("every submitted task runs exactly once", each_task_runs_once)


SCENARIO = Scenario(
    name="futures",
    title="Futures and a thread pool",
    summary="Main submits tasks to a pool of workers and blocks on each future's result().",
    explanation=(
        "submit() puts a task in the pool's queue and returns a future at once. A worker "
        "takes the oldest task, runs it and settles the future with its result or its "
        "exception. result() blocks the caller until the future is settled; a task that "
        "raised raises the same exception out of result()."
    ),
    build=build,
    params=(
        Param("tasks", 4, 1, 8, "tasks to submit: square(1) .. square(n)"),
        Param("workers", 2, 1, 4, "worker threads W1..Wn"),
        Param("failing", 3, 0, 8, "which task raises ValueError (0: none)"),
    ),
    invariants=("every submitted task runs exactly once",),
)
