"""Which engine threads are alive: shared by the leak guard in ``tests/conftest.py`` and by
tests that assert on the threads a run owns (``from thread_leaks import threadlab_threads``).
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Collection

THREAD_PREFIX = "threadlab-"
"""Every OS thread the engine starts is named ``threadlab-<name>`` (one whose program
swallowed every order to unwind is renamed ``abandoned-<name>``: it waits for good)."""

STRAGGLER_GRACE = 2.0
"""Seconds a thread may take to finish unwinding after its runtime was stopped."""


def threadlab_threads() -> list[threading.Thread]:
    """OS threads the engine started (scenario threads and the scheduler) still alive."""
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX) and t.is_alive()]


def leaked_threads(
    before: Collection[threading.Thread], grace: float = STRAGGLER_GRACE
) -> list[threading.Thread]:
    """Engine threads alive now that were not alive ``before``, after waiting up to ``grace``
    seconds for them to end (a stopped thread may still be unwinding)."""
    deadline = time.monotonic() + grace
    while True:
        leaked = [t for t in threadlab_threads() if t not in before]
        if not leaked or time.monotonic() >= deadline:
            return leaked
        time.sleep(0.01)


def where_they_are(threads: Collection[threading.Thread]) -> str:
    """Each thread's stack now, innermost call last: where a leaked thread is stuck."""
    frames = sys._current_frames()
    parts = []
    for thread in threads:
        frame = frames.get(thread.ident or -1)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(no frame)\n"
        parts.append(f"{thread.name}:\n{stack}")
    return "".join(parts)
