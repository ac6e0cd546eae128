"""A search in a process of its own: ``explore`` as the command line and the app run it.

The program runs thousands of times during a search, and whatever it does to the process it
runs in (replace ``builtins.print``, ``chdir``, change the recursion limit, crash) must not
reach the one that reports: so the search, its shrinking and its worker processes run in a
process started fresh (spawned), which sends its progress and its result back. A cancel
reaches it through an event; SIGTERM and SIGHUP end it as they end ``explore`` (its workers
ended first).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from typing import Any

from ..debuggee.child import sendable
from .search import ExploreResult, Progress, Request, explore
from .workers import WorkerFailed

LOOK_EVERY = 0.05
"""Seconds between two looks at the search's progress, its end and a cancel."""

END_SECONDS = 5.0
"""How long the search's process may take to end once its result is in (or once told to)."""


class _Ended(KeyboardInterrupt):
    """SIGTERM or SIGHUP in the search's process: unwinds it as Ctrl+C would."""


def _raise_ended(signum: int, _frame: object) -> None:
    raise _Ended(signum)


def _search(request: Request, progress: Any, cancelled: Any, results: Any) -> None:
    """The search's process: run it, then send the result (or the error). ``cancelled`` is
    the reading end of a pipe: a byte, or the other end's closing, cancels the search."""
    for ending in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(ending, _raise_ended)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the reporting process's
    # Nothing the search writes may reach the terminal: the app draws its screen there.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    cancel = threading.Event()

    def watch_cancel() -> None:
        with contextlib.suppress(EOFError, OSError):
            cancelled.recv_bytes()
        cancel.set()

    threading.Thread(target=watch_cancel, name="threadlab-cancel", daemon=True).start()
    try:
        result: object = explore(request, progress=progress.put, cancel=cancel)
    except BaseException as error:
        result = sendable(error, WorkerFailed)
    results.put(result)


def explore_in_own_process(
    request: Request,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExploreResult:
    """``explore(request)``, run in a process of its own (same arguments, same result).

    Raises:
        What ``explore`` raised there (``ConfigError``...); ``WorkerFailed`` when the
        search's process ended without a result.
    """
    context = multiprocessing.get_context("spawn")
    progresses: Any = context.Queue()
    results: Any = context.Queue()
    # (a pipe, not a multiprocessing Event: setting one whose waiter has died hangs)
    cancel_reads, cancel_writes = context.Pipe(duplex=False)
    process = context.Process(
        target=_search,
        args=(request, progresses, cancel_reads, results),
        name="threadlab-explore",
    )
    process.start()
    cancel_reads.close()
    try:
        result = _await_result(process, progresses, results, cancel_writes, progress, cancel)
    finally:
        cancel_writes.close()  # cancels a search still running
        _end(process)
        for channel in (progresses, results):
            with contextlib.suppress(Exception):
                channel.close()
                channel.cancel_join_thread()
    if isinstance(result, BaseException):
        raise result
    assert isinstance(result, ExploreResult)
    return result


def _await_result(
    process: Any,
    progresses: Any,
    results: Any,
    cancelling: Any,
    progress: Callable[[Progress], None] | None,
    cancel: threading.Event | None,
) -> object:
    told = False
    seen = _Seen()
    while True:
        try:
            if cancel is not None and cancel.is_set() and not told:
                with contextlib.suppress(OSError):
                    cancelling.send_bytes(b"cancel")
                told = True
            _report(progresses, progress, seen)
            try:
                result: object = results.get(timeout=LOOK_EVERY)
            except queue.Empty:
                if process.is_alive():
                    continue
                try:  # it may have put its result just before it ended
                    result = results.get(timeout=LOOK_EVERY)
                except queue.Empty:
                    status = process.exitcode
                    raise WorkerFailed(
                        f"the search's process ended without a result (exit status {status})"
                    ) from None
            _report(progresses, progress, seen)
            return result
        except KeyboardInterrupt as interrupt:
            # Ctrl+C while a find is shrunk cuts the shrinking short: the smallest schedule
            # so far is the result. A second one, SIGTERM or SIGHUP end the search.
            if type(interrupt) is not KeyboardInterrupt or not seen.shrinking or told:
                raise
            with contextlib.suppress(OSError):
                cancelling.send_bytes(b"cancel")
            told = True


class _Seen:
    """What the progress reported so far says."""

    shrinking = False


def _report(
    progresses: Any, progress: Callable[[Progress], None] | None, seen: _Seen | None = None
) -> None:
    while True:
        try:
            item = progresses.get_nowait()
        except queue.Empty:
            return
        if seen is not None:
            seen.shrinking = seen.shrinking or item.shrinking
        if progress is not None:
            progress(item)


def _end(process: Any) -> None:
    """Let the search's process end; ask it (SIGTERM: it ends its workers), then kill it."""
    process.join(END_SECONDS if process.exitcode is None else 0)
    if process.is_alive():
        process.terminate()
        process.join(END_SECONDS)
    if process.is_alive():
        process.kill()
        process.join(END_SECONDS)
