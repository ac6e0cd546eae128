"""The event loop and asynchronous IO: chunks interleave, blocking stalls, IO overlaps work."""

from __future__ import annotations

from statistics import mean

import pytest
from scenario_driver import Driver

from threadlab.engine import ControlRefused, RunState, ThreadState
from threadlab.engine.model import EventWait, RequestView


def handled_order(driver: Driver, variant: str, seed: int) -> tuple[list[str], int]:
    rt = driver.open("event-loop", variant, seed=seed)
    snap = driver.finish(rt)
    assert snap.idle_reason == "the loop waits for the next event: post one"
    assert snap.verdict is None
    order = [e.detail.split(" after ")[0] for e in snap.events if e.kind == "handle"]
    longest = int(dict(snap.watches)["longest wait"].split()[0])
    return order, longest


def test_chunked_computation_lets_clicks_in_between_parts(driver: Driver) -> None:
    interleaved = 0
    for seed in range(30):
        order, _ = handled_order(driver, "chunked", seed)
        computes = [i for i, name in enumerate(order) if name == "compute"]
        assert len(computes) == 6
        if any(order[i].startswith("click") for i in range(computes[0], computes[-1])):
            interleaved += 1
    assert interleaved >= 25


def test_blocking_handler_runs_the_whole_job_while_clicks_wait(driver: Driver) -> None:
    chunked = [handled_order(driver, "chunked", seed)[1] for seed in range(30)]
    blocking = [handled_order(driver, "blocking", seed)[1] for seed in range(30)]
    for seed in range(30):
        order, _ = handled_order(driver, "blocking", seed)
        assert order.count("compute") == 1  # one handler does every part
    assert mean(blocking) > 1.4 * mean(chunked), (mean(blocking), mean(chunked))


def test_blocking_handler_holds_the_loop_for_every_part(driver: Driver) -> None:
    rt = driver.open("event-loop", "blocking", parts=3, clicks=1, gap=1)
    driver.step(rt, "Input")  # posts compute
    driver.step_until(rt, "Loop", "compute part 1/3")
    driver.step(rt, "Input", "Input")  # posts click 1 while the loop computes
    snap = rt.snapshot()
    assert snap.primitive("events").waiting == (EventWait("click 1", waited=0),)
    for _ in range(5):
        snap = driver.step(rt, "Loop")
        assert snap.primitive("events").current == "compute"
    assert snap.primitive("events").waiting == (EventWait("click 1", waited=5),)


def test_the_user_posts_an_event_to_an_idle_loop(driver: Driver) -> None:
    rt = driver.open("event-loop", clicks=0, parts=1)
    snap = driver.finish(rt)
    assert snap.thread("Loop").state is ThreadState.WAITING
    rt.post_event("events")
    snap = driver.finish(rt)
    assert EventWait("key 1", waited=1) in snap.primitive("events").handled
    with pytest.raises(ControlRefused, match="no event queue named 'nope'"):
        rt.post_event("nope")


def test_io_completes_while_the_app_keeps_computing(driver: Driver) -> None:
    overlapped = 0
    for seed in range(30):
        rt = driver.open("async-io", seed=seed)
        snap = driver.finish(rt)
        assert snap.run_state is RunState.FINISHED, seed
        polled = [e for e in snap.events if e.kind == "poll" and e.detail.endswith("done")]
        overlapped += bool(polled)
        assert sorted(dict(snap.watches)["collected"].split(", ")) == [
            "block 1",
            "block 2",
            "block 3",
        ]
    assert overlapped >= 20  # most runs collect some reads by polling, mid-computation


def test_the_app_waits_on_the_port_when_it_has_nothing_left_to_do(driver: Driver) -> None:
    rt = driver.open("async-io", requests=1, latency=5, chunks=0)
    snap = driver.step(rt, "App", "App")  # issue, then wait
    assert snap.thread("App").state is ThreadState.WAITING
    assert snap.thread("App").waits_on == "port"
    assert snap.primitive("disk").in_flight == (RequestView("block 1", ticks_left=5),)
    for _ in range(5):
        snap = driver.step(rt, "Disk")
    assert snap.thread("App").state is ThreadState.RUNNABLE
    assert driver.finish(rt).run_state is RunState.FINISHED
