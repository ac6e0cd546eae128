"""A program's environment is its own, as under CPython: every way of importing reaches the
controlled modules, the standard library's modules that build on threads (``logging``) or
read the command line (``argparse``) see the run's threads, output and ``sys.argv``, exit
functions and exception hooks run as CPython runs them, and processes are refused with a
line that says why.

Each program runs under plain CPython (a subprocess) and under threadlab over several
seeds; stdout, stderr and exit status must be the same.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from threadlab.engine import RunState, Runtime, resolve_config
from threadlab.engine.core.errors import ControlRefused
from threadlab.engine.lesson.own_program import program_scenario

SEEDS = (0, 1, 2, 3, 4, 5)

Outcome = tuple[tuple[str, ...], tuple[str, ...], int | None]
"""stdout lines, stderr lines, exit status."""


def _lines(text: list[str]) -> tuple[str, ...]:
    """Lines as compared: an object's address (``<function f at 0x7f..>``), a time and a
    date differ between any two executions, under CPython too."""
    text = [re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", "<asctime> ", line) for line in text]
    return tuple(
        re.sub(
            r"Ran (\d+) tests? in [\d.]+s",
            r"Ran \1 tests in …s",
            re.sub(r" at 0x[0-9a-f]+", " at 0x…", line),
        )
        for line in text
    )


def on_cpython(path: Path, argv: tuple[str, ...]) -> Outcome:
    done = subprocess.run(
        [sys.executable, str(path), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=path.parent,
        check=False,
    )
    return _lines(done.stdout.splitlines()), _lines(done.stderr.splitlines()), done.returncode


def under_threadlab(launch, path: Path, argv: tuple[str, ...], seed: int) -> Outcome:
    config = resolve_config(program_scenario(str(path)), seed=seed, argv=argv)
    runtime = Runtime(config, paused=True, speed=None)
    runtime.start()
    try:
        assert runtime.wait_started(60)
        with contextlib.suppress(ControlRefused):  # a run without a step has ended already
            runtime.step(100_000)
        assert runtime.wait_idle(60)
        snapshot = runtime.snapshot()
    finally:
        assert runtime.stop()
    assert snapshot.run_state is RunState.FINISHED, snapshot.verdict
    lines = {
        stream: _lines([line.text for line in snapshot.output if line.stream == stream])
        for stream in ("stdout", "stderr")
    }
    return lines["stdout"], lines["stderr"], snapshot.exit_status


PROGRAMS = {
    "import_forms": (
        """
        import importlib
        from concurrent import futures
        import concurrent.futures as cf
        from queue import *

        threading = importlib.import_module("threading")
        lock = threading.Lock()
        same = cf.ThreadPoolExecutor is futures.ThreadPoolExecutor
        print(type(lock).__name__ in ("lock", "Lock"), same)
        q = Queue()
        done = []

        def work(n):
            with lock:
                done.append(n)
            return n * n

        with futures.ThreadPoolExecutor(max_workers=3) as pool:
            print(list(pool.map(work, range(5))))
        print(sorted(done), threading.current_thread().name)
        """,
        (),
    ),
    "logging_names_threads": (
        """
        import logging
        import threading

        logging.basicConfig(level=logging.INFO, format="%(threadName)s: %(message)s")
        log = logging.getLogger("demo")

        def worker():
            log.info("hello from the worker")

        t = threading.Thread(target=worker, name="worker")
        t.start()
        t.join()
        log.warning("main is done")
        """,
        (),
    ),
    "argparse_sees_argv": (
        """
        import argparse
        import sys

        parser = argparse.ArgumentParser(prog="counter")
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("names", nargs="*")
        print(parser.parse_args(), sys.argv[1:])
        """,
        ("--threads", "3", "ann", "bob"),
    ),
    "atexit_runs_at_the_end": (
        """
        import atexit
        import threading

        def goodbye(who):
            print("goodbye", who)

        def broken():
            raise RuntimeError("at exit")

        atexit.register(goodbye, "first")
        atexit.register(broken)
        atexit.register(goodbye, "last")
        t = threading.Thread(target=print, args=("thread ran",))
        t.start()
        t.join()
        print("main code ends")
        """,
        (),
    ),
    "threading_excepthook": (
        """
        import sys
        import threading

        def hook(args):
            print("caught", args.exc_type.__name__, args.exc_value, "in", args.thread.name)

        threading.excepthook = hook

        def boom():
            raise ValueError("bad input")

        t = threading.Thread(target=boom, name="worker")
        t.start()
        t.join()
        print("main carries on")
        """,
        (),
    ),
    "sys_excepthook": (
        """
        import sys

        def hook(kind, value, tb):
            print("sys hook:", kind.__name__, value)

        sys.excepthook = hook
        print("about to fail")
        raise KeyError("the end")
        """,
        (),
    ),
    "unittest_main": (
        """
        import asyncio
        import threading
        import traceback
        import unittest


        class Counter:
            def __init__(self):
                self.value = 0
                self.lock = threading.Lock()

            def add(self):
                with self.lock:
                    self.value += 1


        class CounterTest(unittest.TestCase):
            def test_threads(self):
                counter = Counter()
                threads = [threading.Thread(target=counter.add) for _ in range(4)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(counter.value, 4)

            def test_fails(self):
                self.assertEqual(1, 2)


        class AsyncTest(unittest.IsolatedAsyncioTestCase):
            async def test_sleep(self):
                await asyncio.sleep(0.1)
                self.assertEqual(threading.current_thread().name, "MainThread")


        try:
            raise ValueError("shown by print_exc")
        except ValueError:
            traceback.print_exc()

        if __name__ == "__main__":
            unittest.main()
        """,
        ("-v",),
    ),
    "time_functions_stored_on_a_class": (
        """
        import logging
        import time


        class Clock:
            read = time.monotonic  # a C function: not bound to the instance


        print(type(Clock().read()).__name__)
        logging.basicConfig(format="%(asctime)s %(message)s")
        logging.getLogger().handlers[0].formatter.converter = time.gmtime
        logging.warning("formatted with %s", "asctime")
        print("logged")
        """,
        (),
    ),
    "warnings_are_the_programs": (
        """
        import threading
        import warnings


        def old_api():
            warnings.warn("old_api is deprecated", DeprecationWarning, stacklevel=2)


        def worker():
            old_api()  # from a thread: printed to the program's stderr, this line named
            warnings.warn("careful", UserWarning)


        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        ready = threading.Condition()
        with ready:
            ready.notifyAll()  # CPython's own deprecation warning, from this line
        print(threading.current_thread().getName(), threading.Event().isSet())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            old_api()
            old_api()
        print(len(caught), caught[0].category.__name__, caught[0].lineno)
        warnings.simplefilter("error", UserWarning)
        try:
            warnings.warn("now an error")
        except UserWarning as error:
            print("raised:", error)
        """,
        (),
    ),
    "asyncio_from_other_threads": (
        """
        import asyncio, threading, concurrent.futures
        async def slow(x):
            await asyncio.sleep(10)
            return x
        async def bad():
            await asyncio.sleep(0.01)
            raise KeyError("nope")
        def client(loop, log):
            f = asyncio.run_coroutine_threadsafe(asyncio.sleep(1, result=3), loop)
            log.append(("sleep", f.result(5)))
            f = asyncio.run_coroutine_threadsafe(slow(1), loop)
            try:
                f.result(0.5)
            except TimeoutError:
                log.append(("timeout", "The coroutine took too long, cancelling the task..."))
                log.append(("cancel", f.cancel()))
            f = asyncio.run_coroutine_threadsafe(bad(), loop)
            try:
                f.result()
            except Exception as exc:
                log.append(("raised", repr(exc)))
            try:
                asyncio.run_coroutine_threadsafe(42, loop)
            except TypeError as e:
                log.append(("typeerror", str(e)))
        async def main():
            loop = asyncio.get_running_loop()
            log = []
            t = threading.Thread(target=client, args=(loop, log)); t.start()
            await asyncio.to_thread(t.join)
            for entry in log: print(*entry)
            cf = concurrent.futures.Future()
            w = asyncio.wrap_future(cf)
            cf.set_exception(ValueError("x"))
            try: await w
            except ValueError as e: print("wrapped raised", e)
            try: asyncio.wrap_future(5)
            except AssertionError as e: print("assert", e)
        asyncio.run(main())
        """,
        (),
    ),
    "run_in_executor_with_the_programs_pool": (
        """
        import asyncio, concurrent.futures, threading
        def blocking(n):
            return n * 2, threading.current_thread().name.split("_")[0]
        async def main():
            loop = asyncio.get_running_loop()
            with concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="P") as pool:
                r = await loop.run_in_executor(pool, blocking, 21)
                print("custom pool", r)
            f = concurrent.futures.Future()
            wrapped = asyncio.wrap_future(f)
            f.set_result(5)
            print("wrapped", await wrapped)
            print("to_thread", await asyncio.to_thread(blocking, 1))
        asyncio.run(main())
        """,
        (),
    ),
    "unraisable_errors_on_stderr": (
        """
        import threading


        class Handle:
            def __del__(self):
                raise ValueError("closed twice")


        def work():
            handle = Handle()
            del handle


        def numbers():
            try:
                yield 1
            finally:
                raise KeyError("in finally")


        t = threading.Thread(target=work)
        t.start()
        t.join()
        g = numbers()
        next(g)
        del g
        print("main carries on")
        """,
        (),
    ),
    "own_unraisablehook": (
        """
        import sys


        def hook(unraisable):
            print("hook:", type(unraisable.exc_value).__name__, unraisable.exc_value)


        sys.unraisablehook = hook


        class Handle:
            def __del__(self):
                raise ValueError("closed twice")


        Handle()
        print("done")
        """,
        (),
    ),
    "what_the_program_drops_is_collected": (
        """
        import gc
        import threading
        import weakref
        from concurrent.futures import ThreadPoolExecutor

        lock = threading.Lock()
        cond = threading.Condition(lock)
        refs = [weakref.ref(lock), weakref.ref(cond)]
        del lock, cond
        print([ref() is None for ref in refs])


        def use_a_pool():
            pool = ThreadPoolExecutor(max_workers=2)
            jobs = [pool.submit(pow, 2, n) for n in range(4)]
            print(sum(job.result() for job in jobs))
            return weakref.ref(pool), list(pool._threads)


        pool_ref, workers = use_a_pool()
        gc.collect()
        print(pool_ref() is None)
        for worker in workers:  # a forgotten pool's workers end
            worker.join()
        print([worker.is_alive() for worker in workers])
        """,
        (),
    ),
    "finalizers_that_take_locks": (
        # The collector runs __del__ and weakref callbacks wherever it interrupts: inside
        # a thread's start, inside the engine's own work, or in one of threadlab's threads.
        """
        import gc
        import threading
        import weakref

        gc.set_threshold(1)  # collect at almost every allocation: wherever it can happen
        lock = threading.Lock()
        log = []


        class Resource:
            def __del__(self):
                with lock:
                    log.append("del")


        def note():
            with lock:
                log.append("finalize")


        def work():
            for _ in range(40):
                a, b = Resource(), Resource()
                a.other, b.other = b, a  # a cycle: only the collector frees it
                weakref.finalize(a, note)


        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gc.collect()
        print(log.count("del"), log.count("finalize"))
        """,
        (),
    ),
    "processes_refused": (
        """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        print(multiprocessing.cpu_count() > 0)
        for make in (ProcessPoolExecutor, multiprocessing.Pool, multiprocessing.Process):
            try:
                make()
            except NotImplementedError as error:
                print("refused:", "threadlab" in str(error))
        """,
        (),
    ),
}

UNDER_THREADLAB_ONLY = {"processes_refused"}
"""Programs whose output under CPython is different by design (they start processes)."""


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_program_sees_its_own_environment_as_under_cpython(
    tmp_path: Path, launch, name: str
) -> None:
    source, argv = PROGRAMS[name]
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    outcomes = {under_threadlab(launch, path, argv, seed) for seed in SEEDS}
    assert len(outcomes) == 1, outcomes
    outcome = outcomes.pop()
    if name in UNDER_THREADLAB_ONLY:
        assert outcome == (("True", "refused: True", "refused: True", "refused: True"), (), 0)
        return
    stdout, stderr, status = on_cpython(path, argv)
    assert outcome[0] == stdout
    # A traceback names files by path: compare what does not depend on where they are.
    assert [line for line in outcome[1] if "File " not in line] == [
        line for line in stderr if "File " not in line
    ]
    assert outcome[2] == status


LOGGING_WORKERS = """
import logging
import threading

