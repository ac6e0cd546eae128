"""CPython's ``Lib/test/lock_tests.py``, driven by the concrete test classes this
interpreter's ``test_threading.py`` defines over it (LockTests, PyRLockTests, CRLockTests,
EventTests, ConditionAsRLockTests, ConditionTests, SemaphoreTests, BoundedSemaphoreTests,
BarrierTests: each class of that file whose base is ``lock_tests.Something``).

Both files are read from the interpreter's own ``test`` package; nothing is copied. Changed:
- ``from _thread import start_new_thread, TIMEOUT_MAX`` gets ``start_new_thread`` made of
  ``threading.Thread`` (a daemon thread, as ``_thread``'s are) and ``TIMEOUT_MAX`` from
  ``threading``: the low-level ``_thread`` is what threadlab controls from below, not an API
  a program is expected to call, and the tests only need "start a thread running f";
- ``test.support`` is ``support_shim`` (it says what it provides and why);
- from ``test_threading.py`` only those class definitions run (the rest of that file tests
  other things: subprocesses, interpreter shutdown, ``_thread`` itself).
"""

from __future__ import annotations

import ast
import threading
import unittest
import warnings
from collections.abc import Callable

import cpython_suite


def start_new_thread(
    function: Callable[..., object],
    args: tuple[object, ...],
    kwargs: dict[str, object] | None = None,
) -> int | None:
    """``_thread.start_new_thread`` made of ``threading.Thread``."""
    thread = threading.Thread(target=function, args=args, kwargs=kwargs or {}, daemon=True)
    thread.start()
    return thread.ident


def over_lock_tests(node: ast.ClassDef) -> bool:
    return any(
        isinstance(base, ast.Attribute)
        and isinstance(base.value, ast.Name)
        and base.value.id == "lock_tests"
        for base in node.bases
    )


def main() -> None:
    lock_path = cpython_suite.installed("lock_tests.py")
    threading_path = cpython_suite.installed("test_threading.py")
    if lock_path is None or threading_path is None:
        return
    thread_api = type("_thread", (), {})()
    thread_api.start_new_thread = start_new_thread
    thread_api.TIMEOUT_MAX = threading.TIMEOUT_MAX
    modules = {**cpython_suite.SHIM_MODULES, "_thread": thread_api}
    lock_tests = cpython_suite.load("lock_tests", lock_path, modules=modules)
    namespace = {
        "__name__": "test_threading",
        "__builtins__": globals()["__builtins__"],
        "lock_tests": lock_tests,
        "threading": threading,
        "unittest": unittest,
        "warnings": warnings,
    }
    holder = type(unittest)("test_threading")
    classes = cpython_suite.class_definitions(threading_path, over_lock_tests, namespace)
    cpython_suite.run([(holder, classes)])


if __name__ == "__main__":
    main()
