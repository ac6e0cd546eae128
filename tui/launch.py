"""Opening the app a command asked for, and the one line said on leaving it."""

from __future__ import annotations

import contextlib
import sys

from ..cli.main import AppRequest
from .app import ThreadlabApp
from .terminal_watch import watch_terminal


def open_app(request: AppRequest) -> None:
    """Open the app the command line asked for and run it until the user quits."""
    run_app(
        ThreadlabApp(
            request.config,
            paused=request.paused,
            speed=request.speed,
            history=request.history,
            preemptions=request.preemptions,
            save_dir=request.save_dir,
        )
    )


def run_app(app: ThreadlabApp) -> None:
    """Run the app; on leaving, say in one line which threads could not be stopped. The app
    leaves when its terminal goes away (``terminal_watch``)."""
    running = True
    with contextlib.suppress(OSError, ValueError):  # no terminal there: nothing to watch
        watch_terminal(sys.__stdout__.fileno() if sys.__stdout__ else -1, lambda: running)
    try:
        app.run()
    finally:
        running = False
    words = app.leaving_words()
    if words is not None:
        print(words, file=sys.stderr)
