"""A program's own modules: a thread's place is its file and line there, and the snapshot
carries each file's source once the program has imported it."""

from __future__ import annotations

from pathlib import Path

from threadlab.engine import Runtime, ThreadState
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
