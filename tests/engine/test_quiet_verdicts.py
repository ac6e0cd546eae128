"""Verdicts for quiet bugs: a lost wakeup (threads, or an asyncio loop's tasks, wait for a
signal no live thread is left to send, with no cycle of holds) is named as such, apart from
a deadlock; an event loop held
by one task for longer than ``LOOP_BLOCKED_SECONDS`` pauses the run with LOOP BLOCKED,
naming the task, its line and for how long, and so does a thread-based event loop (a
``HandlerLoop``) whose handler runs longer than ``HANDLER_BLOCKED_SECONDS`` while an event
waits in its queue; a thread kept waiting at one line while others
take its lock ``STARVATION_PASSES`` times pauses it with STARVATION. The run can go on after
either pause."""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from threadlab.engine import HandlerLoop, RunState, Runtime, ThreadState, VerdictKind
from threadlab.engine.core.verdicts import (
    HANDLER_BLOCKED_SECONDS,
    LOOP_BLOCKED_SECONDS,
    STARVATION_PASSES,
)
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.scenarios import get_scenario

EVENT_NEVER_SET = """
import threading

ready = threading.Event()


def waiter():
    ready.wait()


t = threading.Thread(target=waiter, name="waiter")
t.start()
t.join()
"""

LOCK_CYCLE_BESIDE_A_WAITER = """
import threading
import time

a = threading.Lock()
b = threading.Lock()
never = threading.Event()


def one():
    with a:
        time.sleep(0.01)
        with b:
            pass


def two():
    with b:
        time.sleep(0.01)
        with a:
            pass


def idle():
    never.wait()


for target in (one, two, idle):
    threading.Thread(target=target, name=target.__name__).start()
"""

BLOCKING_TASK = """
import asyncio
import time


async def stalls():
    time.sleep(SECONDS)  # holds the loop
    return 1


async def other():
    await asyncio.sleep(0.01)
    return 2


async def main():
    await asyncio.gather(stalls(), other())


asyncio.run(main())
"""

AWAITING_TASK = """
import asyncio


async def waits():
    await asyncio.sleep(0.5)  # yields: the loop runs others meanwhile


async def main():
    await asyncio.gather(waits(), waits())


asyncio.run(main())
"""

Launch = Callable[..., Runtime]


def run(tmp_path: Path, launch: Launch, source: str, *, seed: int = 0) -> Runtime:
    path = tmp_path / "program.py"
    path.write_text(textwrap.dedent(source).lstrip())
    runtime = launch(program_scenario(str(path)), seed=seed)
    runtime.step(20_000)
    assert runtime.wait_idle(30)
    return runtime


def test_an_event_nobody_sets_is_a_lost_wakeup_naming_the_waiter_and_its_line(
    tmp_path: Path, launch: Launch
) -> None:
    snapshot = run(tmp_path, launch, EVENT_NEVER_SET).snapshot()
    assert snapshot.run_state is RunState.LOST_WAKEUP
    verdict = snapshot.verdict
    assert verdict is not None and verdict.kind is VerdictKind.LOST_WAKEUP
    assert verdict.threads[0] == "waiter"
    assert "no live thread is left to wake waiter" in verdict.text
    assert "waiter waits for ready to be set, and no thread is left to set it (line 7)" in (
        verdict.text
    )
    assert "Cycle" not in verdict.text


ASYNC_EVENT_NEVER_SET = """
import asyncio

ready = asyncio.Event()


async def waiter():
    await ready.wait()  # nobody sets it


async def other():
    await asyncio.sleep(0.01)


async def main():
    await asyncio.gather(waiter(), other())


asyncio.run(main())
"""


def test_an_asyncio_event_nobody_sets_is_a_lost_wakeup_naming_the_task_and_its_line(
    tmp_path: Path, launch: Launch
) -> None:
    snapshot = run(tmp_path, launch, ASYNC_EVENT_NEVER_SET).snapshot()
    assert snapshot.run_state is RunState.LOST_WAKEUP
    verdict = snapshot.verdict
    assert verdict is not None and verdict.kind is VerdictKind.LOST_WAKEUP
    assert verdict.threads == ("MainThread",)  # the thread that runs the loop
    assert "no live thread is left to wake loop's task waiter#2 on MainThread" in verdict.text
    assert "where waiter#2 waits for ready to be set (line 7), and no thread is left" in (
        verdict.text
    )
    assert "Cycle" not in verdict.text


