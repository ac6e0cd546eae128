"""A small stand-in for CPython's ``test.support``: only what the suites run here use.

Why not the real one: ``test.support`` imports a great deal (``subprocess``, ``socket``,
``sysconfig`` helpers, its own copies of ``threading`` helpers that count threads with the
private ``_thread._count()``), and under threadlab those imports would not be the program's
own. So the suites' ``from test import support`` and ``from test.support import ...`` are
answered with this module (see ``cpython_suite.load``), whose imports are ordinary program
imports (``threading``, ``time``, ``sys`` as the program gets them).

What differs from the real helpers, and why:
- thread counts use ``threading.active_count()`` (public) instead of ``_thread._count()``;
  ``threading_setup``/``threading_cleanup`` only wait (boundedly) for the count to fall back,
  as the real ones only warn;
- ``reap_children`` does nothing: the thread-based tests run here start no child process;
- ``verbose`` is false, so no test prints timings into the lines the harness reads;
- ``script_helper.assert_python_ok`` skips the test: it runs a child interpreter, which is
  outside any schedule (the same skip in both runs);
- ``import_fresh_module(name, fresh=[...])`` (the C accelerator's variant) gives None, so the
  C-accelerated test classes are skipped in both runs: the pure-Python parts are the subject;
- sanitizers are never on, every resource is enabled (as when a test file runs outside
  regrtest), ``cpython_only`` never skips.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
import sysconfig
import threading
import time
import types
import unittest
from collections.abc import Callable, Iterator
from typing import Any

SHORT_TIMEOUT = 30.0
LONG_TIMEOUT = 5 * 60.0
PIPE_MAX_SIZE = 4 * 1024 * 1024 + 1
verbose = False
has_fork_support = hasattr(os, "fork")
Py_GIL_DISABLED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def _identity(function: Any) -> Any:
    return function


def busy_retry(
    timeout: float, err_msg: str | None = None, /, *, error: bool = True
) -> Iterator[None]:
    """As CPython's: loop until the body breaks; after ``timeout`` seconds stop, or raise
    AssertionError when ``error``."""
    if timeout <= 0:
        raise ValueError("timeout must be greater than zero")
    start_time = time.monotonic()
    deadline = start_time + timeout
    while True:
        yield
        if time.monotonic() >= deadline:
            break
    if error:
        message = f"timeout ({time.monotonic() - start_time:.1f} seconds)"
        raise AssertionError(f"{message}: {err_msg}" if err_msg else message)


def sleeping_retry(
    timeout: float,
    err_msg: str | None = None,
    /,
    *,
    init_delay: float = 0.010,
    max_delay: float = 1.0,
    error: bool = True,
) -> Iterator[None]:
    """As CPython's: ``busy_retry`` with an exponential back-off sleep between tries."""
    delay = init_delay
    for _ in busy_retry(timeout, err_msg, error=error):
        yield
        time.sleep(delay)
        delay = min(delay * 2, max_delay)


def gc_collect() -> None:
    for _ in range(3):
        gc.collect()


def reap_children() -> None:
    """Nothing: the tests run here start no child process."""


def check_sanitizer(**_kinds: bool) -> bool:
    return False


def skip_if_sanitizer(*_args: Any, **_kinds: bool) -> Callable[[Any], Any]:
    return _identity


def requires_resource(_resource: str) -> Callable[[Any], Any]:
    return _identity  # outside regrtest every resource is enabled, as CPython's helper says


def requires_gil_enabled(msg: str = "needs the GIL enabled") -> Callable[[Any], Any]:
    return unittest.skipIf(Py_GIL_DISABLED, msg)


def requires_fork() -> Callable[[Any], Any]:
    return unittest.skipUnless(has_fork_support, "requires working os.fork()")


cpython_only = _identity


def setswitchinterval(interval: float) -> None:
    sys.setswitchinterval(interval)


