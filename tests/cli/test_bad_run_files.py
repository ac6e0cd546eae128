"""``threadlab replay FILE`` on what is not a run file: one short line, exit status 2.

The file's kind and size are checked before it is read (a FIFO used to hang in ``open``, a
character device to end in a MemoryError), and a malformed field is a corrupt file (2), not
a run that differs (1).
"""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from threadlab.engine.formats import runfile
from threadlab.scenarios import get_scenario

CLI = [sys.executable, "-m", "threadlab"]


def replay_fails(path: Path | str, expected: str) -> None:
    """Both ``replay FILE --check`` and ``replay FILE`` (which would open the app) refuse
    with one short line containing ``expected``."""
    for args in (["replay", str(path), "--check"], ["replay", str(path)]):
        result = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=30)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert expected in lines[0], lines[0]
        assert len(lines[0]) <= 400, lines[0]


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real run file, as ``trace --format run`` writes it."""
    path = tmp_path_factory.mktemp("run") / "run.json"
    result = subprocess.run(
        [*CLI, "trace", "mutex", "--steps", "30", "--format", "run", "-o", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "run.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# ----------------------------------------------------------------- not a regular file


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    replay_fails(fifo, "it is a FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_character_device_is_refused_and_not_read(tmp_path: Path) -> None:
    # This test's own pseudo-terminal stands in for /dev/zero: a character device.
    controller, terminal = os.openpty()
    try:
        device = os.ttyname(terminal)
        link = tmp_path / "device.json"
        link.symlink_to(device)
        for path in (device, str(link)):
            replay_fails(path, "it is a character device")
        assert stat.S_ISCHR(os.stat(device).st_mode)
    finally:
        os.close(terminal)
        os.close(controller)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    replay_fails(tmp_path, "it is a directory")


def test_a_file_larger_than_any_run_file_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as stream:  # sparse: no disk space used, nothing to read
        stream.truncate(runfile.MAX_BYTES + 1)
    replay_fails(huge, "larger than any run file (at most 256 MB)")


def test_the_reading_limit_holds_even_for_a_file_that_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]
) -> None:
    path = write(tmp_path, document)
    size = path.stat().st_size
    monkeypatch.setattr(runfile, "MAX_BYTES", size - 1)
    with pytest.raises(runfile.RunFileError, match="larger than any run file"):
        runfile.load(str(path), get_scenario)
    real_stat = os.stat

    def smaller(target: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        # The file "grew" after the size was checked: what is read is still capped.
        found = real_stat(target, *args, **kwargs)
        values = list(found)
        values[stat.ST_SIZE] = 10
        return os.stat_result(values)

    monkeypatch.setattr(os, "stat", smaller)
    with pytest.raises(runfile.RunFileError, match="larger than any run file"):
        runfile.load(str(path), get_scenario)


def test_a_name_too_long_is_one_short_line(tmp_path: Path) -> None:
    replay_fails(tmp_path / ("x" * 300), "File name too long")


def test_the_file_that_was_written_still_replays(tmp_path: Path, document: dict[str, Any]) -> None:
    result = subprocess.run(
        [*CLI, "replay", str(write(tmp_path, document)), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("the run matches")


# ----------------------------------------------------------------- malformed contents


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (True, "field 'version' is True, not a whole number (valid: 2)"),
        (2.0, "field 'version' is 2.0, not a whole number (valid: 2)"),
        ("2", "field 'version' is '2', not a whole number (valid: 2)"),
        (None, "field 'version' is None, not a whole number (valid: 2)"),
        (3, "is a version 3 run file; this threadlab reads version 2"),
        (0, "is a version 0 run file; this threadlab reads version 2"),
        (
            1,
            "is from an older threadlab (run file version 1); its scenarios have changed "
            "since, so it cannot be replayed: record the run again",
        ),
    ],
)
def test_the_version_must_be_the_integer_2(
    tmp_path: Path, document: dict[str, Any], version: object, expected: str
) -> None:
    changed = dict(document, version=version)
    replay_fails(write(tmp_path, changed), expected)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("step", "1", "event 1: step '1' is not a whole number >= 0"),
        ("step", True, "event 1: step True is not a whole number >= 0"),
        ("step", 1.0, "event 1: step 1.0 is not a whole number >= 0"),
        ("step", -1, "event 1: step -1 is not a whole number >= 0"),
        ("thread", 5, "event 1: thread 5 is not a name or null"),
        ("thread", ["T1"], "event 1: thread ['T1'] is not a name or null"),
        ("kind", "frobnicate", "event 1: kind 'frobnicate' is not an event kind"),
        ("kind", 3, "event 1: kind 3 is not an event kind"),
        ("kind", ["acquire"], "event 1: kind ['acquire'] is not an event kind"),
        ("kind", None, "event 1: kind None is not an event kind"),
        ("primitive", {"a": 1}, "event 1: primitive {'a': 1} is not a name or null"),
        ("detail", 5, "event 1: detail 5 is not a string"),
        ("detail", None, "event 1: detail None is not a string"),
        ("line", "12", "event 1: line '12' is not a line number or null"),
        ("line", True, "event 1: line True is not a line number or null"),
        ("line", 1.5, "event 1: line 1.5 is not a line number or null"),
    ],
)
def test_a_malformed_event_is_a_corrupt_file_not_a_difference(
    tmp_path: Path, document: dict[str, Any], field: str, value: object, expected: str
) -> None:
    changed = copy.deepcopy(document)
    changed["events"][0][field] = value
    replay_fails(write(tmp_path, changed), expected)


@pytest.mark.parametrize("field", ["step", "thread", "kind", "primitive"])
def test_an_event_without_a_field_is_a_corrupt_file(
    tmp_path: Path, document: dict[str, Any], field: str
) -> None:
    changed = copy.deepcopy(document)
    del changed["events"][2][field]
    replay_fails(write(tmp_path, changed), f"event 3 has no '{field}'")


def test_an_event_that_is_not_an_object_is_a_corrupt_file(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    changed = copy.deepcopy(document)
    changed["events"][1] = ["x" * 5000]
    replay_fails(write(tmp_path, changed), "event 2 is ['xxxx")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"threads": "3"}, "parameter 'threads' is '3', not a whole number"),
        ({"threads": True}, "parameter 'threads' is True, not a whole number"),
        ({"threads": 3.0}, "parameter 'threads' is 3.0, not a whole number"),
        ({"threads": 99}, "parameter threads=99 is out of range (valid: 1..9)"),
    ],
)
def test_a_parameter_must_be_a_whole_number_in_range(
    tmp_path: Path, document: dict[str, Any], params: dict[str, object], expected: str
) -> None:
    replay_fails(write(tmp_path, dict(document, params=params)), expected)


def test_a_seed_must_be_a_whole_number(tmp_path: Path, document: dict[str, Any]) -> None:
    for seed in (True, 1.0, "1"):
        replay_fails(write(tmp_path, dict(document, seed=seed)), "field 'seed' is missing or not")
    replay_fails(write(tmp_path, dict(document, seed=-1)), "seed -1 is out of range")


@pytest.mark.parametrize(
    "changes",
    [
        {"version": "9" * 5000},
        {"version": ["v"] * 2000},
        {"variant": "v" * 5000},
        {"scenario": "s" * 5000},
        {"params": {"p" * 5000: 1}},
        {"seed": 2**200},
    ],
)
def test_long_values_are_quoted_short(
    tmp_path: Path, document: dict[str, Any], changes: dict[str, object]
) -> None:
    replay_fails(write(tmp_path, dict(document, **changes)), "…")


@pytest.mark.parametrize("position", [0, 12])
def test_a_schedule_choosing_a_thread_that_does_not_exist_is_a_corrupt_file(
    tmp_path: Path, document: dict[str, Any], position: int
) -> None:
    # A thread can be started mid-run, so the number is known to be wrong only once the
    # re-executed run gets there: still a corrupt file (2), not a run that differs (1).
    changed = copy.deepcopy(document)
    assert max(changed["schedule"]["steps"]) < 60
    changed["schedule"]["steps"][position] = 60
    path = write(tmp_path, changed)
    result = subprocess.run(
        [*CLI, "replay", str(path), "--check"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert (
        f"run.json is corrupt: its schedule chooses thread 60 at step {position + 1}, but the "
        "run has no such thread there (threads 1.." in lines[0]
    ), lines[0]


MAIN = """
import threading