def test_an_asyncio_event_a_local_names_is_named_too(tmp_path: Path, launch: Launch) -> None:
    source = ASYNC_EVENT_NEVER_SET.replace("ready = asyncio.Event()", "").replace(
        "await asyncio.gather(waiter(), other())",
        "gate = asyncio.Event()\n    await gate.wait()",
    )
    verdict = run(tmp_path, launch, source).snapshot().verdict
    assert verdict is not None and verdict.kind is VerdictKind.LOST_WAKEUP
    assert "where main#1 waits for gate to be set (line 16)" in verdict.text


def test_an_asyncio_condition_nobody_notifies_is_a_lost_wakeup(
    tmp_path: Path, launch: Launch
) -> None:
    source = """
    import asyncio


    async def main():
        changed = asyncio.Condition()
        async with changed:
            await changed.wait()


    asyncio.run(main())
    """
    verdict = run(tmp_path, launch, source).snapshot().verdict
    assert verdict is not None and verdict.kind is VerdictKind.LOST_WAKEUP
    assert "where main#1 waits for changed to be notified (line 7)" in verdict.text


def test_an_asyncio_event_set_later_is_no_verdict(tmp_path: Path, launch: Launch) -> None:
    source = ASYNC_EVENT_NEVER_SET.replace(
        "await asyncio.sleep(0.01)", "await asyncio.sleep(0.01)\n    ready.set()"
    )
    snapshot = run(tmp_path, launch, source).snapshot()
    assert snapshot.verdict is None
    assert snapshot.run_state is RunState.FINISHED


def test_a_bare_future_nobody_resolves_stays_a_deadlock(tmp_path: Path, launch: Launch) -> None:
    """No task waits for a signal there: the loop waits for a thread's call that never
    comes, and no signal was lost."""
    source = """
    import asyncio


    async def main():
        await asyncio.get_running_loop().create_future()


    asyncio.run(main())
    """
    verdict = run(tmp_path, launch, source).snapshot().verdict
    assert verdict is not None and verdict.kind is VerdictKind.DEADLOCK
    assert "it waits for a thread's call_soon_threadsafe" in verdict.text


def test_a_task_awaiting_an_asyncio_queue_nobody_fills_is_a_deadlock_naming_it(
    tmp_path: Path, launch: Launch
) -> None:
    """As a thread's queue.Queue.get with no producer left: a deadlock, not a lost wakeup,
    whose words name the task, the queue and the line of its await."""
    source = """
    import asyncio


    async def consumer(jobs):
        await jobs.get()


    async def main():
        jobs = asyncio.Queue()
        await asyncio.create_task(consumer(jobs), name="consumer")


    asyncio.run(main())
    """
    verdict = run(tmp_path, launch, source).snapshot().verdict
    assert verdict is not None and verdict.kind is VerdictKind.DEADLOCK
    assert "where consumer waits for an item in jobs (line 5)" in verdict.text


@pytest.mark.parametrize("seed", range(20))
def test_a_cycle_of_locks_stays_a_deadlock_even_beside_a_thread_left_waiting(
    tmp_path: Path, launch: Launch, seed: int
) -> None:
    snapshot = run(tmp_path, launch, LOCK_CYCLE_BESIDE_A_WAITER, seed=seed).snapshot()
    # Whichever way the seed goes, a thread is left waiting on never; where both lock
    # holders got their first lock, the cycle makes it a deadlock.
    assert snapshot.run_state in (RunState.DEADLOCK, RunState.LOST_WAKEUP)
    verdict = snapshot.verdict
    assert verdict is not None
    if "Cycle:" in verdict.text:
        assert verdict.kind is VerdictKind.DEADLOCK
    else:
        assert verdict.kind is VerdictKind.LOST_WAKEUP
        assert "no live thread is left to wake idle" in verdict.text


