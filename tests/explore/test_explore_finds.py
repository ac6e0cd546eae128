"""The explorer finds every built-in bug and every buggy example with its default strategy
and a modest budget; a deadlock through any blocking primitive is found as a deadlock, never
as a time-out; and a find is shrunk, and replays to the same verdict at the same step."""

from __future__ import annotations

from pathlib import Path

import pytest
from explore_helpers import (
    EXAMPLES,
    assert_replays,
    assert_sound,
    every_schedule,
    failing,
    kinds,
    program_config,
    scenario_config,
    search,
    write_program,
)

from threadlab.engine import VerdictKind
from threadlab.engine.lesson.scenario import RunConfig

BUDGET = 200
"""Schedules: every bug below is found well within it (most in the first ten)."""

# The two longest searches run on the main Python only: the other Pythons' runs of these
# programs are checked by the engine's tests, and their other finds by the rest.
LONG_SEARCH = pytest.mark.main_python_only

BUGGY_VARIANTS = [
    ("producer-consumer", "if", VerdictKind.FAILED, "IndexError: pop from empty list"),
    pytest.param(
        "philosophers", "left-right", VerdictKind.DEADLOCK, "Cycle: Ph", marks=LONG_SEARCH
    ),
    ("mutex", "unlocked", VerdictKind.VIOLATION, "at most one thread in the critical section"),
    ("cas", "counter-racy", VerdictKind.VIOLATION, "lost"),
    ("readers-writers", "lesson", VerdictKind.LOST_WAKEUP, "write_gate"),
    ("readers-writers", "classic", VerdictKind.LOST_WAKEUP, "write_gate"),
    ("condition", "alarm", VerdictKind.LOST_WAKEUP, "no live thread is left to wake"),
    ("coroutines", "missing-await", VerdictKind.VIOLATION, "never awaited"),
    ("coroutines", "blocking-call", VerdictKind.LOOP_BLOCKED, "Loop blocked: fetch_blocking#"),
    ("event-loop", "blocking", VerdictKind.LOOP_BLOCKED, "handler compute_everything"),
]

BUGGY_EXAMPLES = [
    pytest.param(
        "worker_pool.py", VerdictKind.VIOLATION, "update(s) of done were lost", marks=LONG_SEARCH
    ),
    ("lock_order.py", VerdictKind.DEADLOCK, "Cycle: alice-pays → bob-pays → alice-pays"),
]


def check_find(config: RunConfig, kind: VerdictKind, words: str, tmp_path: Path) -> None:
    result = search(config, schedules=BUDGET)
    assert result.stuck is None
    finding = result.finding
    assert finding is not None, result.coverage
    assert finding.verdict.kind is kind, finding.verdict
    assert words in finding.verdict.text
    assert 1 <= finding.schedule <= BUDGET
    assert finding.strategy in ("random", "pct", "dfs")
    assert_sound(finding)
    assert_replays(config, finding, tmp_path)


@pytest.mark.parametrize(
    ("name", "variant", "kind", "words"),
    BUGGY_VARIANTS,
    ids=[f"{v[0]}-{v[1]}" for v in (getattr(case, "values", case) for case in BUGGY_VARIANTS)],
)
def test_every_buggy_variant_is_found_shrunk_and_replays(
    name: str, variant: str, kind: VerdictKind, words: str, tmp_path: Path
) -> None:
    check_find(scenario_config(name, variant), kind, words, tmp_path)


@pytest.mark.parametrize(("program", "kind", "words"), BUGGY_EXAMPLES, ids=lambda v: str(v))
def test_every_buggy_example_is_found_shrunk_and_replays(
    program: str, kind: VerdictKind, words: str, tmp_path: Path
) -> None:
    check_find(program_config(EXAMPLES / program), kind, words, tmp_path)


# --- Deadlocks through each blocking primitive -----------------------------------------

