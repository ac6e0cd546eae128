"""The ``threadlab`` command (also ``python -m threadlab``).

It sits above both the headless command line (``cli/``) and the app (``tui/``): the command
line runs every command, and opens the app through ``open_app`` only for the commands that
show it, so ``trace``, ``explore`` or ``list`` never import Textual.
"""

from __future__ import annotations

from collections.abc import Sequence

from .cli.main import AppRequest
from .cli.main import main as command_line


def open_app(request: AppRequest) -> None:
    """Open the app (imported only now: it brings Textual)."""
    from .tui.launch import open_app as open_the_app

    open_the_app(request)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line's exit status for ``argv`` (``sys.argv[1:]`` when None)."""
    return command_line(argv, open_app)


if __name__ == "__main__":
    raise SystemExit(main())