@pytest.mark.parametrize("seconds", [0.1, 0.4])
def test_a_blocking_call_in_a_coroutine_pauses_the_run_naming_task_line_and_time(
    tmp_path: Path, launch: Launch, seconds: float
) -> None:
    runtime = run(tmp_path, launch, BLOCKING_TASK.replace("SECONDS", str(seconds)))
    snapshot = runtime.snapshot()
    assert snapshot.run_state is RunState.LOOP_BLOCKED
    verdict = snapshot.verdict
    assert verdict is not None and verdict.kind is VerdictKind.LOOP_BLOCKED
    assert verdict.threads == ("MainThread",)  # the thread that runs the loop
    assert verdict.text.startswith(f"Loop blocked: stalls#2 has held loop for {seconds:.3g}")
    assert "at line 6" in verdict.text
    # It pauses without ending the run: resumed, the program finishes.
    runtime.step(20_000)
    assert runtime.wait_idle(30)
    assert runtime.snapshot().run_state is RunState.FINISHED


def test_a_short_blocking_call_is_under_the_threshold(tmp_path: Path, launch: Launch) -> None:
    short = LOOP_BLOCKED_SECONDS / 2
    snapshot = run(tmp_path, launch, BLOCKING_TASK.replace("SECONDS", str(short))).snapshot()
    assert snapshot.verdict is None
    assert snapshot.run_state is RunState.FINISHED


@pytest.mark.parametrize("seed", range(10))
def test_tasks_that_await_never_block_the_loop(tmp_path: Path, launch: Launch, seed: int) -> None:
    snapshot = run(tmp_path, launch, AWAITING_TASK, seed=seed).snapshot()
    assert snapshot.verdict is None
    assert snapshot.run_state is RunState.FINISHED


PUMP = """
import queue
import threading
import time

jobs = queue.Queue()


def slow():
    time.sleep(SECONDS)  # the handler's work


def quick():
    pass


def pump():
    while (handler := jobs.get()) is not None:
        handler()


def main():
    worker = threading.Thread(target=pump, name="pump")
    worker.start()
    jobs.put(slow)
    time.sleep(0.001)
    jobs.put(quick)
    jobs.put(None)
    worker.join()
"""


def run_pump(
    tmp_path: Path, launch: Launch, seconds: float, *, posts_later: bool = False
) -> Runtime:
    """A thread-based event loop of the program's own names, declared as one; its events
    come while ``slow`` runs, or once it is done (``posts_later``)."""
    source = textwrap.dedent(PUMP).lstrip()
    if posts_later:
        source = source.replace("time.sleep(0.001)", "time.sleep(SECONDS + 0.1)")
    path = tmp_path / "pump.py"
    path.write_text(source.replace("SECONDS", str(seconds)))
    scenario = dataclasses.replace(
        program_scenario(str(path)),
        entry="main",
        handler_loops=(HandlerLoop(thread="pump", queue="jobs"),),
    )
    runtime = launch(scenario)
    runtime.step(20_000)
    assert runtime.wait_idle(30)
    return runtime


def test_a_long_handler_with_an_event_waiting_blocks_a_thread_based_loop(
    tmp_path: Path, launch: Launch
) -> None:
    runtime = run_pump(tmp_path, launch, 2 * HANDLER_BLOCKED_SECONDS)
    snapshot = runtime.snapshot()
    assert snapshot.run_state is RunState.LOOP_BLOCKED
    verdict = snapshot.verdict
    assert verdict is not None and verdict.kind is VerdictKind.LOOP_BLOCKED
    assert verdict.threads == ("pump",)  # the loop thread
    assert re.fullmatch(
        r"Loop blocked: handler slow has run on the event loop pump for [\d.]+ s at line 9 "
        r"while 2 events wait in jobs: pump runs each handler to its end before it takes "
        r"the next \(a long job in one handler\)\.",
        verdict.text,
    ), verdict.text
    # It pauses without ending the run: resumed, the program finishes.
    runtime.step(20_000)
    assert runtime.wait_idle(30)
    assert runtime.snapshot().run_state is RunState.FINISHED


