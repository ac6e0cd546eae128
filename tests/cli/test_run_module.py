"""``threadlab run -m package.module`` / ``trace -m``: a module of the current directory run
as ``__main__`` the way ``python -m`` does, its package's modules under control too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from threadlab.engine import ConfigError, RunState, Runtime, resolve_config
from threadlab.engine.lesson.own_program import module_scenario

CLI = [sys.executable, "-m", "threadlab"]

HELPER = """
import threading

lock = threading.Lock()
total = 0

def add(n):
    global total
    with lock:
        total += n
"""

MAIN = """
import threading
from . import helper
from .helper import add
import pkg.helper

threads = [threading.Thread(target=add, args=(n,)) for n in range(1, 4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert pkg.helper is helper
print(__name__, __package__, helper.total)
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "helper.py").write_text(HELPER)
    (pkg / "main.py").write_text(MAIN)
    (pkg / "__main__.py").write_text("from pkg import main\n")
    return tmp_path


def run_module(module: str, directory: Path) -> Runtime:
    runtime = Runtime(
        resolve_config(module_scenario(module, str(directory))), paused=False, speed=None
    )
    runtime.start()
    assert runtime.wait_idle(30)
    return runtime


def test_a_module_runs_as_main_with_its_package_under_control(package: Path) -> None:
    runtime = run_module("pkg.main", package)
    try:
        snapshot = runtime.snapshot()
        assert snapshot.run_state is RunState.FINISHED, snapshot.verdict
        assert runtime.output() == ("__main__ pkg 6",)
        # the helper's lock is the engine's: the package's own module ran under control
        # (and, data races being on for a program, so is its shared ``total``)
        assert [p.name for p in snapshot.primitives] == ["lock", "total"]
        assert snapshot.title == "pkg.main"
    finally:
        assert runtime.stop()


def test_a_package_runs_its_main(package: Path) -> None:
    runtime = run_module("pkg", package)
    try:
        assert runtime.snapshot().run_state is RunState.FINISHED
        assert runtime.output() == ("pkg.main pkg 6",)  # imported by pkg/__main__.py
    finally:
        assert runtime.stop()


@pytest.mark.parametrize(
    ("module", "words"),
    [
        ("nosuch", "no module named 'nosuch'"),
        ("pkg.nosuch", "no module named 'pkg.nosuch'"),
        ("pkg.helper.deeper", "no module named 'pkg.helper.deeper'"),
    ],
)
def test_a_module_that_cannot_be_found(package: Path, module: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        module_scenario(module, str(package))


def test_the_cli_traces_a_module_and_refuses_what_it_cannot_find(package: Path) -> None:
    traced = subprocess.run(
        [*CLI, "trace", "-m", "pkg.main"], capture_output=True, text=True, timeout=60, cwd=package
    )
    assert traced.returncode == 0, traced.stderr
    assert '"state": "FINISHED"' in traced.stdout.splitlines()[-1]
    for args, words in [
        (["-m", "nosuch"], "threadlab: error: no module named 'nosuch'"),
        ([], "give a scenario name, a program.py, or -m MODULE"),
        (["x.py", "-m", "pkg"], "give a scenario name, a program.py, or -m MODULE"),
    ]:
        bad = subprocess.run(
            [*CLI, "trace", *args], capture_output=True, text=True, timeout=60, cwd=package
        )
        assert bad.returncode == 2
        assert bad.stdout == ""
        assert len(bad.stderr.splitlines()) == 1
        assert words in bad.stderr
