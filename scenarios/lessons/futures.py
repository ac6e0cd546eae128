"""The futures lesson: what the program ``scenarios/futures.py`` is run with, and what is
checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Variant, Watch, entry_params
from ...engine.program.loader import ProgramState
from ...engine.stdlib.shown_futures import PoolShown
from . import program_path

PROGRAM = program_path("futures")


def _each_task_runs_once(program: ProgramState) -> str | None:
    pool = program.primitive("executor")
    assert isinstance(pool, PoolShown)
    running = [future.name for future in pool.busy.values()]
    twice = sorted({name for name in running if running.count(name) > 1})
    if twice:
        return f"{twice[0]} runs on two workers at once"
    for function in ("square", "a_bg_task"):
        strays = [t for t in program.threads_in(function) if t not in pool.busy]
        if strays:
            return f"{strays[0]} runs {function}() without taking its task from the pool"
    return None


def _total(program: ProgramState) -> int:
    return sum(r for r in program.results if isinstance(r, int))


def _errors(program: ProgramState) -> int:
    return sum(1 for r in program.results if isinstance(r, Exception))


SCENARIO = Scenario(
    name="futures",
    title="Futures and a thread pool",
    summary="Main submits tasks to a pool of workers and blocks on each future's result().",
    explanation=(
        "submit() puts a task in the pool's queue and returns a future at once. A worker "
        "takes the oldest task, runs it and settles the future with its result or its "
        "exception. result() blocks the caller until the future is settled; a task that "
        "raised raises the same exception out of result(). Variant 'lesson' is the "
        "lesson's own example: one task, one worker, one result()."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("tasks", 1, 8, "tasks to submit: square(1) .. square(n)"),
        ("workers", 1, 4, "worker threads W_0..W_(n-1)"),
        ("failing", 0, 8, "which task raises ValueError (0: none)"),
    ),
    variants=(
        Variant("default", "submit every task, then collect each result in order"),
        Variant("lesson", "the lesson's example: submit a_bg_task(3) and wait for its result"),
    ),
    checks=(Check("every submitted task runs exactly once", _each_task_runs_once),),
    watches=(Watch("total", _total), Watch("errors", _errors)),
)
