"""The controlled ``threading`` and ``time`` behave as CPython's: each case is one program,
run by the real interpreter (a subprocess, real threads, real seconds) and under threadlab
(several seeds, virtual seconds), and what it prints must be the same line for line.

A case prints only what CPython promises whatever the interleaving: results, exceptions
with their messages, and the FIFO order in which ``Condition.notify`` wakes waiters. Where
threads race, the case orders them itself (joins, events, waiting until a thread is
known to wait). Times are printed as comparisons, never as numbers.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime, Scenario, ThreadState, resolve_config

SEEDS = (0, 1, 2, 3, 7, 11)

PRELUDE = '''
import threading
import time


def outcome(call, *args, **kwargs):
    """What ``call`` returns, or the type and message of what it raises."""
    try:
        return call(*args, **kwargs)
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def wait_until(predicate, lock):
    """Poll (holding ``lock`` while looking) until ``predicate()`` holds."""
    while True:
        with lock:
            if predicate():
                return
        time.sleep(0.001)
'''

ENDING = """

if __name__ == "__main__":
    main()
"""


def program(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(PRELUDE + textwrap.dedent(body) + ENDING, encoding="utf-8")
    return path


def on_cpython(path: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def scenario_of(path: Path, *, waits_for_user: bool = False) -> Scenario:
    return Scenario(
        waits_for_user=waits_for_user,
        name=path.stem,
        title=path.stem,
        summary="a conformance case",
        explanation="runs the same on CPython and under threadlab",
        program=str(path),
        entry="main",
    )


def under_threadlab(path: Path, seed: int) -> tuple[list[str], Runtime]:
    """The lines the program printed, run to its end at full speed (the runtime stopped)."""
    runtime = Runtime(resolve_config(scenario_of(path), seed=seed), paused=True, speed=None)
    runtime.start()
    try:
        runtime.step(100_000)
        assert runtime.wait_idle(60)
        snapshot = runtime.snapshot()
        assert snapshot.run_state is RunState.FINISHED, (seed, snapshot.verdict)
        return list(runtime.output()), runtime
    finally:
        assert runtime.stop()


def conforms(tmp_path: Path, name: str, body: str) -> list[str]:
    """Run the case both ways; both must print the same. Returns what CPython printed."""
    path = program(tmp_path, name, body)
    expected = on_cpython(path)
    assert expected, "the case printed nothing"
    for seed in SEEDS:
        printed, _runtime = under_threadlab(path, seed)
        assert printed == expected, f"seed {seed}"
    return expected


# -- the cases: each body defines main(), which prints


LOCK = """
def main():
    lock = threading.Lock()
    print("acquire", lock.acquire(), lock.locked())
    print("non-blocking while held", lock.acquire(False), lock.acquire(blocking=False))
    got = []
    other = threading.Thread(target=lambda: got.append(lock.acquire(timeout=0.05)))
    start = time.monotonic()
    other.start()
    other.join()
    print("timed out in another thread", got, time.monotonic() - start >= 0.05)
    lock.release()
    print("released", lock.locked())
    print(outcome(lock.release))
    print(outcome(lock.acquire, False, 1))
    print(outcome(lock.acquire, True, -5))
    with lock as entered:
        print("with", entered, lock.locked())
    print("after with", lock.locked())
    freed = []
    lock.acquire()
    releaser = threading.Thread(target=lambda: freed.append(outcome(lock.release)))
    releaser.start()
    releaser.join()
    print("another thread may release a Lock", freed, lock.locked())
"""

RLOCK = """
def main():
    rlock = threading.RLock()
    print("three times", rlock.acquire(), rlock.acquire(), rlock.acquire(blocking=False))
    seen = []
    other = threading.Thread(
        target=lambda: seen.extend([rlock.acquire(blocking=False), outcome(rlock.release)])
    )
    other.start()
    other.join()
    print("another thread", seen)
    rlock.release()
    rlock.release()
    rlock.release()
    print(outcome(rlock.release))
    with rlock:
        with rlock:
            print("nested with")
    got = []
    other = threading.Thread(target=lambda: got.append(rlock.acquire(timeout=0.01)))
    other.start()
    other.join()
    print("free again", got)
