"""Each buggy variant broken by stepping chosen threads, as a learner would with 1-9.

And the same moves against the fixed variants, which hold.
"""

from __future__ import annotations

from scenario_driver import Driver

from threadlab.engine import RunState, ThreadState
from threadlab.engine.model import (
    AccessKind,
    CasAttempt,
    ErrorView,
    FutureState,
    Job,
    LostUpdate,
    WorkerJob,
)


def test_spinlock_spins_until_its_exchange_succeeds(driver: Driver) -> None:
    rt = driver.open("cas", "spinlock", threads=2, rounds=1)
    driver.step(rt, "T1")  # T1's CAS swaps 0 -> 1: it holds the lock
    assert rt.snapshot().primitive("lock").value == 1
    for _ in range(3):
        snap = driver.step(rt, "T2")  # T2's CAS fails: it spins
    assert snap.primitive("lock").attempts[-1] == CasAttempt(
        "T2", expected=0, found=1, new=1, swapped=False
    )
    assert ("retries", "T1:0  T2:3") in snap.watches
    driver.step_until(rt, "T1", "store lock")
    driver.step(rt, "T1")  # T1 releases: the lock is 0 again
    snap = driver.step(rt, "T2")
    assert snap.primitive("lock").attempts[-1] == CasAttempt(
        "T2", expected=0, found=0, new=1, swapped=True
    )
    assert driver.finish(rt).run_state is RunState.FINISHED


def test_racy_counter_loses_an_update(driver: Driver) -> None:
    rt = driver.open("cas", "counter-racy", threads=2, rounds=1)
    # read, read, write, write: both write 1.
    snap = driver.step(rt, "T1", "T2", "T1", "T2")
    assert snap.run_state is RunState.VIOLATION
    assert snap.verdict is not None
    assert "counter is 1 after 2 increments: 1 lost" in snap.verdict.text
    # T2 read 0 before T1 wrote 1, so T2's write of 1 over 1 loses T1's update.
    last = snap.primitive("counter").accesses[-1]
    assert (last.thread, last.kind, last.value, last.old) == ("T2", AccessKind.WRITE, 1, 1)
    assert last.lost == LostUpdate("T1", value=1, read=0)


def test_cas_counter_survives_the_same_interleaving(driver: Driver) -> None:
    rt = driver.open("cas", "counter-cas", threads=2, rounds=1)
    snap = driver.step(rt, "T1", "T2", "T1", "T2")  # load, load, CAS ok, CAS fails
    assert snap.primitive("counter").attempts[-1] == CasAttempt(
        "T2", expected=0, found=1, new=1, swapped=False
    )
    assert snap.verdict is None
    snap = driver.finish(rt)
    assert snap.run_state is RunState.FINISHED
    assert snap.primitive("counter").value == 2
    assert ("retries", "T1:0  T2:1") in snap.watches


def test_philosophers_deadlock_in_a_cycle(driver: Driver) -> None:
    rt = driver.open("philosophers", "left-right", philosophers=3)
    for name in ("Ph1", "Ph2", "Ph3"):
        driver.step_until(rt, name, "acquire fork")
        driver.step(rt, name)  # takes the left fork
    snap = driver.step(rt, "Ph1", "Ph2", "Ph3")  # each reaches for the right one
    assert snap.run_state is RunState.DEADLOCK
    assert snap.verdict is not None
    assert "Cycle: Ph1 → Ph2 → Ph3 → Ph1" in snap.verdict.text
    assert "Ph1 waits for fork2, held by Ph2" in snap.verdict.text


def test_ordered_philosophers_cannot_be_stepped_into_a_deadlock(driver: Driver) -> None:
    rt = driver.open("philosophers", "ordered", philosophers=3)
    for name in ("Ph1", "Ph2", "Ph3"):
        driver.step_until(rt, name, "acquire fork")
    snap = driver.step(rt, "Ph1", "Ph2", "Ph3")
    # Ph3 reaches for fork1 first (the global order), so it queues behind Ph1 instead.
    assert snap.thread("Ph3").waits_on == "fork1"
    assert driver.finish(rt).run_state is RunState.FINISHED


