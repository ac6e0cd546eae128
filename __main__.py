"""The ``threadlab`` command (also ``python -m threadlab``).

It sits above both the headless command line (``cli/``) and the app (``tui/``): the command
line runs every command, and opens the app through ``open_app`` only for the commands that
show it, so ``trace``, ``explore`` or ``list`` never import Textual.

The string-hash seed (``PYTHONHASHSEED``) is fixed when an interpreter starts, and a run whose
program depends on it (the order of a ``set`` of strings) replays exactly only under the
same seed. So the command, started without a fixed seed, starts itself again at once, before
it imports anything heavy, under a seed it chooses: every run it makes is under a known seed,
which run files record; ``replay`` starts itself again under the seed a run file recorded
(``rerun_with_hash_seed``). Processes it starts (the explorer's workers, ``serve``'s apps)
inherit the seed. ``main(argv)`` called from Python (the tests) never starts anything again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cli.main import AppRequest

HASH_SEED = "PYTHONHASHSEED"
RESTARTED = "THREADLAB_RESTARTED"
"""Set in the environment of a command started again, to the seed it was started under: it
is never started again under that seed (a loop, were the seed not to take)."""


def open_app(request: AppRequest) -> None:
    """Open the app (imported only now: it brings Textual)."""
    from .tui.launch import open_app as open_the_app

    open_the_app(request)


def can_restart(seed: int) -> bool:
    """Whether this process may start itself again under the hash seed ``seed``: not
    started again under it already, on a system with ``exec``, and its interpreter reads
    ``PYTHONHASHSEED`` (not ``-E`` or ``-I``)."""
    return (
        os.environ.get(RESTARTED) != str(seed)
        and os.name == "posix"
        and not sys.flags.ignore_environment
        and bool(getattr(sys, "orig_argv", None))
    )


def rerun_with_hash_seed(seed: int) -> None:
    """Start this command again, as it was started (interpreter options and arguments),
    under the string-hash seed ``seed``. Returns only when it cannot."""
    if not can_restart(seed):
        return
    environment = {**os.environ, HASH_SEED: str(seed), RESTARTED: str(seed)}
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    try:
        os.execve(sys.executable, sys.orig_argv, environment)
    except OSError:
        return  # no interpreter to start again: go on under the seed this one has


def _fix_hash_seed() -> None:
    """Start again under a chosen seed when started without a fixed one (once, early)."""
    chosen = os.environ.get(HASH_SEED, "")
    if chosen.isascii() and chosen.isdigit() and int(chosen) < 2**32:
        return
    rerun_with_hash_seed(1 + int.from_bytes(os.urandom(4), "big") % (2**32 - 1))


def main(argv: Sequence[str] | None = None) -> int:
    """The command line's exit status for ``argv`` (``sys.argv[1:]`` when None: the process
    is the command, and may start itself again under a known string-hash seed)."""
    if argv is None:
        _fix_hash_seed()
    from .cli.main import main as command_line

    return command_line(argv, open_app, rerun_with_hash_seed if argv is None else None)


if __name__ == "__main__":
    raise SystemExit(main())
