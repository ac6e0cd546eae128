"""One call made in a process started fresh (spawned), its result or its error sent back:
for long work whose every step would otherwise take the interpreter from the app's screen
(re-executing a run of 300,000 steps to save it).

The process writes nothing to the terminal (the app draws there) and ignores Ctrl+C (the
app's); it ends with its call, and is killed if it outlives the caller's wait.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import Any, TypeVar

from ..core.errors import ControlRefused
from .child import sendable
from .process import describe_status

END_SECONDS = 5.0
"""How long the process may take to end once its result is in."""

Result = TypeVar("Result")


class _Raised:
    """What the call raised, sent back to be raised again."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _call(function: Callable[..., Any], args: tuple[Any, ...], results: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        outcome: object = function(*args)
    except BaseException as error:
        outcome = _Raised(sendable(error))
    try:
        results.send(outcome)
    except Exception as error:  # a result that does not pickle
        results.send(_Raised(sendable(error)))


def call_in_own_process(what: str, function: Callable[..., Result], *args: Any) -> Result:
    """``function(*args)`` run in a process of its own (both must pickle: ``function`` by
    its module and name); ``what`` names the work in an error.

    Raises:
        What the call raised there; ``ControlRefused`` when its process ended without an
        answer (killed, out of memory).
    """
    context = multiprocessing.get_context("spawn")
    reading, writing = context.Pipe(duplex=False)
    process = context.Process(
        target=_call, args=(function, args, writing), name=f"threadlab-{what}", daemon=True
    )
    process.start()
    writing.close()
    try:
        try:
            outcome = reading.recv()
        except (EOFError, OSError):
            process.join(END_SECONDS)
            raise ControlRefused(
                f"the process for {what} ended ({describe_status(process.exitcode)})"
            ) from None
    finally:
        reading.close()
        process.join(END_SECONDS)
        if process.is_alive():
            process.kill()
            process.join(END_SECONDS)
    if isinstance(outcome, _Raised):
        raise outcome.error
    return outcome