def test_a_handler_under_the_threshold_never_blocks_the_loop(
    tmp_path: Path, launch: Launch
) -> None:
    snapshot = run_pump(tmp_path, launch, HANDLER_BLOCKED_SECONDS * 0.8).snapshot()
    assert snapshot.verdict is None
    assert snapshot.run_state is RunState.FINISHED


def test_a_long_handler_with_no_event_waiting_blocks_nothing(
    tmp_path: Path, launch: Launch
) -> None:
    seconds = 2 * HANDLER_BLOCKED_SECONDS
    snapshot = run_pump(tmp_path, launch, seconds, posts_later=True).snapshot()
    assert snapshot.verdict is None
    assert snapshot.run_state is RunState.FINISHED


def test_an_undeclared_loop_is_never_judged(tmp_path: Path, launch: Launch) -> None:
    path = tmp_path / "pump.py"
    path.write_text(textwrap.dedent(PUMP).lstrip().replace("SECONDS", "2"))
    scenario = dataclasses.replace(program_scenario(str(path)), entry="main")
    runtime = launch(scenario)
    runtime.step(20_000)
    assert runtime.wait_idle(30)
    snapshot = runtime.snapshot()
    assert snapshot.verdict is None
    assert snapshot.run_state is RunState.FINISHED


def test_the_event_loop_lessons_blocking_handler_always_blocks_it(launch: Launch) -> None:
    """In every seed the one handler computing every part holds the loop while clicks wait;
    the chunked variant never does (explored in tests/scenarios/test_many_seeds.py)."""
    for seed in range(100):
        runtime = launch(get_scenario("event-loop"), variant="blocking", seed=seed)
        runtime.step(20_000)
        assert runtime.wait_idle(30)
        verdict = runtime.snapshot().verdict
        assert verdict is not None and verdict.kind is VerdictKind.LOOP_BLOCKED, seed
        assert verdict.threads == ("Loop",)
        assert verdict.text.startswith(
            "Loop blocked: handler compute_everything has run on the event loop Loop for "
        ), verdict.text
        assert "at line 32 while" in verdict.text  # time.sleep in compute_everything
        assert runtime.stop()


HEAVY_READING = {"readers": 6, "writers": 2, "reads": 50, "writes": 5}
"""Readers-writers with many readers reading often: a steady stream of readers."""


def run_scenario(launch: Launch, variant: str, seed: int) -> Runtime:
    runtime = launch(
        get_scenario("readers-writers"), variant=variant, params=HEAVY_READING, seed=seed
    )
    runtime.step(50_000)
    assert runtime.wait_idle(60)
    return runtime


@pytest.mark.parametrize("seed", range(5))
def test_a_writer_behind_a_stream_of_readers_is_starved_and_named(
    launch: Launch, seed: int
) -> None:
    runtime = run_scenario(launch, "classic", seed)
    snapshot = runtime.snapshot()
    assert snapshot.run_state is RunState.STARVATION, snapshot.verdict
    verdict = snapshot.verdict
    assert verdict is not None and verdict.kind is VerdictKind.STARVATION
    (writer,) = verdict.threads
    assert writer.startswith("W")
    assert re.fullmatch(
        rf"Starvation: {writer} has waited at line 72 \(on write_gate\) for \d+ steps, while "
        rf"other threads took mutex {STARVATION_PASSES} times\.",
        verdict.text,
    )
    # It pauses without ending the run: resumed, the run goes on.
    assert snapshot.thread(writer).state is ThreadState.WAITING
    step = snapshot.step
    runtime.step(10)
    assert runtime.wait_idle(30)
    assert runtime.snapshot().step > step


def test_the_same_stream_of_readers_never_starves_a_fair_writer(launch: Launch) -> None:
    """Twice the seeds that starve the classic variant's writer, above, every time."""
    for seed in range(10):
        snapshot = run_scenario(launch, "fair", seed).snapshot()
        assert snapshot.verdict is None, (seed, snapshot.verdict)
        assert snapshot.run_state is RunState.FINISHED
