"""The engine's exceptions: a run being unwound, a control call that does not apply now,
and a recorded history that went another way when re-executed."""

from __future__ import annotations


class StopRun(SystemExit):
    """Raised inside a scenario thread at a checkpoint to unwind it when the run stops.

    Not an ``Exception``, so scenario code catching ``Exception`` cannot swallow it; a
    ``SystemExit`` because asyncio lets that (and only that kind) through its callbacks
    and tasks, so a thread running an event loop unwinds too.
    """


class ControlRefused(Exception):
    """A control action that does not apply now; the message says why, for a notification."""


class OutsideSchedule(ControlRefused):
    """The step in progress has lasted long: its thread runs outside the schedule (a busy
    loop, real I/O, a blocking call) and nothing else can happen until it reaches a
    checkpoint. Asking again later may succeed."""

    def __init__(self, thread: str, lasted: float) -> None:
        super().__init__(
            f"{thread} is running outside the schedule (no checkpoint for {lasted:.1f} s): "
            "nothing else can happen until it reaches one"
        )
        self.thread = thread
        self.lasted = lasted

    def __reduce__(self) -> tuple[type, tuple[str, float]]:  # (to the app's process)
        return type(self), (self.thread, self.lasted)


class ReplayDiverged(Exception):
    """Re-executing a recorded history went another way: the scenario (or its code)
    is not the one the history was recorded with."""

    def __init__(self, step: int, reason: str) -> None:
        super().__init__(f"the run went another way at step {step}: {reason}")
        self.step = step
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[int, str]]:  # (to the app's process)
        return type(self), (self.step, self.reason)


class NoSuchThread(ReplayDiverged):
    """A recorded step chose a thread number that no thread of the run has at that step:
    no scenario, however changed, can follow it; the history (or its file) is corrupt.
    (A thread can be started mid-run, so this is known only once the run gets there.)"""

    def __init__(self, step: int, number: int, threads: int) -> None:
        super().__init__(
            step, f"thread {number} was recorded, but there is no such thread (1..{threads})"
        )
        self.number = number
        self.threads = threads

    def __reduce__(self) -> tuple[type, tuple[int, int, int]]:  # type: ignore[override]
        return type(self), (self.step, self.number, self.threads)
