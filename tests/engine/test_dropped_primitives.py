"""What the program drops leaves the panels: a finished future nobody keeps, a lock or a
pool the program forgot. The run refers to the program's objects weakly, so a snapshot
carries what the program can still reach, however long it runs (and holding the objects
does not change what CPython does with them: tests/engine/test_program_environment.py)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime, resolve_config
from threadlab.engine.core.errors import ControlRefused
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.snapshot.model import Snapshot
from threadlab.engine.snapshot.views import FutureView

PROGRAM = """
import threading
from concurrent.futures import ThreadPoolExecutor

kept = threading.Semaphore(2)


def spare():
    scratch = threading.Lock()
    with scratch:
        return 1


with ThreadPoolExecutor(max_workers=2) as pool:
    last = None
    for n in range(60):
        last = pool.submit(pow, 2, n)
        last.result()
        spare()
done = threading.Event()
print(last.result())
"""


def _snapshots(path: Path, seed: int) -> list[Snapshot]:
    runtime = Runtime(resolve_config(program_scenario(str(path)), seed=seed), paused=True)
    runtime.start()
    snapshots = []
    try:
        for _ in range(5_000):
            with contextlib.suppress(ControlRefused):
                runtime.step(7)
            assert runtime.wait_idle(60)
            snapshots.append(runtime.snapshot())
            if snapshots[-1].run_state is not RunState.PAUSED:
                break
    finally:
        assert runtime.stop()
    return snapshots


@pytest.mark.parametrize("seed", range(4))
def test_a_snapshot_carries_what_the_program_can_still_reach(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "submits.py"
    path.write_text(PROGRAM, encoding="utf-8")
    snapshots = _snapshots(path, seed)
    final = snapshots[-1]
    assert final.run_state is RunState.FINISHED, final.verdict
    assert [line.text for line in final.output] == [str(2**59)]
    names = [p.name for p in final.primitives]
    # A name is never given twice in a run: the 60th future made at ``last =`` is last-60.
    # (``n`` is the loop's variable, a global the pool's threads could read.)
    assert names == ["kept", "pool", "n", "last-60", "done"], names
    # 60 futures and 60 locks were made; only the last of each kind can still be reached,
    # and the lock only while spare() runs.
    for snapshot in snapshots:
        futures = [p for p in snapshot.primitives if isinstance(p, FutureView)]
        assert len(futures) <= 2, (snapshot.step, [f.name for f in futures])
        assert len([p for p in snapshot.primitives if p.name.startswith("scratch")]) <= 1
    assert any(p.name.startswith("scratch") for s in snapshots for p in s.primitives)
    # The same seed shows the same panels at every step (steps named, so that a difference
    # says where the runs parted).
    again = _snapshots(path, seed)
    assert [(s.step, s.primitives) for s in again] == [(s.step, s.primitives) for s in snapshots]
