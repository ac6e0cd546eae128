"""``ProcessRuntime``: a run of a program in a process of its own, driven as a debugger
drives its debuggee, through the same control calls and snapshots as ``Runtime``.

Whatever the program does to its process stays there: ``os._exit``, ``input()`` (its stdin
is empty), ``chdir``, replacing ``builtins.print``, changing the recursion limit, a crash of
the interpreter. What its process writes to its file descriptors 1 and 2 (a child process's
output, C code's) is read here and given to ``on_raw_output``. When the process ends without
being asked, the run has ended: the last snapshot stands, marked FINISHED or FAILED with the
process's exit status, and control calls are refused with the reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..core.errors import ControlRefused
from ..core.history import History
from ..core.kernel import OutputSink, StepSink
from ..lesson.scenario import RunConfig
from ..runtime import DEFAULT_SPEED
from ..snapshot.model import Event, RunState, Snapshot, Verdict, VerdictKind
from .channel import Channel, ChannelClosed
from .messages import Call, Launch, LaunchFailed, Ready, Reply, Report, Reports

QUIT_SECONDS = 5.0
"""How long the program's process may take to end once told to, before it is killed."""

RawOutputSink = Callable[[str, str], None]
"""Called with (stream name, text) for what the program's process wrote to fd 1 or 2."""


class ProcessEnded(ControlRefused):
    """The program's process has ended (the program ended it, or it crashed)."""

    def __init__(self, status: int | None) -> None:
        super().__init__(f"the program's process has ended ({describe_status(status)})")
        self.status = status


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


