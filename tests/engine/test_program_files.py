"""A program's own modules: a thread's place is its file and line there, and the snapshot
carries each file's source once the program has imported it."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadlab.engine import ControlRefused, RunState, Runtime, ThreadState
from threadlab.engine.lesson.own_program import program_scenario

SHARED = """import threading

gate = threading.Event()


def wait_for_gate():
    gate.wait()
"""

MAIN = """import threading

import shared


def main():
    waiter = threading.Thread(target=shared.wait_for_gate, name="waiter")
    waiter.start()
    waiter.join()


main()
"""


def test_a_thread_blocked_in_a_sibling_module_is_at_its_line_there(tmp_path: Path, launch) -> None:
    (tmp_path / "shared.py").write_text(SHARED)
    (tmp_path / "mine.py").write_text(MAIN)
    runtime: Runtime = launch(program_scenario(str(tmp_path / "mine.py")))
    runtime.step(200)
    assert runtime.wait_idle(10)
    snapshot = runtime.snapshot()
    waiter = snapshot.thread("waiter")
    assert waiter.state is ThreadState.WAITING
    assert waiter.file == str(tmp_path / "shared.py")
    assert waiter.line == 7  # gate.wait()
    main = snapshot.thread("MainThread")
    assert (main.file, main.line) == (None, 9)  # waiter.join()
    assert [(f.path, f.name) for f in snapshot.files] == [
        (str(tmp_path / "mine.py"), "mine.py"),
        (str(tmp_path / "shared.py"), "shared.py"),
    ]
    assert snapshot.files[1].source[6].text == "    gate.wait()"
    # Events keep the main file's line: the waiter has no frame in mine.py.
    assert all(e.line is None for e in snapshot.events if e.thread == "waiter")


COUNTER = """
import threading

lock = threading.Lock()
count = 0


def work():
    global count
    for _ in range(3):
        with lock:
            count += 1


threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda path: path.unlink(), "cannot run counter.py again: no such file or directory"),
        (
            lambda path: path.write_text("def broken(:\n", encoding="utf-8"),
            "cannot run counter.py again: invalid syntax (counter.py line 1); fix it and restart",
        ),
    ],
    ids=["deleted", "broken"],
)
def test_a_program_changed_under_its_run_refuses_restart_and_rewind_in_one_line(
    tmp_path: Path, launch, change, words: str
) -> None:
    """The run shown goes on as it was: same step, still paused, still steppable."""
    path = tmp_path / "counter.py"
    path.write_text(COUNTER, encoding="utf-8")
    runtime = launch(program_scenario(str(path)))
    assert runtime.wait_started(60)
    runtime.step(4)
    assert runtime.wait_idle(60)
    change(path)
    for travel in (runtime.restart, lambda: runtime.goto(1)):
        with pytest.raises(ControlRefused) as refused:
            travel()
        assert str(refused.value) == words
        snapshot = runtime.snapshot()
        assert snapshot.step == 4 and snapshot.run_state is RunState.PAUSED
    runtime.step(1)
    assert runtime.wait_idle(60)
    assert runtime.snapshot().step == 5


PLUGIN = """import queue
import threading

jobs = queue.Queue()
done = []


def worker():
    while True:
        try:
            job = jobs.get(False)  # polls: each try is a step, so the putter gets turns
        except queue.Empty:
            continue
        if job is None:
            return
        done.append(job)


thread = threading.Thread(target=worker, name="poller")
thread.start()
for job in range(3):
    jobs.put(job)
jobs.put(None)
thread.join()
print(done)
"""

RUNS_PLUGIN = """from pathlib import Path

path = Path(__file__).with_name("plugin.py")
exec(compile(path.read_text(), str(path), "exec"), {"__name__": "plugin"})
"""


@pytest.mark.parametrize("seed", range(4))
def test_a_file_the_program_compiles_itself_is_its_own_code(
    tmp_path: Path, launch, seed: int
) -> None:
    """A plugin the program runs with ``exec(compile(...))`` (as unittest's loaders and
    CPython's own test runner do) is the program's code: its queue is shown, its calls are
    steps, and a thread polling ``get(False)`` lets the others run."""
    (tmp_path / "plugin.py").write_text(PLUGIN)
    (tmp_path / "mine.py").write_text(RUNS_PLUGIN)
    runtime: Runtime = launch(program_scenario(str(tmp_path / "mine.py")), seed=seed)
    runtime.step(5_000)
    assert runtime.wait_idle(30)
    snapshot = runtime.snapshot()
    assert snapshot.run_state is RunState.FINISHED, snapshot.verdict
    assert [line.text for line in snapshot.output] == ["[0, 1, 2]"]
    assert any(e.primitive == "jobs" for e in snapshot.events)
    assert str(tmp_path / "plugin.py") in [f.path for f in snapshot.files]
