"""Coroutines on a real asyncio loop: determinism, virtual time, to_thread, a blocking call."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from scenario_driver import Driver

from threadlab.engine import (
    Event,
    RunConfig,
    RunState,
    Runtime,
    Scenario,
    ThreadState,
    World,
    resolve_config,
    work,
)
from threadlab.engine.model import (
    AwaitsSleep,
    AwaitsThreadCall,
    CallbackKind,
    Job,
    LoopCallback,
    TaskState,
    TaskView,
    WorkerJob,
)
from threadlab.scenarios import coroutines, get_scenario

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(coroutines.__file__).read_text().splitlines()
SLEEP_LINE = next(i for i, t in enumerate(SOURCE, 1) if "await asyncio.sleep(" in t)
TO_THREAD_LINE = next(i for i, t in enumerate(SOURCE, 1) if "await asyncio.to_thread(" in t)
BLOCKING_LINE = next(i for i, t in enumerate(SOURCE, 1) if "time.sleep(" in t)


def random_config(variant: str, seed: int) -> RunConfig:
    draw = random.Random(seed)
    scenario = get_scenario("coroutines")
    params = {p.name: draw.randint(p.minimum, p.maximum) for p in scenario.params}
    return resolve_config(scenario, variant, params, seed)


def run_events(config: RunConfig) -> tuple[list[Event], RunState, Runtime]:
    events: list[Event] = []
    runtime = Runtime(config, paused=True, speed=None, event_sink=events.append)
    runtime.start()
    runtime.step(20_000)
    assert runtime.wait_idle(30)
    state = runtime.snapshot().run_state
    assert runtime.stop(), "a thread outlived stop()"
    return events, state, runtime


def custom(build: Callable[[World, Mapping[str, int], str], None]) -> RunConfig:
    """A one-off scenario built in this file (its source is this file)."""
    return resolve_config(Scenario("custom", "custom", "custom", "custom", build))


def no_threads_left() -> bool:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        names = [t.name for t in threading.enumerate()]
        if not any(n.startswith(("threadlab-", "asyncio")) for n in names):
            return True
        time.sleep(0.01)
    return False


# ------------------------------------------------------------------ determinism


@pytest.mark.parametrize("variant", ["async", "blocking-call"])
def test_same_seed_same_events_and_seeds_differ(variant: str) -> None:
    traces = []
    for seed in range(100):
        config = random_config(variant, seed)
        first, _, _ = run_events(config)
        again, _, _ = run_events(config)
        assert first == again, seed
        traces.append(tuple(first))
    assert len(set(traces)) > 50


def test_the_correct_variant_always_finishes_without_a_verdict() -> None:
    for seed in range(200):
        config = random_config("async", seed)
        events, state, runtime = run_events(config)
        snapshot = runtime.snapshot()
        assert state is RunState.FINISHED, (seed, config.params)
        assert snapshot.verdict is None
        pages = dict(config.params)["pages"]
        assert sum(1 for e in events if e.kind == "return" and "page" in e.detail) == pages


def test_the_blocking_variant_also_finishes() -> None:
    for seed in range(50):
        _, state, runtime = run_events(random_config("blocking-call", seed))
        assert state is RunState.FINISHED and runtime.snapshot().verdict is None


def test_trace_is_byte_identical_on_repeat_runs() -> None:
    command = [sys.executable, "-m", "threadlab.tui.cli", "trace", "coroutines", "--seed", "3"]
    command += ["--steps", "400"]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    assert first.stdout == second.stdout
    assert '"state": "FINISHED"' in first.stdout.splitlines()[-1]


def test_going_back_re_executes_the_same_run(driver: Driver) -> None:
    rt = driver.open("coroutines", seed=11)
    rt.step(25)
    assert rt.wait_idle(10)
    at_25 = rt.snapshot()
    rt.goto(12)
    assert rt.snapshot().step == 12
    rt.goto(25)
    again = rt.snapshot()
    assert again.primitive("loop") == at_25.primitive("loop")
    assert again.threads == at_25.threads
    assert again.events == at_25.events


def test_restart_gives_the_same_task_names(driver: Driver) -> None:
    rt = driver.open("coroutines", seed=2)
    first = driver.finish(rt).events
    rt.restart()
    assert rt.wait_idle(10)
    assert driver.finish(rt).events == first


# ------------------------------------------------------------- what is shown


def test_tasks_show_the_line_of_the_await_they_are_paused_at(driver: Driver) -> None:
    rt = driver.open("coroutines", pages=2)
    snap = driver.step_until(rt, "Loop", "idle until")  # every task is paused now
    tasks = snap.primitive("loop").tasks
    waiting = TaskState.WAITING
    crunch = AwaitsThreadCall("crunch(4)", worker=None)
    assert tasks[:3] == (
        TaskView("main#1", waiting, line=TO_THREAD_LINE, awaiting=crunch),
        TaskView("fetch#2", waiting, line=SLEEP_LINE, awaiting=AwaitsSleep(0.5)),
        TaskView("fetch#3", waiting, line=SLEEP_LINE, awaiting=AwaitsSleep(1.0)),
    )
    assert snap.primitive("loop").time == 0
    snap = driver.step(rt, "Loop")  # idles to the first timer
    assert snap.primitive("loop").time == 0.5
    assert snap.primitive("loop").ready == (LoopCallback(CallbackKind.WAKE, "fetch#2"),)
    snap = driver.step(rt, "Loop")  # the timer fires: fetch#2's step is ready
    assert snap.thread("Loop").operation == "run fetch#2"
    assert snap.thread("Loop").line == SLEEP_LINE
    assert TaskView("fetch#2", TaskState.READY, line=SLEEP_LINE) in snap.primitive("loop").tasks


def test_the_ready_queue_is_shown_in_order(driver: Driver) -> None:
    rt = driver.open("coroutines", pages=3)
    snap = driver.step(rt, "Loop")  # main runs: creates three tasks, sends crunch away
    steps = tuple(LoopCallback(CallbackKind.TASK_STEP, f"fetch#{n}") for n in (2, 3, 4))
    assert snap.primitive("loop").ready == steps
    assert snap.primitive("executor").queued == (Job("crunch(4)"),)
    assert snap.thread("Loop").operation == "run fetch#2"


# ------------------------------------------------------------------ to_thread


def test_to_thread_work_is_done_by_the_worker_thread(driver: Driver) -> None:
    rt = driver.open("coroutines", crunch=5)
    driver.step(rt, "Loop")  # main sends crunch(5) to the executor
    snap = driver.step(rt, "W1")
    assert snap.thread("W1").operation == "crunch 1/5"
    assert snap.thread("W1").state is ThreadState.WORKING
    assert snap.primitive("executor").busy == (WorkerJob("W1", Job("crunch(5)")),)
    for number in range(2, 6):  # the loop runs other tasks while W1 crunches
        snap = driver.step(rt, "Loop", "W1")
        assert snap.thread("W1").operation == f"crunch {number}/5"
        assert not snap.thread("Loop").operation.startswith("crunch")
    snap = driver.finish(rt)
    assert dict(snap.watches)["crunched"] == "25"
    finish = [e for e in snap.events if e.kind == "finish"]
    assert [e.thread for e in finish] == ["W1"]


def test_to_thread_runs_on_another_os_thread() -> None:
    seen: dict[str, int] = {}

    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        def crunch() -> int:
            seen["worker"] = threading.get_ident()
            work(2)
            return 7

        async def main() -> int:
            seen["loop"] = threading.get_ident()
            return await asyncio.to_thread(crunch)

        def runner(me: str) -> None:
            seen["result"] = loop.run(main())

        world.spawn("Loop", runner, "Loop")
        loop = world.async_loop("loop", workers=1)

    _, state, _ = run_events(custom(build))
    assert state is RunState.FINISHED
    assert seen["result"] == 7
    assert seen["worker"] != seen["loop"]
    assert no_threads_left()


# -------------------------------------------------------------- blocking call


def test_nothing_else_runs_while_a_blocking_call_holds_the_loop() -> None:
    for seed in range(30):
        events, _, _ = run_events(random_config("blocking-call", seed))
        loop_events = [e for e in events if e.thread == "Loop"]
        blocked = False
        blocks = 0
        for event in loop_events:
            if event.kind == "block":
                blocked, blocks = True, blocks + 1
            elif event.kind == "unblock":
                blocked = False
            elif blocked:
                pytest.fail(f"seed {seed}: {event} while the loop was blocked")
        assert blocks >= 1


def test_the_pages_arrive_late_when_a_coroutine_blocks(driver: Driver) -> None:
    for seed in range(10):
        fine = driver.finish(driver.open("coroutines", "async", seed=seed, pages=3, delay=5))
        stuck = driver.finish(driver.open("coroutines", "blocking-call", seed=seed, pages=3))
        # sleeping tasks overlap: each page arrives at its own deadline, all by t=1.5
        assert dict(fine.watches)["arrived"] == "page 1 at t=0.5, page 2 at t=1, page 3 at t=1.5"
        # a blocking call makes them take turns: page 3 arrives at 0.5 + 1 + 1.5
        assert dict(stuck.watches)["arrived"] == "page 1 at t=0.5, page 2 at t=1.5, page 3 at t=3"


def test_the_worker_result_waits_while_the_loop_is_blocked(driver: Driver) -> None:
    rt = driver.open("coroutines", "blocking-call", pages=2, crunch=1)
    driver.step(rt, "Loop", "Loop")  # main sends crunch away; fetch#2 calls time.sleep
    snap = driver.step(rt, "W1", "W1")  # W1 crunches, sends the result back
    ready = (
        LoopCallback(CallbackKind.TASK_STEP, "fetch_blocking#3"),
        LoopCallback(CallbackKind.THREAD_RESULT, "crunch(1)"),
    )
    assert snap.primitive("loop").ready == ready
    assert snap.thread("Loop").operation.startswith("time.sleep(0.5)")
    for _ in range(4):
        snap = driver.step(rt, "Loop")
        assert snap.thread("Loop").operation.startswith("time.sleep(0.5)")
        assert snap.primitive("loop").ready == ready
    running = snap.primitive("loop").tasks[1]
    assert running == TaskView("fetch_blocking#2", TaskState.RUNNING, line=BLOCKING_LINE)


# ------------------------------------------------------------------ virtual time


def test_time_is_virtual() -> None:
    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        async def nap() -> None:
            await asyncio.sleep(100)

        async def main() -> None:
            await asyncio.gather(nap(), nap(), asyncio.sleep(50))

        def runner(me: str) -> None:
            loop.run(main())

        world.spawn("Loop", runner, "Loop")
        loop = world.async_loop("loop", workers=1)

    # 100 virtual seconds: really sleeping them would overrun run_events' 30-s idle wait.
    events, state, runtime = run_events(custom(build))
    assert state is RunState.FINISHED
    assert runtime.snapshot().primitive("loop").time == 100
    assert [e.detail for e in events if e.kind == "idle" and e.thread == "Loop"] == [
        "t=0 → t=50",
        "t=50 → t=100",
    ]


# ---------------------------------------------------------------------- stop


def stop_cleanly(runtime: Runtime) -> None:
    assert runtime.stop(timeout=1.0)  # True: every thread ended within stop()'s own timeout
    assert no_threads_left()


def test_stop_at_the_start() -> None:
    runtime = Runtime(resolve_config(get_scenario("coroutines")), paused=True, speed=None)
    runtime.start()
    stop_cleanly(runtime)


def test_stop_while_the_loop_idles_to_a_timer(driver: Driver) -> None:
    rt = driver.open("coroutines")
    snap = driver.step_until(rt, "Loop", "idle until")
    assert snap.thread("Loop").state is ThreadState.RUNNABLE
    stop_cleanly(rt)


def test_stop_while_the_loop_waits_for_the_worker(driver: Driver) -> None:
    rt = driver.open("coroutines", pages=1)
    for _ in range(20):  # only the loop runs: the pages arrive, then it waits for crunch
        snap = driver.step(rt, "Loop")
        if snap.thread("Loop").state is ThreadState.WAITING:
            break
    assert snap.thread("Loop").waits_on == "loop"
    assert snap.primitive("loop").queue == ("Loop",)
    stop_cleanly(rt)


def test_the_worker_wakes_a_waiting_loop(driver: Driver) -> None:
    rt = driver.open("coroutines", pages=1, crunch=2)
    for _ in range(20):
        if driver.step(rt, "Loop").thread("Loop").state is ThreadState.WAITING:
            break
    snap = driver.step(rt, "W1", "W1", "W1")  # take, crunch 2/2 and send the result
    assert snap.thread("Loop").state is ThreadState.RUNNABLE
    assert driver.finish(rt).run_state is RunState.FINISHED


def test_stop_in_the_middle_of_a_blocking_call(driver: Driver) -> None:
    rt = driver.open("coroutines", "blocking-call")
    snap = driver.step_until(rt, "Loop", "time.sleep(0.5) 2/5")
    assert snap.thread("Loop").state is ThreadState.WORKING
    stop_cleanly(rt)


def test_stop_while_the_worker_crunches(driver: Driver) -> None:
    rt = driver.open("coroutines", crunch=6)
    driver.step(rt, "Loop")
    snap = driver.step_until(rt, "W1", "crunch 3/6")
    assert snap.thread("W1").state is ThreadState.WORKING
    stop_cleanly(rt)


def test_stop_at_every_step_of_a_run() -> None:
    config = resolve_config(get_scenario("coroutines"), "async", {"pages": 2}, seed=5)
    length = len(run_events(config)[0])
    for steps in range(0, length, 3):
        runtime = Runtime(config, paused=True, speed=None)
        runtime.start()
        if steps:
            runtime.step(steps)
            assert runtime.wait_idle(10)
        stop_cleanly(runtime)


# --------------------------------------------------------------------- failures


def test_a_failing_coroutine_fails_the_loop_thread_and_the_run_still_ends() -> None:
    def build(world: World, params: Mapping[str, int], variant: str) -> None:
        async def nap() -> None:
            await asyncio.sleep(1)

        async def main() -> None:
            napping = asyncio.create_task(nap())
            await asyncio.sleep(0.5)
            assert not napping.done()
            raise ValueError("no page")

        def runner(me: str) -> None:
            loop.run(main())

        world.spawn("Loop", runner, "Loop")
        loop = world.async_loop("loop", workers=1)

    first, _, runtime = run_events(custom(build))
    snapshot = runtime.snapshot()
    assert snapshot.thread("Loop").state is ThreadState.FAILED
    assert "ValueError: no page" in (snapshot.thread("Loop").traceback or "")
    assert any(e.kind == "cancelled" and "nap#2" in e.detail for e in first)
    assert run_events(custom(build))[0] == first


def test_task_names_are_numbered_per_run() -> None:
    config = resolve_config(get_scenario("coroutines"), "async", {"pages": 2}, seed=1)
    tasks = [run_events(config)[2].snapshot().primitive("loop").tasks for _ in range(3)]
    assert tasks[0] == tasks[1] == tasks[2]
    assert [task.name for task in tasks[0]] == ["main#1", "fetch#2", "fetch#3"]
