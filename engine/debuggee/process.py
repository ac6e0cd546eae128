"""``ProgramProcess``: one process a program runs in, seen from threadlab: it is started,
called, listened to, and ended; or it ends by itself, and says with what exit status.

Replies go to their callers and reports to their sinks, in the order they come, from one
listening thread; what the process writes to its descriptors 1 and 2 is read by a thread
each and given to ``on_raw_output``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..core.errors import ControlRefused
from ..snapshot.model import Snapshot
from .channel import Channel, ChannelClosed
from .messages import Call, LastWords, Launch, LaunchFailed, Ready, Reply, Report, Reports

QUIT_SECONDS = 5.0
"""How long the program's process may take to end once told to, before it is killed."""

RawOutputSink = Callable[[str, str], None]
"""Called with (stream name, text) for what the program's process wrote to fd 1 or 2."""


class ProcessEnded(ControlRefused):
    """The program's process has ended (the program ended it, or it crashed)."""

    def __init__(self, status: int | None) -> None:
        super().__init__(f"the program's process has ended ({describe_status(status)})")
        self.status = status

    def __reduce__(self) -> tuple[type, tuple[int | None]]:
        return type(self), (self.status,)


def describe_status(status: int | None) -> str:
    """How a process ended, in words: its exit status, or the signal that killed it."""
    if status is None:
        return "its exit status is unknown"
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        return f"killed by {name}"
    return f"exit status {status}"


class _Pending:
    """A call waiting for its reply."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.reply: Reply | None = None


class ProgramProcess:
    """Start a process that builds the run ``launch`` says, and wait until it is built.

    Raises:
        What building the run raised there (the program does not load: ``ConfigError``...);
        ``ProcessEnded`` when the process ended first.
    """

    def __init__(
        self,
        launch: Launch,
        sinks: dict[str, Callable[..., Any]],
        on_raw_output: RawOutputSink,
        cwd: str | None = None,
    ) -> None:
        self._sinks = sinks
        self._on_raw_output = on_raw_output
        self._pending: dict[int, _Pending] = {}
        self._numbers = iter(range(1, sys.maxsize))
        self._guard = threading.Lock()
        self._quitting = False
        self.ended: int | None = None
        """The exit status of a process that ended without being told to (else None)."""
        self.gone = threading.Event()
        """Set once the process has ended, told to or not."""
        self.last_snapshot: Snapshot
        """The last snapshot seen: what stands once the process has ended."""
        self.last_step = 0
        """The step of the last report (a run reports only what was asked for)."""
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        try:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "threadlab.engine.debuggee.child",
                    str(child_reads),
                    str(child_writes),
                ],
                pass_fds=(child_reads, child_writes),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                start_new_session=True,  # no terminal: the app's keys and Ctrl+C are not its
            )
        finally:
            os.close(child_reads)
            os.close(child_writes)
        assert self._process.stdin is not None
        self._process.stdin.close()  # the program reads an empty stdin
        self._channel = Channel(parent_reads, parent_writes)
        self._readers = [
            threading.Thread(
                target=self._read_stream, args=(stream, name), name="threadlab-output", daemon=True
            )
            for stream, name in ((self._process.stdout, "stdout"), (self._process.stderr, "stderr"))
        ]
        for reader in self._readers:
            reader.start()
        try:
            self._channel.send(launch)
            answer = self._channel.receive()
        except ChannelClosed:
            raise ProcessEnded(self.end()) from None
        if isinstance(answer, LaunchFailed):
            self.end()
            raise answer.error
        if not isinstance(answer, Ready):
            self.end()
            raise ProcessEnded(None)
        self.last_snapshot = answer.snapshot
        threading.Thread(target=self._listen, name="threadlab-listen", daemon=True).start()

    def _listen(self) -> None:
        try:
            while True:
                message = self._channel.receive()
                if isinstance(message, Reply):
                    with self._guard:
                        pending = self._pending.pop(message.number, None)
                    if pending is not None:
                        pending.reply = message
                        pending.done.set()
                elif isinstance(message, Reports):
                    for report in message.reports:
                        self._deliver(report)
                elif isinstance(message, LastWords):
                    self.last_snapshot = message.snapshot
        except ChannelClosed:
            pass
        finally:
            self._channel.close_reading()
            status = self._process.wait()
            with self._guard:
                if not self._quitting:
                    self.ended = status
                pending_calls = list(self._pending.values())
                self._pending.clear()
            self.gone.set()
            for pending in pending_calls:
                pending.done.set()

    def _deliver(self, report: Report) -> None:
        if report.sink == "step":
            self.last_step = report.args[0]
        else:  # an Event or an OutputLine
            self.last_step = report.args[0].step
        sink = self._sinks.get(report.sink)
        if sink is not None:
            sink(*report.args)

    def _read_stream(self, stream: Any, name: str) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            self._on_raw_output(name, chunk.decode("utf-8", "replace"))
        stream.close()

    def call(self, method: str, *args: Any) -> Any:
        """Call the run's ``method`` in the process and return what it returns.

        Raises:
            What the method raised there; ``ProcessEnded`` once the process has ended.
        """
        pending = _Pending()
        with self._guard:
            if self.gone.is_set():
                raise ProcessEnded(self.ended)
            number = next(self._numbers)
            self._pending[number] = pending
        try:
            self._channel.send(Call(number, method, args))
        except ChannelClosed:
            self.gone.wait()
            raise ProcessEnded(self.ended) from None
        pending.done.wait()
        reply = pending.reply
        if reply is None:
            raise ProcessEnded(self.ended)
        if reply.error is not None:
            raise reply.error
        return reply.value

    def end(self) -> int:
        """Tell the process to end (close the channel), kill it if it does not; its status,
        once what it wrote has been read."""
        with self._guard:
            self._quitting = self._quitting or not self.gone.is_set()
        self._channel.close()
        try:
            status = self._process.wait(QUIT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            status = self._process.wait()
        for reader in self._readers:
            reader.join(QUIT_SECONDS)
        return status