class ProcessRuntime:
    """A ``Runtime`` whose program runs in a process of its own (the arguments are
    ``Runtime``'s, with ``on_raw_output`` and the folder the program starts in).

    Raises:
        Whatever ``Runtime`` raises when the program cannot be loaded (``ConfigError``...).
    """

    def __init__(
        self,
        config: RunConfig,
        *,
        paused: bool = True,
        speed: float | None = DEFAULT_SPEED,
        history: History | None = None,
        event_sink: Callable[[Event], None] | None = None,
        step_sink: StepSink | None = None,
        output_sink: OutputSink | None = None,
        on_raw_output: RawOutputSink | None = None,
        cwd: str | None = None,
    ) -> None:
        self.config = config
        self._sinks: dict[str, Callable[..., Any]] = {
            name: sink
            for name, sink in (("event", event_sink), ("step", step_sink), ("output", output_sink))
            if sink is not None
        }
        self._on_raw_output = on_raw_output
        self._pending: dict[int, _Pending] = {}
        self._numbers = iter(range(1, sys.maxsize))
        self._guard = threading.Lock()
        self._quitting = False
        self._ended: int | None = None
        """The process's exit status once it has ended without being told to."""
        self._gone = threading.Event()
        self._last_snapshot: Snapshot | None = None
        self._last_step = 0
        """The step of the last event reported (a run reports events only when asked)."""
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
            self._channel.send(Launch(config, paused, speed, history, frozenset(self._sinks)))
            answer = self._channel.receive()
        except ChannelClosed:
            status = self._end_process()
            raise ProcessEnded(status) from None
        if isinstance(answer, LaunchFailed):
            self._end_process()
            raise answer.error
        if not isinstance(answer, Ready):
            self._end_process()
            raise ProcessEnded(None)
        self._last_snapshot = answer.snapshot
        self._listener = threading.Thread(target=self._listen, name="threadlab-listen", daemon=True)
        self._listener.start()

    # ------------------------------------------------------------- the channel

    def _listen(self) -> None:
        """Replies to their callers, reports to their sinks, in the order they come."""
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
        except ChannelClosed:
            pass
        finally:
            self._channel.close_reading()
            status = self._process.wait()
            with self._guard:
                if not self._quitting:
                    self._ended = status
                pending_calls = list(self._pending.values())
                self._pending.clear()
            self._gone.set()
            for pending in pending_calls:
                pending.done.set()

    def _deliver(self, report: Report) -> None:
        if report.sink == "step":
            self._last_step = report.args[0]
        else:  # an Event or an OutputLine
            self._last_step = report.args[0].step
        sink = self._sinks.get(report.sink)
        if sink is not None:
            sink(*report.args)

    def _read_stream(self, stream: Any, name: str) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            if self._on_raw_output is not None:
                self._on_raw_output(name, chunk.decode("utf-8", "replace"))
        stream.close()

    def call(self, method: str, *args: Any) -> Any:
        """Call the run's ``method`` in the program's process and return what it returns.

        Raises:
            What the method raised there; ``ProcessEnded`` once the process has ended.
        """
        pending = _Pending()
        with self._guard:
            if self._gone.is_set():
                raise ProcessEnded(self._ended)
            number = next(self._numbers)
            self._pending[number] = pending
        try:
            self._channel.send(Call(number, method, args))
        except ChannelClosed:
            self._gone.wait()
            raise ProcessEnded(self._ended) from None
        pending.done.wait()
        reply = pending.reply
        if reply is None:
            raise ProcessEnded(self._ended)
        if reply.error is not None:
            raise reply.error
        return reply.value

    def _end_process(self) -> int:
        """Tell the process to end (close the channel), kill it if it does not; its status."""
        with self._guard:
            self._quitting = True
        self._channel.close()
        try:
            status = self._process.wait(QUIT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            status = self._process.wait()
        for reader in self._readers:
            reader.join(QUIT_SECONDS)
        return status

    @property
    def last_step(self) -> int:
        """The step of the last event the run reported (0 when it reports none)."""
        return self._last_step

    @property
    def ended(self) -> int | None:
        """The exit status of a process that ended without being told to (else None)."""
        return self._ended

    # -------------------------------------------------------------- lifecycle

    def start(self, at_step: int = 0) -> None:
        """As ``Runtime.start``; a program that ends its process as it starts has a run that
        ended (its snapshot says how)."""
        with contextlib.suppress(ProcessEnded):
            self.call("start", at_step)

    def wait_started(self, timeout: float | None = None) -> bool:
        return bool(self.call("wait_started", timeout))

    def stop(self, timeout: float = 5.0) -> bool:
        """End the run and its process. True when every thread ended within ``timeout``."""
        ended = True
        if not self._gone.is_set():
            with contextlib.suppress(ProcessEnded):
                ended = bool(self.call("stop", timeout))
        self._end_process()
        return ended

    def unstoppable(self) -> tuple[str, ...]:
        return self._call_or("unstoppable", ())

    def restart(self) -> None:
        self.call("restart")

    def goto(self, step: int) -> None:
        self.call("goto", step)

    def cancel_travel(self) -> bool:
        return bool(self._call_or("cancel_travel", False))

    @property
    def travel_progress(self) -> tuple[int, int] | None:
        return self._call_or("travel_progress", None)

    def step_back(self, count: int = 1) -> None:
        self.call("step_back", count)

    @property
    def history_length(self) -> int:
        return int(self.call("history_length"))

    def history(self, up_to_now: bool = False) -> History:
        result: History = self.call("history", up_to_now)
        return result

    # --------------------------------------------------------------- controls

    def pause(self) -> None:
        self.call("pause")

    def resume(self) -> None:
        self.call("resume")

    def toggle_pause(self) -> bool:
        return bool(self.call("toggle_pause"))

    @property
    def is_paused(self) -> bool:
        return bool(self.call("is_paused"))

    def step(self, count: int = 1) -> None:
        self.call("step", count)

    def step_thread(self, name: str) -> None:
        self.call("step_thread", name)

    @property
    def speed(self) -> float | None:
        result: float | None = self.call("speed")
        return result

    def set_speed(self, speed: float | None) -> None:
        self.call("set_speed", speed)

    def signal(self, condition: str) -> None:
        self.call("signal", condition)

    def broadcast(self, condition: str) -> None:
        self.call("broadcast", condition)

    def spurious_wakeup(self, condition: str, thread: str | None = None) -> None:
        self.call("spurious_wakeup", condition, thread)

    def post_event(self, queue: str) -> None:
        self.call("post_event", queue)

    # ---------------------------------------------------------------- reading

    @property
    def sink_error(self) -> BaseException | None:
        return self._call_or("sink_error", None)

    def program_files(self) -> tuple[str, ...]:
        return self._call_or("program_files", ())

    def output(self) -> tuple[str, ...]:
        return self._call_or("output", ())

    def condition_names(self) -> tuple[str, ...]:
        return self._call_or("condition_names", ())

    def event_queue_names(self) -> tuple[str, ...]:
        return self._call_or("event_queue_names", ())

    def line_now(self, name: str) -> int | None:
        return self._call_or("line_now", None, name)

    def outcome(self) -> tuple[Verdict | None, int]:
        if self._gone.is_set() and self._ended is not None:
            snapshot = self.snapshot()
            return snapshot.verdict, snapshot.step
        result: tuple[Verdict | None, int] = self.call("outcome")
        return result

    def wait_idle(self, timeout: float | None = 10.0) -> bool:
        if self._gone.is_set():
            return True  # nothing more will happen
        try:
            return bool(self.call("wait_idle", timeout))
        except ProcessEnded:
            return True

    def snapshot(self) -> Snapshot:
        """The run now; once the process has ended, the last one seen, marked as ended."""
        if not self._gone.is_set():
            try:
                snapshot: Snapshot = self.call("snapshot")
            except ProcessEnded:
                pass
            else:
                self._last_snapshot = snapshot
                return snapshot
        return self._ended_snapshot()

    def _ended_snapshot(self) -> Snapshot:
        last = self._last_snapshot
        status = self._ended
        if last is None:
            raise ProcessEnded(status)
        if status is None or (last.exit_status is not None and last.verdict is not None):
            return last
        if status == 0:
            state, verdict = RunState.FINISHED, None
        else:
            text = f"The program ended its process ({describe_status(status)})."
            state, verdict = RunState.FAILED, Verdict(VerdictKind.FAILED, text, (), last.step)
        return dataclasses.replace(
            last,
            step=max(last.step, self._last_step),
            run_state=state,
            verdict=verdict,
            exit_status=status,
            revision=last.revision + 1,
        )

    def _call_or(self, method: str, otherwise: Any, *args: Any) -> Any:
        """``call``, or ``otherwise`` once the process has ended."""
        try:
            return self.call(method, *args)
        except ProcessEnded:
            return otherwise
