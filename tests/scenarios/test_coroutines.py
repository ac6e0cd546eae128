"""Coroutines on the controlled asyncio: determinism, virtual time, to_thread on controlled
worker threads, a blocking call, a coroutine never awaited, and asyncio's own semantics."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import threading
import time
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
    Watch,
    resolve_config,
)
from threadlab.engine.snapshot.model import (
    AwaitsSleep,
    AwaitsThreadCall,
    CallbackKind,
    Job,
    LoopCallback,
    NeverAwaited,
    TaskState,
    TaskView,
    VerdictKind,
    WorkerJob,
)
from threadlab.scenarios import get_scenario
from threadlab.scenarios.lessons import program_path

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = program_path("coroutines")
SOURCE = Path(PROGRAM).read_text().splitlines()


def line_of(text: str) -> int:
    return next(i for i, t in enumerate(SOURCE, 1) if text in t)


SLEEP_LINE = line_of("await asyncio.sleep(page * delay)")
TO_THREAD_LINE = line_of("await asyncio.to_thread(")
BLOCKING_LINE = line_of("time.sleep(page * delay)")
MISSING_AWAIT_LINE = line_of("    asyncio.to_thread(crunch_numbers, crunch)")


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


def program(tmp_path: Path, source: str, seed: int = 0) -> RunConfig:
    """A one-off program (its ``main()`` is run), written to ``tmp_path``; what it appends
    to its global ``log`` is watched as ``log``."""
    path = tmp_path / "program.py"
    path.write_text("log = []\n" + source)
    scenario = Scenario(
        "custom",
        "custom",
        "custom",
        "custom",
        program=str(path),
        watches=(Watch("log", lambda state: repr(state.log)),),
    )
    return resolve_config(scenario, seed=seed)


def logged(runtime: Runtime) -> str:
    return str(dict(runtime.snapshot().watches)["log"])


def no_threads_left() -> bool:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        names = [t.name for t in threading.enumerate()]
        if not any(n.startswith(("threadlab-", "asyncio")) for n in names):
            return True
        time.sleep(0.01)
    return False


def arrival_times(watch: str) -> list[float]:
    """'page 1 at t=0.51, page 2 at t=1.01' -> [0.51, 1.01]."""
    return [float(part.split("t=")[1]) for part in watch.split(", ")]


# ------------------------------------------------------------------ determinism


@pytest.mark.parametrize("variant", ["async", "blocking-call", "missing-await"])
def test_same_seed_same_events_and_seeds_differ(variant: str) -> None:
    traces = []
    for seed in range(100):
        config = random_config(variant, seed)
        first, _, _ = run_events(config)
        again, _, _ = run_events(config)
        assert first == again, seed
        traces.append(tuple(first))
    assert len(set(traces)) > (1 if variant == "missing-await" else 50)


def test_the_correct_variant_always_finishes_without_a_verdict() -> None:
    for seed in range(200):
        config = random_config("async", seed)
        events, state, runtime = run_events(config)
        snapshot = runtime.snapshot()
        assert state is RunState.FINISHED, (seed, config.params)
        assert snapshot.verdict is None
        pages = dict(config.params)["pages"]
        assert sum(1 for e in events if e.kind == "return" and "'page" in e.detail) == pages
        crunch = dict(config.params)["crunch"]
        assert dict(snapshot.watches)["crunched"] == str(crunch * crunch)


def test_the_blocking_variant_is_paused_as_a_blocked_loop_then_finishes() -> None:
    """The blocking call holds the loop (0.1 s at least): LOOP BLOCKED pauses the run once,
    naming the task and its line; resumed, it finishes (it was a verdict, not an end)."""
    for seed in range(50):
        runtime = Runtime(random_config("blocking-call", seed), paused=True, speed=None)
        runtime.start()
        try:
            runtime.step(20_000)
            assert runtime.wait_idle(30)
            snapshot = runtime.snapshot()
            assert snapshot.run_state is RunState.LOOP_BLOCKED, (seed, snapshot.verdict)
            assert snapshot.verdict is not None
            assert snapshot.verdict.text.startswith("Loop blocked: fetch_blocking#")
            assert f"at line {BLOCKING_LINE}" in snapshot.verdict.text
            runtime.step(20_000)
            assert runtime.wait_idle(30)
            assert runtime.snapshot().run_state is RunState.FINISHED
        finally:
            assert runtime.stop()


def test_trace_is_byte_identical_on_repeat_runs() -> None:
    command = [sys.executable, "-m", "threadlab", "trace", "coroutines", "--seed", "3"]
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


def test_the_plain_program_runs_under_cpython_and_ends() -> None:
    for variant in ("async", "blocking-call", "missing-await"):
        call = f"main(pages=2, delay=1, crunch=1, variant={variant!r})"
        code = f"import coroutines; coroutines.{call}"
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=Path(PROGRAM).parent, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        if variant == "missing-await":  # CPython only warns, when it collects the coroutine
            assert "coroutine 'to_thread' was never awaited" in done.stderr


# ------------------------------------------------------------- what is shown


def test_tasks_show_the_line_of_the_await_they_are_paused_at(driver: Driver) -> None:
    rt = driver.open("coroutines", pages=2)
    snap = driver.step_until(rt, "MainThread", "idle until")  # every task is paused now
    assert snap.thread("MainThread").state is ThreadState.WAITING
    loop = snap.primitive("loop")
    crunch = AwaitsThreadCall("crunch_numbers(4)", worker=None)
    assert loop.tasks == (
        TaskView("fetch_all#1", TaskState.WAITING, line=TO_THREAD_LINE, awaiting=crunch),
        TaskView("fetch#2", TaskState.WAITING, line=SLEEP_LINE, awaiting=AwaitsSleep(0.503)),
        TaskView("fetch#3", TaskState.WAITING, line=SLEEP_LINE, awaiting=AwaitsSleep(1.004)),
    )
    assert loop.ready == ()
    # Nothing else can run when the worker is done: the clock jumps to the first timer.
    rt.step(1000)
    assert rt.wait_idle(10)
    events = rt.snapshot().events
    woken = next(e for e in events if e.kind == "run" and "fetch#2 resumes" in e.detail)
    assert woken.line == SLEEP_LINE


def test_the_ready_queue_is_shown_in_order(driver: Driver) -> None:
    rt = driver.open("coroutines", pages=3)
    snap = driver.step(rt, "MainThread")  # fetch_all runs: makes three tasks, starts a worker
    steps = tuple(LoopCallback(CallbackKind.TASK_STEP, f"fetch#{n}") for n in (2, 3, 4))
    assert snap.primitive("loop").ready == steps
    assert snap.thread("MainThread").operation == "start asyncio_0"
    assert snap.primitive("executor").queued == (Job("crunch_numbers(4)"),)
    snap = driver.step(rt, "MainThread")
    assert snap.thread("MainThread").operation == "run fetch#2"
    assert snap.thread("asyncio_0").state is ThreadState.RUNNABLE


# ------------------------------------------------------------------ to_thread


def test_to_thread_work_is_done_by_a_worker_thread_started_on_demand(driver: Driver) -> None:
    rt = driver.open("coroutines", crunch=5)
    snap = rt.snapshot()
    assert [t.name for t in snap.threads] == ["MainThread"]  # no worker before a to_thread
    driver.step(rt, "MainThread", "MainThread")  # submits crunch_numbers(5), starts asyncio_0
    snap = driver.step(rt, "asyncio_0", "asyncio_0", "asyncio_0")  # takes it, sleeps 0.5 s
    assert snap.primitive("executor").busy == (WorkerJob("asyncio_0", Job("crunch_numbers(5)")),)
    assert snap.thread("asyncio_0").state is ThreadState.SLEEPING
    snap = driver.finish(rt)
    assert dict(snap.watches)["crunched"] == "25"
    finish = [e for e in snap.events if e.kind == "finish"]
    assert [e.thread for e in finish] == ["asyncio_0"]


def test_to_thread_runs_on_another_os_thread(tmp_path: Path) -> None:
    config = program(
        tmp_path,
        "import asyncio, threading, time\n"
        "seen = {}\n"
        "def crunch():\n"
        "    seen['worker'] = threading.get_ident(), threading.current_thread().name\n"
        "    time.sleep(0.2)\n"
        "    return 7\n"
        "async def work():\n"
        "    seen['loop'] = threading.get_ident(), threading.current_thread().name\n"
        "    return await asyncio.to_thread(crunch)\n"
        "def main():\n"
        "    log.append((asyncio.run(work()), seen['worker'][1], seen['loop'][1]))\n"
        "    assert seen['worker'][0] != seen['loop'][0]\n",
    )
    _, state, runtime = run_events(config)
    assert state is RunState.FINISHED
    assert logged(runtime) == "[(7, 'asyncio_0', 'MainThread')]"
    assert no_threads_left()


def test_workers_are_started_as_the_calls_need_them(tmp_path: Path) -> None:
    config = program(
        tmp_path,
        "import asyncio, threading, time\n"
        "def crunch(n):\n"
        "    time.sleep(1)\n"
        "    return threading.current_thread().name\n"
        "async def work():\n"
        "    return await asyncio.gather(*(asyncio.to_thread(crunch, n) for n in range(7)))\n"
        "def main():\n"
        "    log.extend(sorted(set(asyncio.run(work()))))\n",
    )
    _, state, runtime = run_events(config)
    assert state is RunState.FINISHED
    workers = [f"asyncio_{n}" for n in range(5)]  # at most five, as on a one-core machine
    assert logged(runtime) == str(workers)


# -------------------------------------------------------------- blocking call


def test_nothing_else_runs_while_a_blocking_call_holds_the_loop() -> None:
    for seed in range(30):
        events: list[Event] = []
        runtime = Runtime(
            random_config("blocking-call", seed), paused=True, speed=None, event_sink=events.append
        )
        runtime.start()
        try:
            for _ in range(3):  # LOOP BLOCKED pauses the run; it goes on to its end
                runtime.step(20_000)
                assert runtime.wait_idle(30)
                if runtime.snapshot().run_state is RunState.FINISHED:
                    break
            assert runtime.snapshot().run_state is RunState.FINISHED
        finally:
            assert runtime.stop(), "a thread outlived stop()"
        # The loop's thread runs a task's step; while a blocking call holds it, the next
        # thing the loop does is finish that very task: no other task runs meanwhile.
        steps = [e for e in events if e.thread == "MainThread" and e.kind in ("run", "return")]
        blocking = [i for i, e in enumerate(steps) if e.detail.startswith("fetch_blocking#")]
        assert blocking, seed
        for i in blocking:
            if steps[i].kind == "run":
                task = steps[i].detail.split()[0]
                assert steps[i + 1].kind == "return", (seed, steps[i], steps[i + 1])
                assert steps[i + 1].detail.startswith(f"{task} returns"), (seed, steps[i + 1])


def test_the_pages_arrive_late_when_a_coroutine_blocks(driver: Driver) -> None:
    for seed in range(10):
        fine = driver.finish(driver.open("coroutines", "async", seed=seed, pages=3, delay=5))
        blocked = driver.open("coroutines", "blocking-call", seed=seed, pages=3)
        assert driver.finish(blocked).run_state is RunState.LOOP_BLOCKED
        stuck = driver.finish(blocked)  # it goes on after the verdict
        assert stuck.run_state is RunState.FINISHED
        # sleeping tasks overlap: each page arrives at its own deadline, all by t=1.5
        assert arrival_times(dict(fine.watches)["arrived"]) == pytest.approx(
            [0.5, 1.0, 1.5], abs=0.03
        )
        # a blocking call makes them take turns: page 3 arrives at 0.5 + 1 + 1.5
        assert arrival_times(dict(stuck.watches)["arrived"]) == pytest.approx(
            [0.5, 1.5, 3.0], abs=0.03
        )


def test_the_worker_result_waits_while_the_loop_is_blocked(driver: Driver) -> None:
    rt = driver.open("coroutines", "blocking-call", pages=2, crunch=1)
    driver.step(rt, "MainThread", "MainThread", "MainThread")  # fetch_blocking#2 sleeps
    snap = driver.step(rt, "MainThread")
    assert snap.thread("MainThread").state is ThreadState.SLEEPING
    assert snap.thread("MainThread").line == BLOCKING_LINE
    running = snap.primitive("loop").tasks[1]
    assert running == TaskView("fetch_blocking#2", TaskState.RUNNING, line=BLOCKING_LINE)
    # Only the worker can run: it crunches (the clock jumps to the end of its sleep, the
    # earlier one) and sends the result back, then waits for another job.
    # Then the clock jumps to the end of the loop's own sleep: its thread wakes, still in
    # fetch_blocking#2's step, and the result has waited in the ready queue all along.
    snap = driver.step_until(rt, "asyncio_0", "wait for a job")
    assert snap.thread("MainThread").operation == "woke up"
    assert snap.thread("MainThread").line == BLOCKING_LINE
    assert snap.primitive("loop").ready == (
        LoopCallback(CallbackKind.TASK_STEP, "fetch_blocking#3"),
        LoopCallback(CallbackKind.THREAD_RESULT, "crunch_numbers(1)"),
    )


# ------------------------------------------------------------------ missing await


def test_a_to_thread_never_awaited_never_runs_and_is_reported_with_its_line(
    driver: Driver,
) -> None:
    for seed in range(20):
        snap = driver.finish(driver.open("coroutines", "missing-await", seed=seed))
        assert snap.run_state is RunState.VIOLATION
        assert snap.verdict is not None and snap.verdict.kind is VerdictKind.VIOLATION
        assert snap.verdict.threads == ("MainThread",)
        assert f"coroutine 'to_thread' made at line {MISSING_AWAIT_LINE}" in snap.verdict.text
        assert "never awaited" in snap.verdict.text
        assert snap.primitive("loop").never_awaited == (
            NeverAwaited(
                "to_thread",
                "to_thread(crunch_numbers, 4)",
                MISSING_AWAIT_LINE,
                "long_running_computation#3",
            ),
        )
        dropped = [e for e in snap.events if e.kind == "never-awaited"]
        assert len(dropped) == 1 and f"at line {MISSING_AWAIT_LINE}" in dropped[0].detail
        # The computation never ran: no worker thread, nothing submitted, nothing crunched.
        assert [t.name for t in snap.threads] == ["MainThread"]
        assert not any(e.kind in ("submit", "start", "finish") for e in snap.events)
        assert dict(snap.watches)["crunched"] == "not yet"


def test_the_violation_comes_the_step_the_coroutine_is_dropped(driver: Driver) -> None:
    rt = driver.open("coroutines", "missing-await")
    snap = driver.step(rt, "MainThread")  # io_and_computation gathers two coroutines
    assert snap.verdict is None
    snap = driver.step(rt, "MainThread")  # long_running_io sleeps
    assert snap.verdict is None
    snap = driver.step(rt, "MainThread")  # long_running_computation drops to_thread(...)
    assert snap.verdict is not None
    assert any(e.kind == "run" and "long_running_computation" in e.detail for e in snap.events)


def test_a_coroutine_kept_but_never_awaited_is_reported_when_the_loop_closes(
    tmp_path: Path,
) -> None:
    config = program(
        tmp_path,
        "import asyncio\n"
        "kept = []\n"
        "def crunch():\n"
        "    log.append('crunched')\n"
        "async def work():\n"
        "    kept.append(asyncio.to_thread(crunch))\n"
        "    await asyncio.sleep(0.1)\n"
        "    asyncio.sleep(5)\n"
        "def main():\n"
        "    asyncio.run(work())\n",
    )
    events, state, runtime = run_events(config)
    assert state is RunState.FINISHED  # a program of its own has no check: only reports
    loop = runtime.snapshot().primitive("loop")
    made = [(n.call, n.line) for n in loop.never_awaited]
    assert made == [("sleep(5)", 9), ("to_thread(crunch)", 7)]
    assert logged(runtime) == "[]"
    assert [e.detail for e in events if e.kind == "never-awaited"] == [
        "coroutine 'sleep' was never awaited: sleep(5) at line 9 never ran",
        "coroutine 'to_thread' was never awaited: to_thread(crunch) at line 7 never ran",
    ]


# -------------------------------------------------------- asyncio's own semantics

CONFORMANCE = """\
import asyncio
import time

