"""The output panel: hidden until the program prints, then its latest lines with the
thread that printed each, cut to the panel's width and never taller than a few rows; the
status line words a program's exit status."""

from __future__ import annotations

from pathlib import Path

from tui_testing import make_app, run, runtime_of, scenario_screen, show

from threadlab.engine import RunState, resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.tui.widgets.output import OUTPUT_ROWS, OutputPanel
from threadlab.tui.widgets.status import StatusLine

PROGRAM = """\
import sys
import threading
import time


def talk():
    for n in range(12):
        print("line", n, "x" * 300)
        time.sleep(0.1)
    print("\\x1b[2Jescape\\tand tab")


t = threading.Thread(target=talk, name="Talker")
time.sleep(1)
t.start()
t.join()
sys.exit(5)
"""

SIZE = (100, 30)


def test_the_panel_appears_when_the_program_prints_and_stays_small(tmp_path: Path) -> None:
    program = tmp_path / "mine.py"
    program.write_text(PROGRAM)
    config = resolve_config(program_scenario(str(program)))

    async def body() -> None:
        # flat out: the run ends in a moment, whatever the load (at the default pace of 4
        # steps a second it took ~9 s, and show()'s wait for the run to go idle gave up at
        # 10 s on a busy machine: the screen then showed 11 lines of the 13)
        app = make_app(config=config, speed=None)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = scenario_screen(app)
            panel = screen.query_one(OutputPanel)
            show(app)
            await pilot.pause()
            assert not panel.display  # nothing printed yet
            main_height = screen.query_one("#main").size.height

            runtime = runtime_of(app)
            runtime.resume()
            assert runtime.wait_idle(60)  # the program has ended (a guard, not a measure)
            assert runtime.snapshot().run_state is RunState.FINISHED
            show(app)
            await pilot.pause()
            snapshot = screen.snapshot
            assert snapshot is not None and snapshot.run_state is RunState.FINISHED
            assert len(snapshot.output) == 13
            assert panel.display
            assert panel.border_title == "Output"
            assert panel.size.height <= OUTPUT_ROWS + 2  # its rows and its border
            assert panel.size.width <= screen.query_one("#side").size.width
            assert screen.query_one("#main").size.height == main_height  # the layout holds
            rendered = str(panel.render())
            rows = rendered.split("\n")
            assert len(rows) == OUTPUT_ROWS
            assert rows[0].startswith("Talker  line 8 xxx")
            assert rows[-1] == "Talker  ␛[2Jescape and tab"  # no escape reaches the terminal
            status = str(screen.query_one(StatusLine).render())
            assert "FINISHED (exit status 5)" in status

    run(body)
