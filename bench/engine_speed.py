"""Benchmark: the engine's cost per step and per snapshot, as ratios to baselines.

Run with ``make bench``. Absolute times on shared machines are noise; the ratios, measured
in the same run (each engine figure interleaved with its baseline, several times, reported
as median and spread), are what to compare:

- step cost / one bare one-way hand-off: one controlled step (the shipped ``mutex`` scenario,
  9 threads × 50 rounds, headless at max speed) against the cheapest way one Python thread
  can hand the turn to another: a ``threading.Semaphore`` released by one thread and
  acquired by the other (a ping-pong of two semaphores, halved). Goal: at most 2;
- snapshot at step 20,000 / snapshot at step 1,000: a snapshot must not grow with the run;
- rewinding 10,000 steps / running them at max speed: rewind re-executes the history, and
  must not take noticeably longer than the run itself;
- making a lock when a program makes 32,000 / when it makes 2,000: naming a new
  primitive must cost the same at any count;
- a step when the program has started and finished 800 threads / when it has 80: a step
  must cost the same however many threads have ended.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

from measure import endless_config, goal, row, spread

from threadlab.engine import RunState, Runtime, resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.scenarios import get_scenario

REPEATS = 5
HANDOFF_ROUNDS = 20_000
MUTEX_RUNS = 4
"""Whole runs of ``mutex`` per measurement (one is only ~2,700 steps)."""
STEPS = 20_000
EARLY = 1_000
"""The early snapshot's step: past the timeline's cap (400 columns), so that the ratio shows
growth with the run's length only."""


def bare_handoff(rounds: int = HANDOFF_ROUNDS) -> float:
    """Seconds per one-way hand-off: two threads ping-pong two semaphores ``rounds`` times;
    each round trip is two hand-offs."""
    ping, pong = threading.Semaphore(0), threading.Semaphore(0)

    def partner() -> None:
        for _ in range(rounds):
            ping.acquire()
            pong.release()

    thread = threading.Thread(target=partner)
    thread.start()
    start = time.perf_counter()
    for _ in range(rounds):
        ping.release()
        pong.acquire()
    elapsed = time.perf_counter() - start
    thread.join()
    return elapsed / rounds / 2


def mutex_step(runs: int = MUTEX_RUNS) -> tuple[float, int]:
    """Seconds per step of ``mutex`` (9 threads × 50 rounds) run headless at max speed to its
    end, ``runs`` times (only the running is timed, not starting and stopping), and the
    number of steps one run takes."""
    config = resolve_config(get_scenario("mutex"), "locked", {"threads": 9, "rounds": 50})
    elapsed = 0.0
    steps = 0
    for _ in range(runs):
        runtime = Runtime(config, paused=True, speed=None)
        runtime.start()
        try:
            start = time.perf_counter()
            runtime.resume()
            assert runtime.wait_idle(timeout=120), "mutex did not finish"
            elapsed += time.perf_counter() - start
            steps += runtime.snapshot().step
        finally:
            runtime.stop()
    return elapsed / steps, steps // runs


def run_steps(steps: int) -> Runtime:
    """An endless run stepped ``steps`` times at max speed and left paused."""
    runtime = Runtime(endless_config(), paused=True, speed=None)
    runtime.start()
    runtime.step(steps)
    assert runtime.wait_idle(timeout=120)
    return runtime


def snapshot_cost(runtime: Runtime, repeats: int = 2000) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        runtime.snapshot()
    return (time.perf_counter() - start) / repeats


def rewind_ratio(steps: int = 10_000) -> tuple[float, float, int]:
    """Seconds to run ``steps`` spinlock steps at max speed, and to rewind to the end."""
    config = resolve_config(get_scenario("cas"), "spinlock", {"threads": 9, "rounds": 50}, 1)
    runtime = Runtime(config, paused=True, speed=None)
    runtime.start()
    try:
        start = time.perf_counter()
        runtime.step(steps)
        assert runtime.wait_idle(timeout=120)
        ran = time.perf_counter() - start
        reached = runtime.snapshot().step
        start = time.perf_counter()
        runtime.goto(reached)
        rewound = time.perf_counter() - start
    finally:
        runtime.stop()
    return ran, rewound, reached


MANY_LOCKS = """
import threading

locks = [threading.Lock() for _ in range({count})]
"""


