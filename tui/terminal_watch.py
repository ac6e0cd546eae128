"""Leaving when the terminal goes away: a closed tmux pane or terminal window, a dropped ssh
connection.

Writing to a terminal that is gone fails, and Textual's writer thread ends; the app then
waits for good to hand it the next frame, and can neither draw nor quit (not even on the
SIGHUP the closing sends). A watcher thread looks at the terminal now and then; once it is
gone, the app has ``GRACE_SECONDS`` to leave by itself, then the process ends. The runs'
processes end with it: each sees its channel close.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable

LOOK_EVERY = 0.5
"""Seconds between two looks at the terminal."""

GRACE_SECONDS = 2.0
"""How long the app may take to leave by itself once its terminal is gone."""


def terminal_gone(fd: int) -> bool:
    """Whether the terminal on ``fd`` has gone (its other end closed: reads and writes fail)."""
    try:
        os.get_terminal_size(fd)
    except OSError:
        return True
    return False


def watch_terminal(fd: int, running: Callable[[], bool]) -> threading.Thread | None:
    """Watch the terminal on ``fd`` while ``running()``; None when ``fd`` is no terminal."""
    if not os.isatty(fd):
        return None

    def watch() -> None:
        stop = threading.Event()
        while running() and not stop.wait(LOOK_EVERY):
            if terminal_gone(fd):
                stop.wait(GRACE_SECONDS)
                if running():
                    os._exit(128 + signal.SIGHUP)  # as a process the hang-up ended
                return

    watcher = threading.Thread(target=watch, name="threadlab-terminal-watch", daemon=True)
    watcher.start()
    return watcher
