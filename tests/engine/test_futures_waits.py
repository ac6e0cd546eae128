"""Waiting for several futures (``concurrent.futures.wait`` and ``as_completed``) is one step
of the program, and a thread blocked there is shown waiting for the unfinished futures by
their names, as it is for one future's ``result()``."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime, resolve_config
from threadlab.engine.core.errors import ControlRefused
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.snapshot.model import EventKind, Snapshot, ThreadState

PROGRAM = """
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait


def slow(n):
    time.sleep(0.01 * n)
    return n


with ThreadPoolExecutor(max_workers=2) as pool:
    jobs = [pool.submit(slow, n) for n in (3, 1, 2)]
    done, pending = wait(jobs, return_when=FIRST_COMPLETED)
    print(len(done) >= 1)
    for job in as_completed(jobs):
        print(job.result())
"""

NEVER_SET = """
from concurrent.futures import Future, wait

promise = Future()
wait([promise])
"""


def _run_to_end(path: Path, seed: int) -> tuple[Runtime, list[Snapshot]]:
    """The run of ``path`` with ``seed``, stepped one step at a time to its end, and the
    snapshot after each step."""
    runtime = Runtime(resolve_config(program_scenario(str(path)), seed=seed), paused=True)
    runtime.start()
    snapshots = []
    for _ in range(2_000):
        with contextlib.suppress(ControlRefused):
            runtime.step(1)
        assert runtime.wait_idle(60)
        snapshot = runtime.snapshot()
        snapshots.append(snapshot)
        if snapshot.run_state is not RunState.PAUSED:
            break
    return runtime, snapshots


@pytest.mark.parametrize("seed", range(6))
def test_a_thread_waiting_for_futures_is_shown_waiting_for_them(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "waits.py"
    path.write_text(PROGRAM, encoding="utf-8")
    runtime, snapshots = _run_to_end(path, seed)
    try:
        final = snapshots[-1]
        assert final.run_state is RunState.FINISHED, final.verdict
        printed = [line.text for line in final.output]
        assert printed[0] == "True" and sorted(printed[1:]) == ["1", "2", "3"]
        operations = {t.operation for s in snapshots for t in s.threads if t.name == "MainThread"}
        assert "wait for jobs[0], jobs[1], jobs[2] (FIRST_COMPLETED)" in operations
        assert any(op.startswith("as_completed: wait for jobs[") for op in operations)
        blocked_on = {
            t.waits_on
            for s in snapshots
            for t in s.threads
            if t.name == "MainThread"
            and t.state is ThreadState.BLOCKED
            and t.operation.startswith(("wait for", "as_completed"))
        }
        # Blocked, it waits for futures named from the source, never a lock of the library.
        assert blocked_on and all(name and name.startswith("jobs[") for name in blocked_on)
        waits = [e for e in final.events if e.kind is EventKind.WAIT and e.thread == "MainThread"]
        assert {e.detail for e in waits} <= {"FIRST_COMPLETED", "as_completed"}
    finally:
        assert runtime.stop()


def test_waiting_for_a_future_nobody_sets_ends_the_run_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "never.py"
    path.write_text(NEVER_SET, encoding="utf-8")
    runtime, snapshots = _run_to_end(path, 0)
    try:
        final = snapshots[-1]
        assert final.run_state is not RunState.FINISHED
        assert final.verdict is not None
        assert "promise (ALL_COMPLETED)" in final.verdict.text, final.verdict.text
    finally:
        assert runtime.stop()
