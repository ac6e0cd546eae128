"""Benchmark: the engine's cost per step and per snapshot, as ratios to baselines.

Run with ``make bench``. Absolute times on shared machines are noise; the ratios, measured
in the same run, are what to compare:

- step cost / bare thread hand-off: one controlled step against the cheapest possible
  round trip between two Python threads (two semaphore hand-offs);
- snapshot at step 20,000 / snapshot at step 100: a snapshot must not grow with the run;
- rewinding 10,000 steps / running them at max speed: rewind re-executes the history, and
  must not take noticeably longer than the run itself.
"""

from __future__ import annotations

import threading
import time

from threadlab.engine import Runtime, resolve_config
from threadlab.scenarios import get_scenario

STEPS = 20_000


def bare_handoff(rounds: int) -> float:
    """Seconds per round trip of two threads handing a turn back and forth."""
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
    return elapsed / rounds


def engine_step(steps: int) -> tuple[float, Runtime]:
    """Seconds per step of producer-consumer at max speed, and the (paused) runtime."""
    config = resolve_config(
        get_scenario("producer-consumer"), params={"items": 50, "producers": 5, "consumers": 5}
    )
    runtime = Runtime(config, paused=True, speed=None)
    runtime.start()
    start = time.perf_counter()
    runtime.step(steps)
    runtime.wait_idle(timeout=None)
    elapsed = time.perf_counter() - start
    return elapsed / max(1, runtime.snapshot().step), runtime


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
    start = time.perf_counter()
    runtime.step(steps)
    runtime.wait_idle(timeout=None)
    ran = time.perf_counter() - start
    reached = runtime.snapshot().step
    start = time.perf_counter()
    runtime.goto(reached)
    rewound = time.perf_counter() - start
    runtime.stop()
    return ran, rewound, reached


def main() -> None:
    handoff = bare_handoff(STEPS)
    step, runtime = engine_step(STEPS)
    late_snapshot = snapshot_cost(runtime)
    late_step = runtime.snapshot().step
    runtime.stop()
    _, early = engine_step(100)
    early_snapshot = snapshot_cost(early)
    early.stop()
    print(f"bare thread hand-off      {handoff * 1e6:8.1f} µs per round trip")
    print(f"engine step               {step * 1e6:8.1f} µs per step ({late_step} steps)")
    print(f"  ratio step / hand-off   {step / handoff:8.2f}")
    print(f"snapshot at step 100      {early_snapshot * 1e6:8.1f} µs")
    print(f"snapshot at step {late_step:<8} {late_snapshot * 1e6:8.1f} µs")
    print(f"  ratio late / early      {late_snapshot / early_snapshot:8.2f}  (≈1: no growth)")
    print(f"max-speed steps per second ≈ {1 / step:,.0f}")
    ran, rewound, reached = rewind_ratio()
    print(f"run {reached} steps           {ran:8.2f} s")
    print(f"rewind over {reached} steps   {rewound:8.2f} s")
    print(f"  ratio rewind / run      {rewound / ran:8.2f}  (≤1: no slower than running)")


if __name__ == "__main__":
    main()
