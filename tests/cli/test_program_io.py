"""What a program of the user's own prints, the arguments it is given, and how it ends:
its output kept apart (per thread, never on the terminal, records of their own in
``trace``), ``threadlab run FILE -- ARGS`` as its ``sys.argv``, an ``assert`` of its own
as a VIOLATION and ``sys.exit(n)`` as FINISHED with status n."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime, VerdictKind, resolve_config
from threadlab.engine.core.kernel import OUTPUT_LINES, SNAPSHOT_OUTPUT_LINES
from threadlab.engine.formats import runfile
from threadlab.engine.formats.trace import write_trace
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.scenarios import get_scenario

CLI = [sys.executable, "-m", "threadlab"]

PRINTS = """\
import sys
import threading


def work():
    print("hello", "from", threading.current_thread().name, end="!\\n")
    sys.stdout.write("half a ")
    sys.stdout.write("line\\n")
    print("to stderr", file=sys.stderr)


worker = threading.Thread(target=work, name="Worker")
worker.start()
worker.join()
print("args:", sys.argv[1:])
"""


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def run_to_end(path: Path, argv: tuple[str, ...] = (), seed: int = 0) -> Runtime:
    config = resolve_config(program_scenario(str(path)), seed=seed, argv=argv)
    runtime = Runtime(config, paused=False, speed=None)
    runtime.start()
    assert runtime.wait_idle(30)
    return runtime


def finished(path: Path, argv: tuple[str, ...] = ()):
    runtime = run_to_end(path, argv)
    try:
        return runtime.snapshot()
    finally:
        assert runtime.stop()


def test_output_is_kept_per_line_with_the_thread_that_printed_it(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text(PRINTS)
    snapshot = finished(program, ("a", "--b"))
    assert snapshot.run_state is RunState.FINISHED
    assert [(line.thread, line.stream, line.text) for line in snapshot.output] == [
        ("Worker", "stdout", "hello from Worker!"),
        ("Worker", "stdout", "half a line"),
        ("Worker", "stderr", "to stderr"),
        ("MainThread", "stdout", "args: ['a', '--b']"),
    ]
    assert all(0 < line.step <= snapshot.step for line in snapshot.output)


def test_the_process_keeps_its_own_argv_and_streams(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text(
        "import sys\nsys.argv.append('more')\nsys.stdout = sys.stderr\nprint(sys.argv)\n"
    )
    before = (list(sys.argv), sys.stdout, sys.stderr)
    snapshot = finished(program, ("x",))
    assert (list(sys.argv), sys.stdout, sys.stderr) == before
    assert [(line.stream, line.text) for line in snapshot.output] == [
        ("stderr", f"[{str(program)!r}, 'x', 'more']")
    ]


def test_a_snapshot_carries_the_latest_lines_and_reuses_them_until_more_come(
    tmp_path: Path,
) -> None:
    program = tmp_path / "mine.py"
    program.write_text(f"for n in range({OUTPUT_LINES + 50}):\n    print(n)\n")
    runtime = run_to_end(program)
    try:
        first, second = runtime.snapshot(), runtime.snapshot()
        assert len(runtime.output()) == OUTPUT_LINES
    finally:
        assert runtime.stop()
    assert len(first.output) == SNAPSHOT_OUTPUT_LINES
    assert first.output[-1].text == str(OUTPUT_LINES + 49)
    assert second.output is first.output  # not copied again when nothing was printed


def test_trace_writes_output_as_records_of_their_own(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text(PRINTS)
    result = run_cli("trace", "mine.py", "--", "one", "two words", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    records = [json.loads(line) for line in result.stdout.splitlines()]  # every line is JSON
    printed = [r for r in records if r["kind"] == "output"]
    assert [(r["thread"], r["stream"], r["text"]) for r in printed] == [
        ("Worker", "stdout", "hello from Worker!"),
        ("Worker", "stdout", "half a line"),
        ("Worker", "stderr", "to stderr"),
        ("MainThread", "stdout", "args: ['one', 'two words']"),
    ]
    # in order with the events: the worker printed before it was done
    kinds = [(r["thread"], r["kind"]) for r in records]
    assert kinds.index(("Worker", "output")) < kinds.index(("Worker", "done"))
    assert records[-1]["kind"] == "end"
    assert records[-1]["exit_status"] == 0


@pytest.mark.parametrize("fmt", ["chrome", "run"])
def test_other_formats_leave_output_out(tmp_path: Path, fmt: str) -> None:
    program = tmp_path / "mine.py"
    program.write_text(PRINTS)
    written: list[str] = []
    write_trace(resolve_config(program_scenario(str(program))), 1000, written.append, fmt)
    text = "".join(written)
    json.loads(text)
    assert "hello from" not in text


def test_arguments_reach_the_program_and_its_run_file(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text(
        "import sys\nimport threading\n\nlock = threading.Lock()\n"
        "for word in sys.argv[1:]:\n    with lock:\n        print(word)\n"
    )
    saved = tmp_path / "run.json"
    result = run_cli(
        "trace", "mine.py", "--format", "run", "-o", str(saved), "--", "a", "b", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(saved.read_text())
    assert document["argv"] == ["a", "b"]
    loaded = runfile.load(str(saved), get_scenario)
    assert loaded.config.argv == ("a", "b")
    assert sum(e.kind == "acquire" for e in loaded.events) == 2  # one lock taken per word
    matches, summary = runfile.check(loaded)
    assert matches, summary

    # A file without the field (every older one) loads, with no arguments.
    del document["argv"]
    saved.write_text(json.dumps(document))
    assert runfile.load(str(saved), get_scenario).config.argv == ()
    matches, summary = runfile.check(runfile.load(str(saved), get_scenario))
    assert not matches  # with no arguments the program takes no lock

    document["argv"] = "a b"
    saved.write_text(json.dumps(document))
    with pytest.raises(runfile.RunFileError, match="field 'argv' is 'a b', not a list"):
        runfile.load(str(saved), get_scenario)


def test_a_run_without_arguments_writes_no_argv_field(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text(PRINTS)
    written: list[str] = []
    write_trace(resolve_config(program_scenario(str(program))), 1000, written.append, "run")
    assert "argv" not in json.loads("".join(written))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("trace", "mutex", "--", "a"),
            "mutex takes no arguments after -- (only a program file of your own does)",
        ),
        (
            ("list", "--", "a"),
            "arguments after -- are for 'run', 'trace' or 'explore' of a program file",
        ),
    ],
)
def test_arguments_where_none_are_taken_are_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"threadlab: error: {expected}\n"


def test_an_assert_of_the_program_is_a_violation_naming_thread_line_and_message(
    tmp_path: Path,
) -> None:
    program = tmp_path / "mine.py"
    program.write_text(
        "import threading\n\ncounter = 1\n\n\ndef check():\n"
        '    assert counter == 2, f"counter is {counter}"\n\n\n'
        "t = threading.Thread(target=check, name='Checker')\nt.start()\nt.join()\n"
    )
    snapshot = finished(program)
    assert snapshot.run_state is RunState.VIOLATION
    verdict = snapshot.verdict
    assert verdict is not None and verdict.kind is VerdictKind.VIOLATION
    assert verdict.text == (
        "Invariant broken in Checker: assert counter == 2 (line 7): counter is 1"
    )
    assert verdict.threads == ("Checker",)
    assert snapshot.thread("Checker").line == 7
    assert any(e.kind == "violation" for e in snapshot.events)


def test_an_assert_without_a_message_in_a_module_of_the_program(tmp_path: Path) -> None:
    (tmp_path / "rules.py").write_text("def holds(n):\n    assert n > 0\n")
    program = tmp_path / "mine.py"
    program.write_text("import rules\n\nrules.holds(0)\n")
    snapshot = finished(program)
    assert snapshot.verdict is not None
    assert snapshot.verdict.text == (
        "Invariant broken in MainThread: assert n > 0 (rules.py, line 2)."
    )


def test_other_exceptions_stay_failed(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text("raise ValueError('nope')\n")
    snapshot = finished(program)
    assert snapshot.run_state is RunState.FAILED
    assert snapshot.verdict is not None and snapshot.verdict.kind is VerdictKind.FAILED
    assert snapshot.exit_status is None


@pytest.mark.parametrize(
    ("ending", "status", "printed"),
    [
        ("", 0, []),
        ("sys.exit()", 0, []),
        ("sys.exit(0)", 0, []),
        ("sys.exit(3)", 3, []),
        ("sys.exit('bad input')", 1, [("stderr", "bad input")]),
        ("raise SystemExit(4)", 4, []),
    ],
)
def test_a_program_that_exits_finishes_with_its_status(
    tmp_path: Path, ending: str, status: int, printed: list[tuple[str, str]]
) -> None:
    program = tmp_path / "mine.py"
    program.write_text(
        "import sys\nimport threading\nimport time\n\n\n"
        "def late():\n    time.sleep(1)\n    print('still joined')\n\n\n"
        f"threading.Thread(target=late).start()\n{ending}\n"
    )
    snapshot = finished(program)
    assert snapshot.run_state is RunState.FINISHED, snapshot.verdict
    assert snapshot.verdict is None
    assert snapshot.exit_status == status
    # As CPython: the program's non-daemon threads are joined even after sys.exit.
    assert [(line.stream, line.text) for line in snapshot.output] == [
        *printed,
        ("stdout", "still joined"),
    ]
