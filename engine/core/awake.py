"""A clock of the time the process was awake: real seconds, less the stalls.

How long a thread has run outside the schedule is measured on it. On the wall clock, a
process stopped with Ctrl+Z, a laptop asleep or a machine overloaded for a while would
make every thread look stuck once it resumed, and ``explore`` would give up naming none.
A ticker thread looks at the time a fifth of a second apart, and so does every reading of
the clock: a gap much longer than that means the process stood still, for as long as it
used no CPU meanwhile (a thread holding the interpreter in one long C call uses CPU: that
time counts, and that thread is named). A reading accounts for a stall itself, so no
thread that resumes before the ticker sees a stall on its clock.
"""

from __future__ import annotations

import os
import threading
import time

TICK = 0.2
"""Seconds the ticker sleeps at a time."""

STALL = 1.0
"""Seconds a look may come later than a tick before the excess is taken for a stall."""

_lock = threading.Lock()
_stalled = 0.0
_ticking = False
_last_wall = 0.0
_last_cpu = 0.0


def now() -> float:
    """Seconds on the awake clock (``time.monotonic`` less the stalls seen so far)."""
    if not _ticking:
        _start_ticker()
    wall = time.monotonic()
    if wall - _last_wall > TICK + STALL:  # the ticker has not looked for a while
        with _lock:
            _look(wall)
    return wall - _stalled


def _look(wall: float) -> None:
    """Account for a stall since the last look, if there was one (lock held)."""
    global _stalled, _last_wall, _last_cpu
    gap = wall - _last_wall
    if gap > TICK + STALL:
        cpu = time.process_time()
        _stalled += max(0.0, gap - TICK - (cpu - _last_cpu))
        _last_wall, _last_cpu = wall, cpu


def _start_ticker() -> None:
    global _ticking, _last_wall, _last_cpu
    with _lock:
        if not _ticking:
            _ticking = True
            _last_wall, _last_cpu = time.monotonic(), time.process_time()
            threading.Thread(target=_tick, name="threadlab awake clock", daemon=True).start()


def _tick() -> None:
    global _last_wall, _last_cpu
    while True:
        time.sleep(TICK)
        with _lock:
            wall = time.monotonic()
            _look(wall)
            _last_wall, _last_cpu = wall, time.process_time()


def _forget_ticker() -> None:
    """In a forked child: the ticker thread did not come along."""
    global _ticking, _lock
    _ticking, _lock = False, threading.Lock()


os.register_at_fork(after_in_child=_forget_ticker)
