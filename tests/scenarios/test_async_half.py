"""The event loop and asynchronous IO: chunks interleave, blocking stalls, IO overlaps work."""

from __future__ import annotations

import re
from collections.abc import Callable
from statistics import mean
from types import SimpleNamespace

import pytest
from scenario_driver import Driver

from threadlab.engine import ControlRefused, EventKind, RunState, Runtime, Snapshot, ThreadState
from threadlab.engine.snapshot.model import BufferItem, QueueView
from threadlab.scenarios.lessons import async_io

# -- event-loop


def queue_of(snap: Snapshot, name: str) -> QueueView:
    view = snap.primitive(name)
    assert isinstance(view, QueueView)
    return view


def handled_order(snap: Snapshot) -> list[str]:
    """What the loop took from events, in order: 'compute_one_part from Loop (0)' is
    compute_one_part."""
    return [
        e.detail.split(" from ")[0]
        for e in snap.events
        if e.kind == EventKind.GET and e.primitive == "events" and e.thread == "Loop"
    ]


def most_waiting(snap: Snapshot) -> int:
    """The longest the events queue got: the size each put left it at."""
    sizes = [
        int(re.search(r"\((\d+)\)", e.detail).group(1))  # type: ignore[union-attr]
        for e in snap.events
        if e.kind == EventKind.PUT and e.primitive == "events"
    ]
    return max(sizes)


def longest_click_wait(snap: Snapshot) -> int:
    """The most steps a click waited in the queue (clicks are taken first in, first out)."""
    posted = [
        e.step
        for e in snap.events
        if e.kind == EventKind.PUT and e.primitive == "events" and e.detail.startswith("on_click")
    ]
    taken = [
        e.step
        for e in snap.events
        if e.kind == EventKind.GET and e.primitive == "events" and e.detail.startswith("on_click")
    ]
    assert len(posted) == len(taken)
    return max(got - put for put, got in zip(posted, taken, strict=True))


def started(driver: Driver, rt: Runtime, *names: str) -> Snapshot:
    """Step MainThread until it has started the threads ``names``."""
    for _ in range(20):
        snap = rt.snapshot()
        if {t.name for t in snap.threads} >= set(names):
            return snap
        driver.step(rt, "MainThread")
    raise AssertionError(f"MainThread never started {names}")


def finished_loop(driver: Driver, variant: str, seed: int, **params: int) -> Snapshot:
    rt = driver.open("event-loop", variant, seed=seed, **params)
    snap = driver.finish(rt)
    if variant == "blocking":  # the handler holds the loop while clicks wait: a pause
        assert snap.run_state is RunState.LOOP_BLOCKED, seed
        assert snap.verdict is not None and snap.verdict.threads == ("Loop",)
        snap = driver.finish(rt)  # it goes on
    else:
        assert snap.verdict is None
    assert snap.run_state is RunState.FINISHED, seed
    assert dict(snap.watches)["computed"] == "6/6 parts"
    assert dict(snap.watches)["backlog"] == "0 events waiting"
    return snap


def test_chunked_computation_lets_clicks_in_between_parts(driver: Driver) -> None:
    interleaved = 0
    for seed in range(30):
        order = handled_order(finished_loop(driver, "chunked", seed))
        assert order.count("on_click") == 4
        assert order[-1] == "None"  # the sign to stop comes last
        computes = [i for i, name in enumerate(order) if name == "compute_one_part"]
        assert len(computes) == 6
        if any(order[i] == "on_click" for i in range(computes[0], computes[-1])):
            interleaved += 1
    assert interleaved >= 25


def test_blocking_handler_runs_the_whole_job_while_clicks_wait(driver: Driver) -> None:
    chunked = [finished_loop(driver, "chunked", seed) for seed in range(30)]
    blocking = [finished_loop(driver, "blocking", seed) for seed in range(30)]
    for snap in blocking:
        # One handler does every part, and every click waits until it returns.
        assert handled_order(snap) == ["compute_everything"] + ["on_click"] * 4 + ["None"]
        assert most_waiting(snap) == 4  # every click backs up in the queue
    assert max(most_waiting(snap) for snap in chunked) <= 3  # never all four
    waits = [mean(longest_click_wait(snap) for snap in runs) for runs in (blocking, chunked)]
    assert waits[0] > 1.4 * waits[1], waits


def run_until(rt: Runtime, done: Callable[[Snapshot], bool], limit: int = 500) -> Snapshot:
    """Take the seeded scheduler's steps one at a time until ``done`` holds."""
    for _ in range(limit):
        snap = rt.snapshot()
        if done(snap):
            return snap
        rt.step()
        assert rt.wait_idle(10)
    raise AssertionError("never got there")


