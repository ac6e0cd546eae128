"""The barrier lesson: what the program ``scenarios/barrier.py`` is run with, and what is
checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Watch, entry_params
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("barrier")


def _same_phase(program: ProgramState) -> str | None:
    # The phase a worker is in is its own loop variable, read off its stack.
    phase_of: dict[str, int] = program.locals_in("worker", "phase")
    if not phase_of:
        return None
    low, high = min(phase_of.values()), max(phase_of.values())
    if high - low > 1:
        ahead = [name for name, phase in phase_of.items() if phase == high]
        return f"{', '.join(ahead)} got to phase {high} while others are in {low}"
    return None


def _phases(program: ProgramState) -> str:
    phase_of = program.locals_in("worker", "phase")
    return "  ".join(f"{name}:{phase}" for name, phase in phase_of.items()) or "–"


SCENARIO = Scenario(
    name="barrier",
    title="Barrier: meet between phases",
    summary="Threads work in phases and wait at a barrier for each other between them.",
    explanation=(
        "A threading.Barrier for N parties holds each arriving thread in wait() until the "
        "N-th arrives; then all of them go on together into the next phase. Fast threads "
        "(T1 works 1 ms a phase, T3 works 3) wait for the slow ones."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("threads", 2, 9, "threads T1..Tn; Tk works k ms per phase"),
        ("phases", 1, 20, "phases of work"),
    ),
    checks=(Check("no thread is two phases ahead of another", _same_phase),),
    watches=(Watch("phases", _phases),),
)
