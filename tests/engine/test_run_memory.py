"""A stopped run is freed: nothing the program's modules register keeps it alive.

Exists because each run imports its own copies of CPython's ``threading``, ``logging``,
``asyncio`` and ``concurrent.futures``, which register callbacks with the interpreter when
imported (``os.register_at_fork``): held there, every run stayed in memory for good, and
the explorer, which starts thousands of runs, grew without end and paused for seconds in
garbage collections.
"""

from __future__ import annotations

import gc
import textwrap
import weakref
from pathlib import Path

import pytest

from threadlab.engine import Runtime, resolve_config
from threadlab.engine.core.kernel import Kernel
from threadlab.engine.lesson.own_program import program_scenario

PROGRAM = """\
import asyncio
import concurrent.futures
import logging
import os
import queue
import threading

logging.basicConfig(format="%(threadName)s %(message)s")
items = queue.Queue()
lock = threading.Lock()


def worker():
    with lock:
        items.put(threading.current_thread().name)


threads = [threading.Thread(target=worker) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    print(sorted(pool.map(abs, [-1, -2])))


async def main():
    await asyncio.sleep(0.01)

asyncio.run(main())
os.register_at_fork(after_in_child=lambda: None)
print(items.qsize())
"""


def run_once(path: Path, seed: int) -> weakref.ref[Kernel]:
    runtime = Runtime(
        resolve_config(program_scenario(str(path)), seed=seed), paused=False, speed=None
    )
    kernel = weakref.ref(runtime._run.kernel)
    try:
        runtime.start()
        assert runtime.wait_idle(30)
        snapshot = runtime.snapshot()
        assert snapshot.exit_status == 0, snapshot.verdict
    finally:
        assert runtime.stop()
    return kernel


def test_stopped_runs_are_freed(tmp_path: Path) -> None:
    path = tmp_path / "program.py"
    path.write_text(PROGRAM)
    kernels = [run_once(path, seed) for seed in range(3)]
    gc.collect()
    alive = [k for k in kernels if k() is not None]
    assert not alive, f"{len(alive)} of {len(kernels)} stopped runs are still in memory"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ("os.register_at_fork()", "TypeError: At least one argument is required."),
        ("os.register_at_fork(before=1)", "TypeError: 'before' must be callable, not int"),
        (
            "os.register_at_fork(after_in_child=None)",
            "TypeError: 'after_in_child' must be callable, not NoneType",
        ),
    ],
)
def test_register_at_fork_refuses_what_cpython_refuses(
    tmp_path: Path, call: str, error: str
) -> None:
    path = tmp_path / "program.py"
    path.write_text(
        textwrap.dedent(f"""\
        import os
        try:
            {call}
        except Exception as error:
            print(f"{{type(error).__name__}}: {{error}}")
        """)
    )
    runtime = Runtime(resolve_config(program_scenario(str(path)), seed=0), paused=False, speed=None)
    try:
        runtime.start()
        assert runtime.wait_idle(30)
        printed = [line.text for line in runtime.snapshot().output]
    finally:
        assert runtime.stop()
    assert printed == [error]
