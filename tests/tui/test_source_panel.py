"""The code panel at any size: a long line wraps and is read whole, the lines the threads are
on stay in view (the thread just stepped first), and on a tall screen the room the code does
not fill goes to the event log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.style import Style
from rich.text import Text
from textual.pilot import Pilot
from tui_testing import make_app, run, runtime_of, scenario_screen, show

from threadlab.engine import resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.runtime import Runtime
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.widgets.events import EventLog
from threadlab.tui.widgets.source import CONTINUED, SourcePanel, rows_to_show, wrap_code
from threadlab.tui.widgets.source_rows import SourceRows

FILLER = "\n".join(f"filler_{n} = {n}  # a line between the two threads" for n in range(60))

LONG = "and this comment makes the line far longer than any code panel is wide at 80 or 120"

FAR_APART = f"""import threading

lock_a = threading.Lock()
lock_b = threading.Lock()


def near_the_top():
    for _ in range(6):
        with lock_a:  # where A works, {LONG} columns: END-OF-A
            pass


{FILLER}


def near_the_bottom():
    for _ in range(6):
        with lock_b:  # where B works, {LONG} columns: END-OF-B
            pass


a = threading.Thread(target=near_the_top, name="A")
b = threading.Thread(target=near_the_bottom, name="B")
a.start()
b.start()
a.join()
b.join()
"""

SHORT = """import threading

lock = threading.Lock()


def work():
    with lock:
        pass


worker = threading.Thread(target=work, name="worker")
worker.start()
worker.join()
"""


def own_app(path: Path, text: str) -> ThreadlabApp:
    path.write_text(text)
    app = ThreadlabApp(resolve_config(program_scenario(str(path))), paused=True, speed=None)
    app.animation_level = "none"
    return app


def panel_lines(app: ThreadlabApp) -> list[str]:
    """The code panel's rows as they are on the screen (only what is in view)."""
    panel = scenario_screen(app).query_one(SourcePanel)
    region = panel.scrollable_content_region
    screen = app.screen._compositor.render_strips()
    return [screen[y].text[region.x : region.right] for y in range(region.y, region.bottom)]


async def steady_lines(pilot: Pilot) -> list[str]:
    """The code panel's rows once they stop changing: the panel scrolls after a refresh, and
    a layout change (the hint line's rows) scrolls it again after the next."""
    app = pilot.app
    assert isinstance(app, ThreadlabApp)
    lines = panel_lines(app)
    for _ in range(20):
        await pilot.pause()
        now = panel_lines(app)
        if now == lines:
            return now
        lines = now
    raise AssertionError("the code panel kept changing")


def squeezed(text: str) -> str:
    return re.sub(rf"\s|{CONTINUED.strip()}", "", text)


def shows_whole(app: ThreadlabApp, line: str) -> bool:
    """Whether the code panel shows all of ``line``'s code on the screen, nothing cut."""
    panel = scenario_screen(app).query_one(SourcePanel)
    assert panel.max_scroll_x == 0, "the code is wider than the panel: it is cut"
    return squeezed(line) in squeezed("".join(panel_lines(app)))


def step_until(runtime: Runtime, thread: str, line_has: str, tries: int = 40) -> None:
    """Step ``thread`` until it is on the line of its file containing ``line_has``."""
    for _ in range(tries):
        snapshot = runtime.snapshot()
        view = snapshot.thread(thread)
        source = snapshot.source
        if view.line is not None and line_has in source[view.line - 1].text:
            return
        runtime.step_thread(thread)
        assert runtime.wait_idle(10)
    raise AssertionError(f"{thread} never reached the line with {line_has!r}")


def start_threads(runtime: Runtime, count: int) -> None:
    for _ in range(40):
        if len(runtime.snapshot().threads) > count:
            return
        runtime.step_thread("MainThread")
        assert runtime.wait_idle(10)
    raise AssertionError("the threads did not start")


# ------------------------------------------------------------------ wrapping, in words


def test_a_long_line_wraps_at_a_space_with_its_next_rows_further_in() -> None:
    code = Text("    with lock:  # a comment long enough to need four rows of this width")
    rows = wrap_code(code, 30, Style())
    assert [r.plain for r in rows[1:]] == [
        "      ↪ long enough to need",
        "      ↪ four rows of this",
        "      ↪ width",
    ]
    assert all(row.cell_len <= 30 for row in rows)
    assert rows[0].plain == "    with lock:  # a comment"
    for row in rows[1:]:  # the line's indentation, then four more with the mark at the end
        assert row.plain.startswith(" " * 6 + CONTINUED)
    assert squeezed("".join(r.plain for r in rows)) == squeezed(code.plain)


