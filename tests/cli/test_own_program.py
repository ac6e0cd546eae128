"""A program of the user's own, run unmodified: ``threadlab trace mine.py``, its bad
input, its own modules under control, and run files that notice when it changed."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime, Scenario, resolve_config
from threadlab.engine.formats import runfile
from threadlab.engine.formats.trace import write_trace
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.scenarios import SCENARIOS, get_scenario

CLI = [sys.executable, "-m", "threadlab"]

LOCK_ORDER = '''"""Two threads that take two locks in opposite orders."""
import threading
import time

a = threading.Lock()
b = threading.Lock()


def one():
    with a:
        time.sleep(0.01)
        with b:
            print("one got both")


def two():
    with b:
        time.sleep(0.01)
        with a:
            print("two got both")


t1 = threading.Thread(target=one)
t2 = threading.Thread(target=two)
t1.start()
t2.start()
t1.join()
t2.join()
'''


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def run_to_end(path: Path, seed: int = 0) -> Runtime:
    runtime = Runtime(
        resolve_config(program_scenario(str(path)), seed=seed), paused=False, speed=None
    )
    runtime.start()
    assert runtime.wait_idle(30)
    return runtime


def test_an_unmodified_program_deadlocks_in_a_cycle_under_some_seed(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text(LOCK_ORDER)
    outcomes = set()
    for seed in range(20):
        runtime = run_to_end(program, seed)
        snapshot = runtime.snapshot()
        assert runtime.stop()
        outcomes.add(snapshot.run_state)
        if snapshot.run_state is RunState.DEADLOCK:
            assert snapshot.verdict is not None
            assert (
                "Cycle: Thread-1 (one) → Thread-2 (two) → Thread-1 (one)" in snapshot.verdict.text
            )
            assert {p.name for p in snapshot.primitives} == {"a", "b"}
            assert snapshot.title == "mine.py"
            assert [line.text for line in snapshot.source][:1] == [
                '"""Two threads that take two locks in opposite orders."""'
            ]
    assert RunState.DEADLOCK in outcomes


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (None, "nothere.py: no such file (give the path of a Python program)"),
        ("def f(:\n    pass\n", "mine.py:1: syntax error: invalid syntax"),
        (b"\xff\xfe\x00", "mine.py is not UTF-8 text: not a Python program"),
    ],
)
def test_bad_programs_get_one_line_and_exit_2(
    tmp_path: Path, write: str | bytes | None, expected: str
) -> None:
    name = "nothere.py" if write is None else "mine.py"
    if isinstance(write, str):
        (tmp_path / name).write_text(write)
    elif isinstance(write, bytes):
        (tmp_path / name).write_bytes(write)
    for command in ("trace", "run"):
        result = run_cli(command, name, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr == f"threadlab: error: {expected}\n"
        assert result.stdout == ""


def test_a_folder_is_not_a_program(tmp_path: Path) -> None:
    result = run_cli("trace", "./", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "threadlab: error: ./ is not a file (give the path of a Python program)\n",
    )


def test_a_program_has_no_parameters_or_variants(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(LOCK_ORDER)
    result = run_cli("trace", "mine.py", "--param", "x=1", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        "threadlab: error: unknown parameter 'x' for mine.py (valid: none)\n",
    )


def test_the_programs_own_modules_run_under_control_too(tmp_path: Path) -> None:
    (tmp_path / "shared.py").write_text("import threading\n\nguard = threading.Lock()\ncount = 0\n")
    (tmp_path / "mine.py").write_text(
        "import threading\nimport json  # from elsewhere: the real one\n"
        "import shared\n\n\ndef add():\n    with shared.guard:\n        shared.count += 1\n\n\n"
        "threads = [threading.Thread(target=add) for _ in range(3)]\n"
        "for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\n"
        "assert shared.count == 3\n"
    )
    runtime = run_to_end(tmp_path / "mine.py")
    snapshot = runtime.snapshot()
    assert runtime.stop()
    assert snapshot.run_state is RunState.FINISHED, snapshot.verdict
    assert [p.name for p in snapshot.primitives] == ["guard"]  # named from shared.py
    assert sum(e.kind == "acquire" and e.primitive == "guard" for e in snapshot.events) == 3


def _runs_like_the_lesson(scenario: Scenario) -> bool:
    """Run as a file, the program does what the lesson's default run does: its
    ``__main__`` block is exactly ``main()``, and main's default variant is the lesson's."""
    assert scenario.program is not None
    tree = ast.parse(Path(scenario.program).read_text())
    last = tree.body[-1]
    if not (isinstance(last, ast.If) and ast.unparse(last.body[0]) == "main()"):
        return False
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    named = dict(
        zip(
            [a.arg for a in main.args.args][-len(main.args.defaults) :],
            main.args.defaults,
            strict=True,
        )
    )
    variant = named.get("variant")
    return variant is None or ast.literal_eval(variant) == scenario.default_variant


SHIPPED = [s.name for s in SCENARIOS.values() if s.program is not None and _runs_like_the_lesson(s)]


@pytest.mark.parametrize("name", SHIPPED)
def test_a_scenario_file_run_by_its_path_gives_the_same_events(name: str) -> None:
    scenario = get_scenario(name)
    assert scenario.program is not None
    built_in, by_path = [], []
    write_trace(resolve_config(scenario, seed=3), 300, built_in.append, "jsonl")
    write_trace(
        # with its shared reads and writes as steps (threadlab run's default) a program
        # has more steps than the lesson, whose steps are its primitives' only
        resolve_config(program_scenario(scenario.program, races=False), seed=3),
        300,
        by_path.append,
        "jsonl",
    )

    def events(lines: list[str]) -> list[dict[str, object]]:
        records = [json.loads(line) for line in "".join(lines).splitlines()]
        # what it prints is not an event: run as a file, futures.py prints its results
        return [r for r in records if r["kind"] not in ("end", "output")]

    assert events(by_path) == events(built_in)
    assert len(events(built_in)) > 10


def save_run(program: Path, *, seed: int, steps: int) -> Path:
    """Run ``program`` for ``steps`` steps and save it as ``run.json`` beside it."""
    config = resolve_config(program_scenario(str(program)), seed=seed)
    runtime = Runtime(config, paused=True, speed=None)
    try:
        runtime.start()
        runtime.step(steps)
        assert runtime.wait_idle(10)
        history = runtime.history()
    finally:
        assert runtime.stop()
    saved = program.parent / "run.json"
    runfile.save(str(saved), runfile.record(config, history))
    return saved


def test_a_run_file_of_a_program_replays_and_notices_a_change(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text(LOCK_ORDER)
    saved = save_run(program, seed=1, steps=8)
    assert json.loads(saved.read_text())["program"]["path"] == str(program)

    loaded = runfile.load(str(saved), get_scenario)
    matches, summary = runfile.check(loaded)
    assert matches, summary

    program.write_text(LOCK_ORDER.replace("time.sleep(0.01)", "time.sleep(0.02)"))
    loaded = runfile.load(str(saved), get_scenario)
    matches, summary = runfile.check(loaded)
    assert summary.startswith(f"{program} has changed since this run was recorded; ")


def test_a_run_file_notices_a_change_in_a_module_of_the_programs_own(tmp_path: Path) -> None:
    (tmp_path / "shared.py").write_text("import threading\n\nguard = threading.Lock()\n")
    program = tmp_path / "mine.py"
    program.write_text(
        "import threading\nimport shared\n\n\ndef work():\n    with shared.guard:\n"
        "        pass\n\n\nthreading.Thread(target=work).start()\n"
    )
    saved = save_run(program, seed=0, steps=4)
    modules = json.loads(saved.read_text())["program"]["modules"]
    assert list(modules) == [str(tmp_path / "shared.py")]
    matches, summary = runfile.check(runfile.load(str(saved), get_scenario))
    assert matches and "changed" not in summary, summary

    (tmp_path / "shared.py").write_text("import threading\n\nguard = threading.RLock()\n")
    matches, summary = runfile.check(runfile.load(str(saved), get_scenario))
    assert summary.startswith(f"{tmp_path / 'shared.py'} has changed since this run was recorded")


SPINNER = """
import threading


def spin():
    seen = False
    while not seen:  # a local: no threading call, no shared read
        pass


print("starting")
threading.Thread(target=spin, name="spinner").start()
"""


@pytest.mark.main_python_only
def test_trace_of_a_thread_that_never_reaches_a_checkpoint_names_it(tmp_path: Path) -> None:
    """It waits ``STUCK_PATIENCE`` (10 s), as explore does, then says which thread and where
    in one line and exits 2; what was traced before stays written."""
    (tmp_path / "spin.py").write_text(SPINNER, encoding="utf-8")
    done = subprocess.run(
        [*CLI, "trace", "spin.py", "--no-races"],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    # (the seconds said are those measured: 10, or more on a loaded machine)
    assert len(done.stderr.splitlines()) == 1
    assert re.fullmatch(
        r"threadlab: error: spinner ran outside the schedule for 1\d s at line 7 \(a busy loop "
        r"with no threading call, real I/O, or a blocking call threadlab does not control\); "
        r"trace needs every thread to reach threading calls",
        done.stderr.strip(),
    ), done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert any(event.get("text") == "starting" for event in printed)
