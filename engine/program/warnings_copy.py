"""A run's own ``warnings``: the program's warnings go to its stderr, from its own lines.

Loaded per run like the modules of ``stdlib_copies``, but pure Python (without the C
accelerator ``_warnings``, whose registry is the process's): so a warning is printed to the
program's ``sys.stderr`` (its Output panel), the filters the program sets are its own, and
the run's frames that stand between the program and CPython's code (the engine's wrappers
of ``threading``'s methods, its import hook) are skipped as CPython skips its own import
machinery. ``cond.notifyAll()`` then warns from the program's line, as under CPython.

Warnings issued by C code go through the interpreter's own ``warnings`` and are not moved.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from types import FrameType, ModuleType

from ..stdlib import naming

ENGINE_DIR = naming.ENGINE_DIR + os.sep
"""The engine's folder: its frames are never where a warning comes from."""

C_ACCELERATOR = "_warnings"
"""What the run's copy of ``warnings`` must not import, so that it is pure Python."""


def adjust(module: ModuleType) -> None:
    """Make the run's fresh copy of ``warnings`` the one ``catch_warnings`` patches, and
    make it skip the engine's frames."""
    _catch_here(module)
    _skip_engine_frames(module)


def _catch_here(module: ModuleType) -> None:
    """``catch_warnings()`` patches ``sys.modules["warnings"]`` by default: the
    interpreter's. The run's copy is the one its program warns through."""
    catch_warnings = module.catch_warnings
    original = catch_warnings.__init__

    @functools.wraps(original)
    def __init__(self: object, *args: object, **kwargs: object) -> None:
        if kwargs.get("module") is None:
            kwargs["module"] = module
        original(self, *args, **kwargs)

    catch_warnings.__init__ = __init__


def _skip_engine_frames(module: ModuleType) -> None:
    """In every supported version's own terms: 3.12 and later test file names, 3.11
    frames."""
    namespace = vars(module)
    by_name: Callable[[str], bool] | None = namespace.get("_is_internal_filename")
    if by_name is not None:

        def is_internal_filename(filename: str) -> bool:
            return by_name(filename) or filename.startswith(ENGINE_DIR)

        namespace["_is_internal_filename"] = is_internal_filename
        return
    by_frame: Callable[[FrameType], bool] = namespace["_is_internal_frame"]

    def is_internal_frame(frame: FrameType) -> bool:
        return by_frame(frame) or frame.f_code.co_filename.startswith(ENGINE_DIR)

    namespace["_is_internal_frame"] = is_internal_frame
