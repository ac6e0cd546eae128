"""A program run in a process of its own (``engine.debuggee``): the same run as in
threadlab's process, and whatever the program does to its process stays there.

Exists because the program once ran inside threadlab's own process: ``os._exit`` in a worker
ended ``trace`` with nothing written, a child process's output landed raw inside its JSON
lines, ``input()`` read threadlab's own stdin, and ``chdir`` moved where threadlab saves.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime, resolve_config
from threadlab.engine.core.errors import ControlRefused
from threadlab.engine.debuggee.elsewhere import call_in_own_process
from threadlab.engine.debuggee.host import ProcessRuntime
from threadlab.engine.debuggee.process import ProcessEnded
from threadlab.engine.formats import runfile
from threadlab.engine.formats.trace import HistoryLost, run_headless, write_trace
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.scenarios import get_scenario

WAIT = 30.0


def _program(folder: Path, source: str, name: str = "prog.py") -> str:
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return str(path)


def _lines(config, steps: int = 5000, **options) -> list[str]:
    chunks: list[str] = []
    write_trace(config, steps, chunks.append, **options)
    return "".join(chunks).splitlines()


@pytest.mark.parametrize(
    "name", ["producer-consumer", "philosophers", "futures", "readers-writers", "async-io"]
)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_a_run_in_its_own_process_is_the_run_in_threadlabs(name: str, seed: int) -> None:
    config = resolve_config(get_scenario(name), seed=seed)
    isolated = run_headless(config, 400, on_event=(events := []).append)
    inside = run_headless(config, 400, on_event=(events_inside := []).append, in_process=True)
    assert events == events_inside
    assert isolated.history == inside.history
    assert isolated.final.step == inside.final.step
    assert isolated.final.run_state == inside.final.run_state


def test_control_calls_and_time_travel_go_through(tmp_path: Path) -> None:
    config = resolve_config(get_scenario("producer-consumer"), seed=3)
    runtime = ProcessRuntime(config, paused=True, speed=None)
    try:
        runtime.start()
        runtime.step(30)
        assert runtime.wait_idle(WAIT)
        at_30 = runtime.snapshot()
        assert at_30.step == 30
        runtime.goto(10)
        assert runtime.snapshot().step == 10
        runtime.goto(30)
        assert runtime.snapshot().threads == at_30.threads
        with pytest.raises(ControlRefused):
            runtime.signal("no such condition")
    finally:
        assert runtime.stop()
    with pytest.raises(ProcessEnded):
        runtime.step()


def test_a_program_that_does_not_load_says_why_as_in_process(tmp_path: Path) -> None:
    path = _program(tmp_path, "print('fine')\n")
    config = resolve_config(program_scenario(path, races=False))
    Path(path).write_text("def broken(:\n", encoding="utf-8")  # edited since
    with pytest.raises(Exception) as inside:
        Runtime(config)
    with pytest.raises(Exception) as isolated:
        ProcessRuntime(config)
    assert type(isolated.value) is type(inside.value)
    assert str(isolated.value) == str(inside.value)


def test_os_exit_in_a_worker_ends_the_run_there_with_its_status(tmp_path: Path) -> None:
    path = _program(
        tmp_path,
        """
        import os, threading

        def worker():
            print("leaving")
            try:
                os._exit(3)
            finally:
                print("never printed: os._exit runs no finally block")

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        print("never printed")
        """,
    )
    config = resolve_config(program_scenario(path, races=False))
    lines = _lines(config)
    assert any('"text": "leaving"' in line for line in lines)
    assert not any("never printed" in line for line in lines)
    end = lines[-1]
    assert '"kind": "end"' in end and '"state": "FAILED"' in end
    assert '"exit_status": 3' in end and "os._exit(3)" in end
    assert _lines(config) == lines  # the same run every time
    assert _lines(config, in_process=True) == lines  # and in threadlab's own process


def test_os_exit_zero_is_a_finished_run(tmp_path: Path) -> None:
    path = _program(tmp_path, "import os\nprint('bye', flush=True)\nos._exit(0)\n")
    lines = _lines(resolve_config(program_scenario(path, races=False)))
    assert '"state": "FINISHED"' in lines[-1] and '"exit_status": 0' in lines[-1]


def test_a_run_that_ends_with_os_exit_is_saved_and_replays(tmp_path: Path) -> None:
    path = _program(tmp_path, "import os, threading\nthreading.Lock()\nos._exit(5)\n")
    config = resolve_config(program_scenario(path, races=False))
    chunks: list[str] = []
    write_trace(config, 1000, chunks.append, "run")
    run_file = tmp_path / "run.json"
    run_file.write_text("".join(chunks), encoding="utf-8")
    loaded = runfile.load(str(run_file), lambda name: config.scenario)
    matches, summary = runfile.check(loaded)
    assert matches, summary
    assert '"verdict": "MainThread ended the program\'s process: os._exit(5)"' in "".join(chunks)


KILLS_ITSELF = """
import os, subprocess, sys, threading
# Killed from outside, as by kill -9 in another terminal (a signal the program sends
# itself is its run's: program.signals).
killer = f"import os, signal; os.kill({os.getpid()}, signal.SIGKILL)"
threading.Thread(target=subprocess.run, args=([sys.executable, "-c", killer],)).start()
"""


def test_a_run_file_of_a_process_that_was_killed_is_one_clear_refusal(tmp_path: Path) -> None:
    path = _program(tmp_path, KILLS_ITSELF)
    with pytest.raises(HistoryLost, match="killed by SIGKILL"):
        _lines(resolve_config(program_scenario(path, races=False)), fmt="run")


def test_input_reads_an_empty_stdin_and_a_childs_output_is_an_output_record(
    tmp_path: Path,
) -> None:
    path = _program(
        tmp_path,
        f"""
        import subprocess, sys
        subprocess.run([{sys.executable!r}, "-c", "print('from a child')"])
        try:
            input()
        except EOFError:
            print("stdin is empty")
        """,
    )
    lines = _lines(resolve_config(program_scenario(path, races=False)))
    records = [line for line in lines if '"kind": "output"' in line]
    assert any('"thread": null' in r and '"text": "from a child"' in r for r in records)
    assert any('"text": "stdin is empty"' in r for r in records)
    assert all(line.startswith("{") for line in lines)  # nothing raw among the records


CHILD_BETWEEN_LOCKS = f"""
import subprocess, threading
lock = threading.Lock()
with lock:
    print("before")
