"""Every scenario written as a program is plain Python: copied out of threadlab, it runs
under CPython alone and ends, importing nothing of threadlab."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from threadlab.scenarios import SCENARIOS

PROGRAMS = sorted(
    (scenario.name, scenario.program)
    for scenario in SCENARIOS.values()
    if scenario.program is not None
)


@pytest.mark.parametrize(("name", "program"), PROGRAMS)
def test_the_program_imports_only_the_standard_library(name: str, program: str) -> None:
    tree = ast.parse(Path(program).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}: a relative import"
            imported.add((node.module or "").partition(".")[0])
    outside = {module for module in imported if module not in sys.stdlib_module_names}
    assert not outside, f"{name} imports {outside}"


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("name", "program"), PROGRAMS)
def test_copied_out_it_runs_with_plain_python_and_ends(
    name: str, program: str, tmp_path: Path
) -> None:
    copy = tmp_path / Path(program).name
    shutil.copyfile(program, copy)
    done = subprocess.run(
        [sys.executable, "-I", str(copy)],  # -I: nothing of this checkout on the path
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert done.returncode == 0, f"{name}: {done.stderr[-2000:]}"


def test_some_scenarios_are_programs() -> None:
    assert {"producer-consumer", "readers-writers", "coroutines"} <= {n for n, _ in PROGRAMS}
