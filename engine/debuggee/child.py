"""The program's own process: ``python -m threadlab.engine.debuggee.child READ_FD WRITE_FD``.

It builds one ``Runtime`` as ``Launch`` says, answers every ``Call`` (each in a thread of its
own, as control calls from several threads of the app would come), and reports the run's
events, steps and output as they happen; what its descriptors 1 and 2 receive (a child
process's output) is the output of the run executing then (``descriptors``). Whatever the
program does to this process (``os._exit``, ``chdir``, a crash) stays here: threadlab sees
the channel close and the process's exit status.

When threadlab goes (the channel closes), the run is stopped and the process ends at once:
nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ..core.threads import bound_or_none
from ..runtime import Runtime
from .channel import Channel, ChannelClosed
from .descriptors import CapturedDescriptors
from .messages import Call, LastWords, Launch, LaunchFailed, Ready, Reply, Report, Reports

STOP_SECONDS = 2.0
"""How long the run may take to stop when threadlab has gone, before the process ends."""

_real_exit = os._exit

REPORTS_AT_ONCE = 256
"""Reports gathered into one message at most."""

REPORT_EVERY = 0.02
"""Seconds at most between a report and its sending (the app shows events as they come)."""


def sendable(error: BaseException, instead: type[Exception] = RuntimeError) -> BaseException:
    """``error`` itself when it pickles (to go to another process), else an ``instead``
    saying what it was."""
    try:
        pickle.dumps(error)
    except Exception:
        return instead(f"{type(error).__name__}: {error}")
    return error


class Reporter:
    """Sends the run's reports in order, many to a message: when ``REPORTS_AT_ONCE`` are
    waiting, every ``REPORT_EVERY`` seconds, and before every reply."""

    def __init__(self, channel: Channel) -> None:
        self._channel = channel
        self._waiting: list[Report] = []
        self._lock = threading.Lock()
        self._ended = threading.Event()
        threading.Thread(
            target=self._send_now_and_then, name="threadlab-reports", daemon=True
        ).start()

    def sink(self, name: str) -> Callable[..., None]:
        def report(*args: Any) -> None:
            with self._lock:
                self._waiting.append(Report(name, args))
                if len(self._waiting) >= REPORTS_AT_ONCE:
                    self._send()  # ChannelClosed stops the run, as a failed sink does

        return report

    def send(self) -> None:
        """Send what is waiting (before a reply: what the run reported before it)."""
        with self._lock:
            self._send()

    def _send(self) -> None:
        if self._waiting:
            reports, self._waiting = tuple(self._waiting), []
            self._channel.send(Reports(reports))

    def _send_now_and_then(self) -> None:
        while not self._ended.wait(REPORT_EVERY):
            try:
                self.send()
            except ChannelClosed:
                return

    def end(self) -> None:
        self._ended.set()


def _last_words_before_exit(channel: Channel, reporter: Reporter, runtime: Runtime) -> None:
    """``os._exit`` called outside the program's threads (a program's own ``os._exit`` ends
    its run, ``program.process_exit``) first sends what the run has reported and the run
    as it stands, then ends the process."""
    program_exit = os._exit

    def _exit(status: int) -> NoReturn:
        if bound_or_none() is not None:
            program_exit(status)
        with contextlib.suppress(Exception):
            runtime.take_raw_output()
            reporter.send()
            channel.send(LastWords(runtime.snapshot_as_it_ends()))
        _real_exit(status)

    os._exit = _exit


def _answer(channel: Channel, reporter: Reporter, runtime: Runtime, call: Call) -> None:
    runtime.take_raw_output()  # what was written before the call is in the run it sees
    try:
        member = getattr(runtime, call.method)
        value = member(*call.args) if callable(member) else member
    except BaseException as error:
        reply = Reply(call.number, error=sendable(error))
    else:
        reply = Reply(call.number, value)
    try:
        reporter.send()
        channel.send(reply)
    except ChannelClosed:
        pass  # threadlab has gone: the main loop ends the process
    except Exception as error:  # a value that does not pickle
        with contextlib.suppress(ChannelClosed):
            channel.send(Reply(call.number, error=sendable(error)))


def serve(channel: Channel, descriptors: CapturedDescriptors) -> None:
    """Build the run and answer calls until threadlab goes."""
    launch = channel.receive()
    if not isinstance(launch, Launch):
        return
    reporter = Reporter(channel)
    sinks = {name: reporter.sink(name) for name in launch.sinks}
    try:
        runtime = Runtime(
            launch.config,
            paused=launch.paused,
            speed=launch.speed,
            history=launch.history,
            event_sink=sinks.get("event"),
            step_sink=sinks.get("step"),
            output_sink=sinks.get("output"),
            raw_output=descriptors.take,
        )
    except BaseException as error:
        channel.send(LaunchFailed(sendable(error)))
        return
    descriptors.deliver_to(runtime.take_raw_output)
    _last_words_before_exit(channel, reporter, runtime)
    channel.send(Ready(runtime.snapshot()))
    try:
        while True:
            call = channel.receive()
            threading.Thread(
                target=_answer,
                args=(channel, reporter, runtime, call),
                name="threadlab-call",
                daemon=True,
            ).start()
    except ChannelClosed:
        pass
    finally:
        reporter.end()
        runtime.stop(STOP_SECONDS)


def main(argv: Sequence[str]) -> None:
    read_fd, write_fd = int(argv[0]), int(argv[1])
    channel = Channel(read_fd, write_fd)
    descriptors = CapturedDescriptors()
    try:
        serve(channel, descriptors)
    except ChannelClosed:
        pass
    except BaseException:
        # threadlab's own fault: to the descriptor threadlab reads, for a bug report
        with os.fdopen(descriptors.own_stderr, "w", closefd=False) as own:
            traceback.print_exc(file=own)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        # Not a normal exit: a thread the program left running (or one that swallowed the
        # stop) must not keep this process alive, and the program's exit hooks are its own.
        _real_exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
