"""Each buggy variant broken by stepping chosen threads, as a learner would with 1-9.

And the same moves against the fixed variants, which hold.
"""

from __future__ import annotations

from scenario_driver import Driver

from threadlab.engine import RunState, Runtime, ThreadState
from threadlab.engine.snapshot.model import ErrorView, FutureState, Job, WorkerJob


def start_threads(driver: Driver, rt: Runtime) -> None:
    """Step MainThread until it has started every thread and waits to join the first."""
    driver.step_until(rt, "MainThread", "join")
    driver.step(rt, "MainThread")


def test_unlocked_mutex_lets_two_threads_into_the_critical_section(driver: Driver) -> None:
    rt = driver.open("mutex", "unlocked", threads=2, rounds=1)
    start_threads(driver, rt)
    snap = driver.step_until(rt, "T1", "sleep 0.002")  # T1 is inside critical_section()
    assert snap.verdict is None
    driver.step_until(rt, "T2", "sleep 0.002")  # T2 walks in too: no mutex stops it
    snap = rt.snapshot()
    assert snap.run_state is RunState.VIOLATION
    assert snap.verdict is not None
    assert "T1 and T2 are in the critical section together" in snap.verdict.text
    assert set(snap.verdict.threads) == {"T1", "T2"}


def test_locked_mutex_queues_the_second_thread_instead(driver: Driver) -> None:
    rt = driver.open("mutex", "locked", threads=2, rounds=1)
    start_threads(driver, rt)
    driver.step_until(rt, "T1", "sleep 0.002")  # T1 holds the mutex, inside
    driver.step_until(rt, "T2", "acquire mutex")
    snap = driver.step(rt, "T2")
    assert snap.thread("T2").state is ThreadState.BLOCKED
    assert snap.primitive("mutex").owner == "T1"
    assert snap.primitive("mutex").queue == ("T2",)
    assert snap.verdict is None
    assert driver.finish(rt).run_state is RunState.FINISHED


def test_spinlock_spins_until_its_exchange_succeeds(driver: Driver) -> None:
    rt = driver.open("cas", "spinlock", threads=2, rounds=1)
    start_threads(driver, rt)
    driver.step(rt, "T1", "T1")  # T1's compare_exchange swaps 0 -> 1: it holds the lock
    snap = driver.step_until(rt, "T1", "sleep 0.002")  # inside its critical section
    assert ("lock", "LOCKED") in snap.watches
    for _ in range(3):  # T2's compare_exchange finds 1 three times: it spins
        driver.step_until(rt, "T2", "acquire cmpxchg")
        driver.step(rt, "T2")
    snap = driver.step_until(rt, "T2", "acquire cmpxchg")
    assert ("retries", "T1:0  T2:3") in snap.watches
    assert snap.verdict is None
    snap = driver.finish(rt)
    assert snap.run_state is RunState.FINISHED
    assert ("lock", "UNLOCKED") in snap.watches


def test_racy_counter_loses_an_update(driver: Driver) -> None:
    rt = driver.open("cas", "counter-racy", threads=2, rounds=1)
    start_threads(driver, rt)
    # T1 reads 0, T2 reads 0, T1 writes 1, T2 writes 1: T1's update is lost.
    snap = driver.step(rt, "T1", "T2")
    assert snap.thread("T1").operation == snap.thread("T2").operation == "sleep 0 s (yield)"
    snap = driver.step(rt, "T1")
    assert ("counter", "1") in snap.watches
    assert snap.verdict is None
    snap = driver.step(rt, "T2")
    assert ("counter", "1") in snap.watches
    assert snap.run_state is RunState.VIOLATION
    assert snap.verdict is not None
    assert "counter is 1 after 2 increments: 1 lost" in snap.verdict.text