DEADLOCKS = {
    "two-locks": (
        """
        import threading

        a = threading.Lock()
        b = threading.Lock()


        def one():
            with a:
                with b:
                    pass


        def two():
            with b:
                with a:
                    pass


        t1 = threading.Thread(target=one, name="one")
        t2 = threading.Thread(target=two, name="two")
        t1.start()
        t2.start()
        t1.join()
        t2.join()
        """,
        "one waits for b, held by two; two waits for a, held by one",
    ),
    "lost-notify": (
        """
        import threading

        cond = threading.Condition()


        def waiter():
            with cond:
                cond.wait()  # for a notify that may have come already


        def notifier():
            with cond:
                cond.notify()


        w = threading.Thread(target=waiter, name="waiter")
        n = threading.Thread(target=notifier, name="notifier")
        w.start()
        n.start()
        w.join()
        n.join()
        """,
        "waiter waits on cond, and no thread is left to signal it",
    ),
    "queue-get": (
        """
        import queue
        import threading

        q = queue.Queue()
        asked = False


        def getter():
            global asked
            asked = True
            q.get()


        def putter():
            if asked:  # puts only when the getter has asked already
                q.put(1)


        g = threading.Thread(target=getter, name="getter")
        p = threading.Thread(target=putter, name="putter")
        g.start()
        p.start()
        g.join()
        p.join()
        """,
        "getter waits for an item in q",
    ),
    "barrier": (
        """
        import threading

        barrier = threading.Barrier(2)
        arrived = False


        def first():
            global arrived
            arrived = True
            barrier.wait()


        def second():
            if not arrived:  # leaves early when the first has not arrived yet
                return
            barrier.wait()


        t1 = threading.Thread(target=first, name="first")
        t2 = threading.Thread(target=second, name="second")
        t1.start()
        t2.start()
        t1.join()
        t2.join()
        """,
        "first waits at barrier (1 of 2 arrived)",
    ),
    "join-cycle": (
        """
        import threading

        second_may_go = False
        both_started = threading.Event()


        def one():
            global second_may_go
            both_started.wait()
            second_may_go = True
            t2.join()


        def two():
            if not second_may_go:  # two thinks it is first, so it waits for one
                t1.join()


        t1 = threading.Thread(target=one, name="one")
        t2 = threading.Thread(target=two, name="two")
        t1.start()
        t2.start()
        both_started.set()
        t1.join()
        t2.join()
        """,
        "Cycle: one → two → one",
    ),
    "own-future": (
        # (a flag, since reading or writing the engine's own objects, such as a future, is
        # not a step, and neither is module-level code)
        """
        from concurrent.futures import ThreadPoolExecutor

        mine = None
        noted = False


        def task():
            if noted:  # main has noted this very task's future: it waits for itself
                mine.result()
            return 1


        def main():
            global mine, noted
            with ThreadPoolExecutor(max_workers=1) as pool:
                mine = pool.submit(task)
                noted = True
                mine.result()


        main()
        """,
        "ThreadPoolExecutor-0_0 waits for the result of mine (task(), running)",
    ),
    "asyncio-event": (
        """
        import asyncio

        done = []


        def work():
            done.append(1)


        async def main():
            ready = asyncio.Event()
            job = asyncio.create_task(asyncio.to_thread(work))
            await asyncio.sleep(0)
            if not done:
                await ready.wait()  # nobody ever sets it
            await job


        asyncio.run(main())
        """,
        "loop, which has nothing ready and no timer",
    ),
}


LOST_WAKEUPS = frozenset({"lost-notify", "asyncio-event"})
"""The cases where a thread (or a loop's task) waits for a signal no live thread is left to
send: no cycle of holds, so the verdict is a lost wakeup rather than a deadlock."""


def expected_kind(case: str) -> VerdictKind:
    return VerdictKind.LOST_WAKEUP if case in LOST_WAKEUPS else VerdictKind.DEADLOCK


@pytest.mark.parametrize("strategy", ["auto", "dfs"])
@pytest.mark.parametrize("case", list(DEADLOCKS))
def test_a_deadlock_through_each_blocking_primitive_is_found_as_a_deadlock(
    case: str, strategy: str, tmp_path: Path
) -> None:
    source, words = DEADLOCKS[case]
    config = program_config(write_program(tmp_path, source))
    result = search(config, schedules=100, strategy=strategy)
    assert result.stuck is None
    assert result.coverage.schedules <= 100  # found within its budget of schedules
    finding = result.finding
    assert finding is not None, result.coverage
    assert finding.verdict.kind is expected_kind(case), finding.verdict
    assert words in finding.verdict.text
    assert_sound(finding)
    assert_replays(config, finding, tmp_path)


@pytest.mark.parametrize("case", list(DEADLOCKS))
def test_each_deadlock_needs_some_interleaving_and_is_shrunk_to_the_fewest_preemptions(
    case: str, tmp_path: Path
) -> None:
    """Checked against every schedule with few preemptions, enumerated without the
    explorer: some end, the others deadlock (nothing else); and the finding has the fewest
    preemptions of any deadlock, then the fewest steps of those."""
    config = program_config(write_program(tmp_path, DEADLOCKS[case][0]))
    finding = search(config, schedules=100).finding
    assert finding is not None
    fewest = finding.preemptions
    schedules = list(every_schedule(config, bound=max(fewest, 1)))
    failures = failing(schedules)
    assert failures and len(failures) < len(schedules)  # only some interleavings deadlock
    assert kinds(failures) == {expected_kind(case)}
    assert min(a.preemptions for a in failures) == fewest
    assert min(a.steps for a in failures if a.preemptions == fewest) == finding.steps


def test_the_lock_order_inversion_needs_exactly_one_preemption(tmp_path: Path) -> None:
    """With no preemption each thread runs until it ends or blocks: one takes both locks
    and releases them before the other starts. One switch inside the outer ``with`` is
    enough."""
    config = program_config(write_program(tmp_path, DEADLOCKS["two-locks"][0]))
    assert not failing(every_schedule(config, bound=0))
    finding = search(config, schedules=100).finding
    assert finding is not None
    assert finding.preemptions == 1 and len(finding.preemption_steps) == 1
    (turn,) = [s for s in finding.switches if s.preempted]
    assert {turn.thread, turn.preempted} == {"one", "two"}  # one lock holder preempts the other