log = []


async def worker(name, queue, lock, results):
    while True:
        item = await queue.get()
        async with lock:
            results.append((name, item))
            await asyncio.sleep(0.01)
        queue.task_done()


async def slow(seconds, value):
    await asyncio.sleep(seconds)
    return value


async def program():
    queue = asyncio.Queue(maxsize=2)
    lock = asyncio.Lock()
    results = []
    workers = [asyncio.create_task(worker(f"w{n}", queue, lock, results)) for n in range(3)]
    for item in range(6):
        await queue.put(item)
    await queue.join()
    for task in workers:
        task.cancel()
    gathered = await asyncio.gather(*workers, return_exceptions=True)
    log.append(("cancelled", [type(g).__name__ for g in gathered]))
    log.append(("sorted", sorted(item for _, item in results)))
    log.append(("gather", await asyncio.gather(slow(0.2, "b"), slow(0.1, "a"))))
    try:
        await asyncio.wait_for(slow(5, "late"), timeout=0.5)
    except asyncio.TimeoutError:
        log.append("wait_for timed out")
    log.append(("wait_for", await asyncio.wait_for(slow(0.1, "soon"), timeout=1)))
    try:
        async with asyncio.timeout(0.3):
            await asyncio.sleep(10)
    except TimeoutError:
        log.append("timeout() expired")
    event = asyncio.Event()
    asyncio.get_running_loop().call_later(0.2, event.set)
    await event.wait()
    log.append(("event", event.is_set()))
    semaphore = asyncio.Semaphore(2)
    inside = []

    async def guarded(n):
        async with semaphore:
            inside.append(n)
            await asyncio.sleep(0.05)
            inside.remove(n)
            return n

    log.append(("semaphore", await asyncio.gather(*(guarded(n) for n in range(4)))))
    condition = asyncio.Condition()
    ready = []

    async def waiter():
        async with condition:
            await condition.wait_for(lambda: ready)
            return ready[0]

    waiting = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    async with condition:
        ready.append("go")
        condition.notify_all()
    log.append(("condition", await waiting))
    log.append(("to_thread", await asyncio.to_thread(sum, [1, 2, 3])))
    log.append(("iscoroutinefunction", asyncio.iscoroutinefunction(asyncio.to_thread)))
    coro = slow(0, "now")
    log.append(("iscoroutine", asyncio.iscoroutine(coro), await coro))
    try:
        await asyncio.to_thread(int, "x")
    except ValueError as error:
        log.append(("raised", str(error)))
    started = time.monotonic()
    await asyncio.sleep(2)
    log.append(("slept", round(time.monotonic() - started, 1)))
    return "done"


