"""The coroutines lesson: what the program ``scenarios/coroutines.py`` is run with, and
what is checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Variant, VerdictKind, Watch, entry_params
from ...engine.lesson.challenge import Challenge, Win
from ...engine.primitives.aio import AsyncLoop
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("coroutines")


def _loop(program: ProgramState) -> AsyncLoop:
    loop = program.primitive("loop")
    assert isinstance(loop, AsyncLoop)
    return loop


def _every_coroutine_awaited(program: ProgramState) -> str | None:
    """A coroutine nobody awaits never runs: CPython only warns, much later, when it
    collects it. Here it is a broken invariant the step it is dropped, naming its line."""
    for dropped in _loop(program).never_awaited:
        where = f" at line {dropped.line}" if dropped.line is not None else ""
        return (
            f"coroutine '{dropped.coroutine}' made{where} ({dropped.call}) was never awaited, "
            "so it never ran"
        )
    return None


def _seconds(value: float) -> str:
    return f"t={value:.2f}"


def _arrived(program: ProgramState) -> str:
    arrived = sorted(program.arrived.items())
    return ", ".join(f"page {page} at {_seconds(at)}" for page, at in arrived) or "none"


def _crunched(program: ProgramState) -> str:
    return ", ".join(map(str, program.crunched)) or "not yet"


EVERY_AWAITED = "every coroutine made is awaited"
"""An invariant's words, declared once: its check and the challenge that breaks it."""

SCENARIO = Scenario(
    name="coroutines",
    title="Coroutines on an asyncio event loop",
    summary="One thread runs an event loop: tasks take turns at each await; to_thread "
    "runs beside it.",
    explanation=(
        "asyncio.run() runs an event loop in MainThread: each step runs one callback from "
        "its ready queue, a task until its next await. asyncio.sleep() sets a (virtual) "
        "timer and yields; to_thread() hands crunch_numbers() to the worker thread "
        "asyncio_0, beside the loop. Variant 'blocking-call' calls time.sleep() in a "
        "coroutine: the loop's one thread is held and every task stalls until it returns. "
        "Variant 'missing-await' is the lesson's example: to_thread() without await only "
        "makes a coroutine, nobody runs it, and the computation never happens."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("pages", 1, 6, "fetch tasks: page p waits p × delay"),
        ("delay", 1, 10, "tenths of a second each page number waits"),
        ("crunch", 1, 12, "tenths of a second crunch_numbers(n) takes on a worker thread"),
    ),
    variants=(
        Variant("async", "correct: await asyncio.sleep() yields, so the tasks overlap"),
        Variant(
            "blocking-call",
            "buggy: time.sleep() in a coroutine stalls every task",
            challenge=Challenge(
                "Stall every task: let a coroutine block the loop in time.sleep()",
                Win(VerdictKind.LOOP_BLOCKED),
            ),
        ),
        Variant(
            "missing-await",
            "buggy: asyncio.to_thread(...) without await: the computation never runs",
            challenge=Challenge(
                "Drop a coroutine: reach the to_thread() call nobody awaits",
                Win(VerdictKind.VIOLATION, check=EVERY_AWAITED),
            ),
        ),
    ),
    checks=(Check(EVERY_AWAITED, _every_coroutine_awaited),),
    watches=(
        Watch("time", lambda program: _seconds(_loop(program).now)),
        Watch("arrived", _arrived),
        Watch("crunched", _crunched),
    ),
)
