"""The awake clock, on which a thread's time outside the schedule is measured, stops while
the process is stopped (Ctrl+Z, a laptop asleep, an overloaded machine), and runs while one
of its threads holds the interpreter in a long C call, for the CPU time it uses (that
thread is awake, and may be the one to name). Each case runs in a process of its own,
stopped and resumed for real."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

MEASURE = """
import sys, time
from threadlab.engine.core import awake
awake.now()
time.sleep(0.5)  # the ticker is running
wall, clock, cpu = time.monotonic(), awake.now(), time.process_time()
print("ready", flush=True)
{work}
time.sleep(0.6)  # a tick or two after the work, so the ticker has seen it
print(time.monotonic() - wall, awake.now() - clock, time.process_time() - cpu, flush=True)
"""


pytestmark = pytest.mark.main_python_only


def measured(work: str, stop_for: float = 0.0) -> tuple[float, float, float]:
    """Wall seconds, awake seconds and the process's CPU seconds over ``work``, the
    process stopped ``stop_for`` seconds meanwhile."""
    child = subprocess.Popen(
        [sys.executable, "-c", MEASURE.format(work=work)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        if stop_for:
            child.send_signal(signal.SIGSTOP)
            time.sleep(stop_for)
            child.send_signal(signal.SIGCONT)
        wall, awake, cpu = map(float, child.stdout.readline().split())
        assert child.wait(60) == 0
    finally:
        child.kill()
    return wall, awake, cpu


def test_a_stopped_process_is_not_awake() -> None:
    wall, awake, _cpu = measured("time.sleep(0.5)", stop_for=3.0)
    assert wall >= 3.0
    assert awake <= wall - 2.0, (wall, awake)


def test_a_long_call_that_holds_the_interpreter_is_awake() -> None:
    # sum() over a range runs in C without letting another thread in: the ticker oversleeps.
    wall, awake, cpu = measured("sum(range(60_000_000))")
    # Awake for at least the CPU time it used (all of the call's, on an idle machine).
    assert awake >= 0.9 * cpu, (wall, awake, cpu)
    assert cpu >= 0.5, cpu  # the call did run for a while


READS = """
import time
from threadlab.engine.core import awake
awake.now()
print("ready", flush=True)
jump, last, end = 0.0, awake.now(), time.monotonic() + 4.5
while time.monotonic() < end:
    time.sleep(0.01)
    read = awake.now()
    jump, last = max(jump, read - last), read
print(jump, flush=True)
"""


def test_a_reading_just_after_a_stall_does_not_see_it() -> None:
    """A thread that wakes before the ticker, right after the process resumes, reads the
    clock without the stall in it (else it would take a stalled turn for a stuck one)."""
    child = subprocess.Popen([sys.executable, "-c", READS], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        child.send_signal(signal.SIGSTOP)
        time.sleep(3.0)
        child.send_signal(signal.SIGCONT)
        jump = float(child.stdout.readline())
        assert child.wait(60) == 0
    finally:
        child.kill()
    assert jump < 1.5, jump
