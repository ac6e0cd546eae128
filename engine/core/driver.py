"""The step driver: which thread takes the next step, and when.

Steps are permits. Running at speed S grants S steps a second; at max speed they follow back
to back; paused grants none; ``step()`` grants some, ``step_thread()`` grants one to a
chosen thread. Between two steps the driver lets in control calls and snapshot takers that
wait for that gap, so what they see and do always falls between two whole steps.

The thread whose turn ends picks the next thread itself and releases its gate (the
*hand-off*): at max speed, and for steps the user asked for, a step costs about one thread
switch. The scheduler thread only paces steps at a set speed and restarts the chain after a
pause, a control call or a snapshot.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from enum import Enum
from typing import Protocol

from .errors import OutsideSchedule
from .history import History
from .kernel import TIMELINE_STEPS, Kernel
from .scheduler import Policy
from .threads import SimThread
from .verdicts import Judge

Choice = tuple[SimThread | None, bool, float | None]
"""The thread to run (or None), whether the user chose it, and how long to wait before
asking again (None: until something changes)."""


CONTROL_PATIENCE = 2.0
"""Real seconds a control call waits for a step in progress before it is refused: the
thread with the turn runs outside the schedule (a busy loop, real I/O, a blocking call) and
may never reach a checkpoint."""


class Replayer(Protocol):
    target: int
    """The step the replay goes to."""

    def next_turn(self) -> None:
        """Give the next recorded turn, or end the replay (lock held)."""
        ...

    def go_on(self) -> None:
        """Go on after a gap a snapshot waited for (lock held)."""
        ...


class Phase(Enum):
    STARTING = "starting"
    """Every thread runs to its first checkpoint, one after the other (no steps yet)."""
    REPLAYING = "replaying"
    """A recorded history is re-executed; its loop gives every turn."""
    LIVE = "live"


def enabled_mask(kernel: Kernel) -> int:
    """The threads that can run now, as a bit mask of their numbers (lock held)."""
    mask = 0
    for thread in kernel.live_threads:
        if thread.state.can_run:
            mask |= 1 << thread.index
    return mask


class Driver:
    """Gives the turn to one thread after another, as the pace and the user ask.

    Args:
        kernel: the run.
        judge: its verdicts, checked after every step.
        policy: picks a thread when the user does not.
        history: where steps are recorded (and what a replay follows).
        paused: grant no steps until resumed.
        speed: steps a second, or None for as fast as possible.
        settle: called after every step (lock held) to read the program's watched state.
    """

    def __init__(
        self,
        kernel: Kernel,
        judge: Judge,
        policy: Policy,
        history: History,
        *,
        paused: bool,
        speed: float | None,
        settle: Callable[[], None],
    ) -> None:
        self.kernel = kernel
        self.judge = judge
        self.policy = policy
        self.policy_chooses = bool(getattr(policy, "as_chosen", False))
        """The policy's choices are recorded as chosen steps (the explorer's), so a replay
        follows them without asking a policy."""
        self.history = history
        self.paused = paused
        self.speed = speed
        self.settle = settle
        self.phase = Phase.STARTING
        self.budget = 0
        """Steps granted by ``step(n)`` and not yet taken."""
        self.targets: deque[str] = deque()
        """Threads the user asked to step, in order."""
        self.actions_applied = 0
        """User actions of the history carried out so far."""
        self.waiting_controls = 0
        """Control calls waiting for the gap after the steps already asked for."""
        self.snapshot_waiters = 0
        """Snapshot takers waiting for the gap after the current step."""
        self.next_due = 0.0
        self.step_done = False
        """Set when a turn given at start has ended."""
        self.replayer: Replayer | None = None
        """While replaying: gives the recorded turns, one after the other."""
        self.replay_cancelled = False
        """Set (from any thread, without the lock) to end a replay at its next turn."""
        self._scheduler: threading.Thread | None = None
        kernel.turn_ended = self._turn_ended

    # ------------------------------------------------------------ the turn

    def give(self, thread: SimThread, by_user: bool) -> None:
        """Give ``thread`` the next step, recording it unless replaying (lock held)."""
        if self.phase is not Phase.REPLAYING:  # a new step: from here on, this is the history
            self.history.truncate(self.kernel.step, self.actions_applied)
            self.history.record_step(thread.index, by_user, enabled_mask(self.kernel))
        self.judge.failed_state = False
        self.kernel.give_turn(thread)

    def after_step(self, ran: SimThread | None) -> None:
        """Move the clock on, read the watched state and check the verdicts; a verdict
        pauses (lock held)."""
        self.kernel.advance_clock()
        self.settle()
        if self.judge.after_step(ran) is not None:
            self.paused = True
            self.budget = 0
            self.targets.clear()

    def _turn_ended(self, ran: SimThread) -> None:
        """Called by the thread whose turn just ended, lock held."""
        kernel = self.kernel
        kernel.in_step = False
        if kernel.raw_output is not None:
            kernel.take_raw_output()  # a child's output written during the step is the step's
        if self.phase is Phase.STARTING:
            self.step_done = True
            kernel.lock.notify_all()
            return
        kernel.revision += 1
        if kernel.stopping:
            kernel.lock.notify_all()
            return
        replayer = self.replayer
        if (
            replayer is None
            or kernel.step > replayer.target - TIMELINE_STEPS
            or kernel.reports_steps
        ):
            kernel.record_column(ran)
        else:
            kernel.skip_column()  # a replayed step the timeline would have dropped by its end
        self.after_step(ran)
        if self.phase is Phase.REPLAYING and self.replayer is not None:
            self.replayer.next_turn()  # the recorded turns hand off directly too
            return
        thread, by_user, _wait = self.pick(hand_off=True)
        if thread is not None:
            self.give(thread, by_user)
        else:
            kernel.lock.notify_all()  # a gap: let in whoever waits for one

    def pick(self, *, hand_off: bool) -> Choice:
        """The thread to run next (lock held), or None and how long to wait.

        Args:
            hand_off: asked by the thread whose turn just ended; the pace of a set speed
                is left to the scheduler thread.
        """
        kernel = self.kernel
        runnable = [t for t in kernel.live_threads if t.state.can_run]
        if self.judge.terminal or not runnable or kernel.stopping:
            self.budget = 0
            self.targets.clear()
            return None, False, None
        if self.snapshot_waiters:
            return None, False, None
        while self.targets:
            thread = kernel.thread_named(self.targets.popleft())
            if thread is not None and thread.state.can_run:
                return thread, True, None
        if self.budget:
            self.budget -= 1
            return self.policy.choose(runnable), self.policy_chooses, None
        if self.waiting_controls or self.paused:
            return None, False, None
        if self.speed is not None:
            if hand_off:
                return None, False, None
            now = time.monotonic()
            if now < self.next_due:
                return None, False, self.next_due - now
            self.next_due = now + 1.0 / self.speed
        return self.policy.choose(runnable), self.policy_chooses, None

    # ------------------------------------------------------ the scheduler

    def start(self) -> None:
        """Go live: start the scheduler thread."""
        self.phase = Phase.LIVE
        self.next_due = time.monotonic()
        self._scheduler = threading.Thread(
            target=self._schedule, name="threadlab-scheduler", daemon=True
        )
        self._scheduler.start()

    def join(self, timeout: float) -> bool:
        """Wait for the scheduler thread to end (after the kernel stops); True if it did."""
        if self._scheduler is None:
            return True
        self._scheduler.join(timeout)
        return not self._scheduler.is_alive()

    def _schedule(self) -> None:
        kernel = self.kernel
        with kernel.lock:
            while not kernel.stopping:
                if kernel.in_step or self.snapshot_waiters:
                    kernel.lock.wait()
                    continue
                thread, by_user, wait = self.pick(hand_off=False)
                if thread is None:
                    kernel.lock.notify_all()
                    kernel.lock.wait(wait)
                    continue
                self.give(thread, by_user)

    # ------------------------------------------------------------- gaps

    def wait_between_steps(self) -> None:
        """Wait (lock held) until the steps already asked for have run, so that the same
        sequence of calls always means the same run, however quickly they follow; and
        until a start that a slow first step held up has ended (step 0 is reached).

        Raises:
            OutsideSchedule: the step in progress has lasted more than ``CONTROL_PATIENCE``
                real seconds: its thread runs outside the schedule.
        """
        kernel = self.kernel
        self.waiting_controls += 1
        try:
            while (
                kernel.in_step or self.targets or self.budget or self.phase is Phase.STARTING
            ) and not kernel.stopping:
                outside = kernel.outside(CONTROL_PATIENCE)
                if outside is not None:
                    raise OutsideSchedule(outside[0].name, outside[1])
                kernel.lock.wait(CONTROL_PATIENCE / 4)
        finally:
            self.waiting_controls -= 1
            kernel.lock.notify_all()

    def wait_for_gap(self, timeout: float) -> bool:
        """Wait (lock held) until no step is in progress, at most ``timeout`` seconds.

        Returns:
            True when between two steps now.
        """
        kernel = self.kernel
        if not kernel.in_step:
            return True
        deadline = time.monotonic() + timeout
        self.snapshot_waiters += 1
        try:
            while kernel.in_step and not kernel.stopping:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                kernel.lock.wait(remaining)
        finally:
            self.snapshot_waiters -= 1
            kernel.lock.notify_all()
        return not kernel.in_step

    def go_on(self) -> None:
        """After a gap that a snapshot or a control call waited for: give the next turn
        now, if the pace allows, rather than wait for the scheduler thread to get the
        lock (a caller that takes snapshots back to back would otherwise starve the run)."""
        if self.kernel.in_step:
            return
        if self.phase is Phase.REPLAYING and self.replayer is not None:
            self.replayer.go_on()
            return
        if self.phase is not Phase.LIVE:
            return
        thread, by_user, _wait = self.pick(hand_off=True)
        if thread is not None:
            self.give(thread, by_user)

    def quiet(self) -> bool:
        """No step is in progress or owed (lock held)."""
        kernel = self.kernel
        if kernel.stopping:
            return True  # a step cut short by the stop never ends: nothing more will happen
        if kernel.in_step:
            return False
        if self.judge.terminal:
            return True
        if not any(t.state.can_run for t in kernel.live_threads):
            return True
        if self.budget or self.targets:
            return False
        return self.paused
