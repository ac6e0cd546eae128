"""No false alarm, and never a claim beyond what was searched: fixed variants and correct
examples pass their budget; a search is called exhaustive only when its depth-first search
ran every schedule, counted here against an enumeration that does not use the explorer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from explore_helpers import (
    EXAMPLES,
    every_schedule,
    program_config,
    scenario_config,
    search,
    steps_of,
    trace_class,
    write_program,
)

import threadlab.engine.explore.plan as plan
from threadlab.cli.explore_text import coverage_text

FIXED_VARIANTS = [
    ("producer-consumer", "while"),
    ("philosophers", "ordered"),
    ("mutex", "locked"),
    ("cas", "counter-cas"),
    ("cas", "spinlock"),
    ("readers-writers", "fair"),
    ("futures", "default"),
    ("semaphore", "default"),
    ("barrier", "default"),
    ("event-loop", "chunked"),  # each part yields: no handler holds the loop too long
]

CORRECT_EXAMPLES = ["pipeline.py", "lazy_cache.py", "bank_transfer.py"]

NOT_EXHAUSTIVE = re.compile(
    r"no failure in (?P<count>[0-9,]+) schedules \((?P<how>[^)]*)\); not exhaustive"
)


@pytest.mark.parametrize(
    ("name", "variant"), FIXED_VARIANTS, ids=[f"{n}-{v}" for n, v in FIXED_VARIANTS]
)
def test_a_fixed_variant_has_no_failure_in_its_budget(name: str, variant: str) -> None:
    result = search(scenario_config(name, variant), schedules=60)
    assert result.finding is None, result.finding and result.finding.verdict
    assert result.stuck is None
    coverage = result.coverage
    assert 0 < coverage.schedules <= 60
    assert not coverage.exhaustive
    assert coverage.strategies == ("random", "pct", "dfs")
    match = NOT_EXHAUSTIVE.match(coverage_text(coverage))
    assert match is not None and int(match["count"].replace(",", "")) == coverage.schedules


@pytest.mark.parametrize("program", CORRECT_EXAMPLES)
def test_a_correct_example_has_no_failure_in_its_budget(program: str) -> None:
    result = search(program_config(EXAMPLES / program), schedules=60)
    assert result.finding is None, result.finding and result.finding.verdict
    assert result.stuck is None
    assert not result.coverage.exhaustive


# --- Exhaustive, counted --------------------------------------------------------------

ONE_LOCK = """
    import threading

    lock = threading.Lock()


    def work():
        with lock:  # two steps: acquire, release
            pass


    a = threading.Thread(target=work, name="A")
    a.start()
    work()
    a.join()
    """

TWO_LOCKS = """
    import threading

    first = threading.Lock()
    second = threading.Lock()


    def work(lock):
        with lock:  # two steps: acquire, release
            pass


    a = threading.Thread(target=work, args=(first,), name="A")
    a.start()
    work(second)
    a.join()
    """


@pytest.mark.parametrize(
    ("source", "schedules", "classes"),
    [(ONE_LOCK, 18, 18), (TWO_LOCKS, 20, 10)],
    ids=["one-lock", "two-locks"],
)
def test_a_tiny_program_is_explored_exhaustively_once_per_order_that_matters(
    source: str, schedules: int, classes: int, tmp_path: Path
) -> None:
    """Counted by hand. MainThread starts A (m0), takes and releases a lock (m1, m2) and
    joins A (m3); A starts (a0), takes and releases a lock (a1, a2). A join of a thread still
    running, and a lock taken by another, block: the thread's step after the wait is forced
    (nobody else can go), so it adds no choice.

    Two locks: m1..m3 and a0..a2 interleave in any of C(6, 3) = 20 ways. Steps whose object
    is unknown (a start, a join) are ordered against every other; the two critical sections
    are not. What tells two orders apart is where a0 falls among m1, m2, m3 (4 places) and,
    unless a0 comes after m3, how many of a0..a2 precede m3 (1 to 3): 1 + 3 * 3 = 10.

    One lock, every step depends on every other: main's section before A's acquire (a0
    among m1, m2 and a1 before m3: 3 * 2, or a1 after m3: 4), 10; A's section before m1, 1;
    A's acquire inside main's section (a0 before or after m1, then m3 among a1's retry and
    a2: 2 * 3), 6; main's acquire inside A's section, 1: 18.

    Checked also against every schedule enumerated without the explorer, and their
    classes (up to swapping neighbouring steps of two threads on two known objects)."""
    config = program_config(write_program(tmp_path, source), races=True)
    every = [steps_of(a) for a in every_schedule(config)]
    assert len(set(every)) == len(every) == schedules
    assert len({trace_class(s) for s in every}) == classes

    plain = search(config, strategy="dfs", schedules=1_000, reduce=False).coverage
    assert plain.exhaustive and plain.schedules == schedules
    reduced = search(config, strategy="dfs", schedules=1_000).coverage
    assert reduced.exhaustive and reduced.schedules == classes
    assert coverage_text(reduced).startswith(f"all {classes} schedules pass: ")

    # the portfolio: random and PCT runs beside the depth-first search, which ends it
    portfolio = search(config, schedules=1_000).coverage
    assert portfolio.exhaustive and portfolio.bound_schedules == classes
    assert classes < portfolio.schedules < 1_000  # with the random and PCT runs
    assert coverage_text(portfolio).startswith(f"all {classes} schedules pass: ")


def test_a_search_cut_short_by_its_budget_is_not_exhaustive(tmp_path: Path) -> None:
    config = program_config(write_program(tmp_path, ONE_LOCK), races=False)
    total = 18  # counted above
    for strategy, budget in (("dfs", total - 1), ("auto", total), ("random", 3 * total)):
        coverage = search(config, strategy=strategy, schedules=budget).coverage
        assert not coverage.exhaustive, (strategy, coverage)
        text = coverage_text(coverage)
        assert NOT_EXHAUSTIVE.match(text), text
        assert "all" not in text.split(";")[0]
    assert search(config, strategy="pct", schedules=3 * total).coverage.bound_done is None


def test_a_search_whose_runs_were_cut_short_is_not_exhaustive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its depth-first search runs out of schedules, but each was cut short at the step
    limit (taken to loop): what came after was never run."""
    source = """
        import threading

        total = 0
        ready = threading.Event()
        done = threading.Event()


        def helper():
            ready.set()
            done.wait()


        def count():
            global total
            for _ in range(1_000):
                total += 1


        h = threading.Thread(target=helper, name="helper")
        h.start()
        ready.wait()
        count()
        done.set()
        h.join()
        """
    config = program_config(write_program(tmp_path, source))
    whole = search(config, strategy="dfs", schedules=500).coverage
    assert whole.exhaustive and not whole.cut_short  # runs of about 2,000 steps
    monkeypatch.setattr(plan, "FIRST_MAX_STEPS", 1_000)
    cut = search(config, strategy="dfs", schedules=500).coverage
    assert 0 < cut.cut_short == cut.schedules < 500  # the search ended by itself
    assert not cut.exhaustive and cut.bound_done is None
    text = coverage_text(cut)
    assert NOT_EXHAUSTIVE.match(text) and "cut short" in text