"""

CONDITION_ERRORS = """
def main():
    cond = threading.Condition()
    print(outcome(cond.wait))
    print(outcome(cond.wait, 0.01))
    print(outcome(cond.notify))
    print(outcome(cond.notify_all))
    print(outcome(cond.wait_for, lambda: False))
    plain = threading.Condition(threading.Lock())
    with plain:
        print("notify with nobody waiting", plain.notify(), plain.notify(3), plain.notify_all())
    rlocked = threading.Condition(threading.RLock())
    with rlocked:
        held = []
        other = threading.Thread(target=lambda: held.append(outcome(rlocked.notify)))
        other.start()
        other.join()
        print("notify from a thread that does not own the RLock", held)
    with cond:
        with cond:  # the default lock is an RLock: re-entrant
            print("wait in a nested with times out", cond.wait(0.01))
"""

CONDITION_TIMEOUTS = """
def main():
    cond = threading.Condition()
    with cond:
        start = time.monotonic()
        print("wait(0.5), nobody notifies:", cond.wait(0.5))
        print("half a second went by:", time.monotonic() - start >= 0.5)
        print("still holds its lock:", outcome(cond.notify) is None)
        start = time.monotonic()
        print("wait_for false predicate:", cond.wait_for(lambda: 0, timeout=0.1))
        print("a tenth went by:", time.monotonic() - start >= 0.1)
        print("wait_for true predicate:", cond.wait_for(lambda: 42, timeout=0))
    box = []

    def fill():
        time.sleep(0.05)
        with cond:
            box.append("item")
            cond.notify()

    filler = threading.Thread(target=fill)
    with cond:
        filler.start()
        print("wait_for gets the value:", cond.wait_for(lambda: box and box[0]))
    filler.join()
    flag = []

    def set_flag():
        with cond:
            flag.append(True)
            cond.notify_all()

    with cond:
        threading.Thread(target=set_flag).start()
        print("notified wait returns True:", cond.wait(10))
    print(flag)
"""

NOTIFY_ORDER = """
def main():
    lock = threading.Lock()
    cond = threading.Condition(lock)
    waiting, woke = [], []

    def waiter():
        me = threading.current_thread().name
        with cond:
            waiting.append(me)
            cond.wait()  # in the queue before main can take the lock again
            woke.append(me)

    threads = []
    for name in ("T1", "T2", "T3", "T4", "T5", "T6"):
        thread = threading.Thread(target=waiter, name=name)
        threads.append(thread)
        thread.start()
        wait_until(lambda: len(waiting) == len(threads), lock)
    for count in (1, 2, 3):
        with cond:
            cond.notify()
        wait_until(lambda: len(woke) == count, lock)
    print("notify wakes the longest waiter first:", woke)
    with cond:
        cond.notify(2)
    wait_until(lambda: len(woke) == 5, lock)
    print("notify(2) wakes the next two:", sorted(woke[3:]))
    time.sleep(0.05)
    print("and no more:", len(woke))
    with cond:
        cond.notify_all()
    for thread in threads:
        thread.join()
    print("notify_all wakes the rest:", woke[5:])
