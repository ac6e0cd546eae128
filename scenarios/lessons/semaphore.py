"""The semaphore lesson: what the program ``scenarios/semaphore.py`` is run with, and what
is checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Watch, entry_params
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("semaphore")


def _at_most_k(program: ProgramState) -> str | None:
    using, permits = program.threads_in("query_the_database"), program.params["permits"]
    if len(using) > permits:
        return f"{', '.join(using)} hold {len(using)} of {permits} connections"
    return None


def _in_use(program: ProgramState) -> str:
    return ", ".join(program.threads_in("query_the_database")) or "nobody"


SCENARIO = Scenario(
    name="semaphore",
    title="Semaphore: K permits for N threads",
    summary="N threads share K connections through a counting semaphore.",
    explanation=(
        "A semaphore holds a count of permits. acquire takes one, or waits in FIFO order when "
        "none is left; release gives one back and wakes the first waiter, which then tries "
        "again (as in CPython, a thread that comes along first may take the permit). A mutex "
        "is the case K = 1."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("permits", 1, 8, "K: connections in the pool"),
        ("threads", 1, 9, "N: client threads T1..Tn"),
        ("rounds", 1, 50, "queries each thread makes"),
    ),
    checks=(Check("at most K threads hold a connection", _at_most_k),),
    watches=(Watch("in use", _in_use),),
)
