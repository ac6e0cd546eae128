"""The user posts into a program's own queue: what the scenario's UserPost names is put
as if by another thread ('you'); a queue shows the functions it holds by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from threadlab.engine import ControlRefused, EventKind, Runtime, Scenario, UserPost
from threadlab.engine.snapshot.model import BufferItem, QueueView

PROGRAM = """
import queue
import time

jobs = queue.Queue(maxsize=3)


def job():
    pass


def main():
    jobs.put(job)
    jobs.put(lambda: None)
    time.sleep(10)  # the run goes on while the user posts
"""


def opened(launch: Callable[..., Runtime], tmp_path: Path, post: UserPost) -> Runtime:
    path = tmp_path / "program.py"
    path.write_text(PROGRAM, encoding="utf-8")
    scenario = Scenario(
        name="posting", title="t", summary="s", explanation="e", program=str(path), user_post=post
    )
    runtime = launch(scenario)
    for _ in range(10):
        if len(jobs_items(runtime)) == 2:
            return runtime
        runtime.step()
        assert runtime.wait_idle(10)
    raise AssertionError("the program never put its two jobs")


def jobs_items(runtime: Runtime) -> tuple[BufferItem, ...]:
    view = runtime.snapshot().primitive("jobs") if "jobs" in names(runtime) else None
    return view.items if isinstance(view, QueueView) else ()


def names(runtime: Runtime) -> set[str]:
    return {p.name for p in runtime.snapshot().primitives}


def jobs_of(runtime: Runtime) -> QueueView:
    view = runtime.snapshot().primitive("jobs")
    assert isinstance(view, QueueView)
    return view


def test_the_user_puts_the_named_global_and_a_full_queue_refuses(
    launch: Callable[..., Runtime], tmp_path: Path
) -> None:
    runtime = opened(launch, tmp_path, UserPost("jobs", "job"))
    assert runtime.snapshot().event_queues == ("jobs",)
    assert jobs_of(runtime).items == (
        BufferItem("job", "MainThread"),  # a function by its name, never its address
        BufferItem("main.<locals>.<lambda>", "MainThread"),
    )
    runtime.post_event("jobs")
    assert jobs_of(runtime).items[-1] == BufferItem("job", "you")
    put = runtime.snapshot().events[-1]
    assert (put.thread, put.kind, put.detail) == (None, EventKind.PUT, "job (by you)")
    with pytest.raises(ControlRefused, match=r"jobs is full \(3\)"):
        runtime.post_event("jobs")
    with pytest.raises(ControlRefused, match=r"no event queue named 'work' \(valid: jobs\)"):
        runtime.post_event("work")


def test_a_post_of_what_the_program_lacks_is_refused(
    launch: Callable[..., Runtime], tmp_path: Path
) -> None:
    runtime = opened(launch, tmp_path, UserPost("jobs", "missing"))
    with pytest.raises(ControlRefused, match="the program has no missing to post yet"):
        runtime.post_event("jobs")
    assert len(jobs_of(runtime).items) == 2