def main():
    log.append(asyncio.run(program()))
    try:
        asyncio.run(42)
    except ValueError as error:
        log.append(("run needs a coroutine", str(error).startswith("a coroutine was expected")))
    print(log)


if __name__ == "__main__":
    main()
"""


def test_asyncio_code_gives_the_same_results_under_cpython_and_under_threadlab(
    tmp_path: Path,
) -> None:
    path = tmp_path / "program.py"
    path.write_text(CONFORMANCE)
    real = subprocess.run(
        [sys.executable, "-W", "ignore", str(path)], capture_output=True, text=True, check=True
    )
    for seed in range(3):
        _, state, runtime = run_events(program(tmp_path, CONFORMANCE, seed))
        assert state is RunState.FINISHED, runtime.snapshot().verdict
        assert logged(runtime) == real.stdout.strip()
    assert "'wait_for timed out'" in real.stdout and "'timeout() expired'" in real.stdout


def test_timeouts_are_virtual_time(tmp_path: Path) -> None:
    config = program(
        tmp_path,
        "import asyncio, time\n"
        "async def work():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    start = loop.time()\n"
        "    try:\n"
        "        await asyncio.wait_for(asyncio.sleep(3600), timeout=100)\n"
        "    except asyncio.TimeoutError:\n"
        "        log.append(('wait_for', round(loop.time() - start, 1)))\n"
        "    try:\n"
        "        async with asyncio.timeout(50):\n"
        "            await asyncio.sleep(3600)\n"
        "    except TimeoutError:\n"
        "        log.append(('timeout', round(loop.time() - start), round(time.monotonic())))\n"
        "def main():\n"
        "    asyncio.run(work())\n",
    )
    # 150 virtual seconds: really sleeping them would overrun run_events' 30-s idle wait.
    events, state, runtime = run_events(config)
    assert state is RunState.FINISHED
    assert logged(runtime) == "[('wait_for', 100.0), ('timeout', 150, 150)]"
    assert runtime.snapshot().primitive("loop").time == pytest.approx(150.01, abs=0.01)
    idle = [e.detail for e in events if e.kind == "idle"]
    assert idle[0].startswith("nothing ready: waits until t=100.00")


def test_asyncio_run_inside_a_running_loop_is_refused(tmp_path: Path) -> None:
    config = program(
        tmp_path,
        "import asyncio\n"
        "async def inner():\n"
        "    pass\n"
        "async def outer():\n"
        "    coro = inner()\n"
        "    try:\n"
        "        asyncio.run(coro)\n"
        "    except RuntimeError as error:\n"
        "        log.append(str(error))\n"
        "    await coro\n"
        "def main():\n"
        "    asyncio.run(outer())\n",
    )
    _, state, runtime = run_events(config)
    assert state is RunState.FINISHED
    assert logged(runtime) == "['asyncio.run() cannot be called from a running event loop']"


def test_a_loop_of_its_own_is_named_from_the_source(tmp_path: Path) -> None:
    config = program(
        tmp_path,
        "import asyncio\n"
        "async def work():\n"
        "    return await asyncio.to_thread(len, 'abc')\n"
        "def main():\n"
        "    events = asyncio.new_event_loop()\n"
        "    log.append(events.run_until_complete(work()))\n"
        "    events.close()\n",
    )
    _, state, runtime = run_events(config)
    assert state is RunState.FINISHED
    assert logged(runtime) == "[3]"
    names = [p.name for p in runtime.snapshot().primitives]
    assert "events" in names and "events-executor" in names


# ---------------------------------------------------------------------- stop


def stop_cleanly(runtime: Runtime) -> None:
    assert runtime.stop(timeout=1.0)  # True: every thread ended within stop()'s own timeout
    assert no_threads_left()


def test_stop_at_the_start() -> None:
    runtime = Runtime(resolve_config(get_scenario("coroutines")), paused=True, speed=None)
    runtime.start()
    stop_cleanly(runtime)


def test_stop_while_the_loop_waits_for_a_timer(driver: Driver) -> None:
    rt = driver.open("coroutines")
    snap = driver.step_until(rt, "MainThread", "idle until")
    assert snap.thread("MainThread").state is ThreadState.WAITING
    stop_cleanly(rt)


def test_stop_while_the_loop_waits_for_the_worker(driver: Driver) -> None:
    rt = driver.open("coroutines", pages=1, crunch=12)
    for _ in range(60):  # page 1 arrives at t=0.5; the worker sleeps until t=1.2
        snap = rt.snapshot()
        if snap.thread("MainThread").operation == "wait for call_soon_threadsafe":
            break
        rt.step(1)
        assert rt.wait_idle(10)
    assert snap.thread("MainThread").state is ThreadState.WAITING
    assert snap.thread("MainThread").waits_on == "loop"
    assert snap.primitive("loop").queue == ("MainThread",)
    stop_cleanly(rt)


def test_the_worker_wakes_a_waiting_loop(driver: Driver) -> None:
    rt = driver.open("coroutines", pages=1, crunch=1)
    snap = driver.step_until(rt, "MainThread", "idle until t=0.5")  # page 1's timer
    assert snap.thread("MainThread").state is ThreadState.WAITING
    # The worker takes the job and sleeps 0.1 s (the clock jumps there: nothing else can
    # run), then sends the result back before the loop's timer is due.
    snap = driver.step_until(rt, "asyncio_0", "wait for a job")
    assert snap.thread("MainThread").state is ThreadState.RUNNABLE
    assert snap.thread("MainThread").operation == "woken by call_soon_threadsafe"
    assert snap.primitive("loop").time < 0.5
    snap = driver.finish(rt)
    assert snap.run_state is RunState.FINISHED
    assert any(e.kind == "wake" and "result arrives" in e.detail for e in snap.events)


def test_stop_in_the_middle_of_a_blocking_call(driver: Driver) -> None:
    rt = driver.open("coroutines", "blocking-call")
    snap = driver.step_until(rt, "MainThread", "sleep 0.5 s")
    snap = driver.step(rt, "MainThread")
    assert snap.thread("MainThread").state is ThreadState.SLEEPING
    stop_cleanly(rt)


def test_stop_while_the_worker_crunches(driver: Driver) -> None:
    rt = driver.open("coroutines", crunch=6)
    driver.step(rt, "MainThread", "MainThread")
    snap = driver.step(rt, "asyncio_0", "asyncio_0", "asyncio_0")
    assert snap.thread("asyncio_0").state is ThreadState.SLEEPING
    stop_cleanly(rt)


def test_stop_at_every_step_of_a_run() -> None:
    for variant in ("async", "missing-await"):
        config = resolve_config(get_scenario("coroutines"), variant, {"pages": 2}, seed=5)
        length = len(run_events(config)[0])
        for steps in range(0, length, 3):
            runtime = Runtime(config, paused=True, speed=None)
            runtime.start()
            if steps:
                runtime.step(steps)
                assert runtime.wait_idle(10)
            stop_cleanly(runtime)


# --------------------------------------------------------------------- failures


def test_a_failing_coroutine_fails_the_loop_thread_and_the_run_still_ends(
    tmp_path: Path,
) -> None:
    config = program(
        tmp_path,
        "import asyncio\n"
        "async def nap():\n"
        "    await asyncio.sleep(1)\n"
        "async def work():\n"
        "    napping = asyncio.create_task(nap())\n"
        "    await asyncio.sleep(0.5)\n"
        "    assert not napping.done()\n"
        "    raise ValueError('no page')\n"
        "def main():\n"
        "    asyncio.run(work())\n",
    )
    first, _, runtime = run_events(config)
    snapshot = runtime.snapshot()
    assert snapshot.thread("MainThread").state is ThreadState.FAILED
    assert "ValueError: no page" in (snapshot.thread("MainThread").traceback or "")
    assert any(e.kind == "cancelled" and "nap#2" in e.detail for e in first)
    assert run_events(config)[0] == first


def test_task_names_are_numbered_per_run() -> None:
    config = resolve_config(get_scenario("coroutines"), "async", {"pages": 2}, seed=1)
    tasks = [run_events(config)[2].snapshot().primitive("loop").tasks for _ in range(3)]
    assert tasks[0] == tasks[1] == tasks[2]
    assert [task.name for task in tasks[0]] == ["fetch_all#1", "fetch#2", "fetch#3"]


def test_real_asyncio_in_the_test_process_is_untouched() -> None:
    """The controlled module is the run's: the process's own asyncio keeps its loops."""
    run_events(random_config("async", 0))
    assert asyncio.run(asyncio.sleep(0, "real")) == "real"
