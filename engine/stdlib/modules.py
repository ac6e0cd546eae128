"""The controlled modules themselves: what ``import threading`` (and the rest) gives a
program inside a run."""

from __future__ import annotations

import queue as _real_queue
import sys
import threading as _real_threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from . import asyncio_api, clock, futures_api, locks, queues, threads_api
from .refused import refusing_class

_THREADING_NAMES = {
    "Thread": threads_api.Thread,
    "Timer": threads_api.Timer,
    "current_thread": threads_api.current_thread,
    "currentThread": threads_api.current_thread,
    "main_thread": threads_api.main_thread,
    "enumerate": threads_api.enumerate,
    "active_count": threads_api.active_count,
    "activeCount": threads_api.active_count,
    "get_ident": threads_api.get_ident,
    "get_native_id": threads_api.get_native_id,
    "local": threads_api.local,
    "TIMEOUT_MAX": threads_api.TIMEOUT_MAX,
    "Lock": locks.Lock,
    "RLock": locks.RLock,
    "Condition": locks.Condition,
    "Semaphore": locks.Semaphore,
    "BoundedSemaphore": locks.BoundedSemaphore,
    "Event": locks.Event,
    "Barrier": locks.Barrier,
    "BrokenBarrierError": locks.BrokenBarrierError,
    "ExceptHookArgs": _real_threading.ExceptHookArgs,
    "excepthook": _real_threading.__excepthook__,  # CPython's, whoever replaced the process's
    "__excepthook__": _real_threading.__excepthook__,
}


def _threading() -> ModuleType:
    module = ModuleType("threading", "threading, controlled by threadlab")
    module.__dict__.update(_THREADING_NAMES)
    return module


def _time() -> ModuleType:
    module = ModuleType("time", "time on the run's virtual clock, controlled by threadlab")
    module.__dict__.update(clock.passed_through())
    module.__dict__.update({name: _like_builtin(f) for name, f in clock.CONTROLLED.items()})
    return module


class _Unbound:
    """A function that, stored on a class, is not bound to the instance, as a C function
    is not (``logging.Formatter.converter = time.localtime`` is then called with one
    argument, as under CPython). Not ``functools.partial``: a coroutine that reaches the
    run's clock through a C call crashes CPython 3.11 when the panels read its frame."""

    def __init__(self, function: Callable[..., object]) -> None:
        self.__wrapped__ = function
        self.__name__ = self.__qualname__ = function.__name__
        self.__doc__ = function.__doc__

    def __call__(self, *args: Any, **kwargs: Any) -> object:
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<built-in function {self.__name__}>"


def _like_builtin(function: Any) -> Callable[..., object]:
    return _Unbound(function)


def _queue() -> ModuleType:
    module = ModuleType("queue", "queue, controlled by threadlab")
    module.__dict__.update(
        Queue=queues.Queue,
        LifoQueue=queues.LifoQueue,
        PriorityQueue=queues.PriorityQueue,
        SimpleQueue=queues.SimpleQueue,
        Empty=_real_queue.Empty,
        Full=_real_queue.Full,
    )
    if sys.version_info >= (3, 13):
        module.ShutDown = _real_queue.ShutDown  # type: ignore[attr-defined]
    module.__all__ = list(_real_queue.__all__)  # type: ignore[attr-defined]
    return module


_FUTURES_NAMES = (
    "ThreadPoolExecutor",
    "Executor",
    "Future",
    "wait",
    "as_completed",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "ALL_COMPLETED",
    "TimeoutError",
    "CancelledError",
    "BrokenExecutor",
    "InvalidStateError",
)


def _futures() -> ModuleType:
    module = ModuleType("concurrent.futures", "concurrent.futures, controlled by threadlab")
    module.__dict__.update({name: getattr(futures_api, name) for name in _FUTURES_NAMES})
    module.ProcessPoolExecutor = refusing_class(  # type: ignore[attr-defined]
        "ProcessPoolExecutor", "concurrent.futures.ProcessPoolExecutor"
    )
    return module


MODULE_MAKERS: dict[str, Callable[[], ModuleType]] = {
    "threading": _threading,
    "time": _time,
    "asyncio": asyncio_api.make_module,
    "queue": _queue,
    "concurrent.futures": _futures,
}
"""Every module a program's imports are redirected to, by its import name."""


def controlled_modules() -> dict[str, ModuleType]:
    """A fresh set of the controlled modules, for one run."""
    return {name: make() for name, make in MODULE_MAKERS.items()}
