"""The timeline's marks: several at one step are all drawn, stacked in their column."""

from __future__ import annotations

from tui_testing import make_app, run, scenario_screen, settle

from threadlab.engine import Runtime, resolve_config
from threadlab.engine.core.errors import ControlRefused
from threadlab.scenarios import get_scenario
from threadlab.tui.widgets.timeline import STALL_CELL, STALL_LEGEND, TimelinePanel

SIZE = (120, 40)


def _rows(timeline: TimelinePanel) -> list[str]:
    return [
        "".join(segment.text for segment in timeline.render_line(y))
        for y in range(timeline.size.height)
    ]


def test_a_spurious_wakeup_a_signal_and_a_broadcast_at_one_step_are_all_drawn() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            screen.show_timeline()
            runtime = screen.runtime
            while runtime.snapshot().idle_reason is None:  # every thread waits
                runtime.step()
                assert runtime.wait_idle(60)
            await pilot.press("w", "s", "b")  # three actions between the same two steps
            assert runtime.wait_idle(60)
            await settle(pilot)
            await pilot.pause()
            snapshot = runtime.snapshot()
            column = snapshot.timeline[-1]
            assert column.marks == "!sb"
            timeline = screen.query_one(TimelinePanel)
            rows = _rows(timeline)
            assert len(rows) == 1 + 3 + len(snapshot.threads)  # axis, 3 rows of marks, lanes
            marks = [row.rstrip() for row in rows[1:4]]
            at = len(marks[2]) - 1  # the step's column: the last cell of the bottom row
            assert [row[at] for row in marks] == ["!", "s", "b"]  # stacked, latest lowest
            lane = rows[4]
            assert lane.startswith("MainThre ")  # the lanes come right after

    run(body)


def _coroutines_timeline(variant: str):
    runtime = Runtime(resolve_config(get_scenario("coroutines"), variant), paused=True, speed=None)
    try:
        runtime.start()
        for _ in range(20):  # a LOOP BLOCKED verdict pauses the run: go on past each one
            try:
                runtime.step(400)
            except ControlRefused:  # the run has finished
                break
            assert runtime.wait_idle(60)
        return runtime.snapshot()
    finally:
        runtime.stop()


def test_a_coroutine_blocking_the_loop_is_a_stall_not_a_step_that_ran() -> None:
    blocking = _coroutines_timeline("blocking-call")
    loop = blocking.thread("MainThread").index
    stalled = [column.step for column in blocking.timeline if loop in column.stalls]
    pages = get_scenario("coroutines").param("pages").default
    assert len(stalled) >= pages  # each page's time.sleep holds the loop at least a step
    assert all(column.stalls in ((), (loop,)) for column in blocking.timeline)
    # awaiting asyncio.sleep lets the others run: no stall at all
    assert not any(column.stalls for column in _coroutines_timeline("async").timeline)


def test_the_timeline_draws_a_stall_and_says_what_it_is() -> None:
    async def body() -> None:
        app = make_app("coroutines", "blocking-call")
        async with app.run_test(size=SIZE) as pilot:
            screen = scenario_screen(app)
            screen.show_timeline()
            runtime = screen.runtime
            runtime.step(400)
            assert runtime.wait_idle(60)
            await settle(pilot)
            await pilot.pause()
            snapshot = runtime.snapshot()
            stalled = [c.step for c in snapshot.timeline if c.stalls]
            assert stalled
            rows = _rows(screen.query_one(TimelinePanel))
            assert STALL_LEGEND in rows[0]
            lane = next(row for row in rows if row.startswith("MainThre"))
            cells = lane[9:]  # after the label ("MainThre" and a space)
            first = snapshot.timeline[0].step
            for step in stalled:
                assert cells[step - first] == STALL_CELL
            assert cells.count(STALL_CELL) == len(stalled)

    run(body)