def test_cas_counter_survives_the_same_interleaving(driver: Driver) -> None:
    rt = driver.open("cas", "counter-cas", threads=2, rounds=1)
    start_threads(driver, rt)
    snap = driver.step(rt, "T1", "T2")  # both read 0
    assert snap.thread("T1").operation == snap.thread("T2").operation == "sleep 0 s (yield)"
    driver.step_until(rt, "T1", "release cmpxchg")  # T1's exchange 0 -> 1 succeeds
    snap = driver.step_until(rt, "T1", "done")
    assert ("counter", "1") in snap.watches
    driver.step(rt, "T2")
    snap = driver.step_until(rt, "T2", "sleep 0 s")  # T2's exchange finds 1, not 0: it retries
    assert ("retries", "T1:0  T2:1") in snap.watches
    assert ("counter", "1") in snap.watches
    assert snap.verdict is None
    snap = driver.finish(rt)
    assert snap.run_state is RunState.FINISHED
    assert ("counter", "2") in snap.watches


def test_philosophers_deadlock_in_a_cycle(driver: Driver) -> None:
    rt = driver.open("philosophers", "left-right", philosophers=3)
    start_threads(driver, rt)
    for name in ("Ph1", "Ph2", "Ph3"):
        driver.step_until(rt, name, "acquire forks")
        driver.step(rt, name)  # takes the left fork
    snap = driver.step(rt, "Ph1", "Ph2", "Ph3")  # each reaches for the right one
    assert snap.run_state is RunState.DEADLOCK
    assert snap.verdict is not None
    assert "Cycle: Ph1 → Ph2 → Ph3 → Ph1" in snap.verdict.text
    assert "Ph1 waits for forks[1], held by Ph2" in snap.verdict.text
    assert "Ph3 waits for forks[0], held by Ph1" in snap.verdict.text


def test_ordered_philosophers_cannot_be_stepped_into_a_deadlock(driver: Driver) -> None:
    rt = driver.open("philosophers", "ordered", philosophers=3)
    start_threads(driver, rt)
    for name in ("Ph1", "Ph2", "Ph3"):
        driver.step_until(rt, name, "acquire forks")
    snap = driver.step(rt, "Ph1", "Ph2", "Ph3")
    # Ph3 reaches for forks[0] first (the global order), so it queues behind Ph1 instead.
    assert snap.thread("Ph3").waits_on == "forks[0]"
    assert driver.finish(rt).run_state is RunState.FINISHED


def open_readers_writers(driver: Driver, variant: str, **params: int) -> Runtime:
    """A readers-writers run whose MainThread has started every reader and writer."""
    rt = driver.open("readers-writers", variant, **params)
    driver.step_until(rt, "MainThread", "join")
    return rt


def test_lesson_readers_writers_leaves_a_writer_waiting_forever(driver: Driver) -> None:
    rt = open_readers_writers(driver, "lesson", readers=1, writers=2, reads=1, writes=1)
    driver.step_until(rt, "R1", "sleep 0.002")  # R1 counted itself in: readers = 1
    driver.step_until(rt, "W1", "wait on write_gate")
    driver.step(rt, "W1")
    driver.step_until(rt, "W2", "wait on write_gate")
    snap = driver.step(rt, "W2")
    assert snap.primitive("write_gate").queue == ("W1", "W2")
    assert snap.primitive("write_gate").mutex == "mutex"
    assert snap.primitive("read_gate").mutex == "mutex"
    assert snap.watches[:2] == (("readers", "1"), ("data", "0"))
    snap = driver.finish(rt)  # R1 leaves and notifies ONE writer; W1 writes, wakes nobody
    assert snap.run_state is RunState.LOST_WAKEUP  # no cycle of locks: a signal never sent
    assert snap.verdict is not None
    assert snap.verdict.text.startswith("Lost wakeup: no thread can run")
    assert "no live thread is left to wake W2" in snap.verdict.text
    assert "Cycle" not in snap.verdict.text
    assert snap.verdict.threads[0] == "W2"
    assert "W2 waits on write_gate, and no thread is left to signal it" in snap.verdict.text
    assert "MainThread waits for W2 to finish" in snap.verdict.text
    assert snap.thread("W1").state is ThreadState.DONE
    assert snap.watches[:2] == (("readers", "0"), ("data", "W1.1"))


