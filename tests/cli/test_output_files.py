"""``-o`` never clobbers anything: each kind of target in a temporary folder, checked by
its inode kind afterwards (root may replace a device, so a permission error proves nothing).

A regular file is written whole or not at all, with the mode a plain write gives; a FIFO, a
terminal or a descriptor is written into; a symbolic link is followed and stays a link.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
import threading
import tty
from collections.abc import Callable
from pathlib import Path

import pytest

from threadlab.engine.formats.files import OutputError, output_file, own_descriptor

CLI = [sys.executable, "-m", "threadlab"]
TRACE = ["trace", "mutex", "--seed", "3", "--steps", "40"]
# Big enough (about 170 kB of JSON lines) that events are written while the run goes on.
BIG_TRACE = ["trace", "producer-consumer", "--param", "items=50", "--param", "producers=3"]


def run_cli(
    *args: str, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, preexec_fn=preexec
    )


@pytest.fixture(scope="module")
def expected() -> str:
    """The trace as written to stdout: what every target must receive."""
    result = run_cli(*TRACE)
    assert result.returncode == 0, result.stderr
    return result.stdout


def leftovers(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.startswith(".threadlab-")]


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("threadlab: error: ")
    assert len(lines[0]) < 300, lines[0]
    return lines[0]


# ----------------------------------------------------------------- regular files


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, expected: str) -> None:
    for umask, mode in ((0o022, 0o644), (0o027, 0o640), (0o077, 0o600)):
        target = tmp_path / f"new-{umask:o}.jsonl"
        result = run_cli(*TRACE, "-o", str(target), preexec=lambda u=umask: os.umask(u))
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE(target.stat().st_mode) == mode
        assert target.read_text(encoding="utf-8") == expected
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_replaced_whole_and_keeps_its_mode(
    tmp_path: Path, expected: str
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old contents\n")
    os.chmod(target, 0o604)
    result = run_cli(*TRACE, "-o", str(target), preexec=lambda: os.umask(0o077))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISREG(os.lstat(target).st_mode)
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert target.read_text(encoding="utf-8") == expected
    assert leftovers(tmp_path) == []


def _file_size_limit() -> None:
    # As on a full disk: writes past 4 kB fail with EFBIG (SIGXFSZ ignored, not fatal).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.parametrize("fmt", ["jsonl", "run"])
def test_a_failing_write_leaves_the_existing_file_untouched(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "out.json"
    target.write_text("precious\n")
    os.chmod(target, 0o640)
    before = target.stat()
    result = run_cli(*BIG_TRACE, "--format", fmt, "-o", str(target), preexec=_file_size_limit)
    line = one_error_line(result)
    assert f"cannot write {target}: File too large" in line
    assert target.read_text() == "precious\n"
    after = target.stat()
    assert (after.st_ino, stat.S_IMODE(after.st_mode)) == (before.st_ino, 0o640)
    assert leftovers(tmp_path) == []


def test_a_failing_write_leaves_no_new_file(tmp_path: Path) -> None:
    target = tmp_path / "new.jsonl"
    result = run_cli(*BIG_TRACE, "-o", str(target), preexec=_file_size_limit)
    assert "File too large" in one_error_line(result)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------- symbolic links


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path, expected: str) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "trace.jsonl"
    target.write_text("old\n")
    os.chmod(target, 0o600)
    link = tmp_path / "link.jsonl"
    link.symlink_to(os.path.join("real", "trace.jsonl"))  # relative, as people make them
    result = run_cli(*TRACE, "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISLNK(os.lstat(link).st_mode)
    assert os.readlink(link) == os.path.join("real", "trace.jsonl")
    assert target.read_text(encoding="utf-8") == expected
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


def test_a_dangling_symlink_creates_the_file_it_points_to(tmp_path: Path, expected: str) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to(tmp_path / "made.jsonl")
    result = run_cli(*TRACE, "-o", str(link), preexec=lambda: os.umask(0o022))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISLNK(os.lstat(link).st_mode)
    made = tmp_path / "made.jsonl"
    assert stat.S_ISREG(os.lstat(made).st_mode)
    assert stat.S_IMODE(made.stat().st_mode) == 0o644
    assert made.read_text(encoding="utf-8") == expected


def test_a_symlink_loop_gets_one_line(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    line = one_error_line(run_cli(*TRACE, "-o", str(tmp_path / "a")))
    assert "Too many levels of symbolic links" in line
    assert stat.S_ISLNK(os.lstat(tmp_path / "a").st_mode)


def _protected_symlinks() -> bool:
    try:
        with open("/proc/sys/fs/protected_symlinks") as setting:
            return setting.read().strip() == "1"
    except OSError:
        return False


@pytest.mark.skipif(
    os.geteuid() != 0 or not _protected_symlinks(),
    reason="needs root (to plant another user's link) and fs.protected_symlinks=1",
)
def test_a_link_planted_by_another_user_in_a_sticky_folder_is_not_followed(
    tmp_path: Path,
) -> None:
    # What the kernel refuses to follow for open() is not followed by realpath() either.
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = shared / "out.jsonl"
    link.symlink_to(victim)
    os.lchown(link, 54321, 54321)
    line = one_error_line(run_cli(*TRACE, "-o", str(link)))
    assert "Permission denied" in line
    assert victim.read_text() == "precious\n"


# ----------------------------------------------------------------- written into, never replaced


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path, expected: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # The reading end is open first (non-blocking), so the writer's open does not wait;
    # the trace is far smaller than the pipe's buffer.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = run_cli(*TRACE, "-o", str(fifo))
        assert result.returncode == 0, result.stderr
        os.set_blocking(reader, True)
        received = b""
        while chunk := os.read(reader, 65536):
            received += chunk
    finally:
        os.close(reader)
    assert received.decode("utf-8") == expected
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


def test_a_symlink_to_a_fifo_writes_into_the_fifo(tmp_path: Path, expected: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = run_cli(*TRACE, "--format", "run", "-o", str(link))
        assert result.returncode == 0, result.stderr
        os.set_blocking(reader, True)
        received = os.read(reader, 1 << 20)
    finally:
        os.close(reader)
    assert received.startswith(b'{\n "format": "threadlab-run"')
    assert stat.S_ISLNK(os.lstat(link).st_mode) and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_character_device_is_written_into_not_replaced(tmp_path: Path, expected: str) -> None:
    # This test's own pseudo-terminal stands in for /dev/null: a character device.
    controller, terminal = os.openpty()
    tty.setraw(terminal)  # no newline translation: the bytes arrive as written
    device = os.ttyname(terminal)
    assert stat.S_ISCHR(os.stat(device).st_mode)
    received = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO once every terminal end is closed
                return
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        result = run_cli(*TRACE, "-o", device)
        assert result.returncode == 0, result.stderr
        assert stat.S_ISCHR(os.stat(device).st_mode)
        assert stat.S_ISCHR(os.lstat(device).st_mode)
    finally:
        os.close(terminal)
        reader.join(timeout=10)
        os.close(controller)
    assert received.decode("utf-8") == expected


def test_dash_writes_to_stdout(tmp_path: Path, expected: str) -> None:
    result = subprocess.run(
        [*CLI, *TRACE, "-o", "-"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
    assert list(tmp_path.iterdir()) == []  # no file called "-"


def test_descriptor_names_are_written_through_the_descriptor(tmp_path: Path) -> None:
    assert own_descriptor("/dev/stdout") == 1
    assert own_descriptor("/dev/stderr") == 2
    assert own_descriptor("/dev/fd/7") == 7
    assert own_descriptor("/proc/self/fd/12") == 12
    for other in ("/dev/stdoutx", "/dev/fd/", "/dev/null", "/proc/1/fd/1", "out.jsonl"):
        assert own_descriptor(other) is None
    # Only the name is read: the descriptor is duplicated, the path never opened.
    read_end, write_end = os.pipe()
    try:
        with output_file(f"/dev/fd/{write_end}") as stream:
            stream.write("through the descriptor\n")
        os.close(write_end)
        assert os.read(read_end, 100) == b"through the descriptor\n"
    finally:
        os.close(read_end)


def test_a_closed_descriptor_is_one_error() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    os.close(write_end)
    with (
        pytest.raises(OutputError, match="Bad file descriptor"),
        output_file(f"/dev/fd/{write_end}"),
    ):
        pass


# ----------------------------------------------------------------- bad names: one line


def test_an_empty_name_is_one_line() -> None:
    assert "empty file name" in one_error_line(run_cli(*TRACE, "-o", ""))


def test_a_directory_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    assert "is a directory" in one_error_line(run_cli(*TRACE, "-o", str(tmp_path)))
    assert list(tmp_path.iterdir()) == []


def test_a_name_ending_in_a_slash_is_not_a_file(tmp_path: Path) -> None:
    line = one_error_line(run_cli(*TRACE, "-o", f"{tmp_path}/new/"))
    assert "names a folder" in line
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    line = one_error_line(run_cli(*TRACE, "-o", str(tmp_path / "missing" / "out.jsonl")))
    assert f"folder {tmp_path / 'missing'} does not exist" in line
    assert list(tmp_path.iterdir()) == []


def test_a_part_of_the_path_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    line = one_error_line(run_cli(*TRACE, "-o", str(tmp_path / "file" / "out.jsonl")))
    assert "Not a directory" in line
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize("length", [300, 5000])
def test_a_name_too_long_is_one_short_line(tmp_path: Path, length: int) -> None:
    name = str(tmp_path / ("x" * length))
    line = one_error_line(run_cli(*TRACE, "-o", name))
    assert "File name too long" in line
    assert "…" in line  # the name is cut, not quoted whole
    assert list(tmp_path.iterdir()) == []