def test_classic_readers_writers_leaves_a_writer_waiting_forever(driver: Driver) -> None:
    rt = driver.open("readers-writers", "classic", readers=1, writers=2, reads=1, writes=1)
    driver.step_until(rt, "R1", "read 1/2")  # R1 is inside: readers = 1
    driver.step_until(rt, "W1", "wait on ok_to_write")
    driver.step(rt, "W1")
    driver.step_until(rt, "W2", "wait on ok_to_write")
    snap = driver.step(rt, "W2")
    assert snap.primitive("ok_to_write").queue == ("W1", "W2")
    snap = driver.finish(rt)  # R1 leaves and signals ONE writer; W1 then wakes only readers
    assert snap.run_state is RunState.DEADLOCK
    assert snap.verdict is not None
    assert "W2 waits on ok_to_write, and no thread is left to signal it" in snap.verdict.text
    assert snap.thread("W1").state is ThreadState.DONE


def test_fair_readers_writers_lets_both_writers_through(driver: Driver) -> None:
    rt = driver.open("readers-writers", "fair", readers=1, writers=2, reads=1, writes=1)
    driver.step_until(rt, "R1", "read 1/2")
    driver.step_until(rt, "W1", "wait on ok_to_write")
    driver.step(rt, "W1")
    driver.step_until(rt, "W2", "wait on ok_to_write")
    driver.step(rt, "W2")
    assert driver.finish(rt).run_state is RunState.FINISHED


def test_a_steady_stream_of_readers_starves_the_writer(driver: Driver) -> None:
    rt = driver.open("readers-writers", "classic", readers=2, writers=1, reads=20, writes=1)
    driver.step_until(rt, "R1", "read 1/2")
    driver.step_until(rt, "W1", "wait on ok_to_write")
    driver.step(rt, "W1")
    driver.step_until(rt, "R2", "read 1/2")
    # Two readers take turns leaving and coming back, so that one is always inside:
    # readers never reaches 0 and the last-reader signal never comes.
    for _ in range(6):
        for reader in ("R1", "R2"):
            driver.step(rt, reader)
            driver.step_until(rt, reader, "read 1/2")
    snap = rt.snapshot()
    assert snap.thread("W1").state is ThreadState.WAITING
    assert snap.thread("W1").waits_on == "ok_to_write"
    assert snap.step > 60


def test_fair_writer_gets_in_despite_the_stream(driver: Driver) -> None:
    rt = driver.open("readers-writers", "fair", readers=2, writers=1, reads=20, writes=1)
    driver.step_until(rt, "R1", "read 1/2")
    driver.step_until(rt, "W1", "wait on ok_to_write")
    driver.step(rt, "W1")  # W1 announced itself: R2 may not start reading now
    driver.step_until(rt, "R2", "wait on ok_to_read")
    snap = driver.step(rt, "R2")
    assert snap.thread("R2").waits_on == "ok_to_read"


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
    snap = driver.finish(rt)
    assert snap.run_state is RunState.FINISHED
    assert dict(snap.watches)["total"] == "6"
    future = snap.primitive("future_result")
    assert (future.task, future.state, future.result) == ("a_bg_task(3)", FutureState.DONE, "6")
    assert future.worker == "ThreadPoolExecutor-0_0"  # CPython's name for the pool's first thread
    assert snap.primitive("executor").shut_down


def test_barrier_holds_the_fast_until_the_slow_arrive(driver: Driver) -> None:
    rt = driver.open("barrier", threads=2, phases=2)
    snap = driver.step(rt, "T1", "T1")  # T1 works one step, then arrives
    assert snap.thread("T1").state is ThreadState.BLOCKED
    assert snap.primitive("barrier").queue == ("T1",)
    snap = driver.step(rt, "T2", "T2", "T2")  # T2 works two steps, then arrives
    assert snap.primitive("barrier").phase == 1
    assert snap.thread("T1").state is ThreadState.RUNNABLE


def test_semaphore_hands_permits_in_fifo_order(driver: Driver) -> None:
    rt = driver.open("semaphore", permits=1, threads=3, rounds=1)
    for name in ("T1", "T2", "T3"):
        driver.step_until(rt, name, "acquire connections")
        driver.step(rt, name)
    snap = rt.snapshot()
    assert snap.primitive("connections").holders == ("T1",)
    assert snap.primitive("connections").queue == ("T2", "T3")
    driver.step_until(rt, "T1", "release connections")
    snap = driver.step(rt, "T1")
    assert snap.primitive("connections").holders == ("T2",)
    assert snap.primitive("connections").count == 0