subprocess.run([{sys.executable!r}, "-c", "print('from a child')"])
with lock:
    print("after")
"""


def test_a_childs_output_belongs_to_its_run_and_a_rewind_shows_it_once(tmp_path: Path) -> None:
    path = _program(tmp_path, CHILD_BETWEEN_LOCKS)
    runtime = ProcessRuntime(
        resolve_config(program_scenario(path, races=False)), paused=True, speed=None
    )
    try:
        runtime.start()
        runtime.resume()
        assert runtime.wait_idle(WAIT)
        ended = runtime.snapshot()
        assert ended.run_state is RunState.FINISHED, ended.verdict
        texts = [line.text for line in ended.output]
        assert texts == ["before", "from a child", "after"], texts
        child = ended.output[1]
        assert child.thread is None
        assert ended.output[0].step <= child.step <= ended.output[2].step
        for back_to in (0, child.step, ended.step):  # the child runs again, in the new run
            runtime.goto(back_to)
            again = runtime.snapshot()
            expected = [line.text for line in ended.output if line.step <= back_to]
            assert [line.text for line in again.output] == expected, back_to
    finally:
        assert runtime.stop()


def test_what_a_program_writes_to_its_descriptors_before_os_exit_is_kept(
    tmp_path: Path,
) -> None:
    path = _program(
        tmp_path,
        """
        import os, threading
        def worker():
            os.write(1, b"raw out\\n")
            os.write(2, b"raw err, no end")
            os._exit(4)
        threading.Thread(target=worker).start()
        """,
    )
    lines = _lines(resolve_config(program_scenario(path, races=False)))
    records = [line for line in lines if '"kind": "output"' in line]
    assert any('"text": "raw out"' in r and '"stream": "stdout"' in r for r in records), records
    assert '"state": "FAILED"' in lines[-1] and "os._exit(4)" in lines[-1]


def test_what_the_program_does_to_its_process_stays_there(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = _program(
        tmp_path,
        f"""
        import builtins, os, sys
        os.chdir({str(elsewhere)!r})
        sys.setrecursionlimit(60)
        builtins.print = lambda *args, **kwargs: None
        os.environ["THREADLAB_TEST_LEAK"] = "1"
        """,
    )
    here = os.getcwd()
    limit = sys.getrecursionlimit()
    lines = _lines(resolve_config(program_scenario(path, races=False)))
    assert '"state": "FINISHED"' in lines[-1]
    assert os.getcwd() == here
    assert sys.getrecursionlimit() == limit
    assert "THREADLAB_TEST_LEAK" not in os.environ
    print("print still prints")  # (the program's print was its own)


def test_a_crash_of_the_programs_interpreter_is_the_runs_verdict(tmp_path: Path) -> None:
    path = _program(
        tmp_path,
        """
        import ctypes, threading
        threading.Thread(target=ctypes.string_at, args=(0,)).start()
        """,
    )
    lines = _lines(resolve_config(program_scenario(path, races=False)))
    assert '"state": "FAILED"' in lines[-1] and "SIGSEGV" in lines[-1]


def test_a_killed_process_leaves_the_last_snapshot_marked_as_ended(tmp_path: Path) -> None:
    path = _program(tmp_path, KILLS_ITSELF)
    runtime = ProcessRuntime(resolve_config(program_scenario(path, races=False)), paused=False)
    try:
        runtime.start()
        assert runtime.wait_idle(WAIT)
        snapshot = runtime.snapshot()
        assert snapshot.run_state is RunState.FAILED and snapshot.process_ended
        assert snapshot.exit_status == -9
        assert runtime.ended == -9
        with pytest.raises(ProcessEnded, match="killed by SIGKILL"):
            runtime.step()
        runtime.restart()  # in a new process, which the program kills again
        assert runtime.wait_idle(WAIT)
        assert runtime.snapshot().process_ended
    finally:
        runtime.stop()


def test_a_call_in_a_process_of_its_own_returns_raises_or_says_its_process_ended(
    tmp_path: Path,
) -> None:
    assert call_in_own_process("a sum", sum, [1, 2, 3]) == 6
    with pytest.raises(ValueError, match="invalid literal"):
        call_in_own_process("a number", int, "x")
    with pytest.raises(ControlRefused, match=r"the process for a test ended \(killed by SIGKILL"):
        # (a function the fresh process can import: the test's module is not on its path)
        call_in_own_process("a test", signal.raise_signal, signal.SIGKILL)


def test_a_call_that_a_fresh_process_cannot_read_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "only_here.py").write_text("def answer():\n    return 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))  # this process's path, not the fresh one's
    only_here = importlib.import_module("only_here")
    with pytest.raises(RuntimeError, match="the call could not be read there"):
        call_in_own_process("a test", only_here.answer)


def test_a_run_saved_in_a_process_of_its_own_checks_as_recorded(tmp_path: Path) -> None:
    config = resolve_config(get_scenario("producer-consumer"), seed=2)
    runtime = Runtime(config, paused=True, speed=None)
    try:
        runtime.start()
        runtime.step(25)
        assert runtime.wait_idle(WAIT)
        history = runtime.history(up_to_now=True)
    finally:
        runtime.stop()
    path = str(tmp_path / "saved.json")
    call_in_own_process("the save", runfile.record_and_save, config, history, (3,), path)
    loaded = runfile.load(path, lambda name: config.scenario)
    assert len(loaded.history) == 25 and loaded.preemptions == (3,)
    matches, summary = runfile.check(loaded)
    assert matches, summary


class _StderrWithoutDescriptor:
    """What Textual puts in ``sys.stderr`` while the app runs: no file descriptor."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return -1


def test_a_call_in_its_own_process_starts_under_the_apps_stderr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ctrl+s crashed the real app (not under Pilot): multiprocessing's resource tracker
    cannot start while sys.stderr has no descriptor."""
    monkeypatch.setattr(sys, "stderr", _StderrWithoutDescriptor())
    assert call_in_own_process("a sum", sum, [4, 5]) == 9
