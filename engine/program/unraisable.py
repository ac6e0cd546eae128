"""Exceptions Python cannot raise (in a ``__del__``, a generator closed as it is collected),
when they happen in a run: reported to the program's ``sys.unraisablehook``, or as CPython
reports them, on the program's stderr.

A run's thread unwinding when the run stops (``StopRun``) may meet such a place: a
generator the program left suspended in a ``with lock:`` closes and tries the lock again.
That is threadlab's doing, not the program's, and is not reported at all.

The hook is the interpreter's, so it is installed once, for every run, and passes what
happens outside a run to the hook that was there before.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, Any

from ..core.errors import StopRun
from ..core.threads import bound

if TYPE_CHECKING:
    from ..core.kernel import Kernel

_RUN_SYS = "sys"
"""Where a run keeps its program's ``sys`` (``Kernel.attached``)."""

_installed: list[Any] = []
"""The hook that was there before ours, once ours is installed."""


def attach(kernel: Kernel, program_sys: Any) -> None:
    """The run of ``kernel`` reports its unraisable exceptions to ``program_sys``."""
    kernel.attached[_RUN_SYS] = program_sys
    if not _installed:
        _installed.append(sys.unraisablehook)
        sys.unraisablehook = _hook


def _hook(unraisable: Any) -> None:
    if isinstance(unraisable.exc_value, StopRun):
        return  # a thread of a stopped run unwinding: nothing of the program's
    try:
        kernel, _thread = bound()
        program_sys = kernel.attached[_RUN_SYS]
    except (RuntimeError, KeyError):
        _installed[0](unraisable)  # not in a run's thread
        return
    own = vars(program_sys).get("unraisablehook")
    if own is not None:
        own(unraisable)
        return
    program_sys.stderr.write(_as_cpython_writes(unraisable))


def _as_cpython_writes(unraisable: Any) -> str:
    """What CPython's default hook writes for ``unraisable``."""
    if unraisable.object is None:
        heading = unraisable.err_msg or "Exception ignored in"
    else:
        try:
            shown = repr(unraisable.object)
        except Exception:
            shown = "<object repr() failed>"
        heading = f"{unraisable.err_msg or 'Exception ignored in'}: {shown}"
    lines = traceback.format_exception(  # without the exceptions it happened in, as CPython
        unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback, chain=False
    )
    return heading + "\n" + "".join(lines)
