"""Run one test body twice: on real CPython (real modules, real threads) and under threadlab
(the same source as a program whose imports are the controlled modules), and compare.

A body is a plain function that imports what it uses inside itself (so the import is
redirected under threadlab) and returns plain data: lists, tuples, strings, numbers.
``outcome`` turns what it returns or raises into such data, so an exception's type and
message are compared too.
"""

from __future__ import annotations

import contextlib
import inspect
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from threadlab.engine import RunState, Runtime, Scenario, Watch, resolve_config
from threadlab.engine.core.errors import ControlRefused
from threadlab.engine.program.loader import ProgramState

Body = Callable[[], Any]

SEEDS = (0, 1, 2, 3, 4)
"""The seeds every body runs under in threadlab."""


def outcome(body: Body) -> tuple[Any, ...]:
    """What ``body`` returned, or the type and message of what it raised."""
    try:
        return ("returned", body())
    except Exception as error:
        return ("raised", type(error).__name__, str(error))


def on_cpython(body: Body) -> tuple[Any, ...]:
    """``body`` run here, with the real modules and real threads."""
    return outcome(body)


_MAIN = """

def main():
    global RESULT
    RESULT = outcome({name})
"""


def program_text(body: Body) -> str:
    """A program that runs ``body`` through ``outcome`` and keeps the answer in ``RESULT``."""
    parts = [textwrap.dedent(inspect.getsource(outcome)), textwrap.dedent(inspect.getsource(body))]
    # the bodies come from modules that postpone their annotations (``Body`` is not a name
    # in the program): so does the program
    parts.insert(0, "from __future__ import annotations")
    return "\n\n".join(parts) + _MAIN.format(name=body.__name__)


def under_threadlab(body: Body, directory: Path, seed: int) -> tuple[Any, ...]:
    """``body`` run as a threadlab program to its end under ``seed``.

    Raises:
        AssertionError: the run did not finish (a verdict, a failed thread, or too long).
    """
    path = directory / f"{body.__name__}.py"
    path.write_text(program_text(body), encoding="utf-8")
    states: list[ProgramState] = []
    scenario = Scenario(
        name="conformance",
        title="conformance",
        summary="one body, run on CPython and under threadlab",
        explanation="",
        program=str(path),
        entry="main",
        watches=(Watch("state", lambda program: states.append(program) or ""),),
    )
    runtime = Runtime(resolve_config(scenario, seed=seed), paused=True, speed=None)
    runtime.start()
    try:
        with contextlib.suppress(ControlRefused):  # a program with no checkpoint has ended
            runtime.step(200_000)
        assert runtime.wait_idle(60)
        snapshot = runtime.snapshot()
    finally:
        runtime.stop()
    failures = [(t.name, t.traceback) for t in snapshot.threads if t.traceback]
    assert snapshot.run_state is RunState.FINISHED, (snapshot.run_state, snapshot.verdict, failures)
    assert states, "the program's state was never read"
    result: tuple[Any, ...] = states[-1].namespace["RESULT"]
    return result


def conforms(body: Body, directory: Path) -> tuple[Any, ...]:
    """Run ``body`` on CPython and under threadlab with every seed in ``SEEDS``; every run
    must give the same answer. Returns it."""
    expected = on_cpython(body)
    for seed in SEEDS:
        seed_dir = directory / f"seed{seed}"
        seed_dir.mkdir(exist_ok=True)
        got = under_threadlab(body, seed_dir, seed)
        assert got == expected, f"seed {seed}: threadlab {got!r}, CPython {expected!r}"
    return expected
