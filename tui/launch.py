"""Opening the app a command asked for, and the one line said on leaving it."""

from __future__ import annotations

import sys

from ..cli.main import AppRequest
from .app import ThreadlabApp


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
    """Run the app; on leaving, say in one line which threads could not be stopped."""
    app.run()
    words = app.leaving_words()
    if words is not None:
        print(words, file=sys.stderr)
