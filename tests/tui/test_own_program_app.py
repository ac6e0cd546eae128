"""A user's own program in the app: the interception stays inside the program (the app's
threads, Textual's and Rich's locks and asyncio keep the real ones), and a thread that runs
outside the schedule is shown as such, refuses steps at once and is named on leaving."""

from __future__ import annotations

import _thread
import asyncio
import queue
import sys
import threading
import time
from pathlib import Path

import pytest
from tui_testing import hint_text, run, scenario_screen, settle, tap

from threadlab.engine import RunState, resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.tui import app as app_module
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.widgets.threads import doing_text

pytestmark = pytest.mark.own_process  # the app as users run it: each program in its own process

SIZE = (120, 40)

BUSY_WORLD = """
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor

jobs = queue.Queue()
start = time.monotonic()

def work(n):
    time.sleep(3600)   # a virtual hour
    jobs.put(n * n)
    return n

with ThreadPoolExecutor(max_workers=2) as pool:
    done = list(pool.map(work, range(3)))
lock = threading.Lock()
with lock:
    print("done", done, sorted(jobs.get() for _ in range(3)), int(time.monotonic() - start))
"""

SPINNER = """
import os
import threading

# A library's busy loop, which threadlab does not control (a loop in the program's own
# code that calls into a library takes a step at every call).
released = "os.path.exists(os.environ['THREADLAB_TEST_RELEASE'])"
spin = eval(compile(f"lambda: [0 for _ in iter(lambda: {released}, True)]", "<a library>", "eval"))

threading.Thread(target=spin, name="spinner").start()
"""


def own_app(path: Path) -> ThreadlabApp:
    app = ThreadlabApp(resolve_config(program_scenario(str(path))), paused=False, speed=None)
    app.animation_level = "none"
    return app


async def until(pilot, test, seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until ``test()`` holds; ``seconds`` only guards against a hang."""
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "the app never got there"
        await pilot.pause(0.05)


def assert_real_threading() -> None:
    """What the test process (and so the app) sees is the real standard library."""
    assert sys.modules["threading"] is threading
    assert threading.Lock is _thread.allocate_lock
    assert type(threading.RLock()).__module__ == "_thread"
    assert sys.modules["queue"] is queue and queue.Queue.__module__ == "queue"
    assert sys.modules["time"] is time and time.sleep.__module__ == "time"
    for thread in threading.enumerate():
        assert isinstance(thread, threading.Thread), thread  # the real class, not a run's
        assert type(thread).__module__.split(".")[0] != "threadlab", thread


def test_interception_never_touches_the_app(tmp_path: Path) -> None:
    program = tmp_path / "world.py"
    program.write_text(BUSY_WORLD)

    async def body() -> None:
        app = own_app(program)
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            # two virtual hours (three one-hour jobs on two workers): really waited, they
            # would outlast until's guard a hundred times over
            await until(pilot, lambda: screen.runtime.snapshot().run_state is RunState.FINISHED)
            assert screen.runtime.output() == ("done [0, 1, 2] [0, 1, 4] 7200",)
            assert_real_threading()
            # the app's own objects: Rich's console lock, Textual's locks, asyncio's loop
            assert type(app.console._lock) is type(threading.RLock())
            assert type(screen.lock._lock).__module__ == "asyncio.locks"
            assert type(asyncio.get_running_loop()).__module__.startswith("asyncio")
            assert threading.current_thread() is threading.main_thread()
            screen.controller.restart()  # a trip: runs in one of Textual's thread workers
            seen: list[threading.Thread] = []
            for _ in range(50):
                seen.extend(t for t in threading.enumerate() if t not in seen)
                if not screen.controller.travelling:
                    break
                await pilot.pause(0.01)
            await settle(pilot)
            for thread in seen:
                assert isinstance(thread, threading.Thread), thread  # the real class, not a run's
            assert_real_threading()
        assert_real_threading()
        assert app.leaving_words() is None

    run(body)


@pytest.mark.outside_schedule
@pytest.mark.parametrize("own_process", [True, False], ids=["own-process", "in-process"])
def test_a_thread_outside_the_schedule_in_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_process: bool
) -> None:
    monkeypatch.setattr(app_module, "RUN_IN_ITS_OWN_PROCESS", own_process)
    release = tmp_path / "release"
    monkeypatch.setenv("THREADLAB_TEST_RELEASE", str(release))
    program = tmp_path / "spin.py"
    program.write_text(SPINNER)

    async def body() -> None:
        app = own_app(program)
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)

            def spinner_outside() -> bool:
                shown = screen.snapshot
                return shown is not None and any(
                    t.name == "spinner" and t.outside_for is not None for t in shown.threads
                )

            await until(pilot, spinner_outside)
            assert screen.snapshot is not None
            view = screen.snapshot.thread("spinner")
            assert doing_text(view).plain.startswith("running outside the schedule for ")
            await tap(pilot, "n")  # pilot.press waits for an idle CPU: a busy loop never is
            # refused at once, not after a wait: the spinner cannot leave its loop before
            # release is touched (after the app has closed), yet the refusal is on screen
            await until(pilot, lambda: hint_text(app) != "")
            assert hint_text(app).startswith("spinner is running outside the schedule for ")
            assert not release.exists()
            assert screen.runtime.snapshot().thread("spinner").outside_for is not None
        words = app.leaving_words()
        release.touch()
        if own_process:  # its process was ended, spinner and all: nothing runs on
            assert words is None
            return
        assert words == (
            "threadlab: spinner was running outside the schedule and could not be stopped; "
            "it ends with threadlab"
        )

    try:
        run(body)
    finally:
        release.touch()