def test_blocking_handler_holds_the_loop_for_every_part(driver: Driver) -> None:
    rt = driver.open("event-loop", "blocking", parts=3, clicks=1, gap=1)
    click = (BufferItem("on_click", "Input"),)
    snap = run_until(
        rt, lambda s: "events" in s.event_queues and queue_of(s, "events").items == click
    )
    assert handled_order(snap) == ["compute_everything"]  # the click came in meanwhile
    assert dict(snap.watches)["computed"] == "0/3 parts"
    parts = []
    while not snap.thread("Loop").operation.startswith("get from events"):
        parts.append(dict(snap.watches)["computed"])
        assert queue_of(snap, "events").items == click
        assert dict(snap.watches)["backlog"] == "1 event waiting"
        snap = run_until(rt, lambda s, step=snap.step: s.step > step)
    assert parts[0] == "0/3 parts"
    assert {"1/3 parts", "2/3 parts"} <= set(parts)  # the click waited for every part
    assert dict(snap.watches)["computed"] == "3/3 parts"
    assert handled_order(driver.finish(rt)) == ["compute_everything", "on_click", "None"]


def test_the_user_posts_a_click_to_a_waiting_loop(driver: Driver) -> None:
    rt = driver.open("event-loop", clicks=0, parts=1)
    started(driver, rt, "Loop", "Input")
    snap = driver.step_until(rt, "Loop", "get from events")
    assert snap.event_queues == ("events",)
    snap = driver.step(rt, "Loop")
    assert snap.thread("Loop").state is ThreadState.BLOCKED
    assert queue_of(snap, "events").getters == ("Loop",)
    rt.post_event("events")
    snap = rt.snapshot()
    assert queue_of(snap, "events").items == (BufferItem("on_click", "you"),)
    assert snap.thread("Loop").state is ThreadState.RUNNABLE
    put = snap.events[-1]
    assert (put.thread, put.kind, put.detail) == (
        None,
        EventKind.PUT,
        "on_click (by you), wakes Loop",
    )
    with pytest.raises(ControlRefused, match=r"no event queue named 'nope' \(valid: events\)"):
        rt.post_event("nope")
    snap = driver.finish(rt)
    assert snap.run_state is RunState.FINISHED
    assert handled_order(snap) == ["on_click", "compute_one_part", "None"]
    assert any(e.detail == "on_click from you (0)" for e in snap.events)
    with pytest.raises(ControlRefused, match="the run has finished"):
        rt.post_event("events")


# -- async-io


def line_of(code: str) -> int:
    """The line of async_io.py that holds ``code``."""
    with open(async_io.PROGRAM, encoding="utf-8") as program:
        (number,) = [n for n, text in enumerate(program, start=1) if code in text]
    return number


POLL_LINE, WAIT_LINE = line_of("port.get_nowait()"), line_of("port.get()")
"""Where App polls the port (never blocking) and where it waits on it."""


def test_io_completes_while_the_app_keeps_computing(driver: Driver) -> None:
    overlapped = 0
    for seed in range(30):
        rt = driver.open("async-io", seed=seed)
        snap = driver.finish(rt)
        assert snap.run_state is RunState.FINISHED, seed
        assert snap.verdict is None
        gets = [e for e in snap.events if e.kind == EventKind.GET and e.primitive == "port"]
        polled = [e for e in gets if e.line == POLL_LINE and e.detail != "empty"]
        overlapped += bool(polled)
        assert sorted(dict(snap.watches)["collected"].split(", ")) == [
            "block 1",
            "block 2",
            "block 3",
        ]
    assert overlapped >= 20  # most runs collect some reads by polling, mid-computation


def test_the_app_waits_on_the_port_when_it_has_nothing_left_to_do(driver: Driver) -> None:
    rt = driver.open("async-io", requests=1, latency=5, chunks=0)
    started(driver, rt, "App", "Disk")
    snap = driver.step_until(rt, "App", "put 'block 1' into pending")
    snap = driver.step(rt, "App", "App")  # issue, then wait
    assert snap.thread("App").state is ThreadState.BLOCKED
    assert snap.thread("App").waits_on == "port"
    assert queue_of(snap, "port").getters == ("App",)
    assert snap.events[-1].line == WAIT_LINE
    assert queue_of(snap, "pending").items == (BufferItem("'block 1'", "App"),)
    snap = run_until(rt, lambda s: s.thread("Disk").operation.startswith("put 'block 1' into port"))
    assert snap.thread("App").state is ThreadState.BLOCKED  # still waiting for the read
    assert queue_of(snap, "port").items == ()
    snap = driver.step(rt, "Disk")
    assert snap.thread("App").state is ThreadState.RUNNABLE
    assert queue_of(snap, "port").items == (BufferItem("'block 1'", "Disk"),)
    assert driver.finish(rt).run_state is RunState.FINISHED


def test_a_read_completed_twice_breaks_the_invariant(driver: Driver) -> None:
    """The check reads the program's own list: a duplicate there is a violation."""
    rt = driver.open("async-io", requests=2, chunks=0)
    snap = driver.finish(rt)
    assert snap.verdict is None
    (check,) = async_io.SCENARIO.checks

    program = SimpleNamespace(collected=["block 1", "block 2", "block 1"])
    assert check.test(program) == "block 1 completed more than once"  # type: ignore[arg-type]
