"""What a step touches, for the explorer: its footprint.

A step starts at a checkpoint (a lock taken, a variable read, a call made) and runs the
thread's code until its next one. Its footprint is the set of shared objects it may touch,
or None for "anything". Two steps of different threads whose footprints are known and
disjoint give the same state in either order, so the explorer explores one order only.

That is true only if the footprint covers everything the step does, including the code
after its checkpoint. So a checkpoint names what it touches only where that code is
watched: the program's own rewritten functions (``program.races``, whose shared accesses
and calls into other code are steps of their own) and the standard library's
synchronisation code run under control, whose shared state is guarded by the locks whose
steps it takes. Anywhere else (races off, a library's code, a frame threadlab does not
know) the step touches anything. What the watched code turns out to touch beyond its
footprint is noted as the step runs (``SimThread.extras``, ``SimThread.unwatched``), so the
explorer can tell a footprint that was wrong, and then claims nothing it relied on.
"""

from __future__ import annotations

import os
from types import FrameType

Footprint = frozenset[str] | None
"""The shared objects a step may touch; None: anything."""

_ENGINE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
"""Threadlab's engine: its frames are the checkpoints' own, never the program's."""

TRUSTED_MODULES = ("threading", "queue", "concurrent.futures", "asyncio", "contextlib")
"""Standard-library modules whose code between two checkpoints touches only what the locks
it holds guard (or nothing shared): their steps' footprints hold (modules and packages)."""

_known: dict[str, frozenset[str]] = {}


def footprint_of(touches: str | frozenset[str] | None) -> Footprint:
    """``touches`` as a footprint (a name is the set of that one object)."""
    if touches is None or isinstance(touches, frozenset):
        return touches
    found = _known.get(touches)
    if found is None:
        if len(_known) > 100_000:
            _known.clear()
        found = _known[touches] = frozenset((touches,))
    return found


def independent(first: Footprint, second: Footprint) -> bool:
    """Steps whose footprints are known and disjoint give the same state in either order."""
    return first is not None and second is not None and first.isdisjoint(second)


def trusted_module(name: object) -> bool:
    """Whether ``name`` is a module of ``TRUSTED_MODULES`` (or in one of those packages), or
    the engine's own (its primitives take their own steps)."""
    return isinstance(name, str) and (
        name in TRUSTED_MODULES
        or name.startswith(("concurrent.futures.", "asyncio.", "threadlab.engine.", "_thread"))
    )


def continuation_watched(frame: FrameType | None, program_files: list[str]) -> bool:
    """Whether every frame from ``frame`` outwards (where the thread's code goes on after a
    checkpoint) runs watched code: the program's own files, trusted modules, or the
    engine itself."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (
            filename.startswith(_ENGINE)
            or filename in program_files
            or trusted_module(frame.f_globals.get("__name__"))
        ):
            return False
        frame = frame.f_back
    return True
