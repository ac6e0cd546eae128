"""A thread that stays away from any checkpoint (a busy loop, a blocking call the engine
does not control) never freezes the run: snapshots keep coming and show it running outside
the schedule, control calls are refused rather than hang, and ``stop`` returns within its
timeout and names it.

Such a thread cannot be stopped until it reaches a checkpoint, so each program here waits
for something the test controls (a file appears, a pipe is written), which the test gives
it after asserting; the thread then unwinds and the leak guard finds nothing left behind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from threadlab.engine import ControlRefused, Runtime, resolve_config
from threadlab.engine import runtime as runtime_module
from threadlab.engine.formats import runfile
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.runtime import OUTSIDE_AFTER
from threadlab.scenarios import get_scenario

pytestmark = pytest.mark.outside_schedule

BUSY = """
import os
import threading

# A library's busy loop, which threadlab does not control (a loop in the program's own
# code that calls into a library takes a step at every call).
released = "os.path.exists(os.environ['THREADLAB_TEST_RELEASE'])"
spin = eval(compile(f"lambda: [0 for _ in iter(lambda: {released}, True)]", "<a library>", "eval"))

worker = threading.Thread(target=spin, name="spinner")
worker.start()
worker.join()
"""

BLOCKED_READ = """
import os
import threading

def read():
    os.read(int(os.environ["THREADLAB_TEST_FD"]), 1)

reader = threading.Thread(target=read, name="reader")
reader.start()
reader.join()
"""

REAL_SLEEP = """
import os
import sys
import threading

real_time = sys.modules["time"]   # the process's module, as a library outside the program's
                                   # folder would have it: not the program's

def nap():
    real_time.sleep(float(os.environ["THREADLAB_TEST_NAP"]))

threading.Thread(target=nap, name="napper").start()
"""

INPUT_FIRST = """
import os
while not os.path.exists(os.environ["THREADLAB_TEST_RELEASE"]):
    pass
import threading
print(threading.current_thread().name)
"""


def start(path: Path, *, paused: bool = False) -> Runtime:
    runtime = Runtime(resolve_config(program_scenario(str(path))), paused=paused, speed=None)
    runtime.start()
    return runtime


WAIT = 60.0
"""Seconds to wait for something that must happen (a guard against a hang, not a measure)."""


def outside_view(runtime: Runtime, name: str, at_least: float) -> float:
    """Take snapshots until ``name`` is shown running outside the schedule for at least
    ``at_least`` seconds.

    Each snapshot is taken while that thread's step cannot end (it waits for something the
    test gives it only later): one that waited for the step to end would never return, and
    one that returned what it had before the step would not show the thread outside."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        snapshot = runtime.snapshot()
        views = [t for t in snapshot.threads if t.name == name]
        outside = views[0].outside_for if views else None
        if outside is not None and outside >= at_least:
            return outside
        time.sleep(0.05)
    raise AssertionError(f"{name} was never shown running outside the schedule")


@pytest.fixture
def release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    flag = tmp_path / "release"
    monkeypatch.setenv("THREADLAB_TEST_RELEASE", str(flag))
    yield flag
    flag.touch()  # whatever happened, let the busy thread go


def test_a_busy_loop_is_shown_and_named_by_stop(tmp_path: Path, release: Path) -> None:
    program = tmp_path / "busy.py"
    program.write_text(BUSY)
    runtime = start(program)
    first = outside_view(runtime, "spinner", OUTSIDE_AFTER)
    later = outside_view(runtime, "spinner", first + 0.3)
    assert later > first
    snapshot = runtime.snapshot()
    assert snapshot.thread("MainThread").outside_for is None
    assert runtime.wait_idle(0.2) is False  # the step never ends by itself
    with pytest.raises(ControlRefused, match="spinner is running outside the schedule"):
        runtime.step()
    # the spinner cannot end before release is touched: stop returns while it still runs
    assert runtime.stop(timeout=0.5) is False
    assert runtime.unstoppable() == ("spinner",)
    assert not release.exists()
    assert runtime.snapshot().thread("spinner").outside_for is not None
    release.touch()


def test_a_blocking_read_is_shown_and_ends_once_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_end, write_end = os.pipe()
    monkeypatch.setenv("THREADLAB_TEST_FD", str(read_end))
    program = tmp_path / "reads.py"
    program.write_text(BLOCKED_READ)
    try:
        runtime = start(program)
        outside_view(runtime, "reader", OUTSIDE_AFTER)
        assert runtime.stop(timeout=0.3) is False
        assert runtime.unstoppable() == ("reader",)
    finally:
        os.write(write_end, b"x")  # the read returns; at its next checkpoint it unwinds
        os.close(write_end)
    time.sleep(0.1)
    os.close(read_end)


def test_a_real_sleep_is_outside_the_schedule_and_the_run_goes_on_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THREADLAB_TEST_NAP", "1.2")
    program = tmp_path / "naps.py"
    program.write_text(REAL_SLEEP)
    runtime = start(program)
    try:
        outside_view(runtime, "napper", OUTSIDE_AFTER)
        assert runtime.wait_idle(WAIT)  # the real sleep ends, and so does the program
        snapshot = runtime.snapshot()
        assert snapshot.run_state.name == "FINISHED"
        assert all(t.outside_for is None for t in snapshot.threads)
    finally:
        assert runtime.stop()
    assert runtime.unstoppable() == ()


def test_a_main_thread_busy_before_its_first_checkpoint_does_not_hold_up_start(
    tmp_path: Path, release: Path
) -> None:
    program = tmp_path / "first.py"
    program.write_text(INPUT_FIRST)
    runtime = start(program, paused=True)
    try:
        # start returned while the main thread is still busy before its first checkpoint
        # (it cannot get past its loop before release is touched, below)
        assert not release.exists()
        assert runtime.output() == ()
        outside_view(runtime, "MainThread", OUTSIDE_AFTER)
        release.touch()
        deadline = time.monotonic() + WAIT
        while runtime.snapshot().thread("MainThread").outside_for is not None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert runtime.wait_idle(WAIT)
        # the thread's end is noted just after its last checkpoint: under load, a moment later
        while runtime.snapshot().run_state.name != "FINISHED":
            assert time.monotonic() < deadline, runtime.snapshot().run_state
            time.sleep(0.02)
        assert runtime.output() == ("MainThread",)
    finally:
        assert runtime.stop()


def test_a_replay_whose_start_goes_late_still_reexecutes_the_whole_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A program slow to reach its first checkpoint (a heavy import on a loaded machine)
    makes ``start`` return early and finish in a thread of its own: a re-execution (run
    files' record and check) must wait for it, not compare what it had before the replay.
    No patience at all makes every start late, as a busy machine did now and then."""
    config = resolve_config(get_scenario("mutex"), "locked")
    live = Runtime(config, paused=True, speed=None)
    live.start()
    live.step(10)
    assert live.wait_idle(WAIT)
    history = live.history_record.copy()
    assert live.stop()
    recorded = runfile.record(config, history)
    assert recorded.events
    monkeypatch.setattr(runtime_module, "START_PATIENCE", 0.0)
    assert runfile.record(config, history).events == recorded.events
    matches, summary = runfile.check(recorded)
    assert matches, summary
