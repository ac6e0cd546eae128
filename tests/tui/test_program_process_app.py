"""The app with a program that acts on its own process: it ends it (``os._exit``, a kill),
reads its stdin, starts a child that prints. The app carries on, and says what happened.

Exists because the program once ran in the app's own process: ``os._exit`` in a worker
killed the app and left the terminal in raw mode, ``input()`` read the keys meant for the
app, and a child's output was written over the screen.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from tui_testing import hint_text, run, scenario_screen, settle

from threadlab.engine import RunState, resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.widgets.verdict import PROCESS_ENDED, PROGRAM_ENDED, VerdictBanner

pytestmark = pytest.mark.own_process  # the app as users run it: each program in its own process

SIZE = (120, 40)

ENDS_ITS_PROCESS = f"""
import os
import subprocess
import threading

lock = threading.Lock()

def worker(n):
    with lock:
        print("worker", n)

threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
subprocess.run([{sys.executable!r}, "-c", "print('a child speaks')"])
try:
    input("name? ")
except EOFError:
    print("stdin is empty")
os._exit(4)
"""


def _app(path: Path, folder: Path) -> ThreadlabApp:
    config = resolve_config(program_scenario(str(path)))
    app = ThreadlabApp(config, paused=False, speed=None, save_dir=str(folder))
    app.animation_level = "none"
    return app


async def _until(pilot, test, seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``test()`` holds; ``seconds`` only guards against a hang."""
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "the app never got there"
        await pilot.pause(0.05)


def test_os_exit_ends_the_run_there_and_it_can_be_stepped_back_and_saved(
    tmp_path: Path,
) -> None:
    program = tmp_path / "ends.py"
    program.write_text(ENDS_ITS_PROCESS)
    here = os.getcwd()

    async def body() -> None:
        app = _app(program, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)

            def ended() -> bool:
                shown = screen.snapshot
                return shown is not None and shown.exit_status == 4

            await _until(pilot, ended)
            shown = screen.snapshot
            assert shown is not None and shown.run_state is RunState.FAILED
            assert shown.verdict is not None and shown.verdict.ends_program
            assert "os._exit(4)" in shown.verdict.text
            texts = [line.text for line in shown.output]
            # what the program printed, its child's line, and an empty stdin
            assert {"worker 0", "worker 1", "stdin is empty", "a child speaks"} <= set(texts)
            assert PROGRAM_ENDED in str(screen.query_one(VerdictBanner).render())
            last = shown.step
            await pilot.press("left")  # the run can be stepped back from its end
            await settle(pilot)
            assert screen.runtime.snapshot().step == last - 1
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert hint_text(app).startswith("saved to ")
            assert len(list(tmp_path.glob("threadlab-*.json"))) == 1
        assert os.getcwd() == here

    run(body)


KILLS_ITS_PROCESS = """
import os, subprocess, sys, threading
lock = threading.Lock()
for _ in range(3):
    with lock:
        print("about to go")
# Killed from outside, as by kill -9 in another terminal (a signal the program sends
# itself is its run's: program.signals).
killer = f"import os, signal; os.kill({os.getpid()}, signal.SIGKILL)"
threading.Thread(target=subprocess.run, args=([sys.executable, "-c", killer],)).start()
"""


def test_a_killed_process_is_shown_ended_and_runs_again_on_r(tmp_path: Path) -> None:
    program = tmp_path / "killed.py"
    program.write_text(KILLS_ITS_PROCESS)

    async def body() -> None:
        app = _app(program, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)

            def ended() -> bool:
                shown = screen.snapshot
                return shown is not None and shown.process_ended

            await _until(pilot, ended)
            shown = screen.snapshot
            assert shown is not None
            assert shown.run_state is RunState.FAILED and shown.exit_status == -9
            assert shown.verdict is not None and "killed by SIGKILL" in shown.verdict.text
            assert PROCESS_ENDED in str(screen.query_one(VerdictBanner).render())
            await pilot.press("left")  # nothing to go back in: said on the hint line
            await settle(pilot)
            assert "killed by SIGKILL" in hint_text(app) and "Press r" in hint_text(app)
            await pilot.press("ctrl+s")  # nothing to save either
            await settle(pilot)
            assert hint_text(app).startswith("not saved: the program's process has ended")
            assert list(tmp_path.glob("*.json")) == []
            first = screen.runtime
            await pilot.press("r")  # a new process, the same run
            await settle(pilot)
            assert screen.runtime is first
            await _until(pilot, ended)

    run(body)


def test_a_save_is_written_in_the_background_and_said(tmp_path: Path) -> None:
    program = tmp_path / "counts.py"
    program.write_text(
        "import threading\nlock = threading.Lock()\n"
        "def work():\n    for _ in range(3):\n        with lock:\n            pass\n"
        "ts = [threading.Thread(target=work) for _ in range(2)]\n"
        "for t in ts: t.start()\nfor t in ts: t.join()\n"
    )

    async def body() -> None:
        app = _app(program, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            await _until(
                pilot,
                lambda: (
                    screen.snapshot is not None and screen.snapshot.run_state is RunState.FINISHED
                ),
            )
            await pilot.press("ctrl+s")
            await settle(pilot)  # written in the background
            saved = list(tmp_path.glob("threadlab-*.json"))
            assert len(saved) == 1
            assert hint_text(app).startswith(f"saved to {saved[0]}")

    run(body)
