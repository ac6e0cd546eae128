"""What the explorer claims holds: a step's footprint covers the code after its checkpoint,
or the step touches anything, and a search whose footprints turned out wrong claims no
full coverage.

Exists because each step was labelled with the object touched at its checkpoint while the
code after it went unwatched: ``log.append`` under two different locks made two steps on
two objects, so the depth-first search explored one order only and said "all 13 schedules
with at most 1 preemption pass" of a program that fails with one preemption.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from explore_helpers import EXAMPLES, program_config, search, write_program

from threadlab.cli.explore_text import coverage_text
from threadlab.engine.explore import Progress
from threadlab.engine.explore.attempt import run_schedule
from threadlab.engine.explore.policy import Decision
from threadlab.engine.explore.shrink import shrink
from threadlab.engine.explore.specs import choices_of

HIDDEN_APPEND = """
    import threading
    log = []
    a = threading.Lock(); b = threading.Lock()
    ready = threading.Event(); second_up = threading.Event()
    def first():
        ready.set()
        with a:
            log.append("first")
    def second():
        second_up.set()
        ready.wait()
        with b:
            log.append("second")
    def main():
        t2 = threading.Thread(target=second); t2.start(); second_up.wait()
        t1 = threading.Thread(target=first); t1.start()
        t1.join(); t2.join()
        assert log == ["first", "second"], log
    main()
    """

HIDDEN_TEST = """
    import threading
    items = []
    done = threading.Lock()
    def producer():
        with done:
            items.append(1)
    def consumer(seen):
        with threading.Lock():
            seen.append(bool(items))  # the test reads the items: not through a variable
    seen = []
    threads = [threading.Thread(target=producer), threading.Thread(target=consumer, args=(seen,))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [False], seen
    """

TWO_LOCKS = """
    import threading

    first = threading.Lock()
    second = threading.Lock()


    def work(lock):
        with lock:
            pass


    a = threading.Thread(target=work, args=(first,), name="A")
    a.start()
    work(second)
    a.join()
    """


def test_a_call_on_a_shared_list_is_a_step_on_its_items(tmp_path: Path) -> None:
    config = program_config(write_program(tmp_path, HIDDEN_APPEND))
    result = search(config, strategy="dfs", schedules=20)
    assert result.finding is not None, coverage_text(result.coverage)
    words = [p.operation for s in result.finding.switches for p in s.places]
    assert "call list.append" in words


def test_a_test_of_a_containers_items_is_a_step_on_them(tmp_path: Path) -> None:
    config = program_config(write_program(tmp_path, HIDDEN_TEST))
    result = search(config, strategy="dfs", schedules=100)
    assert result.finding is not None, coverage_text(result.coverage)


def test_with_races_off_every_step_touches_anything(tmp_path: Path) -> None:
    """The code after a checkpoint is not watched: no two orders are taken as one (20 is
    every order of two threads' three steps each; with races on, 10 of them differ)."""
    source = write_program(tmp_path, TWO_LOCKS)
    off = search(program_config(source, races=False), strategy="dfs", schedules=1_000)
    assert off.coverage.exhaustive and off.coverage.bound_schedules == 20
    on = search(program_config(source), strategy="dfs", schedules=1_000)
    assert on.coverage.exhaustive and on.coverage.bound_schedules == 10


class _Recording:
    """Runs the newest thread that can run, keeping every decision."""

    def __init__(self) -> None:
        self.decisions: list[Decision] = []

    def choose(self, decision: Decision) -> int:
        self.decisions.append(decision)
        threads = [(o.thread, i) for i, o in enumerate(decision.options) if not o.condition]
        return max(threads)[1]


def test_a_woken_threads_next_step_touches_anything(tmp_path: Path) -> None:
    """Its wait ends (a lock taken again, a condition left) and its code goes on: what
    that touches is not what it touched when it began to wait."""
    source = """
        import threading
        cond = threading.Condition()
        ready = []
        def waiter():
            with cond:
                while not ready:
                    cond.wait()
        t = threading.Thread(target=waiter, name="W")
        t.start()
        with cond:
            ready.append(1)
            cond.notify()
        t.join()
        """
    config = program_config(write_program(tmp_path, source))
    chooser = _Recording()
    attempt = run_schedule(config, chooser)
    assert attempt.verdict is None or not attempt.failed
    woken = []  # W's footprint each time it can run again after a wait
    seen_before, there_before = False, False
    for decision in chooser.decisions:
        mine = [o for o in decision.options if o.thread == 2 and not o.condition]
        if mine and seen_before and not there_before:
            woken.append(mine[0].touches)
        seen_before = seen_before or bool(mine)
        there_before = bool(mine)
    assert woken and all(touches is None for touches in woken), woken


LIBRARY = """
    import itertools
    _counter = itertools.count()
    class Meter:
        @property
        def reading(self):
            return next(_counter)   # a library's state, changed by a property
    """

USES_LIBRARY = """
    import sys, threading
    sys.path.insert(0, {library!r})
    import meter
    m = meter.Meter()
    a = threading.Lock(); b = threading.Lock()
    got = {{}}
    def one():
        with a:
            got["one"] = m.reading
    def two():
        with b:
            got["two"] = m.reading
    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    """


def test_a_library_property_ran_in_a_step_withdraws_every_claim(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    write_program(library, LIBRARY, "meter.py")
    program = tmp_path / "program"
    program.mkdir()
    path = write_program(program, USES_LIBRARY.format(library=str(library)))
    result = search(program_config(path), strategy="dfs", schedules=1_000)
    coverage = result.coverage
    assert not coverage.exhaustive and coverage.bound_done is None
    assert coverage.unwatched_steps > 0
    text = coverage_text(coverage)
    assert "not exhaustive" in text and "code threadlab does not watch" in text, text

    answer = subprocess.run(
        [sys.executable, "-m", "threadlab", "explore", str(path), "--budget", "300", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    document = json.loads(answer.stdout)
    assert document["coverage"]["exhaustive"] is False
    assert document["coverage"]["unwatched_steps"] > 0


TWO_FAILURES = """
    import threading
    items = []
    lock = threading.Lock()
    def adder():
        with lock:
            items.append(1)
    def taker():
        with lock:
            taken = items.pop()   # IndexError when the adder has not run yet
        if taken != 2:
            raise ValueError(taken)   # with no preemption, the adder runs first
    threads = [threading.Thread(target=adder), threading.Thread(target=taker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    """


class _TakerFirst:
    """The taker (thread 3) whenever it can run, else MainThread, else the adder."""

    def choose(self, decision: Decision) -> int:
        where = {o.thread: i for i, o in enumerate(decision.options) if not o.condition}
        return next(where[t] for t in (3, 1, 2) if t in where)


def test_shrinking_keeps_the_same_failure(tmp_path: Path) -> None:
    """A schedule with fewer preemptions fails too, but another way (ValueError, another
    line): shrinking must not trade the failure found for it."""
    config = program_config(write_program(tmp_path, TWO_FAILURES))
    found = run_schedule(config, _TakerFirst())
    assert found.verdict is not None and found.verdict.error == "IndexError", found.verdict
    default = run_schedule(config, _Recording())  # (any other order: the ValueError)
    shrunk = shrink(config, choices_of(found), spurious=False, max_steps=found.steps * 10)
    assert shrunk.verdict is not None
    assert found.verdict.same_failure(shrunk.verdict), (found.verdict, shrunk.verdict)
    assert default.verdict is None or not found.verdict.same_failure(default.verdict)


NOT_THE_SAME_TWICE = """
    import threading
    from pathlib import Path
    runs = Path({counter!r})
    count = int(runs.read_text()) if runs.exists() else 0
    runs.write_text(str(count + 1))   # every run differs from the one before
    lock = threading.Lock()
    def work():
        with lock:
            pass
    threads = [threading.Thread(target=work) for _ in range(2 + count % 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    """


def test_a_replay_that_meets_other_choices_says_where_and_claims_nothing(tmp_path: Path) -> None:
    source = NOT_THE_SAME_TWICE.format(counter=str(tmp_path / "runs"))
    config = program_config(write_program(tmp_path, source))
    coverage = search(config, strategy="dfs", schedules=200).coverage
    assert not coverage.exhaustive and coverage.bound_done is None
    assert coverage.diverged_at is not None
    text = coverage_text(coverage)
    assert f"went another way at step {coverage.diverged_at}" in text, text


def test_a_find_is_reported_before_it_is_shrunk_and_each_smaller_one_as_found() -> None:
    config = program_config(EXAMPLES / "worker_pool.py")
    seen: list[Progress] = []
    result = search(config, schedules=50, progress=seen.append)
    finding = result.finding
    assert finding is not None
    founds = [p.found for p in seen if p.found is not None]
    assert founds, "the find was never reported before the result"
    first = founds[0]
    assert (first.schedule, first.original, first.best) == (
        finding.schedule,
        finding.original,
        finding.original,
    )
    assert first.verdict.same_failure(finding.verdict)
    assert founds[-1].best == (finding.preemptions, finding.steps)
    bests = [f.best for f in founds]
    assert bests == sorted(bests, reverse=True)  # only ever smaller
