"""The app leaves when its terminal goes away (a closed tmux pane or window).

Exists because closing the pane of ``make run`` left the app running for good: its writes
to the gone terminal failed, Textual's writer ended, and the app waited on it forever, with
its run's process beside it.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from threadlab.tui.terminal_watch import terminal_gone

PATIENCE = 30.0
"""Seconds the app may take to draw, and to leave once its terminal has gone (a generous
bound for a loaded machine; the watcher looks every half second)."""


def test_a_terminal_whose_other_end_closed_is_gone() -> None:
    main, other = pty.openpty()
    try:
        assert not terminal_gone(other)
        os.close(main)
        assert terminal_gone(other)
    finally:
        os.close(other)


def test_the_app_leaves_when_its_terminal_closes() -> None:
    main, other = pty.openpty()
    os.set_blocking(main, False)
    app = subprocess.Popen(
        [sys.executable, "-m", "threadlab", "run", "mutex"],
        stdin=other,
        stdout=other,
        stderr=other,
        start_new_session=True,
    )
    os.close(other)
    try:
        drawn = b""
        deadline = time.monotonic() + PATIENCE
        while b"mutex" not in drawn and time.monotonic() < deadline:
            if select.select([main], [], [], 0.5)[0]:
                drawn += os.read(main, 65536)
        assert b"mutex" in drawn, "the app never drew"
        os.close(main)  # the terminal goes away
        main = -1
        app.wait(PATIENCE)
        assert app.returncode is not None
    finally:
        if main != -1:
            os.close(main)
        if app.poll() is None:
            app.kill()
            app.wait()
