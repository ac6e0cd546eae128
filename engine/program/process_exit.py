"""``os._exit`` called by a program inside a run: the run ends there, as the program's
process would, and can be stepped back and replayed like any other end.

CPython's ``os._exit`` ends the process at once: no ``finally`` block, no exit function and
no other thread runs again. A run's process is threadlab's, so the call ends the run
instead: the calling thread's step is the run's last, the program's exit status is the
one given, and nothing the threads do afterwards (they unwind when the run stops) is
recorded. Called anywhere else (threadlab's own threads, a process the program forked), it
is the real ``os._exit``.
"""

from __future__ import annotations

import os
import threading
from typing import NoReturn

from ..core.threads import bound_or_none

_real_exit = os._exit
_installed = threading.Lock()
_pid = os.getpid()


def _program_exit(status: int) -> NoReturn:
    found = bound_or_none()
    if found is None or os.getpid() != _pid:
        _real_exit(status)
    kernel, thread = found
    kernel.end_program(thread, int(status))


def install() -> None:
    """From now on ``os._exit`` in a program's thread ends its run (once per process)."""
    global _pid
    with _installed:
        if os._exit is not _program_exit:
            _pid = os.getpid()
            os._exit = _program_exit
