"""Every program in ``examples/`` is ordinary Python: it ends under plain CPython, and
``threadlab trace examples/x.py`` runs it to the end under the controlled schedule."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROGRAMS = sorted(EXAMPLES.glob("*.py"))
CLI = [sys.executable, "-m", "threadlab"]


def test_there_are_examples_and_the_readme_lists_each() -> None:
    assert len(PROGRAMS) >= 4
    readme = (EXAMPLES.parent / "README.md").read_text()
    for program in PROGRAMS:
        assert f"threadlab run examples/{program.name}" in readme


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_an_example_says_what_to_try_and_imports_only_the_stdlib(program: Path) -> None:
    tree = ast.parse(program.read_text())
    docstring = ast.get_docstring(tree)
    assert docstring is not None and "try" in docstring.split(".")[0].lower()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                assert name is not None and name.split(".")[0] in sys.stdlib_module_names


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_an_example_ends_under_cpython(program: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(program)], capture_output=True, text=True, timeout=30, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_an_example_runs_to_the_end_under_threadlab(program: Path, tmp_path: Path) -> None:
    """Without data races as steps, each example runs as CPython usually runs it."""
    end = _trace_end(program, tmp_path, "--no-races")
    assert end["kind"] == "end" and end["state"] == "FINISHED", end


def test_the_worker_pool_loses_an_update_when_races_are_steps(tmp_path: Path) -> None:
    """The workers' ``done += 1`` is a read and a write; some schedules switch between them."""
    for seed in range(10):
        end = _trace_end(EXAMPLES / "worker_pool.py", tmp_path, "--seed", str(seed))
        if end["state"] == "VIOLATION":
            break
    assert end["state"] == "VIOLATION", end
    assert "update(s) of done were lost" in end["verdict"]


def test_the_lock_order_inversion_deadlocks_on_some_seed(tmp_path: Path) -> None:
    """Plain CPython almost never switches between the two ``with`` lines; some schedules do,
    and then each teller waits for the lock the other holds."""
    for seed in range(10):
        end = _trace_end(EXAMPLES / "lock_order.py", tmp_path, "--seed", str(seed))
        if end["state"] == "DEADLOCK":
            break
    assert end["state"] == "DEADLOCK", end
    verdict = str(end["verdict"])
    assert "alice-pays" in verdict and "bob-pays" in verdict, verdict
    assert "Cycle: alice-pays → bob-pays → alice-pays" in verdict, verdict


def _trace_end(program: Path, tmp_path: Path, *options: str) -> dict[str, object]:
    traced = subprocess.run(
        [*CLI, "trace", str(program), *options],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert traced.returncode == 0, traced.stderr
    end: dict[str, object] = json.loads(traced.stdout.splitlines()[-1])
    return end