def _run_to_its_end(source: str) -> tuple[float, int]:
    """Real seconds a program of ``source`` takes under threadlab at max speed, from its
    start to its end, and its steps."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "program.py"
        path.write_text(source, encoding="utf-8")
        config = resolve_config(program_scenario(str(path), races=False))
        runtime = Runtime(config, paused=False, speed=None)
        start = time.perf_counter()
        runtime.start()
        try:
            assert runtime.wait_started(600) and runtime.wait_idle(600), "the program did not end"
            elapsed = time.perf_counter() - start
            snapshot = runtime.snapshot()
            assert snapshot.run_state is RunState.FINISHED
            return elapsed, snapshot.step
        finally:
            runtime.stop()


def program_run(count: int) -> float:
    """Real seconds a program under threadlab takes to make ``count`` locks and end (it has
    no step: it runs to its end as the run starts)."""
    return _run_to_its_end(MANY_LOCKS.format(count=count))[0]


MANY_THREADS = """\
import threading

lock = threading.Lock()

def work():
    for _ in range(20):
        with lock:
            pass

for _ in range({rounds}):
    workers = [threading.Thread(target=work) for _ in range(10)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
"""


def step_among_ended(rounds: int) -> float:
    """Real seconds per step of a program that runs ``rounds`` rounds of 10 short threads."""
    elapsed, steps = _run_to_its_end(MANY_THREADS.format(rounds=rounds))
    return elapsed / steps


def lock_making(count: int) -> float:
    """Real seconds per lock, the run's fixed cost (a run that makes none) taken off."""
    return (program_run(count) - program_run(0)) / count


def main() -> None:
    handoffs: list[float] = []
    steps: list[float] = []
    ratios: list[float] = []
    count = 0
    for _ in range(REPEATS):  # interleaved, so a burst of load hits both sides alike
        handoff = bare_handoff()
        step, count = mutex_step()
        handoffs.append(handoff)
        steps.append(step)
        ratios.append(step / handoff)
    print("Headless engine")
    row("bare one-way hand-off", spread(handoffs, "µs", 1e6))
    row(f"engine step (mutex, {MUTEX_RUNS} × {count:,} steps)", spread(steps, "µs", 1e6))
    row("headless steps per second", spread([1 / s for s in steps], "", 1, 0))
    ok = statistics.median(ratios) <= 2
    row("step cost / hand-off", f"{spread(ratios)}  {goal('≤ 2', ok)}")

    lates: list[float] = []
    earlies: list[float] = []
    growth: list[float] = []
    for _ in range(3):
        late = run_steps(STEPS)
        lates.append(snapshot_cost(late))
        late.stop()
        early = run_steps(EARLY)
        earlies.append(snapshot_cost(early))
        early.stop()
        growth.append(lates[-1] / earlies[-1])
    row(f"snapshot at step {EARLY:,}", spread(earlies, "µs", 1e6, 1))
    row(f"snapshot at step {STEPS:,}", spread(lates, "µs", 1e6, 1))
    row("snapshot late / early", f"{spread(growth)}  (≈1: no growth)")

    runs: list[float] = []
    rewinds: list[float] = []
    reached = 0
    for _ in range(3):
        ran, rewound, reached = rewind_ratio()
        runs.append(ran)
        rewinds.append(rewound)
    row(f"run {reached:,} steps (cas spinlock)", spread(runs, "s"))
    row(f"rewind over {reached:,} steps", spread(rewinds, "s"))
    rewind_ratios = [r / n for r, n in zip(rewinds, runs, strict=True)]
    row("rewind / run", f"{spread(rewind_ratios)}  (≤1: no slower than running)")

    few: list[float] = []
    many: list[float] = []
    for _ in range(3):
        few.append(lock_making(2_000))
        many.append(lock_making(32_000))
    row("make a lock, 2,000 made", spread(few, "µs", 1e6, 1))
    row("make a lock, 32,000 made", spread(many, "µs", 1e6, 1))
    growths = [m / f for m, f in zip(many, few, strict=True)]
    row("per lock, 32,000 / 2,000", f"{spread(growths)}  (≈1: the same at any count)")

    early_steps: list[float] = []
    late_steps: list[float] = []
    for _ in range(3):
        early_steps.append(step_among_ended(8))
        late_steps.append(step_among_ended(80))
    row("step, 80 threads started", spread(early_steps, "µs", 1e6, 1))
    row("step, 800 threads started", spread(late_steps, "µs", 1e6, 1))
    thread_growth = [m / f for m, f in zip(late_steps, early_steps, strict=True)]
    row("per step, 800 / 80 threads", f"{spread(thread_growth)}  (≈1: ended threads cost nothing)")


if __name__ == "__main__":
    main()