def test_a_short_line_is_one_row_and_a_word_too_long_is_cut() -> None:
    assert [r.plain for r in wrap_code(Text("x = 1"), 20, Style())] == ["x = 1"]
    rows = wrap_code(Text("a" * 50), 20, Style())
    assert all(row.cell_len <= 20 for row in rows)
    assert squeezed("".join(r.plain for r in rows)) == "a" * 50


def test_code_with_no_space_to_cut_at_is_cut_after_a_dot_or_bracket_not_in_a_name() -> None:
    code = Text("        results.append(future.result())  # blocks until done")
    rows = wrap_code(code, 36, Style())
    assert rows[0].plain == "        results.append(future."
    assert rows[1].plain == f"{' ' * 10}{CONTINUED}result())  # blocks"
    assert squeezed("".join(r.plain for r in rows)) == squeezed(code.plain)


def test_the_focused_line_is_kept_then_the_nearest_others_that_fit() -> None:
    spans = [(0, 0), (10, 11), (50, 50), (95, 96)]
    assert rows_to_show(spans, (95, 96), 20) == (95, 96)
    assert rows_to_show(spans, (10, 11), 20) == (0, 11)
    assert rows_to_show(spans, (50, 50), 60) == (0, 50)
    assert rows_to_show(spans, None, 100) == (0, 96)
    assert rows_to_show([(5, 30)], (5, 30), 10) == (5, 14)  # a line taller than the panel


