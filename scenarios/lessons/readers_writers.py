"""The readers-writers lesson: what the program ``scenarios/readers_writers.py`` is run
with, and what is checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Variant, VerdictKind, Watch, entry_params
from ...engine.lesson.challenge import Challenge, Win
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("readers_writers")


def _exclusive(program: ProgramState) -> str | None:
    """Who is inside ``writing()`` and ``reading()`` now (the engine sees their stacks)."""
    writers, readers = program.threads_in("writing"), program.threads_in("reading")
    if len(writers) > 1:
        return f"writers {' and '.join(writers)} write at the same time"
    if writers and readers:
        return f"{writers[0]} writes while {', '.join(readers)} read"
    return None


def _writers_waiting(program: ProgramState) -> int:
    """The fair room's own count (announced writers), else the writers on write_gate."""
    if hasattr(program.room, "writers_waiting"):
        return int(program.room.writers_waiting)
    return len(program.primitive("write_gate").queue)


SCENARIO = Scenario(
    name="readers-writers",
    title="Readers/writers: share reading, exclusive writing",
    summary="Readers count themselves in; a writer waits for zero readers. Starvation lurks.",
    explanation=(
        "Readers read together; a writer needs the data alone. A writer waits on "
        "write_gate while readers > 0; the last reader out notifies ONE writer, and a "
        "writer that finishes notifies nobody: with two writers waiting, one waits forever. "
        "'classic': writers can starve. 'fair': writers announce themselves, and wake all."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("readers", 1, 6, "reader threads R1..Rn"),
        ("writers", 1, 4, "writer threads W1..Wn"),
        ("reads", 1, 50, "times each reader reads"),
        ("writes", 1, 20, "times each writer writes"),
    ),
    variants=(
        Variant(
            "lesson",
            "the lesson's own: the last reader wakes one writer; another may wait",
            challenge=Challenge(
                "Leave a writer waiting forever, with nobody left to wake it",
                Win(VerdictKind.LOST_WAKEUP),
            ),
        ),
        Variant(
            "classic",
            "readers first: writers can starve, or be left waiting forever",
            challenge=Challenge(
                "Strand a writer: leave it waiting with no reader left to wake it",
                Win(VerdictKind.LOST_WAKEUP),
            ),
        ),
        Variant("fair", "writers announce themselves; wakeups are broadcasts"),
    ),
    checks=(Check("a writer never beside a reader or another writer", _exclusive),),
    watches=(
        Watch("readers", lambda program: program.room.readers),
        Watch("data", lambda program: program.room.data),
        Watch("writers waiting", _writers_waiting),
    ),
)