t = threading.Thread(target=print, args=("hello",))
t.start()
t.join()
"""


def _recorded_program(folder: Path) -> dict[str, Any]:
    """A run file's document for a program of the user's own in ``folder``."""
    folder.mkdir()
    (folder / "main.py").write_text(MAIN, encoding="utf-8")
    traced = subprocess.run(
        [*CLI, "trace", "main.py", "--format", "run", "-o", "run.json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
    )
    assert traced.returncode == 0, traced.stderr
    return json.loads((folder / "run.json").read_text(encoding="utf-8"))


def test_module_entries_are_read_only_as_regular_files_in_the_programs_folder(
    tmp_path: Path,
) -> None:
    """A run file may name any path among the program's modules: a FIFO there (which
    would block for good) and a file outside the program's folder are not read; each is
    said to have changed, so the run is refused unless trusted, and then still replays."""
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text("X = 1\n", encoding="utf-8")
    doc = _recorded_program(tmp_path / "prog")
    os.mkfifo(tmp_path / "prog" / "pipe.py")
    for module in (tmp_path / "prog" / "pipe.py", elsewhere):
        altered = copy.deepcopy(doc)
        altered["program"]["modules"] = {str(module): "0" * 64}
        path = tmp_path / "prog" / "altered.json"
        path.write_text(json.dumps(altered), encoding="utf-8")
        for trust in ([], ["--trust"]):
            done = subprocess.run(
                [*CLI, "replay", "--check", *trust, str(path)],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=tmp_path,
            )
            if not trust:
                assert done.returncode == 2, done.stdout
                assert f"its module {module} is not the one" in done.stderr
                continue
            assert done.returncode == 0, done.stderr
            assert "has changed since this run was recorded; the run matches" in done.stdout
