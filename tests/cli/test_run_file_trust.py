"""A run file is data, not code: ``replay`` runs the program a file names only when it is
the program the run was recorded with (the same path and contents, and the same modules of
its own). Otherwise it asks on the terminal, or refuses in one line (exit 2) where it cannot
ask (``--check``, no terminal, ``serve``), unless ``--trust`` is given. Nothing runs before
the user agrees: each program here leaves a mark when it runs."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

CLI = [sys.executable, "-m", "threadlab"]

PROGRAM = """\
import pathlib
import threading

pathlib.Path(__file__).with_name("ran.mark").write_text("ran")
lock = threading.Lock()
with lock:
    print("done")
"""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


def recorded(folder: Path) -> tuple[Path, Path]:
    """A program and a run file of it (its mark removed: it ran while being recorded)."""
    folder.mkdir()
    program = folder / "prog.py"
    program.write_text(PROGRAM, encoding="utf-8")
    done = cli("trace", "prog.py", "--format", "run", "-o", "run.json", cwd=folder)
    assert done.returncode == 0, done.stderr
    (folder / "ran.mark").unlink()
    return program, folder / "run.json"


def refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "--trust" in lines[0], lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def test_the_recorded_program_replays_without_a_question(tmp_path: Path) -> None:
    program, run = recorded(tmp_path / "mine")
    done = cli("replay", "--check", str(run), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (program.parent / "ran.mark").exists()


def test_an_edited_program_is_not_run_without_consent(tmp_path: Path) -> None:
    program, run = recorded(tmp_path / "mine")
    program.write_text(PROGRAM.replace('"done"', '"edited"'), encoding="utf-8")
    for args in (["replay", "--check", str(run)], ["replay", str(run)]):
        refused(cli(*args, cwd=tmp_path), str(program), "contents")
        assert not (program.parent / "ran.mark").exists()
    done = cli("replay", "--check", "--trust", str(run), cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert (program.parent / "ran.mark").exists()


def test_a_file_naming_another_program_with_a_made_up_hash_is_refused(tmp_path: Path) -> None:
    """A run file from elsewhere may name any program on this machine, with arguments: it
    runs only if it is the very program recorded, which a made-up (or missing) hash is not."""
    _program, run = recorded(tmp_path / "mine")
    other = tmp_path / "other"
    other.mkdir()
    (other / "tool.py").write_text(PROGRAM, encoding="utf-8")
    document = json.loads(run.read_text(encoding="utf-8"))
    document["program"]["path"] = str(other / "tool.py")
    document["argv"] = ["--delete-everything"]
    for digest in ("0" * 64, None):
        if digest is None:
            del document["program"]["sha256"]
        else:
            document["program"]["sha256"] = digest
        forged = tmp_path / "forged.json"
        forged.write_text(json.dumps(document), encoding="utf-8")
        refused(cli("replay", "--check", str(forged), cwd=tmp_path), str(other / "tool.py"))
        refused(cli("serve", "replay", str(forged), cwd=tmp_path), "serve it only if")
        assert not (other / "ran.mark").exists()


def test_a_changed_module_of_the_programs_own_needs_consent_too(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "helper.py").write_text("import threading\nlock = threading.Lock()\n")
    (folder / "prog.py").write_text("import helper\n" + PROGRAM, encoding="utf-8")
    done = cli("trace", "prog.py", "--format", "run", "-o", "run.json", cwd=folder)
    assert done.returncode == 0, done.stderr
    (folder / "ran.mark").unlink()
    (folder / "helper.py").write_text("import threading\nlock = threading.RLock()\n")
    refused(cli("replay", "--check", "run.json", cwd=folder), "helper.py")
    assert not (folder / "ran.mark").exists()


def test_on_a_terminal_replay_asks_and_no_runs_nothing(tmp_path: Path) -> None:
    program, run = recorded(tmp_path / "mine")
    program.write_text(PROGRAM.replace('"done"', '"edited"'), encoding="utf-8")
    # A terminal of its own (openpty, then an exec'd child: no fork of this threaded process).
    fd, terminal = pty.openpty()
    child = subprocess.Popen(
        [*CLI, "replay", str(run)],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=tmp_path,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while b"[y/N]" not in seen and time.monotonic() < deadline:
            seen += os.read(fd, 1024)
        assert b"Run it anyway?" in seen, seen
        assert str(program).encode() in seen
        os.write(fd, b"n\r")
        assert child.wait(60) == 2
    finally:
        child.kill()
        os.close(fd)
    assert not (program.parent / "ran.mark").exists()


def test_the_recorded_program_from_elsewhere_needs_consent(tmp_path: Path) -> None:
    """Hashes of a machine's own scripts are no secret: a run file from elsewhere naming
    one, with its true hash, runs it only if the user agrees, unless it is in the folder
    the user works in or beside the run file."""
    program, run = recorded(tmp_path / "scripts")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    received = downloads / "run.json"
    received.write_text(run.read_text(encoding="utf-8"), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    refused(cli("replay", "--check", str(received), cwd=work), str(program), "outside")
    refused(cli("serve", "replay", str(received), cwd=work), "serve it only if")
    assert not (program.parent / "ran.mark").exists()
    # where the user works, or beside the run file, it is the user's own
    assert cli("replay", "--check", str(received), cwd=tmp_path / "scripts").returncode == 0
    assert cli("replay", "--check", str(run), cwd=work).returncode == 0
