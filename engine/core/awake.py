"""A clock of the time the process was awake: real seconds, less the stalls.

How long a thread has run outside the schedule is measured on it. On the wall clock, a
process stopped with Ctrl+Z, a laptop asleep or a machine overloaded for a while would
make every thread look stuck once it resumed, and ``explore`` would give up naming none.
A ticker thread sleeps a fifth of a second at a time; a sleep that lasts much longer
means the process stood still, for as long as it used no CPU meanwhile (a thread holding
the interpreter in one long C call uses CPU: that time counts, and that thread is named).
"""

from __future__ import annotations

import os
import threading
import time

TICK = 0.2
"""Seconds the ticker sleeps at a time."""

STALL = 1.0
"""Seconds a tick may oversleep before the excess is taken for a stall."""

_lock = threading.Lock()
_stalled = 0.0
_ticking = False


def now() -> float:
    """Seconds on the awake clock (``time.monotonic`` less the stalls seen so far)."""
    if not _ticking:
        _start_ticker()
    return time.monotonic() - _stalled


def _start_ticker() -> None:
    global _ticking
    with _lock:
        if not _ticking:
            _ticking = True
            threading.Thread(target=_tick, name="threadlab awake clock", daemon=True).start()


def _forget_ticker() -> None:
    """In a forked child: the ticker thread did not come along."""
    global _ticking, _lock
    _ticking, _lock = False, threading.Lock()


os.register_at_fork(after_in_child=_forget_ticker)


def _tick() -> None:
    global _stalled
    wall, cpu = time.monotonic(), time.process_time()
    while True:
        time.sleep(TICK)
        new_wall, new_cpu = time.monotonic(), time.process_time()
        overslept = new_wall - wall - TICK
        if overslept > STALL:
            _stalled += max(0.0, overslept - (new_cpu - cpu))
        wall, cpu = new_wall, new_cpu
