"""threadlab as a user installs it: the wheel, built from this checkout, in a fresh virtual
environment outside it.

Every other test imports the checkout (an editable install), so only this one sees what a
wheel leaves out. It builds the wheel, counts its modules against the checkout's, installs
it with the pinned dependencies into a new environment in a temporary folder, and runs the
installed ``threadlab`` from a folder that holds no checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import threadlab

CHECKOUT = Path(threadlab.__file__).resolve().parent
PACKAGE_FOLDERS = ("cli", "engine", "scenarios", "tui")

pytestmark = pytest.mark.skipif(
    not (CHECKOUT / "setup.py").is_file(), reason="threadlab is not imported from a checkout"
)


def _run(command: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False, **kwargs
    )


def _checkout_files() -> set[str]:
    """Every module and data file of the package in the checkout, as the wheel names them."""
    names = {"threadlab/__init__.py", "threadlab/__main__.py"}
    for folder in PACKAGE_FOLDERS:
        for path in (CHECKOUT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                names.add("threadlab/" + path.relative_to(CHECKOUT).as_posix())
    return names


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The built wheel and the ``threadlab`` command of a fresh environment it went into."""
    root = tmp_path_factory.mktemp("install")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root), str(CHECKOUT)],
        root,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = root.glob("threadlab-*.whl")
    environment = root / "venv"
    made = _run([sys.executable, "-m", "venv", str(environment)], root)
    assert made.returncode == 0, made.stderr
    pip = [str(environment / "bin" / "python"), "-m", "pip", "install", "-q"]
    added = _run([*pip, "-c", str(CHECKOUT / "constraints.txt"), str(wheel)], root)
    assert added.returncode == 0, added.stderr
    return wheel, environment / "bin" / "threadlab"


def test_the_wheel_holds_every_module_and_data_file(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as archive:
        packed = {name for name in archive.namelist() if name.startswith("threadlab/")}
    assert packed == _checkout_files()


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["--version"], f"threadlab {threadlab.__version__}"),
        (["list"], "producer-consumer"),
        (["trace", "mutex", "--steps", "5"], '"kind": "end"'),
        (["serve", "--help"], "--port"),
    ],
    ids=["version", "list", "trace", "serve-help"],
)
def test_the_installed_command_works_outside_the_checkout(
    installed: tuple[Path, Path], tmp_path: Path, command: list[str], expected: str
) -> None:
    _, threadlab_command = installed
    done = _run([str(threadlab_command), *command], tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    assert not (tmp_path / "threadlab").exists()


def test_the_installed_explorer_finds_the_lock_order_deadlock(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    _, threadlab_command = installed
    program = tmp_path / "lock_order.py"
    program.write_text((CHECKOUT / "examples" / "lock_order.py").read_text())
    done = _run(
        [str(threadlab_command), "explore", "lock_order.py", "--budget", "50", "--json"],
        tmp_path,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"]["kind"] == "DEADLOCK", report
    assert Path(report["file"]).is_file()
