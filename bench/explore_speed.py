"""The schedule explorer, measured (issue 12).

1. For every buggy variant and buggy example: the time ``explore`` (default settings) takes
   to its first failure, against naive stress on the same code (real threads under plain
   CPython, ``sys.setswitchinterval(1e-6)``, fresh threads every run), both with the same
   budget. Explore must find every one within it.
2. No false alarm: every fixed variant and correct example, explored for a while, reports
   no failure.
3. Schedules per second on producer-consumer (default parameters), with one job and with
   two, and the speed-up of two over one (measured back to back, several times).
4. Every counterexample found replays: ``threadlab replay --check`` exits 0 on its file.

A few minutes at most. Run with ``make bench``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from measure import goal, row, spread
from naive_stress import stress

from threadlab.engine.explore import Request, Target, default_jobs, explore
from threadlab.engine.formats import runfile
from threadlab.scenarios import get_scenario

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 10.0
"""Seconds each side gets to find a bug."""

THROUGHPUT_SECONDS = 15.0
THROUGHPUT_ROUNDS = 3
"""Each search measured for throughput, and how many times (one job, then two, in turn)."""

CLEAN_BUDGET = 4.0
"""Seconds each fixed variant and correct example is explored."""


@dataclass(frozen=True)
class Case:
    label: str
    target: Target
    program: Path
    kwargs: dict[str, object] | None = None
    check: str | None = None
    """For naive stress: the final assert a stress test of a program that checks nothing
    itself would need (None: it can only see exceptions, asserts and hangs)."""


def scenario(name: str, variant: str, check: str | None = None) -> Case:
    program = Path(get_scenario(name).program)
    return Case(
        f"{name} --variant {variant}",
        Target("scenario", name, variant, (), 0),
        program,
        {"variant": variant},
        check,
    )


def example(name: str) -> Case:
    path = ROOT / "examples" / name
    return Case(f"examples/{name}", Target("file", str(path), "default", (), 0), path)


BUGGY = [
    scenario("mutex", "unlocked"),
    scenario("producer-consumer", "if"),
    scenario("cas", "counter-racy", check="counter == 9"),
    scenario("readers-writers", "lesson"),
    scenario("readers-writers", "classic"),
    scenario("philosophers", "left-right"),
    scenario("coroutines", "missing-await"),
    example("worker_pool.py"),
    example("lock_order.py"),
]

FIXED = [
    scenario("mutex", "locked"),
    scenario("producer-consumer", "while"),
    scenario("cas", "spinlock"),
    scenario("cas", "counter-cas"),
    scenario("readers-writers", "fair"),
    scenario("philosophers", "ordered"),
    scenario("semaphore", "default"),
    scenario("barrier", "default"),
    scenario("futures", "default"),
    scenario("futures", "lesson"),
    scenario("event-loop", "chunked"),
    scenario("async-io", "default"),
    scenario("coroutines", "async"),
    example("pipeline.py"),
    example("lazy_cache.py"),
    example("bank_transfer.py"),
]


def request(target: Target, **options: object) -> Request:
    return Request(target=target, find_scenario=get_scenario, **options)  # type: ignore[arg-type]


def found_bugs(folder: Path) -> list[Path]:
    print(f"Time to the first failure, explore against naive stress ({BUDGET:.0f} s each)")
    saved: list[Path] = []
    missed = 0
    for case in BUGGY:
        result = explore(request(case.target, seconds=BUDGET, jobs=default_jobs()))
        finding = result.finding
        if finding is None:
            missed += 1
            found = "NOT FOUND"
        else:
            found = (
                f"{finding.found_after:5.2f} s (schedule {finding.schedule:,}, "
                f"{finding.verdict.kind.value}, {finding.preemptions} preemption(s))"
            )
            path = folder / f"{len(saved)}.json"
            config = case.target.config(get_scenario)
            runfile.save(str(path), runfile.record(config, finding.history))
            saved.append(path)
        naive = stress(
            str(case.program),
            kwargs=case.kwargs,
            budget=BUDGET,
            hang_after=2.0,
            check=case.check,
        )
        stressed = (
            f"{naive.seconds:5.2f} s ({naive.runs:,} runs)"
            if naive.found
            else f"not found in {naive.seconds:.0f} s ({naive.runs:,} runs)"
        )
        row(case.label, f"explore {found}; stress {stressed}")
    row("every bug found", goal(f"all {len(BUGGY)} within {BUDGET:.0f} s", missed == 0))
    return saved


def no_false_alarms() -> None:
    print(f"\nNo false alarm: fixed variants and correct examples ({CLEAN_BUDGET:.0f} s each)")
    alarms = 0
    for case in FIXED:
        result = explore(request(case.target, seconds=CLEAN_BUDGET, jobs=default_jobs()))
        coverage = result.coverage
        if result.finding is not None:
            alarms += 1
            text = f"FALSE ALARM: {result.finding.verdict.text}"
        else:
            text = f"{coverage.schedules:,} schedules, no failure"
            if coverage.exhaustive:
                text = (
                    f"all {coverage.bound_schedules:,} schedules pass, exhaustive "
                    f"({coverage.schedules:,} runs)"
                )
            elif coverage.bound_done is not None:
                text += f"; all with at most {coverage.bound_done} preemption(s) pass"
        row(case.label, text)
    row("false alarms", goal("none", alarms == 0))


def throughput() -> None:
    print("\nSchedules per second, producer-consumer (default parameters)")
    target = Target("scenario", "producer-consumer", "while", (), 0)
    rates: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(THROUGHPUT_ROUNDS):
        for jobs in (1, 2):
            # a time budget, as a search has: the workers' start counts, over its length
            start = time.perf_counter()
            result = explore(request(target, seconds=THROUGHPUT_SECONDS, jobs=jobs))
            rates[jobs].append(result.coverage.schedules / (time.perf_counter() - start))
    row("--jobs 1", spread(rates[1], "schedules/s", digits=0))
    row("--jobs 2", spread(rates[2], "schedules/s", digits=0))
    ratios = [two / one for one, two in zip(rates[1], rates[2], strict=True)]
    met = statistics.median(ratios) >= 1.6
    row("speed-up of 2 jobs over 1", f"{spread(ratios)} {goal('≥ 1.6', met)}")


def replays(saved: list[Path]) -> None:
    print("\nEvery counterexample replays (threadlab replay --check)")
    failures = 0
    for path in saved:
        done = subprocess.run(
            [sys.executable, "-m", "threadlab.cli.main", "replay", "--check", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        failures += done.returncode != 0
        if done.returncode != 0:
            row(path.name, f"exit {done.returncode}: {done.stdout.strip()} {done.stderr.strip()}")
    row(f"{len(saved)} files", goal("every one exits 0", failures == 0))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        saved = found_bugs(Path(folder))
        no_false_alarms()
        throughput()
        replays(saved)


if __name__ == "__main__":
    main()
