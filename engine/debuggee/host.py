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
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from ..core.history import History
from ..core.kernel import SNAPSHOT_OUTPUT_LINES, OutputSink, StepSink
from ..lesson.scenario import RunConfig
from ..runtime import DEFAULT_SPEED
from ..snapshot.model import Event, OutputLine, RunState, Snapshot, Verdict, VerdictKind
from .messages import Launch
from .process import ProcessEnded, ProgramProcess, RawOutputSink, describe_status


def _output_step(line: OutputLine) -> int:
    return line.step


class RawLines:
    """What a program's process wrote straight to its file descriptors 1 and 2 (a child
    process's output, C code's), cut into lines, each reported at the last step known."""

    def __init__(
        self, report: Callable[[OutputLine], None] | None, step: Callable[[], int]
    ) -> None:
        self._report = report
        self._step = step
        self._partial = {"stdout": "", "stderr": ""}

    def write(self, stream: str, text: str) -> None:
        *lines, self._partial[stream] = (self._partial[stream] + text).split("\n")
        for line in lines:
            self._send(line, stream)

    def flush(self) -> None:
        for stream, rest in self._partial.items():
            if rest:
                self._send(rest, stream)
            self._partial[stream] = ""

    def _send(self, line: str, stream: str) -> None:
        if self._report is not None:
            self._report(OutputLine(self._step(), None, line, stream))


class ProcessRuntime:
    """A ``Runtime`` whose program runs in a process of its own (the arguments are
    ``Runtime``'s, with ``on_raw_output`` and the folder the program starts in). When the
    process has ended by itself, ``restart`` starts a new one.

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
        sinks: dict[str, Callable[..., Any]] = {
            name: sink
            for name, sink in (("event", event_sink), ("step", step_sink), ("output", output_sink))
            if sink is not None
        }
        self._kept_raw: deque[OutputLine] = deque(maxlen=SNAPSHOT_OUTPUT_LINES)
        """What the process wrote to its descriptors, when ``on_raw_output`` is None: shown
        in the snapshots' output, at the step shown when it came."""
        raw = on_raw_output or RawLines(self._kept_raw.append, self._step_shown).write
        launch = Launch(config, paused, speed, history, frozenset(sinks))
        self._new_process = lambda: ProgramProcess(launch, sinks, raw, cwd)
        self._process = self._new_process()
        self._lifecycle = threading.Lock()

    @property
    def last_step(self) -> int:
        """The step of the last report the run made (0 when it reports nothing)."""
        return self._process.last_step

    @property
    def ended(self) -> int | None:
        """The exit status of a process that ended without being told to (else None)."""
        return self._process.ended

    def call(self, method: str, *args: Any) -> Any:
        """The run's ``method`` called in the program's process (``ProgramProcess.call``)."""
        return self._process.call(method, *args)

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
        process = self._process
        if not process.gone.is_set():
            with contextlib.suppress(ProcessEnded):
                ended = bool(process.call("stop", timeout))
        process.end()
        return ended

    def unstoppable(self) -> tuple[str, ...]:
        return self._call_or("unstoppable", ())

    def restart(self) -> None:
        """As ``Runtime.restart``; once the process has ended, in a new process."""
        with self._lifecycle:
            process = self._process
            if not process.gone.is_set():
                with contextlib.suppress(ProcessEnded):
                    process.call("restart")
                    return
            process.end()
            self._kept_raw.clear()
            self._process = self._new_process()
            self.start()

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
        if self._process.gone.is_set() and self._process.ended is not None:
            snapshot = self.snapshot()
            return snapshot.verdict, snapshot.step
        result: tuple[Verdict | None, int] = self.call("outcome")
        return result

    def wait_idle(self, timeout: float | None = 10.0) -> bool:
        if self._process.gone.is_set():
            return True  # nothing more will happen
        try:
            return bool(self.call("wait_idle", timeout))
        except ProcessEnded:
            return True

    def snapshot(self) -> Snapshot:
        """The run now; once the process has ended, the last one seen, marked as ended."""
        process = self._process
        if not process.gone.is_set():
            try:
                snapshot: Snapshot = process.call("snapshot")
            except ProcessEnded:
                pass
            else:
                process.last_snapshot = snapshot
                return self._with_raw_output(snapshot)
        return self._with_raw_output(self._ended_snapshot(process))

    def _step_shown(self) -> int:
        process = self._process
        return max(process.last_step, process.last_snapshot.step)

    def _with_raw_output(self, snapshot: Snapshot) -> Snapshot:
        """``snapshot`` with the lines its process wrote itself among the program's own, in
        the order of their steps (those of steps not reached, after a rewind, left out)."""
        raw = [line for line in list(self._kept_raw) if line.step <= snapshot.step]
        if not raw:
            return snapshot
        merged = sorted((*snapshot.output, *raw), key=_output_step)  # stable: printed first
        return dataclasses.replace(snapshot, output=tuple(merged[-SNAPSHOT_OUTPUT_LINES:]))

    @staticmethod
    def _ended_snapshot(process: ProgramProcess) -> Snapshot:
        last = process.last_snapshot
        status = process.ended
        if status is None or (last.exit_status is not None and last.verdict is not None):
            return last
        if status == 0:
            state, verdict = RunState.FINISHED, None
        else:
            text = f"The program ended its process ({describe_status(status)})."
            state, verdict = RunState.FAILED, Verdict(VerdictKind.FAILED, text, (), last.step)
        return dataclasses.replace(
            last,
            step=max(last.step, process.last_step),
            run_state=state,
            verdict=verdict,
            exit_status=status,
            process_ended=True,
            revision=last.revision + 1,
        )

    def _call_or(self, method: str, otherwise: Any, *args: Any) -> Any:
        """``call``, or ``otherwise`` once the process has ended."""
        try:
            return self.call(method, *args)
        except ProcessEnded:
            return otherwise