"""

SEMAPHORES = """
def main():
    print(outcome(threading.Semaphore, -1))
    sem = threading.Semaphore(2)
    print("two permits", sem.acquire(), sem.acquire(blocking=False), sem.acquire(False))
    start = time.monotonic()
    print("timed out", sem.acquire(timeout=0.05), time.monotonic() - start >= 0.05)
    print(outcome(sem.acquire, False, 1))
    print(outcome(sem.release, 0))
    got = []
    takers = [threading.Thread(target=lambda: got.append(sem.acquire())) for _ in range(3)]
    for taker in takers:
        taker.start()
    sem.release(3)
    for taker in takers:
        taker.join()
    print("release(3) lets three in", got)
    sem.release(5)
    print("a Semaphore may grow", [sem.acquire(False) for _ in range(6)])
    bounded = threading.BoundedSemaphore(2)
    print(outcome(bounded.release))
    bounded.acquire()
    bounded.release()
    print(outcome(bounded.release))
    with bounded:
        print("with", bounded.acquire(False), bounded.acquire(False))
    bounded.release()
    print(outcome(threading.BoundedSemaphore, -1))
"""

EVENT = """
def main():
    event = threading.Event()
    print("fresh", event.is_set())
    start = time.monotonic()
    print("wait(0.05)", event.wait(0.05), time.monotonic() - start >= 0.05)
    seen = []
    waiters = [threading.Thread(target=lambda: seen.append(event.wait())) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    event.set()
    for waiter in waiters:
        waiter.join()
    print("set wakes every waiter", seen, event.is_set(), event.wait(0), event.wait())
    event.clear()
    print("cleared", event.is_set(), event.wait(0.01))
"""

EVENT_SET_THEN_CLEARED = """
def main():
    event = threading.Event()
    seen = []
    waiters = [
        threading.Thread(target=lambda: seen.append(("wait()", event.wait()))),
        threading.Thread(target=lambda: seen.append(("wait(5)", event.wait(5)))),
    ]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.2)  # both wait by now
    event.set()
    event.clear()  # before they run again: they were notified, so wait() says True
    for waiter in waiters:
        waiter.join()
    print("set then cleared", sorted(seen), event.is_set())
"""

THREAD_EXIT = """
import sys


