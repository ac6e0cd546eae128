"""The screen never keeps showing a state the run has left (issue #8, "the screen can lie").

The bug: the run's revision changed when a step started but not when it ended. A frame
pulled mid-step (the screen pulls right after a key's control call returns) showed the
stepped thread as running; when the step ended the revision stayed the same, so the frame
timer never published the finished state, and the screen went on showing a running thread
under a status line that says paused.

Reproduced as a user meets it: ``semaphore`` started paused, keys ``1 1 2 2 3 3``. After each
key, once the engine is idle and the screen has pulled a frame the way its timer does, what
the screen shows must be what the runtime says now. The race is timing-dependent, so the
sequence is driven 60 times in one app (``r`` restarts between rounds), with the
interpreter switching threads far more often than usual so that mid-step frames, rare at the
default switch interval, actually happen (about one key in seventy on the unfixed engine).

The last test makes the race certain: it holds a step open (a thread in a loop with no
checkpoint, released by the test), pulls a frame in its middle, then lets the step end; it
fails on every run of an engine that does not change the revision when a step ends.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from tui_testing import make_app, pull_frame, run, runtime_of, tap

from threadlab.engine import RunState, Snapshot, ThreadState, resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.tui.screens.scenario import ScenarioScreen
from threadlab.tui.widgets.status import StatusLine
from threadlab.tui.widgets.threads import ThreadsPanel

SIZE = (80, 24)
KEYS = ("1", "1", "2", "2", "3", "3")
ROUNDS = 60
SWITCH_INTERVAL = 1e-5
"""Seconds between forced thread switches during the test (CPython's default is 0.005)."""


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Make the UI thread and the engine's threads interleave at many more points, so a
    frame can be pulled in the middle of a step; restored after the test."""
    default = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    yield
    sys.setswitchinterval(default)


def drawn(widget: Widget) -> str:
    """The text ``widget`` draws from its current snapshot, without styles."""
    out = io.StringIO()
    console = Console(file=out, width=widget.size.width or 120, color_system=None)
    console.print(widget.render())
    return out.getvalue()


def check_screen(screen: ScenarioScreen, now: Snapshot, where: str) -> None:
    shown = screen.snapshot
    assert shown is not None, where
    assert shown.step == now.step, f"{where}: screen shows step {shown.step}, run is at {now.step}"
    assert now.run_state is RunState.PAUSED, where
    assert shown.run_state is RunState.PAUSED, f"{where}: status says {shown.run_state}"
    running = [t.name for t in shown.threads if t.state is ThreadState.RUNNING]
    assert not running, f"{where}: screen shows {running} running while the run is paused"
    assert shown == now, f"{where}: the screen shows a state the run is no longer in"
    # The panels draw the screen's snapshot: the status line and the threads panel agree.
    status = screen.query_one(StatusLine)
    threads = screen.query_one(ThreadsPanel)
    assert status.snapshot is shown and threads.snapshot is shown, where
    assert "paused" in drawn(status).lower(), where
    assert threads.state_text(ThreadState.RUNNING).plain not in drawn(threads), where


async def restarted(pilot: Pilot) -> None:
    """Wait until the restart has brought the run, and the screen, back to step 0 (a restart
    may run in a worker, off the UI's event loop)."""
    for _ in range(500):
        runtime = runtime_of(pilot.app)
        shown = pilot.app.screen.snapshot
        if runtime.wait_idle() and runtime.snapshot().step == 0 and shown and shown.step == 0:
            return
        await pilot.pause(0.01)
    raise AssertionError("r did not restart the run at step 0")


def test_keys_1_1_2_2_3_3_never_leave_a_stale_screen(frequent_thread_switches: None) -> None:
    async def body() -> None:
        app = make_app("semaphore")
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, ScenarioScreen)
            for round_ in range(ROUNDS):
                runtime = runtime_of(app)
                for position, key in enumerate(KEYS):
                    await tap(pilot, key)
                    assert runtime.wait_idle(), "the step did not end"
                    pull_frame(app)
                    check_screen(screen, runtime.snapshot(), f"round {round_}, key {position}")
                await tap(pilot, "r")
                app.clear_notifications()
                await restarted(pilot)

    run(body)


HELD_STEP = """
import os
import threading

lock = threading.Lock()
# A library's wait, which threadlab does not control: the step that calls it lasts until the
# test releases it (a loop in the program's own code would take a step at every call).
released = eval(compile(
    "lambda path: [0 for _ in iter(lambda: os.path.exists(path), True)]", "<a library>", "eval"
))


def hold():
    with lock:
        released(os.environ["THREADLAB_TEST_RELEASE"])


holder = threading.Thread(target=hold, name="holder")
holder.start()
holder.join()
"""

GUARD = 60.0
"""Seconds to wait for something that must happen (a guard against a hang, not a measure)."""


def test_a_frame_pulled_in_the_middle_of_a_step_is_replaced_once_it_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race above, made certain: a step held open by the test, a frame pulled in its
    middle (showing the thread running), then the step let go. The next frame must show the
    state after the step, whatever the timing."""
    release = tmp_path / "release"
    monkeypatch.setenv("THREADLAB_TEST_RELEASE", str(release))
    program = tmp_path / "held.py"
    program.write_text(HELD_STEP)

    async def body() -> None:
        app = make_app(config=resolve_config(program_scenario(str(program))))
        async with app.run_test(size=SIZE):
            screen = app.screen
            assert isinstance(screen, ScenarioScreen)
            runtime = runtime_of(app)
            assert runtime.wait_idle(GUARD)
            deadline = time.monotonic() + GUARD
            middle = None
            while middle is None:  # step until the holder is shown held in its loop
                runtime.step(1)
                while not runtime.wait_idle(0.05):
                    assert time.monotonic() < deadline, "the holder never held its step open"
                    now = runtime.snapshot()
                    holder = [t for t in now.threads if t.name == "holder"]
                    if holder and holder[0].outside_for is not None:
                        middle = now
                        break
            # a frame shows the state before the step, with the holder running its step
            assert middle.thread("holder").state is ThreadState.RUNNING
            assert middle.thread("holder").operation == "call <lambda>"
            pull_frame(app)
            assert screen.snapshot is not None
            assert screen.snapshot.thread("holder").state is ThreadState.RUNNING
            release.touch()
            assert runtime.wait_idle(GUARD), "the step did not end"
            pull_frame(app)
            check_screen(screen, runtime.snapshot(), "after the held step")

    try:
        run(body)
    finally:
        release.touch()
