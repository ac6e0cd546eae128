"""The kernel interface, used as a primitive author would, and snapshots that never show half
a step."""

from __future__ import annotations

import threading
import time
from collections import deque

from engine_helpers import Program, advance, start_threads

from threadlab.engine import (
    ControlRefused,
    EventKind,
    RunState,
    Runtime,
    ThreadState,
    resolve_config,
)
from threadlab.engine.core.kernel import Kernel
from threadlab.engine.core.threads import bound
from threadlab.engine.primitives.base import Primitive
from threadlab.engine.snapshot.model import PrimitiveKind, PrimitiveView
from threadlab.scenarios import get_scenario


class Mailbox(Primitive):
    """A primitive written only against the kernel: ``send`` hands a letter straight to a
    waiting receiver, or keeps it; ``receive`` takes one, or waits to be handed one."""

    kind = PrimitiveKind.QUEUE  # any kind will do; this one is not a condition

    def __init__(self, kernel: Kernel, name: str) -> None:
        super().__init__(kernel, name)
        self.letters: deque[str] = deque()

    def send(self, letter: str) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"send {letter}")
        with kernel.lock:
            kernel.emit(thread, EventKind.PUT, self.name, letter)
            if not self.hand_to_waiter(letter, f"read {letter}"):
                self.letters.append(letter)

    def receive(self) -> str:
        kernel = self._kernel
        thread = kernel.checkpoint("receive")
        with kernel.lock:
            if self.letters:
                return self.letters.popleft()
            kernel.emit(thread, EventKind.IDLE, self.name, "no letter yet")
            kernel.park(thread, self, ThreadState.WAITING)
        letter: str = kernel.resume(thread)
        return letter

    def view(self) -> PrimitiveView:
        return PrimitiveView(name=self.name, kind=self.kind, queue=self._queue_names())


def mailbox(name: str) -> Mailbox:
    """A mailbox of the run of the calling thread (what a program calls to make one)."""
    kernel, _thread = bound()
    box = Mailbox(kernel, name)
    with kernel.lock:
        kernel.register(box)
    return box


READER_AND_WRITER = """
    import threading

    from test_engine_kernel import mailbox

    box = mailbox("box")
    received = []


    def reader():
        received.append(box.receive())
        received.append(box.receive())


    def writer():
        box.send("first")
        box.send("second")


    threading.Thread(target=reader, name="R").start()
    threading.Thread(target=writer, name="W").start()
"""


def test_a_primitive_written_against_the_kernel_parks_wakes_and_hands_over(
    launch, tmp_path
) -> None:
    program = Program(tmp_path, READER_AND_WRITER)
    runtime = launch(program.scenario)
    start_threads(runtime)
    waiting = advance(runtime, "R")
    assert waiting.thread("R").state is ThreadState.WAITING
    assert waiting.thread("R").waits_on == "box"
    assert waiting.primitive("box").queue == ("R",)
    handed = advance(runtime, "W")
    assert handed.thread("R").state is ThreadState.RUNNABLE
    assert handed.thread("R").operation == "read first"
    assert handed.primitive("box").queue == ()
    final = advance(runtime, "R", "W", "R")
    assert program.globals["received"] == ["first", "second"]
    kinds = [e.kind for e in final.events if e.primitive == "box"]
    assert kinds == [EventKind.IDLE, EventKind.PUT, EventKind.PUT]
    runtime.step(20)
    assert runtime.wait_idle(10)
    assert runtime.snapshot().run_state is RunState.FINISHED


READER_ALONE = """
    import threading

    from test_engine_kernel import mailbox

    box = mailbox("box")
    threading.Thread(target=box.receive, name="R").start()
"""


def test_a_thread_parked_for_good_in_a_kernel_primitive_is_a_deadlock(launch, tmp_path) -> None:
    runtime = launch(Program(tmp_path, READER_ALONE).scenario)
    start_threads(runtime)
    advance(runtime, "MainThread")  # the main thread waits for R to finish
    final = advance(runtime, "R")
    assert final.run_state is RunState.DEADLOCK
    assert final.verdict is not None and final.verdict.threads == ("MainThread", "R")


def test_snapshots_taken_while_it_runs_at_max_speed_never_show_half_a_step(launch) -> None:
    """Between two steps no thread is running: a snapshot showing one would be a frame
    taken in the middle of a step."""
    scenario = get_scenario("producer-consumer")
    runtime = launch(scenario, params={"items": 50}, paused=False, speed=None)
    seen: list[int] = []
    for _ in range(300):
        snapshot = runtime.snapshot()
        running = [t.name for t in snapshot.threads if t.state is ThreadState.RUNNING]
        assert running == [], f"step {snapshot.step} shows {running} running"
        if snapshot.timeline:
            assert snapshot.timeline[-1].step == snapshot.step
        seen.append(snapshot.step)
        if snapshot.run_state is not RunState.RUNNING:
            break
    assert seen == sorted(seen)
    assert len(set(seen)) > 1, "the run did not move while snapshots were taken"


