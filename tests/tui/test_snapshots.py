"""SVG snapshot tests of every screen at 120x40 and 80x24.

Each run is paused and stepped synchronously through the runtime, then the screen is made
to draw a fresh snapshot, so the picture depends only on the scenario, seed and steps.
Regenerate with ``pytest tests/tui --snapshot-update`` and look at every changed picture.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from tui_testing import LOCK_ORDER, make_app, show, until_running

from threadlab.engine import resolve_config
from threadlab.scenarios import get_scenario

SIZES = pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])


def _steps(count: int):
    async def run_before(pilot: Pilot) -> None:
        runtime = await until_running(pilot)
        for _ in range(count):
            runtime.step()
            assert runtime.wait_idle(60)
        show(pilot.app)
        await pilot.pause()

    return run_before


def _schedule(*names: str, spurious: tuple[str, str] | None = None, then: tuple[str, ...] = ()):
    async def run_before(pilot: Pilot) -> None:
        runtime = await until_running(pilot)
        for name in names:
            runtime.step_thread(name)
            assert runtime.wait_idle(60)
        if spurious is not None:
            runtime.spurious_wakeup(*spurious)
        for name in then:
            runtime.step_thread(name)
            assert runtime.wait_idle(60)
        show(pilot.app)
        await pilot.pause()

    return run_before


@SIZES
def test_picker(snap_compare, size) -> None:
    assert snap_compare(make_app(), terminal_size=size)


@SIZES
def test_mutex(snap_compare, size) -> None:
    assert snap_compare(make_app("mutex", seed=1), terminal_size=size, run_before=_steps(14))


@SIZES
def test_condition_waits_for_you(snap_compare, size) -> None:
    app = make_app("condition", seed=2)
    assert snap_compare(app, terminal_size=size, run_before=_steps(7))


@SIZES
def test_producer_consumer(snap_compare, size) -> None:
    app = make_app("producer-consumer", seed=3)
    assert snap_compare(app, terminal_size=size, run_before=_steps(30))


@SIZES
def test_producer_consumer_if_violation(snap_compare, size) -> None:
    """Variant 'if': C1 waits on an empty buffer, wakes spuriously, and takes anyway."""
    app = make_app("producer-consumer", variant="if", seed=0)
    start = ("MainThread",) * 4  # starts P1, P2, C1 and C2
    run_before = _schedule(
        *start, "C1", "C1", "C1", spurious=("not_empty", "C1"), then=("C1", "C1")
    )
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_deadlock(snap_compare, size) -> None:
    app = make_app(config=resolve_config(LOCK_ORDER))
    # The main thread starts A and B and waits for A; then A and B start, each takes its
    # first mutex, and each blocks on the other's.
    start = ("MainThread",) * 3
    run_before = _schedule(*start, "A", "B", "A", "B", "A", "B")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_help(snap_compare, size) -> None:
    app = make_app("producer-consumer", variant="if", seed=3)
    assert snap_compare(app, terminal_size=size, press=["question_mark"])


CATALOGUE = pytest.mark.parametrize(
    ("name", "variant", "steps"),
    [
        ("cas", "spinlock", 16),
        ("semaphore", None, 20),
        ("readers-writers", None, 24),
        ("futures", None, 16),
        ("barrier", None, 12),
        ("event-loop", "blocking", 16),
        ("async-io", None, 14),
        ("coroutines", "async", 14),
    ],
    ids=lambda value: str(value),
)


@SIZES
@CATALOGUE
def test_scenario_screen(snap_compare, size, name: str, variant: str | None, steps: int) -> None:
    app = make_app(name, variant=variant, seed=1)
    assert snap_compare(app, terminal_size=size, run_before=_steps(steps))


@SIZES
def test_philosophers_deadlock_banner(snap_compare, size) -> None:
    """Each philosopher takes a left fork, then reaches for the right one: a cycle."""
    app = make_app("philosophers", seed=0)
    start = ("MainThread",) * 3  # starts Ph1, Ph2 and Ph3
    # each: think (a sleep: two steps), take the left fork; then each reaches for the right
    left = ("Ph1",) * 4 + ("Ph2",) * 4 + ("Ph3",) * 4
    # and MainThread blocks joining Ph1: no thread can run, the cycle is a deadlock
    schedule = _schedule(*start, *left, "Ph1", "Ph2", "Ph3", "MainThread")
    assert snap_compare(app, terminal_size=size, run_before=schedule)


@SIZES
def test_racy_counter_violation_banner(snap_compare, size) -> None:
    """Read, read, write, write: an update is lost."""
    app = make_app(
        config=resolve_config(get_scenario("cas"), "counter-racy", {"threads": 2, "rounds": 1})
    )
    start = ("MainThread",) * 2  # starts T1 and T2
    schedule = _schedule(*start, "T1", "T2", "T1", "T2")
    assert snap_compare(app, terminal_size=size, run_before=schedule)


def _rewound(steps: int, back: int):
    async def run_before(pilot: Pilot) -> None:
        runtime = await until_running(pilot)
        runtime.step(steps)
        assert runtime.wait_idle(60)
        show(pilot.app)
        for _ in range(back):
            await pilot.press("left")
        show(pilot.app)
        await pilot.pause()

    return run_before


@SIZES
def test_rewound_screen_with_timeline(snap_compare, size) -> None:
    """Forty steps of producer-consumer, then five steps back: the timeline says so."""
    app = make_app("producer-consumer", seed=3)
    press = ["t"] if size == (80, 24) else []
    assert snap_compare(app, terminal_size=size, run_before=_rewound(40, 5), press=press)


LIGHT_THEME = "textual-light"
"""The light theme the light snapshots are taken under."""


def _in_theme(theme: str, then=None):
    """Switch the app to ``theme`` first, then do ``then`` (a ``run_before``)."""

    async def run_before(pilot: Pilot) -> None:
        pilot.app.theme = theme
        await pilot.pause()
        if then is not None:
            await then(pilot)

    return run_before


@SIZES
def test_picker_light(snap_compare, size) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_in_theme(LIGHT_THEME))


@SIZES
def test_producer_consumer_if_violation_light(snap_compare, size) -> None:
    """The 'if' violation under a light theme: the verdict, the code with two marked lines,
    the threads' colours and the timeline (at 80x24 in the event log's place)."""
    app = make_app("producer-consumer", variant="if", seed=0)
    start = ("MainThread",) * 4  # starts P1, P2, C1 and C2
    schedule = _schedule(*start, "C1", "C1", "C1", spurious=("not_empty", "C1"), then=("C1", "C1"))
    press = ["t"] if size == (80, 24) else []
    run_before = _in_theme(LIGHT_THEME, schedule)
    assert snap_compare(app, terminal_size=size, run_before=run_before, press=press)
