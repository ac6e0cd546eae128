"""Race instrumentation keeps Python's meaning, tested differentially: every program in
``race_corpus/`` (one form of the language or a few, written as people write them) runs under
plain CPython and under threadlab with races on, over several seeds, and must print the same
lines and end with the same status.

The programs' output does not depend on the schedule (their threads take locks, or write
apart, or their results are sorted), so any difference is the instrumentation's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime
from threadlab.engine.lesson.own_program import program_scenario

Launch = Callable[..., Runtime]

CORPUS = Path(__file__).with_name("race_corpus")
PROGRAMS = sorted(path.name for path in CORPUS.glob("*.py"))
SEEDS = (0, 1, 2, 3)


@cache
def on_cpython(name: str) -> tuple[list[str], int]:
    """The program's stdout lines and exit status under plain CPython."""
    result = subprocess.run(
        [sys.executable, str(CORPUS / name)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=CORPUS,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "0"},
    )
    assert not result.stderr, result.stderr
    return result.stdout.splitlines(), result.returncode


def under_threadlab(launch: Launch, name: str, seed: int) -> tuple[list[str], int | None]:
    """The program's stdout lines and exit status run to its end under threadlab."""
    runtime = launch(program_scenario(str(CORPUS / name)), seed=seed, paused=False)
    assert runtime.wait_idle(60), f"{name} did not end under seed {seed}"
    snapshot = runtime.snapshot()
    assert snapshot.run_state is RunState.FINISHED, (name, seed, snapshot.verdict)
    stdout = [line.text for line in snapshot.output if line.stream == "stdout"]
    return stdout, snapshot.exit_status


def test_the_corpus_is_there() -> None:
    assert len(PROGRAMS) >= 25


@pytest.mark.parametrize("name", PROGRAMS)
def test_a_program_prints_under_races_what_it_prints_under_cpython(
    launch: Launch, name: str
) -> None:
    expected = on_cpython(name)
    for seed in SEEDS:
        assert under_threadlab(launch, name, seed) == expected, f"{name}, seed {seed}"
