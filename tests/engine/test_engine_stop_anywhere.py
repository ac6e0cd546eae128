"""Stopping a run at any step unwinds every thread of the program, whatever stdlib call it
is in (a barrier's action, a pool's worker, a future's callback, an event loop's task, a
thread's bootstrap), and nothing is recorded once the run has stopped: a ``StopRun``
swallowed by the controlled standard library would leave a thread alive after ``stop()``
or add events after the stop, and the next run of the same seed would differ.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from threadlab.engine import Event, Runtime, Scenario, resolve_config
from threadlab.engine.lesson import own_program
from threadlab.scenarios import SCENARIOS, get_scenario

STOPS = 12
"""Random stopping points tried per scenario."""

SEEDS = (0, 1, 2)
"""Seeds every small program runs under, stopped at each of its steps in turn."""

PROGRAMS = {
    "barrier_action": """
        import threading
        import time

        def main():
            def action():
                time.sleep(0.5)  # the last to arrive runs this; a stop lands here
                print("action done")

            barrier = threading.Barrier(3, action=action)

            def party():
                for _ in range(3):
                    barrier.wait()

            threads = [threading.Thread(target=party) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        """,
    "pool": """
        import concurrent.futures
        import threading
        import time

        def square(n):
            time.sleep(0.01)
            return n * n

        def main():
            lock = threading.Lock()
            done = []

            def note(future):
                with lock:  # a done callback that takes a lock: a stop may land here
                    done.append(future.result())

            with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
                futures = [pool.submit(square, n) for n in range(8)]
                for future in futures:
                    future.add_done_callback(note)
                for future in concurrent.futures.as_completed(futures, timeout=5):
                    future.result()
                concurrent.futures.wait(futures, timeout=1)
                print(list(pool.map(square, range(4), timeout=5)))
        """,
    "queues": """
        import queue
        import threading

        def main():
            jobs = queue.Queue(maxsize=2)
            results = queue.SimpleQueue()

            def worker():
                while True:
                    item = jobs.get()
                    if item is None:
                        jobs.task_done()
                        return
                    results.put(item * 2)
                    jobs.task_done()

            workers = [threading.Thread(target=worker) for _ in range(2)]
            for thread in workers:
                thread.start()
            for n in range(6):
                jobs.put(n, timeout=1)
            for _ in workers:
                jobs.put(None)
            jobs.join()
            timer = threading.Timer(0.2, print, args=("timer",))
            timer.start()
            print(sorted(results.get(timeout=1) for _ in range(6)))
        """,
    "asyncio": """
        import asyncio
        import time

        def crunch(n):
            time.sleep(0.01)
            return n + 1

        async def ticker(box):
            for n in range(3):
                await asyncio.sleep(0.01)
                box.append(n)

        async def amain():
            box = []
            results = await asyncio.gather(
                asyncio.to_thread(crunch, 1), asyncio.to_thread(crunch, 2), ticker(box)
            )
            try:
                await asyncio.wait_for(asyncio.sleep(1), timeout=0.05)
            except asyncio.TimeoutError:
                results.append("timed out")
            return results, box

        def main():
            print(asyncio.run(amain()))
        """,
    "thread_exit": """
        import sys
        import threading
        import time

        def main():
            def leave():
                time.sleep(0.01)
                sys.exit(3)

            threads = [threading.Thread(target=leave) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=1)
        """,
}


def program_scenario(tmp_path: Path, name: str) -> Scenario:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(PROGRAMS[name]), encoding="utf-8")
    return Scenario(
        name=name,
        title=name,
        summary="stopped at a random step",
        explanation="",
        program=str(path),
        entry="main",
    )


def run_length(scenario: Scenario, seed: int) -> int:
    """How many steps ``scenario`` takes to its end under ``seed``."""
    runtime = Runtime(resolve_config(scenario, seed=seed), paused=True, speed=None)
    runtime.start()
    try:
        runtime.step(20_000)
        assert runtime.wait_idle(30)
        return runtime.snapshot().step
    finally:
        assert runtime.stop(5.0)


def stop_at(scenario: Scenario, steps: int, seed: int) -> list[Event]:
    """Run ``scenario`` ``steps`` steps, stop it; the events recorded after the stop."""
    events: list[Event] = []
    runtime = Runtime(
        resolve_config(scenario, seed=seed), paused=True, speed=None, event_sink=events.append
    )
    runtime.start()
    try:
        runtime.step(steps)
        assert runtime.wait_idle(30)
    finally:
        before = len(events)
        assert runtime.stop(5.0), f"a thread outlived stop() at step {steps}"
    return events[before:]


def check_stop(scenario: Scenario, steps: int, seed: int) -> None:
    after = stop_at(scenario, steps, seed)
    assert not after, f"events after stop (seed {seed}, step {steps}): {after}"


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_program_stopped_at_every_step_leaves_no_thread_and_records_nothing(
    tmp_path: Path, name: str
) -> None:
    scenario = program_scenario(tmp_path, name)
    for seed in SEEDS:
        for steps in range(1, run_length(scenario, seed)):
            check_stop(scenario, steps, seed)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_scenario_stopped_at_random_steps_leaves_no_thread_and_records_nothing(
    name: str,
) -> None:
    rng = random.Random(name)
    for _ in range(STOPS):
        check_stop(get_scenario(name), rng.randint(1, 300), rng.randint(0, 1000))


SWALLOWS_THE_STOP = """
import threading

lock = threading.Lock()
count = 0


def worker():
    global count
    while True:
        try:
            with lock:
                count += 1
        except:  # swallows everything, the stop too, as careless code does
            pass


threading.Thread(target=worker, name="careless", daemon=True).start()
threading.Event().wait()
"""


@pytest.mark.parametrize("races", [True, False])
def test_a_thread_that_swallows_the_stop_is_abandoned_not_left_running(
    tmp_path: Path, races: bool
) -> None:
    """A bare ``except:`` around lock calls in a loop catches every order to unwind: the
    thread is left waiting for good (no CPU), and stop and restart end at once instead of
    leaving one busy thread behind each."""
    program = tmp_path / "careless.py"
    program.write_text(SWALLOWS_THE_STOP)
    scenario = own_program.program_scenario(str(program), races)
    runtime = Runtime(resolve_config(scenario, seed=1), paused=True, speed=None)
    runtime.start()
    kernels = []
    try:
        for _ in range(3):
            runtime.step(40)
            assert runtime.wait_idle(30)
            kernels.append(runtime._run.kernel)
            runtime.restart()
        runtime.step(40)
        assert runtime.wait_idle(30)
        kernels.append(runtime._run.kernel)
    finally:
        assert runtime.stop(timeout=30)
    assert runtime.unstoppable() == ()
    careless = [t for kernel in kernels for t in kernel.threads if t.name == "careless"]
    assert len(careless) == 4
    assert all(t.abandoned for t in careless)