# ------------------------------------------------------------------ on the screen


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_a_long_line_is_read_whole_and_the_stepped_thread_stays_in_view(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = own_app(tmp_path / "far.py", FAR_APART)

    async def body() -> None:
        async with app.run_test(size=size) as pilot:
            runtime = runtime_of(app)
            start_threads(runtime, 2)
            source = runtime.snapshot().source
            line_a = next(s.text for s in source if "END-OF-A" in s.text)
            line_b = next(s.text for s in source if "END-OF-B" in s.text)
            for thread, line, other in (("A", line_a, "END-OF-B"), ("B", line_b, "END-OF-A")):
                step_until(runtime, thread, "with lock_")
                runtime.step_thread(thread)  # it acquires and comes back to the line
                show(app)
                await steady_lines(pilot)
                step_until(runtime, thread, "with lock_")
                show(app)
                await steady_lines(pilot)
                assert shows_whole(app, line), "\n".join(panel_lines(app))
                assert other not in "".join(panel_lines(app))  # 60 lines apart: no room
            # A steps again: its line comes back into view, whole
            runtime.step_thread("A")
            step_until(runtime, "A", "with lock_")
            show(app)
            await steady_lines(pilot)
            assert shows_whole(app, line_a), "\n".join(panel_lines(app))

    run(body)


@pytest.mark.parametrize(
    ("name", "variant", "thread", "line_has"),
    [
        ("philosophers", None, "Ph1", "with forks[left], forks[right]:"),
        ("producer-consumer", "if", "C1", "not_empty.wait()"),
    ],
)
def test_the_scenarios_lines_that_matter_are_whole_at_80x24(
    name: str, variant: str | None, thread: str, line_has: str
) -> None:
    app = make_app(name, variant, speed=None)

    async def body() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            runtime = runtime_of(app)
            start_threads(runtime, 3 if name == "philosophers" else 4)
            runtime.step_thread(thread)  # the thread just stepped is the one kept in view
            assert runtime.wait_idle(10)
            step_until(runtime, thread, line_has)
            show(app)
            await steady_lines(pilot)
            source = runtime.snapshot().source
            line = next(s.text for s in source if line_has in s.text)
            assert shows_whole(app, line), "\n".join(panel_lines(app))

    run(body)


def reach(runtime: Runtime, thread: str, line_has: str, tries: int = 200) -> None:
    """Take steps until ``thread`` is on the line containing ``line_has``: its own while it
    can run, else the seeded scheduler's (while it sleeps, waits or is not yet started)."""
    for _ in range(tries):
        snapshot = runtime.snapshot()
        view = next((t for t in snapshot.threads if t.name == thread), None)
        line = view.line if view is not None else None
        if line is not None and line_has in snapshot.source[line - 1].text:
            return
        if view is not None and view.state.can_run:
            runtime.step_thread(thread)
        else:
            runtime.step()
        assert runtime.wait_idle(10)
    raise AssertionError(f"{thread} never reached the line with {line_has!r}")


CODE_WIDTH_AT_80 = 46
"""The least room the code panel has at 80x24, its gutter included (the side panels are
narrower there, and threads are marked by their numbers, not their names)."""


@pytest.mark.parametrize(
    ("name", "variant", "thread", "line_has"),
    [
        ("philosophers", None, "Ph1", "with forks[left], forks[right]:"),
        ("producer-consumer", "while", "P1", "not_empty.notify()"),
        ("readers-writers", None, "R1", "self.write_gate.notify()"),
        ("cas", "spinlock", "T2", "with self.cmpxchg:"),
        ("coroutines", "async", "MainThread", "await asyncio.sleep(page * delay)"),
    ],
)
def test_at_80x24_the_code_has_the_room_and_its_lines_are_not_wrapped(
    name: str, variant: str | None, thread: str, line_has: str
) -> None:
    app = make_app(name, variant, speed=None)

    async def body() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            runtime = runtime_of(app)
            reach(runtime, thread, line_has)
            show(app)
            lines = await steady_lines(pilot)
            panel = scenario_screen(app).query_one(SourcePanel)
            assert panel.scrollable_content_region.width >= CODE_WIDTH_AT_80
            # On one row, not wrapped, marked by the thread's number (the key that steps it).
            (row,) = [row for row in lines if line_has in row]
            index = runtime.snapshot().thread(thread).index
            assert re.match(rf" *([0-9]+ )*{index} ", row), row

    run(body)


def test_at_120x40_the_gutter_keeps_names_and_line_numbers() -> None:
    app = make_app("philosophers", None, speed=None)

    async def body() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            runtime = runtime_of(app)
            reach(runtime, "Ph1", "with forks[left], forks[right]:")
            show(app)
            await steady_lines(pilot)
            (row,) = [r for r in panel_lines(app) if "with forks[left], forks[right]:" in r]
            assert row.lstrip().startswith("Ph1")
            assert re.search(r"\b15 +with forks\[left\]", row)  # the line number stays

    run(body)


def test_the_long_lines_of_the_cas_spinlock_are_whole_at_80x24() -> None:
    app = make_app("cas", "spinlock", speed=None)

    async def body() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            panel = scenario_screen(app).query_one(SourcePanel)
            await pilot.pause()
            rows = panel.query_one(SourceRows)
            width = panel.scrollable_content_region.width
            assert panel.max_scroll_x == 0
            assert all(row.cell_len <= width for row in rows._rows)
            everything = squeezed("".join(row.plain for row in rows._rows))
            for line in runtime_of(app).snapshot().source:
                assert squeezed(line.text) in everything

    run(body)


# ------------------------------------------------------------------ the layout


def test_on_a_tall_screen_the_room_short_code_leaves_goes_to_the_event_log(
    tmp_path: Path,
) -> None:
    app = own_app(tmp_path / "short.py", SHORT)

    async def body() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            screen = scenario_screen(app)
            runtime = runtime_of(app)
            start_threads(runtime, 1)
            show(app)
            await steady_lines(pilot)
            await pilot.pause()
            panel = screen.query_one(SourcePanel)
            side = screen.query_one("#side")
            rows = panel.query_one(SourceRows).row_count
            empty = panel.scrollable_content_region.height - rows
            side_needed = sum(p.outer_size.height for p in side.children if p.display)
            assert empty <= max(side_needed - rows, 0) + 1, "the code panel has empty rows"
            assert screen.query_one(EventLog).outer_size.height > 20

    run(body)


def test_on_a_tall_screen_long_code_leaves_the_event_log_a_quarter() -> None:
    app = make_app("producer-consumer", speed=None)

    async def body() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            screen = scenario_screen(app)
            await pilot.pause()
            await pilot.pause()
            main = screen.query_one("#main").outer_size.height
            events = screen.query_one(EventLog).outer_size.height
            assert events >= (main + events) // 4 > 6

    run(body)
