"""The timeline's marks: several at one step are all drawn, stacked in their column."""

from __future__ import annotations

from tui_testing import make_app, run, scenario_screen, settle

from threadlab.tui.widgets.timeline import TimelinePanel

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
                runtime.wait_idle()
            await pilot.press("w", "s", "b")  # three actions between the same two steps
            runtime.wait_idle()
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