def test_classic_readers_writers_leaves_a_writer_waiting_forever(driver: Driver) -> None:
    rt = open_readers_writers(driver, "classic", readers=1, writers=2, reads=1, writes=1)
    driver.step_until(rt, "R1", "sleep 0.002")  # R1 is inside: readers = 1
    driver.step_until(rt, "W1", "wait on write_gate")
    driver.step(rt, "W1")
    driver.step_until(rt, "W2", "wait on write_gate")
    snap = driver.step(rt, "W2")
    assert snap.primitive("write_gate").queue == ("W1", "W2")
    snap = driver.finish(rt)  # R1 leaves and notifies ONE writer; W1 then wakes only readers
    assert snap.run_state is RunState.LOST_WAKEUP
    assert snap.verdict is not None
    assert "W2 waits on write_gate, and no thread is left to signal it (line 72)" in (
        snap.verdict.text
    )
    assert snap.thread("W1").state is ThreadState.DONE


def test_fair_readers_writers_lets_both_writers_through(driver: Driver) -> None:
    rt = open_readers_writers(driver, "fair", readers=1, writers=2, reads=1, writes=1)
    driver.step_until(rt, "R1", "sleep 0.002")
    driver.step_until(rt, "W1", "wait on write_gate")
    driver.step(rt, "W1")
    driver.step_until(rt, "W2", "wait on write_gate")
    snap = driver.step(rt, "W2")
    assert snap.primitive("write_gate").queue == ("W1", "W2")
    assert snap.watches == (("readers", "1"), ("data", "0"), ("writers waiting", "2"))
    assert driver.finish(rt).run_state is RunState.FINISHED


def test_a_steady_stream_of_readers_starves_the_writer(driver: Driver) -> None:
    rt = open_readers_writers(driver, "classic", readers=2, writers=1, reads=20, writes=1)
    driver.step_until(rt, "R1", "sleep 0.002")
    driver.step_until(rt, "W1", "wait on write_gate")
    driver.step(rt, "W1")
    driver.step_until(rt, "R2", "sleep 0.002")
    # Two readers take turns leaving and coming back, so that one is always inside:
    # readers never reaches 0 and the last reader's notify never comes.
    # (A reader that steps into reading sleeps; time moves on as the other one steps.)
    for _ in range(6):
        for reader in ("R1", "R2"):
            driver.step_until(rt, reader, "sleep 0.002")
            driver.step(rt, reader)
            assert rt.snapshot().watches[0] == ("readers", "2")
    snap = rt.snapshot()
    assert snap.thread("W1").state is ThreadState.WAITING
    assert snap.thread("W1").waits_on == "write_gate"
    assert snap.step > 60


def test_fair_writer_gets_in_despite_the_stream(driver: Driver) -> None:
    rt = open_readers_writers(driver, "fair", readers=2, writers=1, reads=20, writes=1)
    driver.step_until(rt, "R1", "sleep 0.002")
    driver.step_until(rt, "W1", "wait on write_gate")
    driver.step(rt, "W1")  # W1 announced itself: R2 may not start reading now
    driver.step_until(rt, "R2", "wait on read_gate")
    snap = driver.step(rt, "R2")
    assert snap.thread("R2").waits_on == "read_gate"


def test_a_failing_task_raises_out_of_result(driver: Driver) -> None:
    rt = driver.open("futures", tasks=3, workers=1, failing=2)
    snap = driver.finish(rt)
    assert snap.run_state is RunState.FINISHED
    assert dict(snap.watches) == {"total": "10", "errors": "1"}
    f2 = snap.primitive("futures[1]")
    assert (f2.state, f2.result) == (FutureState.FAILED, None)
    assert f2.error == ErrorView("ValueError", "cannot square 2")
    raised = [e for e in snap.events if e.kind == "result" and e.primitive == "futures[1]"]
    assert raised and raised[0].detail.startswith("raised ValueError")
    assert raised[0].thread == "MainThread"


