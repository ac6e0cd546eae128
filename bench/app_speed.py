"""Benchmark: the engine inside the app at max speed, what the screen shows, and whether the
UI answers keys while it rewinds.

Run with ``make bench``. The app runs headless under Textual's Pilot at 120×40 on an endless
``mutex`` load (``measure.ENDLESS_MUTEX``, so no window runs out of steps). Each in-app
measurement is interleaved with the same scenario run headless, several times, and reported
as median and spread:

- in-app steps per second at max speed / headless steps per second (goal: at least 0.5);
- distinct screens per second at max speed: how many different step numbers the status line
  actually drew per second (its ``render`` is wrapped to record them; goal: at least 25);
- going back one step at step 10,000: ``left`` starts the rewind, then, while it runs,
  ``t`` (toggle the timeline) is pressed from another thread; reported is how long the UI
  took to answer ``t`` (the timeline panel's visibility flips) against how long the rewind
  took. A rewind on the UI's event loop shows as "answered only after the rewind".
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from measure import endless_config, goal, row, spread
from textual import events

from threadlab.engine import Runtime
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.widgets.status import StatusLine
from threadlab.tui.widgets.timeline import TimelinePanel

SIZE = (120, 40)
WINDOW = 3.0
"""Seconds of wall time each max-speed measurement runs."""
REPEATS = 3
REWIND_AT = 10_000
REWINDS = 3
PROBE_LIMIT = 60.0
"""Seconds after which a rewind probe gives up (the bench must end)."""


def new_app() -> ThreadlabApp:
    """The app on the endless load, paused at the default pace (as a user opens it)."""
    app = ThreadlabApp(endless_config(), paused=True)
    app.animation_level = "none"
    return app


def runtime_of(app: ThreadlabApp) -> Runtime:
    runtime = getattr(app.screen, "runtime", None)
    assert isinstance(runtime, Runtime), f"not on a scenario screen: {app.screen!r}"
    return runtime


def headless_rate(window: float = WINDOW) -> float:
    """Steps per second of the endless load at max speed, without the app."""
    runtime = Runtime(endless_config(), paused=True, speed=None)
    runtime.start()
    try:
        first, start = runtime.snapshot().step, time.perf_counter()
        runtime.resume()
        time.sleep(window)
        last, end = runtime.snapshot().step, time.perf_counter()
    finally:
        runtime.stop()
    return (last - first) / (end - start)


@contextmanager
def drawn_steps() -> Iterator[list[tuple[float, int]]]:
    """Record (time, step) each time a status line draws itself."""
    drawn: list[tuple[float, int]] = []
    original: Callable[[StatusLine], Any] = StatusLine.render

    def render(self: StatusLine) -> Any:
        if self.snapshot is not None:
            drawn.append((time.perf_counter(), self.snapshot.step))
        return original(self)

    StatusLine.render = render  # type: ignore[method-assign]
    try:
        yield drawn
    finally:
        StatusLine.render = original  # type: ignore[method-assign]


async def in_app(window: float = WINDOW) -> tuple[float, float]:
    """Steps per second of the engine inside the app at max speed, and distinct screens
    (step numbers the status line drew) per second, over ``window`` seconds."""
    with drawn_steps() as drawn:
        app = new_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            runtime = runtime_of(app)
            runtime.set_speed(None)
            first, start = runtime.snapshot().step, time.perf_counter()
            runtime.resume()
            await asyncio.sleep(window)
            last, end = runtime.snapshot().step, time.perf_counter()
            runtime.pause()
    screens = {step for at, step in drawn if start <= at <= end}
    return (last - first) / (end - start), len(screens) / (end - start)


class RewindProbe:
    """From its own thread (so a blocked UI loop cannot delay it): press ``left``, wait
    until the rewind is under way, press ``t``, and time the answers."""

    def __init__(self, app: ThreadlabApp, runtime: Runtime, timeline: TimelinePanel) -> None:
        self.app, self.runtime, self.timeline = app, runtime, timeline
        self.target = runtime.snapshot().step - 1
        self.pressed_t: float | None = None
        self.answered: float | None = None
        self.rewound: float | None = None
        self.shown: float | None = None

    def press(self, key: str) -> None:
        self.app.post_message(events.Key(key, key if len(key) == 1 else None))

    def run(self) -> None:
        visible = self.timeline.display
        self.start = time.perf_counter()
        limit = self.start + PROBE_LIMIT
        self.press("left")
        while time.perf_counter() < limit:
            now = time.perf_counter()
            step = self.runtime.snapshot().step
            under_way = self.runtime.travel_progress is not None or step != self.target + 1
            if self.pressed_t is None and (under_way or now - self.start > 0.5):
                self.pressed_t = time.perf_counter()  # the rewind is re-executing the run
                self.press("t")
            if self.rewound is None and step == self.target:
                self.rewound = now
            waiting = self.pressed_t is not None and self.answered is None
            if waiting and self.timeline.display != visible:
                self.answered = time.perf_counter()
            screen = getattr(self.app.screen, "snapshot", None)
            if self.shown is None and screen is not None and screen.step == self.target:
                self.shown = now
            if None not in (self.answered, self.rewound, self.shown):
                return
            time.sleep(0.002)


async def rewinds(at: int = REWIND_AT, count: int = REWINDS) -> list[RewindProbe]:
    """Run the endless load to step ``at`` inside the app, then go back one step ``count``
    times, each time pressing ``t`` while the rewind runs."""
    probes: list[RewindProbe] = []
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        runtime = runtime_of(app)
        runtime.step(at)
        assert runtime.wait_idle(timeout=120)
        timeline = app.screen.query_one(TimelinePanel)
        for _ in range(count):
            await pilot.pause(0.2)  # the screen shows where the run is
            probe = RewindProbe(app, runtime, timeline)
            thread = threading.Thread(target=probe.run, name="bench-rewind-probe")
            thread.start()
            while thread.is_alive():
                await asyncio.sleep(0.005)
            probes.append(probe)
    return probes


def ms(start: float, end: float | None) -> float:
    return float("nan") if end is None else (end - start) * 1000


def main() -> None:
    headless: list[float] = []
    inside: list[float] = []
    screens: list[float] = []
    for _ in range(REPEATS):  # interleaved, so a burst of load hits both sides alike
        headless.append(headless_rate())
        rate, per_second = asyncio.run(in_app())
        inside.append(rate)
        screens.append(per_second)
    ratios = [i / h for i, h in zip(inside, headless, strict=True)]
    print(f"In the app (Pilot, {SIZE[0]}×{SIZE[1]}, endless mutex, {WINDOW:g} s at max speed)")
    row("headless steps per second", spread(headless, "", 1, 0))
    row("in-app steps per second", spread(inside, "", 1, 0))
    ok = statistics.median(ratios) >= 0.5
    row("in-app / headless", f"{spread(ratios)}  {goal('≥ 0.5', ok)}")
    ok = statistics.median(screens) >= 25
    row("distinct screens per second", f"{spread(screens, '', 1, 1)}  {goal('≥ 25', ok)}")

    probes = asyncio.run(rewinds())
    answered = [ms(p.pressed_t or p.start, p.answered) for p in probes]
    rewound = [ms(p.start, p.rewound) for p in probes]
    shown = [ms(p.start, p.shown) for p in probes]
    pressed = [ms(p.start, p.pressed_t) for p in probes]
    live = sum(
        1
        for p in probes
        if p.answered is not None and p.rewound is not None and p.answered < p.rewound
    )
    print(f"Going back one step at step {REWIND_AT:,} (left, then t while the rewind runs)")
    row("t pressed into the rewind", spread(pressed, "ms", 1, 1))
    row("UI answered t in", spread(answered, "ms", 1, 1))
    row("rewind took (engine back one step)", spread(rewound, "ms", 1, 1))
    row("screen showed the step before", spread(shown, "ms", 1, 1))
    print(
        f"  UI answered in {statistics.median(answered):,.0f} ms while the rewind took "
        f"{statistics.median(rewound):,.0f} ms; answered before the rewind ended in "
        f"{live} of {len(probes)} rewinds "
        f"{goal('keys live meanwhile', live == len(probes))}"
    )


if __name__ == "__main__":
    main()
