"""CPython's ``test_concurrent_futures``: its thread-based parts (``ThreadPoolExecutor``,
``Future``, ``wait``, ``as_completed``), not the process pools.

Read from the interpreter's own ``test`` package (a package of modules since 3.13, one file
before); nothing is copied. Changed:
- ``test.support`` (and its ``threading_helper``, ``script_helper``) is ``support_shim``;
- in the package, only the modules with thread-based tests are loaded (``util``,
  ``executor``, ``test_future``, ``test_as_completed``, ``test_wait``, ``test_thread_pool``,
  ``test_shutdown``, ``test_init``), their relative imports answered with one another;
  ``test_process_pool`` and ``test_deadlock`` (process pools only) are not;
- of the test classes, those for process pools are left out: every class whose name, or a
  base's, says ``ProcessPool`` (``create_executor_tests`` makes one per executor kind), and
  ``FailingInitializerResourcesTest`` (process pools' resource tracker);
- two tests of thread pools that need what a run refuses are left out:
  ``test_hang_global_shutdown_lock`` starts process pools (bpo-45021) and
  ``test_hang_gh94440`` sets a real ``SIGALRM`` alarm to time itself out;
- one test asserts a schedule rather than a behaviour, and is left out too:
  ``test_idle_thread_reuse`` passes only when the worker, having set a future's result,
  releases the pool's idle semaphore before the main thread submits the next task. CPython's
  GIL nearly always runs it so (the worker keeps the interpreter until it blocks); threadlab
  runs every order, and on some seeds the main thread goes first and the pool starts a
  second worker, as CPython's own code does in that order (seed 0 fails, seed 1 passes);
- ``util._check_system_limits`` says this system has no process pools (as it does where
  there are none), so ``setup_module`` does not register ``multiprocessing``'s clean-up of
  process-pool tests, which runs none here (and which threadlab refuses: it starts processes).
Each module's ``setUpModule`` runs before its tests, as unittest runs it.
"""

from __future__ import annotations

import os
import types
import unittest
from functools import partial

import cpython_suite

PACKAGE = "test.test_concurrent_futures"
MODULES = (
    "util",
    "executor",
    "test_future",
    "test_as_completed",
    "test_wait",
    "test_thread_pool",
    "test_shutdown",
    "test_init",
)
PROCESS_ONLY = ("FailingInitializerResourcesTest",)
REFUSED_INSIDE_A_RUN = ("test_hang_global_shutdown_lock", "test_hang_gh94440")
ASSERTS_A_SCHEDULE = ("test_idle_thread_reuse",)


def thread_based(cls: type) -> bool:
    return cls.__name__ not in PROCESS_ONLY and not any(
        "ProcessPool" in base.__name__ for base in cls.__mro__
    )


def without_refused(cls: type) -> type:
    """``cls``, its tests that need what a run refuses, or assert a schedule, skipped (in
    both worlds alike)."""
    for names, why in (
        (REFUSED_INSIDE_A_RUN, "needs what a run refuses"),
        (ASSERTS_A_SCHEDULE, "asserts the order CPython's GIL nearly always gives"),
    ):
        for name in names:
            if hasattr(cls, name):
                setattr(cls, name, unittest.skip(why)(getattr(cls, name)))
    return cls


def no_process_pools() -> None:
    raise NotImplementedError("process pools are not tested here")


def main() -> None:
    folder = os.path.join(cpython_suite.test_folder(), "test_concurrent_futures")
    if os.path.isdir(folder):
        modules: dict[str, object] = dict(cpython_suite.SHIM_MODULES)
        loaded: list[tuple[types.ModuleType, list[cpython_suite.Entry]]] = []
        for name in MODULES:
            module, errors = cpython_suite.loaded_or_error(
                name,
                partial(
                    cpython_suite.load,
                    name,
                    os.path.join(folder, f"{name}.py"),
                    package=PACKAGE,
                    modules=modules,
                ),
            )
            if name == "util" and hasattr(module, "_check_system_limits"):
                module._check_system_limits = no_process_pools
            modules[f"{PACKAGE}.{name}"] = module
            loaded.append(
                (
                    module,
                    [
                        *map(
                            without_refused,
                            filter(thread_based, cpython_suite.test_classes(module)),
                        ),
                        *errors,
                    ],
                )
            )
        cpython_suite.run(loaded)
        return
    path = cpython_suite.installed("test_concurrent_futures.py")
    if path is None:
        return
    module, errors = cpython_suite.loaded_or_error(
        "test_concurrent_futures", partial(cpython_suite.load, "test_concurrent_futures", path)
    )
    cpython_suite.run(
        [
            (
                module,
                [
                    *map(without_refused, filter(thread_based, cpython_suite.test_classes(module))),
                    *errors,
                ],
            )
        ]
    )


if __name__ == "__main__":
    main()