def test_a_paused_run_shows_the_state_after_each_step_it_was_given(launch) -> None:
    """The semaphore scenario stepped while paused (its main thread starts T1 and T2, then
    each takes two steps): every frame is final."""
    runtime = launch(get_scenario("semaphore"), paused=True, speed=4)
    order = ("MainThread", "MainThread", "T1", "T1", "T2", "T2", "T1", "T2")
    for step, name in enumerate(order, start=1):
        runtime.step_thread(name)
        during = runtime.snapshot()  # before, or after, the step: never in the middle
        assert runtime.wait_idle()
        after = runtime.snapshot()
        assert during.step in (step - 1, step)
        assert all(t.state is not ThreadState.RUNNING for t in during.threads)
        assert after.step == step
        assert after.run_state is RunState.PAUSED
        assert runtime.snapshot().threads == after.threads  # and it stays that way


def test_snapshots_taken_while_it_rewinds_show_whole_steps_of_the_replay(launch) -> None:
    scenario = get_scenario("producer-consumer")
    runtime = launch(scenario, params={"items": 50}, paused=True, speed=None)
    runtime.step(3000)
    assert runtime.wait_idle()
    end = runtime.snapshot().step
    seen: list[int] = []
    rewind = threading.Thread(target=runtime.goto, args=(end - 1,))
    rewind.start()
    while rewind.is_alive():
        snapshot = runtime.snapshot()
        assert not [t for t in snapshot.threads if t.state is ThreadState.RUNNING]
        seen.append(snapshot.step)
    rewind.join()
    assert runtime.snapshot().step == end - 1
    replayed = [step for step in seen if step != end]  # frames of the old run come first
    assert seen[: len(seen) - len(replayed)] == [end] * (len(seen) - len(replayed))
    assert replayed == sorted(replayed)
    assert all(step <= end - 1 for step in replayed)


class SlowRewind:
    """A producer-consumer run whose rewinds are slowed down (a millisecond a replayed
    step), so that a stop or a cancel surely comes while one is under way."""

    def __init__(self, steps: int) -> None:
        self.replaying = threading.Event()
        self.slow = threading.Event()
        self.outcome: list[BaseException] = []
        config = resolve_config(get_scenario("producer-consumer"), params={"items": 50})
        self.runtime = Runtime(config, paused=True, speed=None, step_sink=self._step_sink)
        self.runtime.start()
        self.runtime.step(steps)
        assert self.runtime.wait_idle()

    def _step_sink(self, step: int, states: object) -> None:
        if self.slow.is_set():
            self.replaying.set()
            time.sleep(0.001)

    def rewind_to(self, step: int) -> threading.Thread:
        """Go to ``step`` in a thread of its own, once the rewind is under way."""

        def go() -> None:
            try:
                self.runtime.goto(step)
            except BaseException as error:
                self.outcome.append(error)

        self.slow.set()
        thread = threading.Thread(target=go)
        thread.start()
        assert self.replaying.wait(timeout=10)
        return thread


def test_stop_cuts_a_rewind_short_and_no_new_run_starts() -> None:
    slowed = SlowRewind(3000)
    runtime = slowed.runtime
    try:
        end = runtime.snapshot().step
        rewind = slowed.rewind_to(end - 1)
        assert runtime.stop()
        rewind.join(timeout=10)
        assert not rewind.is_alive()
        assert len(slowed.outcome) == 1 and isinstance(slowed.outcome[0], ControlRefused)
        # The rewind was abandoned: the run shown is the one it was (not step end - 1).
        assert runtime.snapshot().step == end
    finally:
        runtime.stop()


def test_a_sink_that_raises_stops_the_run_and_wedges_nothing() -> None:
    def sink(event: object) -> None:
        raise BrokenPipeError("the reader went away")

    config = resolve_config(get_scenario("mutex"))
    runtime = Runtime(config, paused=True, speed=None, event_sink=sink)
    runtime.start()
    try:
        runtime.step(50)
        assert runtime.wait_idle(timeout=10)
        assert isinstance(runtime.sink_error, BrokenPipeError)
        assert runtime.snapshot().step < 50
        assert [t for t in runtime.snapshot().threads if t.state is ThreadState.FAILED] == []
    finally:
        assert runtime.stop()


def test_a_cancelled_rewind_leaves_the_run_where_it_was() -> None:
    slowed = SlowRewind(2000)
    runtime = slowed.runtime
    try:
        before = runtime.snapshot()
        rewind = slowed.rewind_to(before.step - 1)
        assert runtime.travel_progress is not None
        assert runtime.snapshot().step == before.step  # the old run stays on screen
        assert runtime.cancel_travel()
        rewind.join(timeout=10)
        slowed.slow.clear()
        assert len(slowed.outcome) == 1 and "cancelled" in str(slowed.outcome[0])
        after = runtime.snapshot()
        assert after.step == before.step
        assert after.threads == before.threads
        assert runtime.travel_progress is None
        runtime.step_back()  # and the run goes on as before: a rewind still works
        assert runtime.snapshot().step == before.step - 1
    finally:
        assert runtime.stop()


def test_a_name_taken_by_a_thread_or_a_primitive_gets_the_next_number() -> None:
    kernel = Kernel("program.py")
    kernel.spawn("worker", lambda: None, ())
    kernel.register(Mailbox(kernel, "box"))
    kernel.register(Mailbox(kernel, "box-2"))
    assert kernel.unique_name("worker") == "worker-2"
    assert kernel.unique_name("box") == "box-3"  # box-2 is taken too
    assert kernel.unique_name("box") == "box-4"
    assert kernel.unique_name("fresh") == "fresh"
    assert kernel.unique_name("fresh") == "fresh-2"
