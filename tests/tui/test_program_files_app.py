"""A program with a module of its own: the source panel shows the file of the thread just
stepped, names it in its title, and f switches to the next file."""

from __future__ import annotations

from pathlib import Path

from tui_testing import run, runtime_of, scenario_screen, show, tap

from threadlab.engine import ThreadState, resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.widgets.source import SourcePanel

SHARED = """import threading

gate = threading.Event()


def wait_for_gate():
    gate.wait()
"""

MAIN = """import threading

import shared

waiter = threading.Thread(target=shared.wait_for_gate, name="waiter")
waiter.start()
waiter.join()
"""


def test_the_source_panel_follows_the_stepped_thread_into_its_file(tmp_path: Path) -> None:
    (tmp_path / "shared.py").write_text(SHARED)
    (tmp_path / "mine.py").write_text(MAIN)
    app = ThreadlabApp(
        resolve_config(program_scenario(str(tmp_path / "mine.py"))), paused=True, speed=None
    )
    app.animation_level = "none"

    async def body() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = scenario_screen(app)
            panel = screen.query_one(SourcePanel)
            runtime = runtime_of(app)
            for _ in range(20):  # MainThread runs until the waiter exists, and no further
                if len(runtime.snapshot().threads) > 1:
                    break
                runtime.step_thread("MainThread")
                assert runtime.wait_idle(10)
            for _ in range(20):  # the waiter runs into shared.py and waits there
                if runtime.snapshot().thread("waiter").state is ThreadState.WAITING:
                    break
                runtime.step_thread("waiter")
                assert runtime.wait_idle(10)
            show(app)
            await pilot.pause()
            assert screen.snapshot is not None
            assert screen.snapshot.thread("waiter").file == str(tmp_path / "shared.py")
            assert panel.shown is not None and panel.shown.name == "shared.py"
            assert panel.border_title == "Source · shared.py"
            assert screen.check_action("next_file", ()) is True
            await tap(pilot, "f")
            await pilot.pause()
            assert panel.shown.name == "mine.py"
            assert panel.border_title == "Source · mine.py"

    run(body)
