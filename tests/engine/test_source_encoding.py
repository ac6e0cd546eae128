"""A program's files are read as CPython reads them: a UTF-8 BOM, a PEP 263 ``coding:`` line
on line 1 or 2, and a bad declaration is the SyntaxError CPython gives. Each program here is
also run under plain CPython, and threadlab must print what it prints."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.lesson.scenario import ConfigError
from threadlab.engine.program.loader import file_source, read_source

Launch = Callable[..., Runtime]

BOM = b"\xef\xbb\xbf"

WITH_BOM = BOM + '"""A file saved with a BOM."""\nname = "café"\nprint(name, len(name))\n'.encode()

LATIN_1 = (
    b"#!/usr/bin/env python3\n"
    b"# -*- coding: latin-1 -*-\n"
    b'"""Prix en \xe9t\xe9."""\n'
    b'price = "12 \xe9cus"\n'
    b"print(price, len(price), price.encode('utf-8'))\n"
)

IMPORTS_LATIN_1 = b"import accents\n\nprint(accents.WORD.upper(), accents.__doc__)\n"
ACCENTS = b'# coding: latin-1\n"""mod\xe8le"""\nWORD = "na\xefve"\n'

BAD_COOKIE = b"# -*- coding: latin-99 -*-\nprint('never')\n"
BOM_AND_LATIN_1 = BOM + b"# coding: latin-1\nprint('never')\n"


def _cpython(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=path.parent,
        env={"PYTHONIOENCODING": "utf-8", "PATH": ""},
    )


def _threadlab_output(launch: Launch, path: Path) -> list[str]:
    runtime = launch(program_scenario(str(path)), paused=False)
    assert runtime.wait_idle(30)
    snapshot = runtime.snapshot()
    assert snapshot.run_state is RunState.FINISHED, snapshot.verdict
    assert snapshot.exit_status == 0
    return [line.text for line in snapshot.output if line.stream == "stdout"]


@pytest.mark.parametrize(
    ("files", "main"),
    [
        ({"bom.py": WITH_BOM}, "bom.py"),
        ({"latin.py": LATIN_1}, "latin.py"),
        ({"mine.py": IMPORTS_LATIN_1, "accents.py": ACCENTS}, "mine.py"),
    ],
    ids=["utf-8-bom", "latin-1-cookie-on-line-2", "own-module-in-latin-1"],
)
def test_a_declared_encoding_prints_what_cpython_prints(
    tmp_path: Path, launch: Launch, files: dict[str, bytes], main: str
) -> None:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    real = _cpython(tmp_path / main)
    assert real.returncode == 0, real.stderr
    assert _threadlab_output(launch, tmp_path / main) == real.stdout.splitlines()


def test_the_code_panel_shows_the_decoded_text(tmp_path: Path) -> None:
    bom, latin = tmp_path / "bom.py", tmp_path / "latin.py"
    bom.write_bytes(WITH_BOM)
    latin.write_bytes(LATIN_1.replace(b"\n", b"\r\n"))
    assert [line.text for line in file_source(str(bom))][:2] == [
        '"""A file saved with a BOM."""',
        'name = "café"',
    ]
    assert [line.text for line in file_source(str(latin))][2:4] == [
        '"""Prix en été."""',
        'price = "12 écus"',
    ]
    assert "\ufeff" not in read_source(str(bom))
    assert "\r" not in read_source(str(latin))
    # the explanation the app shows is the decoded docstring
    assert program_scenario(str(latin)).explanation == "Prix en été."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BAD_COOKIE, "unknown encoding: latin-99"),
        (BOM_AND_LATIN_1, "encoding problem: iso-8859-1 with BOM"),
    ],
    ids=["unknown-encoding", "bom-and-another-encoding"],
)
def test_a_bad_declaration_is_cpythons_syntax_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "mine.py"
    path.write_bytes(content)
    real = _cpython(path)
    assert real.returncode == 1
    assert real.stderr.splitlines()[-1].startswith("SyntaxError: encoding problem")
    with pytest.raises(SyntaxError) as raised:
        read_source(str(path))
    assert raised.value.msg == message
    with pytest.raises(ConfigError) as refused:
        program_scenario(str(path))
    assert str(refused.value) == f"{path}: syntax error: {message}"


def test_an_imported_module_with_a_bad_declaration_raises_it_in_the_program(
    tmp_path: Path, launch: Launch
) -> None:
    (tmp_path / "broken.py").write_bytes(BAD_COOKIE)
    # twice: a module that did not compile is not left half-imported
    program = (
        "for _ in range(2):\n"
        "    try:\n"
        "        import broken\n"
        "    except SyntaxError as error:\n"
        "        print(error.msg)\n"
    )
    (tmp_path / "mine.py").write_text(program)
    real = _cpython(tmp_path / "mine.py")
    assert real.returncode == 0, real.stderr
    assert _threadlab_output(launch, tmp_path / "mine.py") == real.stdout.splitlines()


def test_a_file_that_is_not_in_its_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_bytes(b'name = "caf\xe9"\n')  # latin-1 bytes, no declaration: not UTF-8
    assert _cpython(path).returncode == 1
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        program_scenario(str(path))
