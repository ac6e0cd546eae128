"""Primitives are named from the program's source: what the statement that makes one
assigns it to, however the statement is written."""

from __future__ import annotations

import textwrap
from pathlib import Path

from threadlab.engine import Runtime, Scenario, resolve_config

PROGRAM = """
import queue
import threading
from concurrent.futures import ThreadPoolExecutor


class Shop:
    def __init__(self):
        self.gate = threading.Lock()
        self.stock = threading.Semaphore(
            3,
        )


def main():
    plain = threading.Lock()
    wrapped = (
        threading.Event()
    )
    left, right = threading.Lock(), threading.RLock()
    jobs: queue.Queue = queue.Queue()
    forks = [threading.Lock() for _ in range(2)]
    spoons = []
    spoons.append(threading.Lock())
    table = {}
    table["salt"] = threading.Lock()
    shop = Shop()
    for _ in range(2):
        again = threading.Lock()
        kept.append(again)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first, second = pool.submit(print), pool.submit(print)
    loose = [threading.Barrier(1)]
    kept.append(locals())  # what the program drops leaves the panels


kept = []
"""

EXPECTED = {
    "plain",
    "wrapped",
    "left",
    "right",
    "jobs",
    "forks[0]",
    "forks[1]",
    "spoons[0]",
    'table["salt"]',
    "gate",
    "stock",
    "again",
    "again-2",
    "pool",
    "first",
    "second",
    "loose[0]",
}


def test_names_come_from_the_statement_that_makes_the_primitive(tmp_path: Path) -> None:
    path = tmp_path / "names.py"
    path.write_text(textwrap.dedent(PROGRAM), encoding="utf-8")
    scenario = Scenario(
        name="names", title="names", summary="", explanation="", program=str(path), entry="main"
    )
    runtime = Runtime(resolve_config(scenario, seed=0), paused=True, speed=None)
    runtime.start()
    try:
        runtime.step(2000)
        assert runtime.wait_idle(30)
        snapshot = runtime.snapshot()
    finally:
        assert runtime.stop()
    assert not [t.traceback for t in snapshot.threads if t.traceback]
    names = {p.name for p in snapshot.primitives}
    assert names >= EXPECTED, sorted(EXPECTED - names)
