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
CLI = [sys.executable, "-m", "threadlab.tui.cli"]


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
    traced = subprocess.run(
        [*CLI, "trace", str(program)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert traced.returncode == 0, traced.stderr
    end = json.loads(traced.stdout.splitlines()[-1])
    assert end["kind"] == "end" and end["state"] == "FINISHED", end