logging.basicConfig(level=logging.INFO, format="%(threadName)s: %(message)s")
lock = threading.Lock()


def worker():
    with lock:
        logging.info("counted")


threads = [threading.Thread(target=worker, name=f"w{n}") for n in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


def test_the_locks_logging_makes_for_itself_are_not_the_programs(tmp_path: Path, launch) -> None:
    """logging, run for the program, takes locks of its own: they are neither panels nor
    steps nor events; the program's own lock is all the panels show."""
    path = tmp_path / "logs.py"
    path.write_text(LOGGING_WORKERS, encoding="utf-8")
    runtime = launch(program_scenario(str(path)))
    assert runtime.wait_started(60)
    with contextlib.suppress(ControlRefused):
        runtime.step(100_000)
    assert runtime.wait_idle(60)
    snapshot = runtime.snapshot()
    assert snapshot.run_state is RunState.FINISHED
    assert [p.name for p in snapshot.primitives] == ["lock"]
    assert {e.primitive for e in snapshot.events if e.primitive is not None} == {"lock"}
    assert sorted(line.text for line in snapshot.output) == ["w0: counted", "w1: counted"]


AS_COMPLETED = """
import concurrent.futures
import time


def fetch(n):
    time.sleep(0.01 * n)
    return n


with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    for future in concurrent.futures.as_completed([pool.submit(fetch, n) for n in range(4)]):
        print(future.result())
"""


STOP_ANYWHERE = """
import contextlib, gc, sys
from threadlab.engine import Runtime, resolve_config
from threadlab.engine.core.errors import ControlRefused
from threadlab.engine.lesson.own_program import program_scenario

for steps in range(1, 40, 3):
    runtime = Runtime(resolve_config(program_scenario(sys.argv[1])), paused=True, speed=None)
    runtime.start()
    with contextlib.suppress(ControlRefused):
        runtime.step(steps)
    assert runtime.wait_idle(60)
    errors = [line.text for line in runtime.snapshot().output if line.stream == "stderr"]
    assert runtime.stop()
    gc.collect()
    print(steps, errors)
"""


def test_a_run_stopped_anywhere_reports_nothing_the_program_did_not_do(tmp_path: Path) -> None:
    """Stopped while it waits in ``as_completed``, the program's thread unwinds; the
    generator it leaves closes and tries its futures' locks again. That is threadlab's
    doing: nothing is written, neither to the run's output nor to the terminal (a process
    of its own, as pytest would catch what the interpreter writes)."""
    path = tmp_path / "completed.py"
    path.write_text(AS_COMPLETED, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", STOP_ANYWHERE, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines() == [f"{steps} []" for steps in range(1, 40, 3)]
