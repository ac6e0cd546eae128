"""Coroutines: a real asyncio event loop in one thread, tasks, sleep, gather and to_thread."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from threadlab.engine import Param, Scenario, Variant, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    pages = params["pages"]
    delay = params["delay"] / 10  # seconds of (virtual) waiting per page number
    arrived: dict[int, float] = {}
    squared: list[int] = []

    def crunch(n: int) -> int:
        work(n, "crunch")  # CPU work on a worker thread: the loop runs on meanwhile
        return n * n

    async def fetch(page: int) -> str:
        await asyncio.sleep(page * delay)  # waits without holding the loop: others run
        arrived[page] = time.time()
        return f"page {page}"

    async def fetch_blocking(page: int) -> str:
        time.sleep(page * delay)  # bug: a blocking call holds the loop: every task stalls
        arrived[page] = time.time()
        return f"page {page}"

    fetch_page = fetch if variant == "async" else fetch_blocking

    async def main() -> None:
        tasks = [asyncio.create_task(fetch_page(page)) for page in range(1, pages + 1)]
        squared.append(await asyncio.to_thread(crunch, params["crunch"]))
        await asyncio.gather(*tasks)

    def event_loop(me: str) -> None:
        loop.run(main())  # asyncio.run(main()) on the engine's loop

    world.spawn("Loop", event_loop, "Loop")
    loop = world.async_loop("loop", workers=1)
    time = loop.clock  # the time module on the loop's virtual clock
    world.source(main, fetch_page, crunch)
    world.watch("time", lambda: f"t={loop.time():g}")
    world.watch(
        "arrived",
        lambda: ", ".join(f"page {p} at t={t:g}" for p, t in sorted(arrived.items())) or "none",
    )
    world.watch("crunched", lambda: squared[0] if squared else "not yet")

    last_time = [0.0]

    def clock_never_goes_back() -> str | None:
        now = loop.time()
        if now < last_time[0]:
            return f"the clock went back from t={last_time[0]:g} to t={now:g}"
        last_time[0] = now
        return None

    world.invariant("the loop's virtual clock never goes backwards", clock_never_goes_back)


SCENARIO = Scenario(
    name="coroutines",
    title="Coroutines on an asyncio event loop",
    summary="One thread runs an event loop: tasks take turns at each await; to_thread "
    "runs beside it.",
    explanation=(
        "Loop runs a real asyncio event loop: each step runs one callback from its ready "
        "queue, a task until its next await. sleep() sets a (virtual) timer and yields; "
        "to_thread() hands crunch() to the worker W1, beside the loop. Variant "
        "'blocking-call' calls time.sleep() in a coroutine: the loop's one thread is held "
        "and every task stalls until it returns."
    ),
    build=build,
    params=(
        Param("pages", 3, 1, 6, "fetch tasks: page p waits p × delay"),
        Param("delay", 5, 1, 10, "tenths of a second each page number waits"),
        Param("crunch", 4, 1, 12, "steps of work crunch(n) takes on the worker thread W1"),
    ),
    variants=(
        Variant("async", "correct: await asyncio.sleep() yields, so the tasks overlap"),
        Variant("blocking-call", "buggy: time.sleep() in a coroutine stalls every task"),
    ),
    invariants=("the loop's virtual clock never goes backwards",),
)
