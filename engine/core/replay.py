"""Replay and time travel: re-executing a recorded history, step by step.

Going to step k re-runs the recorded choices and user actions from step 0 in a fresh run.
The policy draws again at every step it took, so its state matches, and every recorded
choice is checked against what can run now: a history recorded with other code goes
another way, which is reported rather than followed. As in a live run, the thread whose
turn ends gives the next recorded turn itself, so a rewind costs about what the run did.
"""

from __future__ import annotations

from .actions import apply_action
from .driver import Driver, Phase
from .errors import ControlRefused, NoSuchThread, ReplayDiverged
from .history import History, thread_numbers
from .threads import SimThread
from .verdicts import why_not


def fast_forward(driver: Driver, target: int) -> None:
    """Re-execute ``driver``'s history up to ``target`` steps (lock held, before the run
    goes live).

    Raises:
        ReplayDiverged: a recorded choice or action does not fit the run.
    """
    replay = _Replay(driver, target)
    driver.replayer = replay
    driver.phase = Phase.REPLAYING
    kernel = driver.kernel
    try:
        replay.next_turn()
        while not replay.done and not kernel.stopping:
            kernel.lock.wait()
            replay.go_on()
    finally:
        driver.phase = Phase.LIVE
        driver.replayer = None
    if replay.diverged is not None:
        raise replay.diverged


class _Replay:
    """Gives the recorded turns one after the other, up to ``target`` (lock held)."""

    def __init__(self, driver: Driver, target: int) -> None:
        self.driver = driver
        self.target = target
        self.done = False
        self.diverged: ReplayDiverged | None = None
        self.held = False
        """A snapshot taker waits for a gap: the next turn waits for it."""

    def go_on(self) -> None:
        """Give the turn held back for a snapshot, once no snapshot waits any more."""
        driver = self.driver
        if self.held and not driver.snapshot_waiters and not driver.kernel.in_step:
            self.held = False
            self.next_turn()

    def next_turn(self) -> None:
        driver = self.driver
        kernel = driver.kernel
        if driver.snapshot_waiters:
            self.held = True
            kernel.lock.notify_all()
            return
        try:
            index = kernel.step
            apply_recorded_actions(driver, index)
            if index < self.target and not kernel.stopping and not driver.replay_cancelled:
                if driver.judge.terminal:
                    raise ReplayDiverged(index + 1, "the run had already ended")
                number, by_user = History.decode(driver.history.steps[index])
                driver.give(recorded_choice(driver, index + 1, number, by_user), by_user)
                return
        except ReplayDiverged as diverged:  # said by the thread that waits for the replay
            self.diverged = diverged
        self.done = True
        kernel.lock.notify_all()


def apply_recorded_actions(driver: Driver, step: int) -> None:
    """Re-apply the recorded actions that followed ``step`` (lock held)."""
    actions = driver.history.actions
    while driver.actions_applied < len(actions) and actions[driver.actions_applied][0] == step:
        try:
            apply_action(driver.kernel, actions[driver.actions_applied][1])
        except ControlRefused as refused:
            raise ReplayDiverged(step, f"the recorded action was refused: {refused}") from None
        driver.settle()
        driver.kernel.revision += 1
        driver.actions_applied += 1


def recorded_choice(driver: Driver, step: int, number: int, by_user: bool) -> SimThread:
    """The thread a recorded step ran, checked against what can run now."""
    threads = driver.kernel.threads
    if not 1 <= number <= len(threads):
        raise NoSuchThread(step, number, len(threads))
    recorded = threads[number - 1]
    runnable = [t for t in threads if t.state.can_run]
    expected = driver.history.enabled_before(step)
    if expected is not None:
        now = sum(1 << t.index for t in runnable)
        if now != expected:
            raise ReplayDiverged(
                step,
                f"the threads that could run were {_names(threads, expected)} when "
                f"recorded, now {_names(threads, now)}",
            )
    if not by_user and runnable:
        chosen = driver.policy.choose(runnable)
        if chosen is not recorded:
            raise ReplayDiverged(
                step, f"the policy picked {chosen.name} where {recorded.name} was recorded"
            )
    if recorded not in runnable:
        raise ReplayDiverged(step, f"{recorded.name} was recorded, but {why_not(recorded)}")
    return recorded


def _names(threads: list[SimThread], mask: int) -> str:
    """The threads of an enabled set's bit mask, by name (by number past the run's own)."""
    names = [
        threads[n - 1].name if n <= len(threads) else f"thread {n}" for n in thread_numbers(mask)
    ]
    return ", ".join(names) if names else "none"
