"""Between a run's event loop and its ``concurrent.futures``: ``run_coroutine_threadsafe``,
``wrap_future``, and ``loop.run_in_executor(executor, ...)`` with the program's own executor.

CPython's own versions check their argument against the interpreter's
``concurrent.futures.Future``, and ``run_coroutine_threadsafe`` hands back one of those, whose
``result(timeout)`` waits in real time while the loop, which would settle it, waits for its
turn. These do what CPython's do (``asyncio.futures._chain_future``), with the run's futures:
the other thread blocks in ``result()`` as a step of the run, and the loop settles the future
in one of its own.

A concurrent future's outcome is read from its ``_state``, ``_result`` and ``_exception``, the
attributes CPython's ``Future`` keeps it in: reading them is not a step of the program.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as _cpython_futures
from asyncio import coroutines
from asyncio import futures as _asyncio_futures
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.threads import bound

if TYPE_CHECKING:
    from ..core.kernel import Kernel

_CANCELLED = ("CANCELLED", "CANCELLED_AND_NOTIFIED")
"""The states of a cancelled concurrent future (``concurrent.futures._base``'s)."""

_as_asyncio_error: Callable[[BaseException], BaseException] = _asyncio_futures._convert_future_exc  # type: ignore[attr-defined]
"""CPython's: a ``concurrent.futures`` CancelledError (TimeoutError, InvalidStateError)
becomes asyncio's."""


_RUN_FUTURES = "concurrent.futures importer"
"""Where a run keeps how to import its ``concurrent.futures`` (``Kernel.attached``)."""


def bind_futures(kernel: Kernel, importer: Callable[[], Any]) -> None:
    """``importer`` gives the ``concurrent.futures`` the program of ``kernel``'s run
    imports (CPython's, run afresh for it), when the loop needs one of its futures."""
    kernel.attached[_RUN_FUTURES] = importer


def _run_future() -> Any:
    """A new future of the calling thread's run."""
    kernel, _thread = bound()
    return kernel.attached[_RUN_FUTURES]().Future()


def is_concurrent_future(future: object) -> bool:
    """A future of the run's ``concurrent.futures`` (or of the interpreter's own): CPython's
    class, loaded for the run, so told by what it has."""
    return isinstance(future, _cpython_futures.Future) or all(
        hasattr(type(future), name)
        for name in ("set_running_or_notify_cancel", "add_done_callback", "result", "cancel")
    )


def wrap_future(future: Any, loop: Any) -> Any:
    """``asyncio.wrap_future`` for a concurrent ``future`` (the caller returns an asyncio
    one as it is): an asyncio future of ``loop`` that gets ``future``'s outcome."""
    assert is_concurrent_future(future), f"concurrent.futures.Future is expected, got {future!r}"
    wrapped = loop.create_future()

    def on_wrapped_done(done: asyncio.Future[Any]) -> None:
        if done.cancelled():
            future.cancel()

    def on_future_done(done: Any) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(_copy_outcome, done, wrapped)

    wrapped.add_done_callback(on_wrapped_done)
    future.add_done_callback(on_future_done)
    return wrapped


def _copy_outcome(source: Any, destination: asyncio.Future[Any]) -> None:
    """In the loop: the concurrent future ``source`` is done; so is ``destination`` now."""
    if destination.cancelled():
        return
    if source._state in _CANCELLED:
        destination.cancel()
    elif source._exception is not None:
        destination.set_exception(_as_asyncio_error(source._exception))
    else:
        destination.set_result(source._result)


def run_coroutine_threadsafe(coro: Any, loop: Any) -> Any:
    """``asyncio.run_coroutine_threadsafe``: run ``coro`` on ``loop`` from another thread;
    a future of the run's ``concurrent.futures`` gets its outcome."""
    if not coroutines.iscoroutine(coro):
        raise TypeError("A coroutine object is required")
    future = _run_future()

    def start() -> None:
        try:
            task = asyncio.ensure_future(coro, loop=loop)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as error:
            if future.set_running_or_notify_cancel():
                future.set_exception(error)
            raise
        _chain_to(task, future, loop)

    loop.call_soon_threadsafe(start)
    return future


def _chain_to(task: asyncio.Future[Any], future: Any, loop: Any) -> None:
    """``future`` (concurrent) gets ``task``'s outcome; cancelling it cancels the task."""

    def on_future_done(done: Any) -> None:
        if done._state in _CANCELLED and not loop.is_closed():
            loop.call_soon_threadsafe(task.cancel)

    def on_task_done(done: asyncio.Future[Any]) -> None:
        if future._state in _CANCELLED:
            return
        if done.cancelled():
            future.cancel()
        if not future.set_running_or_notify_cancel():
            return
        error = done.exception()
        if error is not None:
            future.set_exception(_as_asyncio_error(error))
        else:
            future.set_result(done.result())

    future.add_done_callback(on_future_done)
    task.add_done_callback(on_task_done)


def submit_to(loop: Any, executor: Any, func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """What ``loop.run_in_executor(executor, func, *args)`` does with the program's own
    executor: submit the call to it and wrap the future it returns."""
    return wrap_future(executor.submit(func, *args), loop)
