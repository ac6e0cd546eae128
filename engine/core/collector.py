"""Whether the garbage collector runs in the calling thread now.

The collector runs the program's finalizers (``__del__``, weakref callbacks) in whatever
thread it interrupts, and that may be one of threadlab's own (the scheduler, the app's):
the program's code then runs in a thread the run does not schedule. The engine tells such
a call from a thread the program started behind its back (which gets a clear error) by
asking this.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

_state = threading.local()


def _note(phase: str, _info: dict[str, Any]) -> None:
    _state.collecting = phase == "start"


def collecting() -> bool:
    """Whether the calling thread is inside a garbage collection (running finalizers)."""
    return getattr(_state, "collecting", False)


if _note not in gc.callbacks:
    gc.callbacks.append(_note)