def test_main_blocks_on_result_until_a_worker_settles_it(driver: Driver) -> None:
    rt = driver.open("futures", tasks=2, workers=1, failing=0)
    snap = driver.step_until(rt, "MainThread", "futures[0].result()")
    assert [t.name for t in snap.threads] == ["MainThread", "W_0"]  # one worker, started lazily
    snap = driver.step(rt, "MainThread")
    assert snap.thread("MainThread").state is ThreadState.BLOCKED
    assert snap.thread("MainThread").waits_on == "futures[0]"
    assert snap.primitive("futures[0]").queue == ("MainThread",)
    assert snap.primitive("executor").queued == (
        Job("square(1, 0)", "futures[0]"),
        Job("square(2, 0)", "futures[1]"),
    )
    driver.step_until(rt, "W_0", "take a task")
    snap = driver.step(rt, "W_0")  # the worker takes the oldest task
    f1 = snap.primitive("futures[0]")
    assert (f1.state, f1.worker) == (FutureState.RUNNING, "W_0")
    assert snap.primitive("executor").queued == (Job("square(2, 0)", "futures[1]"),)
    assert snap.primitive("executor").busy == (WorkerJob("W_0", Job("square(1, 0)", "futures[0]")),)
    for _ in range(10):  # square(1) sleeps 2 ms of virtual time, then returns
        if snap.primitive("futures[0]").state is FutureState.DONE:
            break
        snap = driver.step(rt, "W_0")
    assert (snap.primitive("futures[0]").state, snap.primitive("futures[0]").result) == (
        FutureState.DONE,
        "1",
    )
    assert snap.thread("MainThread").state is ThreadState.RUNNABLE


def test_futures_lesson_example_runs_in_a_pool_thread(driver: Driver) -> None:
    rt = driver.open("futures", "lesson")
    for _ in range(200):  # to the end of the with block, where lesson() still has both
        snap = rt.snapshot()
        if snap.thread("MainThread").operation.startswith("shutdown"):
            break
        rt.step(1)
        assert rt.wait_idle(10)
    snap = driver.step(rt, "MainThread")
    future = snap.primitive("future_result")
    assert (future.task, future.state, future.result) == ("a_bg_task(3)", FutureState.DONE, "6")
    assert future.worker == "ThreadPoolExecutor-0_0"  # CPython's name for the pool's first thread
    assert snap.primitive("executor").shut_down
    snap = driver.finish(rt)
    assert snap.run_state is RunState.FINISHED
    assert dict(snap.watches)["total"] == "6"
    # lesson() has returned: the future and the pool it dropped have left the panels
    assert {p.name for p in snap.primitives}.isdisjoint({"future_result", "executor"})


def test_barrier_holds_the_fast_until_the_slow_arrive(driver: Driver) -> None:
    rt = driver.open("barrier", threads=2, phases=2)
    start_threads(driver, rt)
    driver.step_until(rt, "T2", "sleep 0.002")
    driver.step(rt, "T2")  # T2 works 2 ms: it sleeps
    driver.step_until(rt, "T1", "wait at barrier")  # T1 works 1 ms, then arrives
    snap = driver.step(rt, "T1")
    assert snap.thread("T1").state is ThreadState.BLOCKED
    assert snap.primitive("barrier").queue == ("T1",)
    assert ("phases", "T1:1  T2:1") in snap.watches  # each thread's own loop variable
    snap = driver.step_until(rt, "T2", "wait at barrier")  # the clock went on: T2 is awake
    assert snap.primitive("barrier").phase == 0
    snap = driver.step(rt, "T2")  # the last party arrives: all go on
    assert snap.primitive("barrier").phase == 1
    assert snap.thread("T1").state is ThreadState.RUNNABLE
    assert driver.finish(rt).run_state is RunState.FINISHED


def test_semaphore_wakes_its_waiters_in_fifo_order(driver: Driver) -> None:
    rt = driver.open("semaphore", permits=1, threads=3, rounds=1)
    start_threads(driver, rt)
    for name in ("T1", "T2", "T3"):
        driver.step_until(rt, name, "acquire connections")
        driver.step(rt, name)
    snap = rt.snapshot()
    assert snap.primitive("connections").holders == ("T1",)
    assert snap.primitive("connections").queue == ("T2", "T3")
    assert ("in use", "T1") in snap.watches
    driver.step_until(rt, "T1", "release connections")
    snap = driver.step(rt, "T1")  # frees the permit and wakes the first waiter, T2 (not T3)
    assert snap.primitive("connections").queue == ("T3",)
    assert snap.primitive("connections").count == 1
    assert snap.thread("T2").state is ThreadState.RUNNABLE
    assert snap.thread("T3").state is ThreadState.BLOCKED
    snap = driver.step(rt, "T2")  # T2 tries again and takes it
    assert snap.primitive("connections").holders == ("T2",)
    assert snap.primitive("connections").count == 0
