"""The async-io lesson: what the program ``scenarios/async_io.py`` is run with, and what
is checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Watch, entry_params
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("async_io")


def _each_once(program: ProgramState) -> str | None:
    collected = program.collected
    repeated = sorted({block for block in collected if collected.count(block) > 1})
    if repeated:
        return f"{', '.join(repeated)} completed more than once"
    return None


def _collected(program: ProgramState) -> str:
    return ", ".join(program.collected) or "none yet"


SCENARIO = Scenario(
    name="async-io",
    title="Asynchronous IO with a completion port",
    summary="A thread issues reads, keeps computing, polls a completion port, then waits.",
    explanation=(
        "The App thread puts its reads in the disk's queue and goes on computing at once: "
        "the Disk thread serves them one after another and puts each finished one on the "
        "completion port (a queue.Queue). App polls the port between chunks with "
        "get_nowait(), never blocking (queue.Empty: nothing yet) and, when it has nothing "
        "left to compute, waits on the port with get() for the rest."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("requests", 1, 8, "reads App issues"),
        ("latency", 1, 20, "milliseconds the disk takes for a read"),
        ("chunks", 0, 20, "chunks App computes (2 ms each) while the reads are in flight"),
    ),
    checks=(Check("every request completes exactly once", _each_once),),
    watches=(Watch("collected", _collected),),
)
