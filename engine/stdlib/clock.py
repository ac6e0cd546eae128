"""``time``, controlled: the run's virtual clock.

``sleep`` is a checkpoint; a positive sleep leaves the thread SLEEPING until the clock
reaches its end. ``monotonic``, ``perf_counter`` and ``time`` read the clock, which moves
on a millisecond a step and jumps ahead when every thread sleeps or waits with a timeout,
so a run's times are the same every time it runs. So do whatever else reads "now":
``gmtime()``, ``localtime()``, ``ctime()``, ``asctime()``, ``strftime(format)``, the CPU
clocks (``process_time``, ``thread_time``) and ``clock_gettime``.
"""

from __future__ import annotations

import time as _real_time
from asyncio import events as _asyncio_events
from typing import Any

from ..core.kernel import INTERRUPTED
from ..core.threads import bound

EPOCH = 1_767_225_600.0
"""What ``time.time()`` says at the start of every run: 2026-01-01 00:00 UTC."""


def sleep(secs: float) -> None:
    if secs < 0:
        raise ValueError("sleep length must be non-negative")
    kernel, thread = bound()
    if kernel.inside_engine(thread):
        return  # a finalizer run inside the engine's own work: no time can pass there
    kernel.checkpoint(f"sleep {secs:g} s" if secs else "sleep 0 s (yield)")
    if secs == 0:
        return
    # Inside a coroutine of the loop this thread runs, the sleep holds the whole loop: every
    # task stalls until it returns (the timeline draws it so, not as a step that ran).
    stalls = _asyncio_events._get_running_loop() is not None
    deadline = kernel.clock + secs
    try:
        # A signal's handler interrupts it; then it sleeps the rest, as CPython's (PEP 475).
        while True:
            with kernel.lock:
                thread.stalls_loop = stalls
                kernel.sleep(thread, deadline, f"sleeping until {deadline:.3f} s")
            if kernel.resume(thread) is not INTERRUPTED:
                return
    finally:
        thread.stalls_loop = False


def monotonic() -> float:
    kernel, _thread = bound()
    return kernel.clock


def monotonic_ns() -> int:
    return round(monotonic() * 1e9)


perf_counter = monotonic
perf_counter_ns = monotonic_ns


def time() -> float:
    return EPOCH + monotonic()


def time_ns() -> int:
    return round(time() * 1e9)


# What reads "now" without being asked for a time: the virtual now, not the machine's.


def gmtime(secs: float | None = None) -> _real_time.struct_time:
    return _real_time.gmtime(time() if secs is None else secs)


def localtime(secs: float | None = None) -> _real_time.struct_time:
    return _real_time.localtime(time() if secs is None else secs)


def ctime(secs: float | None = None) -> str:
    return _real_time.ctime(time() if secs is None else secs)


def asctime(t: Any = None) -> str:
    return _real_time.asctime(localtime() if t is None else t)


def strftime(format: str, t: Any = None) -> str:
    return _real_time.strftime(format, localtime() if t is None else t)


# CPU time is the run's time too: a step is the work it stands for.
process_time = thread_time = monotonic
process_time_ns = thread_time_ns = monotonic_ns

_WALL_CLOCKS = {
    getattr(_real_time, name)
    for name in ("CLOCK_REALTIME", "CLOCK_TAI")
    if hasattr(_real_time, name)
}


def clock_gettime(clk_id: int) -> float:
    """A wall clock (``CLOCK_REALTIME``) reads ``time()``; any other, ``monotonic()``."""
    return time() if clk_id in _WALL_CLOCKS else monotonic()


def clock_gettime_ns(clk_id: int) -> int:
    return round(clock_gettime(clk_id) * 1e9)


CONTROLLED = {
    "sleep": sleep,
    "monotonic": monotonic,
    "monotonic_ns": monotonic_ns,
    "perf_counter": perf_counter,
    "perf_counter_ns": perf_counter_ns,
    "time": time,
    "time_ns": time_ns,
    "gmtime": gmtime,
    "localtime": localtime,
    "ctime": ctime,
    "asctime": asctime,
    "strftime": strftime,
    "process_time": process_time,
    "process_time_ns": process_time_ns,
    "thread_time": thread_time,
    "thread_time_ns": thread_time_ns,
    "clock_gettime": clock_gettime,
    "clock_gettime_ns": clock_gettime_ns,
}
"""What ``time`` gives a program instead of the real function: nothing in it reads the
machine's clock."""


def passed_through() -> dict[str, object]:
    """The rest of ``time`` (conversions, constants), unchanged."""
    return {
        name: getattr(_real_time, name)
        for name in dir(_real_time)
        if not name.startswith("_") and name not in CONTROLLED
    }