def main():
    def leave(code):
        sys.exit(code)

    threads = [threading.Thread(target=leave, args=(code,)) for code in (None, 0, 3, "bye")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("sys.exit in a thread ends it quietly", [t.is_alive() for t in threads])
    print("the others go on", threading.active_count())
"""

TO_THREAD_EXIT = """
import asyncio
import sys


async def leave_in_a_thread():
    try:
        await asyncio.to_thread(sys.exit, 4)
    except SystemExit as exit_:  # the worker's SystemExit reaches the awaiting task
        return f"SystemExit {exit_.code}"
    return "no exception"


def main():
    print("to_thread(sys.exit, 4):", asyncio.run(leave_in_a_thread()))
"""

BARRIER = """
def main():
    print("no parties", outcome(lambda: threading.Barrier(0).parties))
    actions = []
    barrier = threading.Barrier(3, action=lambda: actions.append("action"))
    print("parties", barrier.parties, barrier.n_waiting, barrier.broken)
    indexes = []

    def party():
        indexes.append(barrier.wait())

    threads = [threading.Thread(target=party) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("indexes", sorted(indexes), "action ran", actions)
    outcomes = []

    def party_with_timeout():
        outcomes.append(outcome(barrier.wait, 0.05))

    threads = [threading.Thread(target=party_with_timeout) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("timed out", outcomes, barrier.broken, outcome(barrier.wait))
    barrier.reset()
    print("reset", barrier.broken, barrier.n_waiting)
    outcomes.clear()
    waiting = threading.Thread(target=lambda: outcomes.append(outcome(barrier.wait)))
    waiting.start()
    while barrier.n_waiting < 1:
        time.sleep(0.001)
    barrier.abort()
    waiting.join()
    print("aborted", outcomes, barrier.broken)
    barrier.reset()
    outcomes.clear()
    waiting = threading.Thread(target=lambda: outcomes.append(outcome(barrier.wait)))
    waiting.start()
    while barrier.n_waiting < 1:
        time.sleep(0.001)
    barrier.reset()
    waiting.join()
    print("reset while one waits", outcomes, barrier.broken)
    print("is a RuntimeError", issubclass(threading.BrokenBarrierError, RuntimeError))

    def fail():
        raise ValueError("action failed")

    failing = threading.Barrier(1, action=fail)
    print(outcome(failing.wait), failing.broken)
    default_timeout = threading.Barrier(2, timeout=0.05)
    print(outcome(default_timeout.wait), default_timeout.broken)
"""

THREADS = """
class Worker(threading.Thread):
    def __init__(self, results):
        super().__init__(name="worker")
        self.results = results

    def run(self):
        self.results.append(("run", threading.current_thread().name))


def work(results, value, *, twice=False):
    results.append(value * 2 if twice else value)


def main():
    results = []
    first = threading.Thread(target=work, args=(results, 5), kwargs={"twice": True})
    second = threading.Thread(target=print)
    third = threading.Thread()
    print("names", first.name, "|", second.name, "|", third.name)
    print(outcome(first.join))
    print("before start", first.is_alive(), first.ident is None, first.daemon)
    first.start()
    first.join()
    print("after join", first.is_alive(), results, first.ident is not None)
    print(outcome(first.start))
    print(outcome(threading.current_thread().join))
    selfjoin = []
    me = threading.Thread(target=lambda: selfjoin.append(outcome(me.join)))
    me.start()
    me.join()
    print("a thread joining itself", selfjoin)
    worker = Worker(results)
    worker.start()
    worker.join()
    print("subclass", results[-1])
    gate = threading.Event()
    blocked = threading.Thread(target=gate.wait, name="blocked", daemon=True)
    print("daemon", blocked.daemon, blocked.isDaemon())
    blocked.start()
    print(outcome(setattr, blocked, "daemon", False))
    start = time.monotonic()
    print("join(timeout) returns", blocked.join(0.05), blocked.is_alive())
    print("after the timeout", time.monotonic() - start >= 0.05)
    gate.set()
    blocked.join()
    print("ended", blocked.is_alive())
    inherited = []

    def spawn_child():
        child = threading.Thread(target=lambda: None)
        inherited.append(child.daemon)

    parent = threading.Thread(target=spawn_child, daemon=True)
    parent.start()
    parent.join()
    print("a daemon's child is a daemon", inherited)
    named = threading.Thread(target=work, args=(results, 1), name="named")
    named.name = "renamed"
    print("renamed", named.name, named.getName())
    print(outcome(threading.Thread, group=object()))
"""

TIMER = """
def main():
    fired = []
    timer = threading.Timer(0.05, fired.append, args=("fired",))
    print("name", timer.name)
    start = time.monotonic()
    timer.start()
    timer.join()
    print("timer", fired, time.monotonic() - start >= 0.05)
    cancelled = threading.Timer(10, fired.append, args=("never",))
    cancelled.start()
    cancelled.cancel()
    cancelled.join()
    print("cancelled", fired, cancelled.is_alive())
    keyword = threading.Timer(0.01, lambda value: fired.append(value), kwargs={"value": "kw"})
    keyword.start()
    keyword.join()
    print("kwargs", fired)
"""

INTROSPECTION = """
def main():
    main_thread = threading.main_thread()
    print("main", main_thread.name, threading.current_thread() is main_thread)
    print("alone", threading.active_count(), [t.name for t in threading.enumerate()])
    gate = threading.Event()
    seen = {}

    def look():
        me = threading.current_thread()
        seen["name"] = me.name
        seen["main"] = threading.main_thread() is main_thread
        seen["ident"] = threading.get_ident() == me.ident
        gate.wait()

    helper = threading.Thread(target=look, name="helper")
    helper.start()
    while "ident" not in seen:
        time.sleep(0.001)
    print("inside", sorted(seen.items()))
    print("two", threading.active_count(), sorted(t.name for t in threading.enumerate()))
    print("current in main", threading.current_thread().name)
    gate.set()
    helper.join()
    print("one again", threading.active_count(), [t.name for t in threading.enumerate()])
    print("get_ident is main's", threading.get_ident() == main_thread.ident)
"""

LOCAL = """
def main():
    data = threading.local()
    data.value = "main"
    seen = []

    def use():
        seen.append(hasattr(data, "value"))
        data.value = threading.current_thread().name
        seen.append(data.value)

    threads = [threading.Thread(target=use, name=f"T{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
        thread.join()
    print("per thread", seen, "main keeps", data.value)
"""

TIME = """
def main():
    start = time.monotonic()
    time.sleep(0.05)
    print("slept", time.monotonic() - start >= 0.05)
    print(outcome(time.sleep, -1))
    print("sleep(0)", time.sleep(0))
    wall = time.time()
    time.sleep(0.01)
    print("time moves on", time.time() >= wall + 0.01, time.perf_counter() > 0)
    print("monotonic_ns", time.monotonic_ns() >= int(start * 1e9))
"""

TIME_NOW = """
def main():
    time.sleep(0.5)
    now = time.time()
    print("gmtime() is now", time.gmtime()[:4] == time.gmtime(now)[:4])
    print("localtime() is now", time.localtime()[:4] == time.localtime(now)[:4])
    print("ctime() is now", time.ctime()[:13] == time.ctime(now)[:13])
    print("asctime() is now", time.asctime()[:13] == time.asctime(time.localtime(now))[:13])
    hour = "%Y-%m-%d %H"
    print("strftime is now", time.strftime(hour) == time.strftime(hour, time.localtime(now)))
    cpu = (time.process_time(), time.thread_time(), time.process_time_ns())
    print("cpu clocks", all(value >= 0 for value in cpu))
    wall = time.clock_gettime(time.CLOCK_REALTIME)
    print("CLOCK_REALTIME is time()", abs(wall - time.time()) < 60)
    ticks = time.clock_gettime(time.CLOCK_MONOTONIC)
    print("CLOCK_MONOTONIC is monotonic()", abs(ticks - time.monotonic()) < 60)
    print("ns", abs(time.clock_gettime_ns(time.CLOCK_MONOTONIC) - time.monotonic_ns()) < 6e10)
"""

CASES = {
    "lock": LOCK,
    "rlock": RLOCK,
    "condition_errors": CONDITION_ERRORS,
    "condition_timeouts": CONDITION_TIMEOUTS,
    "notify_order": NOTIFY_ORDER,
    "semaphores": SEMAPHORES,
    "event": EVENT,
    "event_set_then_cleared": EVENT_SET_THEN_CLEARED,
    "thread_exit": THREAD_EXIT,
    "to_thread_exit": TO_THREAD_EXIT,
    "barrier": BARRIER,
    "threads": THREADS,
    "timer": TIMER,
    "introspection": INTROSPECTION,
    "local": LOCAL,
    "time": TIME,
    "time_now": TIME_NOW,
}


@pytest.mark.parametrize("name", CASES)
def test_threadlab_prints_what_cpython_prints(tmp_path: Path, name: str) -> None:
    conforms(tmp_path, name, CASES[name])


# -- under threadlab only: what the user does, and what the engine sees


def paused_run(tmp_path: Path, name: str, body: str, launch: Callable[..., Runtime]) -> Runtime:
    """A run that waits for the user while a thread waits on a condition."""
    return launch(scenario_of(program(tmp_path, name, body), waits_for_user=True), paused=True)


def step_until_waiting(runtime: Runtime, name: str, limit: int = 200) -> None:
    """Let the seeded policy run until thread ``name`` waits (or blocks)."""
    for _ in range(limit):
        snapshot = runtime.snapshot()
        names = [t.name for t in snapshot.threads]
        if name in names and snapshot.thread(name).state in (
            ThreadState.WAITING,
            ThreadState.BLOCKED,
        ):
            return
        runtime.step(1)
        assert runtime.wait_idle(10)
    raise AssertionError(f"{name} never waited")


def test_timeouts_take_virtual_time_only(tmp_path: Path) -> None:
    body = """
    def main():
        cond = threading.Condition()
        with cond:
            start = time.monotonic()
            print(cond.wait(3600), round(time.monotonic() - start, 3))
        time.sleep(7200)
        print(round(time.monotonic(), 3) >= 10800)
    """
    path = program(tmp_path, "virtual", body)
    # three hours of timeouts and sleeps: really waited, they would outlast the run's
    # wait_idle(60) in under_threadlab many times over
    printed, _runtime = under_threadlab(path, 0)
    returned, waited = printed[0].split()
    assert returned == "False"
    assert 3600 <= float(waited) < 3600.02  # the clock jumped to the deadline
    assert printed[1] == "True"


SPURIOUS = """
def main():
    cond = threading.Condition()
    returned = []

    def waiter():
        with cond:
            returned.append(cond.wait())  # nobody ever notifies

    sleeper = threading.Thread(target=waiter, name="T")
    sleeper.start()
    sleeper.join()
    print("wait returned", returned)
"""


def test_a_spurious_wakeup_returns_true_without_a_notify(
    tmp_path: Path, launch: Callable[..., Runtime]
) -> None:
    runtime = paused_run(tmp_path, "spurious", SPURIOUS, launch)
    step_until_waiting(runtime, "T")
    assert runtime.snapshot().thread("T").waits_on == "cond"
    runtime.spurious_wakeup("cond", "T")
    runtime.step(1000)
    assert runtime.wait_idle(10)
    assert runtime.snapshot().run_state is RunState.FINISHED
    assert runtime.output() == ("wait returned [True]",)


def test_without_the_spurious_wakeup_it_is_a_lost_wakeup(tmp_path: Path) -> None:
    path = program(tmp_path, "spurious", SPURIOUS)
    runtime = Runtime(resolve_config(scenario_of(path), seed=0), paused=True, speed=None)
    runtime.start()
    try:
        runtime.step(1000)
        assert runtime.wait_idle(10)
        snapshot = runtime.snapshot()
    finally:
        assert runtime.stop()
    assert snapshot.run_state is RunState.LOST_WAKEUP  # nobody notifies: no cycle of holds
    assert snapshot.verdict is not None
    assert "no live thread is left to wake T " in snapshot.verdict.text
    assert "T waits on cond" in snapshot.verdict.text
    assert "MainThread waits for T to finish" in snapshot.verdict.text


JOIN_CYCLE = """
def main():
    lock = threading.Lock()

    def second():
        with lock:  # T1 holds it, and waits for T2 to finish
            pass

    def first():
        with lock:
            t2 = threading.Thread(target=second, name="T2")
            t2.start()
            t2.join()

    t1 = threading.Thread(target=first, name="T1")
    t1.start()
    t1.join()
"""


@pytest.mark.parametrize("seed", SEEDS)
def test_joining_a_thread_that_waits_for_you_is_a_deadlock_with_a_cycle(
    tmp_path: Path, seed: int
) -> None:
    path = program(tmp_path, "join_cycle", JOIN_CYCLE)
    runtime = Runtime(resolve_config(scenario_of(path), seed=seed), paused=True, speed=None)
    runtime.start()
    try:
        runtime.step(1000)
        assert runtime.wait_idle(10)
        snapshot = runtime.snapshot()
    finally:
        assert runtime.stop()
    assert snapshot.run_state is RunState.DEADLOCK
    verdict = snapshot.verdict
    assert verdict is not None
    assert "Cycle: T1 → T2 → T1." in verdict.text or "Cycle: T2 → T1 → T2." in verdict.text
    assert "T1 waits for T2 to finish" in verdict.text
    assert "MainThread waits for T1 to finish" in verdict.text
    assert set(verdict.threads) == {"MainThread", "T1", "T2"}