@contextlib.contextmanager
def swap_attr(obj: Any, attr: str, new_val: Any) -> Iterator[Any]:
    real = getattr(obj, attr)
    setattr(obj, attr, new_val)
    try:
        yield real
    finally:
        setattr(obj, attr, real)


@contextlib.contextmanager
def captured_stderr() -> Iterator[io.StringIO]:
    """``sys.stderr`` (the program's) replaced by a StringIO for the block."""
    real = sys.stderr
    sys.stderr = io.StringIO()
    try:
        yield sys.stderr
    finally:
        sys.stderr = real


class threading_helper:
    """``test.support.threading_helper``: what the suites use of it."""

    @staticmethod
    def threading_setup() -> tuple[int]:
        return (threading.active_count(),)

    @staticmethod
    def threading_cleanup(*original: int) -> None:
        """Wait a little for threads the test started to end; CPython's only warns."""
        for _ in sleeping_retry(1.0, error=False):
            if threading.active_count() <= original[0]:
                break

    @staticmethod
    @contextlib.contextmanager
    def wait_threads_exit(timeout: float | None = None) -> Iterator[None]:
        """Wait until the threads started in the block have ended (AssertionError after
        ``timeout``), as CPython's does with ``_thread._count()``."""
        timeout = SHORT_TIMEOUT if timeout is None else timeout
        old_count = threading.active_count()
        try:
            yield
        finally:
            start_time = time.monotonic()
            for _ in sleeping_retry(timeout, error=False):
                gc_collect()
                count = threading.active_count()
                if count <= old_count:
                    break
            else:
                raise AssertionError(
                    f"wait_threads() failed to cleanup {count - old_count} threads after "
                    f"{time.monotonic() - start_time:.1f} seconds "
                    f"(count: {count}, old count: {old_count})"
                )

    @staticmethod
    def join_thread(thread: threading.Thread, timeout: float | None = None) -> None:
        timeout = SHORT_TIMEOUT if timeout is None else timeout
        thread.join(timeout)
        if thread.is_alive():
            raise AssertionError(f"failed to join the thread in {timeout:.1f} seconds")

    @staticmethod
    @contextlib.contextmanager
    def start_threads(
        threads: list[threading.Thread], unlock: Callable[[], None] | None = None
    ) -> Iterator[None]:
        """Start the threads; after the block, ``unlock()`` and join them all."""
        started: list[threading.Thread] = []
        try:
            for thread in threads:
                thread.start()
                started.append(thread)
            yield
        finally:
            if unlock:
                unlock()
            for thread in started:
                thread.join(15 * 60)
            alive = [t for t in started if t.is_alive()]
            if alive:
                raise AssertionError(f"Unable to join {len(alive)} threads")

    @staticmethod
    def requires_working_threading(*, module: bool = False) -> Callable[[Any], Any]:
        return _identity


class import_helper:
    """``test.support.import_helper``: ``import_fresh_module`` only."""

    @staticmethod
    def import_fresh_module(
        name: str,
        fresh: list[str] | tuple[str, ...] = (),
        blocked: list[str] | tuple[str, ...] = (),
    ) -> types.ModuleType | None:
        """The module ``name`` imported afresh with the ``blocked`` modules absent, as the
        program's own ``import`` statement gives it; None when ``fresh`` names an accelerator
        (its variant is not tested here)."""
        if fresh:
            return None
        names = [name, *blocked]
        saved = {n: sys.modules[n] for n in names if n in sys.modules}
        for n in names:
            sys.modules.pop(n, None)
        for n in blocked:
            sys.modules[n] = None  # type: ignore[assignment]  # as CPython's helper blocks
        try:
            module = __import__(name)
        finally:
            for n in names:
                sys.modules.pop(n, None)
            sys.modules.update(saved)
        return module


class script_helper:
    """``test.support.script_helper``: a child interpreter runs outside any schedule."""

    @staticmethod
    def assert_python_ok(*_args: Any, **_env: Any) -> Any:
        raise unittest.SkipTest("runs a child interpreter (skipped by the conformance shim)")
