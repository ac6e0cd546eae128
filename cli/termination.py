"""A command that SIGTERM or SIGHUP ends cleans up as it does on Ctrl+C: the signal becomes
an exception in the main thread, so the run is stopped, ``explore``'s worker processes are
ended and a half-written output file is removed, and the exit status says which signal
(128 + its number, as a shell reports a process the signal killed).

Without this, Python's default for these signals ends the process at once: ``explore
--jobs 2`` left its workers running for good and ``trace -o`` its temporary file.
"""

from __future__ import annotations

import contextlib
import signal
from types import FrameType

ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the main thread was (a ``KeyboardInterrupt``, so
    every place that cleans up after Ctrl+C cleans up after it too)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_terminated(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


def end_cleanly_on_termination() -> None:
    """From now on SIGTERM and SIGHUP raise ``Terminated`` in the main thread."""
    for ending in ENDING_SIGNALS:
        with contextlib.suppress(ValueError, OSError):  # not the main thread, or no such signal
            signal.signal(ending, _raise_terminated)


def exit_status(interrupt: KeyboardInterrupt) -> int:
    """128 + the signal's number: 130 for Ctrl+C, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + (interrupt.signum if isinstance(interrupt, Terminated) else signal.SIGINT)
