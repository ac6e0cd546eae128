"""``time``, controlled: the run's virtual clock.

``sleep`` is a checkpoint; a positive sleep leaves the thread SLEEPING until the clock
reaches its end. ``monotonic``, ``perf_counter`` and ``time`` read the clock, which moves
on a millisecond a step and jumps ahead when every thread sleeps or waits with a timeout,
so a run's times are the same every time it runs.
"""

from __future__ import annotations

import time as _real_time

from threadlab.engine.threads import bound

EPOCH = 1_767_225_600.0
"""What ``time.time()`` says at the start of every run: 2026-01-01 00:00 UTC."""


def sleep(secs: float) -> None:
    if secs < 0:
        raise ValueError("sleep length must be non-negative")
    kernel, _thread = bound()
    thread = kernel.checkpoint(f"sleep {secs:g} s" if secs else "sleep 0 s (yield)")
    if secs == 0:
        return
    with kernel.lock:
        kernel.sleep(thread, kernel.clock + secs, f"sleeping until {kernel.clock + secs:.3f} s")
    kernel.resume(thread)


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


def passed_through() -> dict[str, object]:
    """The rest of ``time`` (formatting, conversions, constants), unchanged."""
    controlled = {"sleep", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns"}
    controlled |= {"time", "time_ns"}
    return {
        name: getattr(_real_time, name)
        for name in dir(_real_time)
        if not name.startswith("_") and name not in controlled
    }
