"""One call made in a process started fresh, its result or its error sent back: for long
work whose every step would otherwise take the interpreter from the app's screen
(re-executing a run of 300,000 steps to save it).

``python -m threadlab.engine.debuggee.elsewhere READ_FD WRITE_FD`` receives the call on a
channel and sends back what it returned or raised. It has no terminal (the app draws there,
and Ctrl+C is the app's) and an empty stdin; it ends with its call, and is killed if it
outlives the caller's wait. (A subprocess, not ``multiprocessing``: starting one of those
starts a resource tracker, which cannot start under the app, whose ``sys.stderr`` has no
file descriptor.)
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..core.errors import ControlRefused
from .channel import Channel, ChannelClosed
from .child import sendable
from .process import describe_status

END_SECONDS = 5.0
"""How long the process may take to end once its answer is in."""

Result = TypeVar("Result")


class _Raised:
    """What the call raised, sent back to be raised again."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


BACKGROUND_NICENESS = 10
"""How much lower than the caller's the process's priority is (and its children's): on a
machine with few cores, the app's screen and keys come first, the work gets the rest."""


def call_in_own_process(what: str, function: Callable[..., Result], *args: Any) -> Result:
    """``function(*args)`` run in a process of its own at a lower priority (both must
    pickle: ``function`` by its module and name); ``what`` names the work in an error.

    Raises:
        What the call raised there; ``ControlRefused`` when its process ended without an
        answer (killed, out of memory).
    """
    child_reads, parent_writes = os.pipe()
    parent_reads, child_writes = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(child_reads), str(child_writes)],
            pass_fds=(child_reads, child_writes),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except BaseException:
        for fd in (parent_reads, parent_writes):
            os.close(fd)
        raise
    finally:
        os.close(child_reads)
        os.close(child_writes)
    channel = Channel(parent_reads, parent_writes)
    try:
        channel.send((function, args))
        outcome = channel.receive()
    except ChannelClosed:
        raise ControlRefused(
            f"the process for {what} ended ({describe_status(_ended(process))})"
        ) from None
    finally:
        channel.close()
        _ended(process)
    if isinstance(outcome, _Raised):
        raise outcome.error
    return outcome


def _ended(process: subprocess.Popen[bytes]) -> int | None:
    """Its exit status, once it has ended (killed if it takes too long)."""
    try:
        return process.wait(END_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def main(argv: Sequence[str]) -> None:
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICENESS)
    channel = Channel(int(argv[0]), int(argv[1]))
    try:
        try:
            function, args = channel.receive()
        except ChannelClosed as closed:  # the caller has gone, or its call does not unpickle
            channel.send(_Raised(RuntimeError(f"the call could not be read there: {closed}")))
            return
        try:
            outcome: object = function(*args)
        except BaseException as error:
            outcome = _Raised(sendable(error))
        try:
            channel.send(outcome)
        except ChannelClosed:
            pass
        except Exception as error:  # a result that does not pickle
            channel.send(_Raised(sendable(error)))
    except ChannelClosed:
        pass  # the caller has gone
    finally:
        os._exit(0)  # nothing else to wait for: a thread the work left behind ends here


if __name__ == "__main__":
    # By its own name, not __main__'s: what it sends back must unpickle in the caller.
    from threadlab.engine.debuggee import elsewhere

    elsewhere.main(sys.argv[1:])
