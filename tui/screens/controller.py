"""The scenario screen's controller: every runtime control call, and what the user is told.

Quick controls (pause, step, signal, speed…) are called on the UI thread: they hold the
runtime's lock only for a moment. A refusal (``ControlRefused``) becomes the hint line's
message, which replaces the previous one instead of piling up toasts.

Time travel and restart re-execute the run from step 0, which can take seconds, so each runs
as a *trip* in a Textual thread worker, one at a time; so does putting another run of the
same configuration in place of this one (a schedule the explorer found, opened at its end).
A request made while a trip is under way waits behind it, replacing any request already
waiting (except such a swap), and relative moves count from the step the last request aims
at: pressing ← three times ends three steps back, however fast the keys come. While a trip
is under way the runtime holds its lock, so nothing here calls into the runtime: controls
are answered with "rewinding… one moment".
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from ...engine import ControlRefused, ReplayDiverged
from ...engine.debuggee.controls import RunControls
from ...engine.debuggee.elsewhere import call_in_own_process
from ...engine.formats import runfile
from ...engine.formats.files import new_file
from ...engine.snapshot.model import Snapshot
from ..widgets.hint import HintLine, HintMessage, Severity
from ..widgets.status import format_speed
from ..widgets.threads import outside_words
from .speeds import faster, slower

TRAVELLING = "rewinding… one moment"
"""The answer to a control key pressed while a trip is under way."""

NEW_FUTURE_SECONDS = 10.0
"""How long the warning before dropping the recorded future stays (and its key is armed)."""


def palette_key(title: str) -> str:
    """How the warning names a palette command (``'Step'``) in place of a key."""
    return f"'{title}'"


def new_future_words(key: str, ahead: int) -> str:
    """The warning shown the first time ``key`` (a key, or a ``palette_key``) would drop
    the ``ahead`` recorded steps after the step shown (after going back)."""
    steps = "the 1 recorded step" if ahead == 1 else f"the {ahead:,} recorded steps"
    again = "choose" if key.startswith("'") else "press"
    return (
        f"{key} here starts a new future and drops {steps} after this one: "
        f"{again} {key} again to do it, → to follow the recorded run"
    )


def run_stem(snapshot: Snapshot) -> str:
    """The run and its step, for a file's name: ``producer-consumer-if-seed0-step12``."""
    # A program's scenario is its path: keep only the file's name, without '.py'.
    name = os.path.basename(snapshot.scenario).removesuffix(".py") or "program"
    stem = f"{name}-{snapshot.variant}-seed{snapshot.seed}-step{snapshot.step}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem)


def default_run_file(snapshot: Snapshot) -> str:
    """The name ctrl+s saves under (in the save folder; ``-2``, ``-3``... when taken)."""
    return f"threadlab-{run_stem(snapshot)}.json"


def saved_words(path: str) -> str:
    """What ctrl+s says once saved: the whole path, once (quoted for a shell when it needs
    to be, so it can be copied as it is), and the command that opens it."""
    whole = os.path.abspath(path)
    return f"saved to {shlex.quote(whole)} (open it with threadlab replay)"


class TripKind(Enum):
    GOTO = "goto"
    RESTART = "restart"
    OPEN = "open"
    SWAP = "swap"
    """Another run takes this one's place, opened at ``step`` (the explorer's find)."""


@dataclass(frozen=True)
class Trip:
    """Slow work that re-executes the run from step 0: it lands at ``step``, paused."""

    kind: TripKind
    step: int = 0
    runtime: RunControls | None = None
    """The run that takes the current one's place (SWAP only), not started yet."""
    landed: HintMessage | None = None
    """What to tell the user once it has landed (SWAP only)."""

    def busy_text(self, shown: int | None) -> str:
        """What the hint line says while the trip is under way."""
        if self.kind is TripKind.RESTART:
            return "restarting from step 0…"
        if self.kind is TripKind.OPEN:
            return f"replaying the run file to step {self.step}…"
        if self.kind is TripKind.SWAP:
            return f"opening the failing schedule at step {self.step}…"
        going = "replaying" if shown is not None and self.step > shown else "rewinding"
        return f"{going} to step {self.step}…"

    def run(self, runtime: RunControls) -> HintMessage | None:
        """Make the trip (in a worker thread); what to tell the user afterwards, if anything."""
        try:
            if self.kind is TripKind.GOTO:
                runtime.goto(self.step)
            elif self.kind is TripKind.RESTART:
                runtime.restart()
                return HintMessage("restarted from step 0", "information")
            else:
                runtime.start(at_step=self.step)
                return self.landed
        except ControlRefused as refused:
            return HintMessage(str(refused), "warning")
        except ReplayDiverged as diverged:
            prefix = "cannot replay this run: " if self.kind is not TripKind.GOTO else ""
            return HintMessage(f"{prefix}{diverged}", "error")
        return None


class ControlHost(Protocol):
    """What the controller needs from the screen it serves."""

    def hint_line(self) -> HintLine:
        """The line where refusals and progress are shown."""
        ...

    def shown(self) -> Snapshot | None:
        """The snapshot on screen now (None before the first one)."""
        ...

    def refresh_snapshot(self, force: bool = False) -> None:
        """Show the runtime's latest snapshot (if it changed, or ``force``)."""
        ...

    def start_trip(self, work: Callable[[], HintMessage | None]) -> None:
        """Run ``work`` in a thread worker; report its end with ``trip_finished``."""
        ...

    def trip_landed(self) -> None:
        """The run was re-executed: forget per-run choices and show the new state."""
        ...

    def in_background(
        self, work: Callable[[], HintMessage], done: Callable[[HintMessage], None]
    ) -> None:
        """Run ``work`` in a thread worker, then ``done`` with what it returned (on the
        app's loop; a ``work`` that raised gives an error message)."""
        ...


class RunController:
    """Turns the user's actions into runtime control calls, one hint line of feedback.

    Args:
        runtime: the run to steer.
        host: the screen that shows it.
    """

    def __init__(self, runtime: RunControls, host: ControlHost) -> None:
        self.runtime = runtime
        self._host = host
        self._trip: Trip | None = None
        """The trip under way (its worker is running)."""
        self._next: Trip | None = None
        """The trip waiting behind it: only the latest request is kept."""
        self._gate = threading.Lock()
        """Held while a trip runs; ``close`` takes it so no trip starts the run after stop."""
        self._closed = False
        self.saving = False
        """Whether a save is being written (in the background)."""
        self._armed: tuple[tuple[str, int, int], HintMessage | None] | None = None
        """The key warned about dropping the recorded future, where, and the warning shown:
        the same key again, while that warning is on the line, goes ahead."""

    # ------------------------------------------------------------ feedback

    def say(self, text: str, severity: Severity = "warning", seconds: float = 4) -> None:
        """Tell the user something on the hint line, in place of the previous message."""
        self._host.hint_line().say(text, severity, seconds)

    @property
    def travelling(self) -> bool:
        """Whether a trip (rewind, go to, restart) is under way or waiting."""
        return self._trip is not None

    def _fresh(self) -> Snapshot | None:
        """The snapshot to decide from: pulled now (so it is what the screen shows next),
        unless a trip holds the runtime, then the one on screen."""
        if not self.travelling:
            self._host.refresh_snapshot()
        return self._host.shown()

    def _busy(self) -> bool:
        """Refuse a control while a trip is under way (the runtime's lock is taken)."""
        if self.travelling:
            self.say(TRAVELLING, "information", seconds=2)
            return True
        return False

    def new_future_ok(self, key: str | None) -> bool:
        """Whether an action of ``key`` that takes a new step or action here may go ahead.

        After going back, it would drop the recorded steps ahead of the step shown: the
        first press says so (and what to press instead) and refuses; pressing the same key
        again at the same step, while that warning is on the hint line, goes ahead. With no
        recorded future (or ``key`` None: no guard) it always may.
        """
        if key is None or self.travelling:
            return True  # (while a trip is under way the control itself is refused)
        snapshot = self._fresh()
        if snapshot is None:
            return True
        ahead = snapshot.history_length - snapshot.step
        if ahead <= 0:
            self._armed = None
            return True
        where = (key, snapshot.step, snapshot.history_length)
        hint = self._host.hint_line()
        armed = self._armed
        if armed is not None and armed[0] == where and hint.message is armed[1]:
            self._armed = None
            return True
        self.say(new_future_words(key, ahead), "warning", NEW_FUTURE_SECONDS)
        self._armed = (where, hint.message)
        return False

    # ------------------------------------------------------ quick controls

    def act(self, call: Callable[..., Any], *args: Any) -> bool:
        """Call a runtime control method; a refusal goes to the hint line.

        Returns:
            True when the runtime accepted it.
        """
        if self._busy():
            return False
        try:
            call(*args)
        except ControlRefused as refused:
            self.say(str(refused))
            return False
        self._host.hint_line().clear_message()
        self._host.refresh_snapshot()
        return True

    def act_between_steps(self, call: Callable[..., Any], *args: Any) -> bool:
        """Like ``act``, for a control that waits for the step in progress: refused at once
        while a thread runs outside the schedule (it may never reach a checkpoint), so a key
        never holds up the screen."""
        snapshot = self._host.shown()  # a frame old at most: no pull at every key
        if snapshot is not None and not self.travelling:
            for thread in snapshot.threads:
                if thread.outside_for is not None:
                    self.say(
                        f"{thread.name} is {outside_words(thread.outside_for)}: nothing else "
                        "can happen until it reaches a checkpoint"
                    )
                    return False
        return self.act(call, *args)

    def toggle_pause(self, key: str | None = None) -> None:
        """Resume when the snapshot shows the pace paused, else pause. (``key``: the key
        pressed, warned about once before resuming drops a recorded future.)"""
        if self._busy() or (snapshot := self._fresh()) is None:
            return
        if snapshot.pace_paused and not self.new_future_ok(key):
            return
        self.act(self.runtime.resume if snapshot.pace_paused else self.runtime.pause)

    def pause(self) -> None:
        self.act(self.runtime.pause)

    def resume(self, key: str | None = None) -> None:
        if self.new_future_ok(key):
            self.act(self.runtime.resume)

    def step(self, key: str | None = None) -> None:
        """One step; the scheduler picks the thread."""
        if self.new_future_ok(key):
            self.act_between_steps(self.runtime.step)

    def step_thread(self, name: str, key: str | None = None) -> None:
        """One step of the thread called ``name``."""
        if self.new_future_ok(key):
            self.act_between_steps(self.runtime.step_thread, name)

    def step_thread_number(self, number: int, key: str | None = None) -> None:
        """One step of the thread numbered ``number`` in the threads panel."""
        if self._busy() or (snapshot := self._fresh()) is None:
            return
        by_number = {t.index: t.name for t in snapshot.threads}
        if number not in by_number:
            self.say(f"there is no thread {number} (threads 1-{len(snapshot.threads)})")
            return
        if self.new_future_ok(key):
            self.step_thread(by_number[number])

    def set_speed(self, speed: float | None) -> None:
        """Run at ``speed`` steps a second (None: as fast as possible)."""
        self.act(self.runtime.set_speed, speed)

    def speed_up(self) -> None:
        if self._busy() or (snapshot := self._fresh()) is None:
            return
        if snapshot.speed is None:
            self.say("already at max speed", "information", 3)
            return
        self.set_speed(faster(snapshot.speed))

    def slow_down(self) -> None:
        if self._busy() or (snapshot := self._fresh()) is None:
            return
        speed = snapshot.speed
        if speed is not None and slower(speed) == speed:
            self.say(f"already at the slowest speed ({format_speed(speed)})", "information", 3)
            return
        self.set_speed(slower(speed))

    def signal(self, condition: str, key: str | None = None) -> None:
        """Signal ``condition``: its first waiter wakes."""
        if self.new_future_ok(key):
            self.act_between_steps(self.runtime.signal, condition)

    def broadcast(self, condition: str, key: str | None = None) -> None:
        """Broadcast on ``condition``: every waiter wakes."""
        if self.new_future_ok(key):
            self.act_between_steps(self.runtime.broadcast, condition)

    def spurious_wakeup(self, condition: str, waiter: str | None, key: str | None = None) -> None:
        """Wake ``waiter`` (None: the first) from ``condition`` with no signal at all."""
        if self.new_future_ok(key):
            self.act_between_steps(self.runtime.spurious_wakeup, condition, waiter)

    def post_event(self, queue: str, key: str | None = None) -> None:
        """Post an event to ``queue`` as the user."""
        if self.new_future_ok(key):
            self.act_between_steps(self.runtime.post_event, queue)

    def save(
        self, path: str | None = None, preemptions: tuple[int, ...] = (), folder: str = ""
    ) -> bool:
        """Write this run, up to the step shown, as a run file, with the ``preemptions``
        marked on its timeline up to that step. The file is written in the background (the
        run is re-executed, in a process of its own): keys are answered meanwhile, and the
        hint line says where it went, or why not.

        Args:
            path: the file to write; None: a new file in ``folder`` (the current one when
                empty) named after the run, never one that exists (``-2``, ``-3``...).

        Returns:
            False when the save was refused at once (said on the hint line).
        """
        if self._busy() or (snapshot := self._fresh()) is None:
            return False
        if self.saving:
            self.say("a save is under way: wait for it to end", "information", 2)
            return False
        marked = tuple(step for step in preemptions if step <= snapshot.step)
        try:
            history = self.runtime.history(up_to_now=True)
        except ControlRefused as error:
            self.say(f"not saved: {error}", "error", 10)
            return False
        config = self.runtime.config
        stem = f"threadlab-{run_stem(snapshot)}"

        def write() -> HintMessage:
            claimed = None
            try:
                where = path
                if where is None:
                    where = claimed = new_file(folder, stem, ".json")
                # Re-executing a long run takes the interpreter it runs in: not the app's.
                call_in_own_process(
                    "the save", runfile.record_and_save, config, history, marked, where
                )
            except Exception as error:  # said on the hint line, with the file claimed undone
                if claimed is not None:
                    with contextlib.suppress(OSError):
                        os.remove(claimed)  # the empty file claimed for it
                return HintMessage(f"not saved: {_why(error)}", "error", 10)
            return HintMessage(saved_words(where), "information", 10)

        self.saving = True
        self.say("saving the run…", "information", 60)
        self._host.in_background(write, self._saved)
        return True

    def _saved(self, message: HintMessage) -> None:
        """The save has ended (on the app's loop)."""
        self.saving = False
        self.say(message.text, message.severity, message.seconds)

    # --------------------------------------------------------- time travel

    def _latest(self) -> Trip | None:
        return self._next or self._trip

    def _aim(self, snapshot: Snapshot | None) -> int:
        """The step the user is heading for: the latest trip's, else the one shown."""
        latest = self._latest()
        if latest is not None:
            return latest.step
        return snapshot.step if snapshot is not None else 0

    def _end(self, snapshot: Snapshot | None) -> int:
        """The last recorded step, as it will be once the trips under way have landed."""
        latest = self._latest()
        if latest is not None and latest.kind is TripKind.RESTART:
            return 0  # a restart starts a new history
        if latest is not None and latest.kind is TripKind.SWAP:
            return latest.step  # another run, opened at its end
        return snapshot.history_length if snapshot is not None else self._aim(snapshot)

    def whereabouts(self) -> tuple[int, int]:
        """The step the user is at (or heading for) and the last recorded step."""
        snapshot = self._fresh()
        return self._aim(snapshot), self._end(snapshot)

    def _process_gone(self, snapshot: Snapshot | None) -> bool:
        """Say so when the run's process has ended: it cannot go back or forth."""
        if snapshot is None or not snapshot.process_ended:
            return False
        status = snapshot.verdict.text if snapshot.verdict is not None else ""
        self.say(f"{status} Press r to run it again.".strip(), "warning", 4)
        return True

    def go_to(self, step: int) -> None:
        """Show the run exactly as it was at ``step`` (re-executed from the start)."""
        if not self._process_gone(self._host.shown()):
            self._request(Trip(TripKind.GOTO, step))

    def step_back(self) -> None:
        snapshot = self._fresh()
        if self._process_gone(snapshot):
            return
        aim = self._aim(snapshot)
        if aim == 0:
            self.say("already at step 0")
            return
        self.go_to(aim - 1)

    def forward(self) -> None:
        """One step forward: along the recorded run after going back, else a new step."""
        snapshot = self._fresh()
        aim = self._aim(snapshot)
        if aim < self._end(snapshot):
            self.go_to(aim + 1)
        else:
            self.step()

    def go_end(self) -> None:
        self.go_to(self._end(self._fresh()))

    def restart(self) -> None:
        """Start this run again from step 0 (same seed, same variant), a new history."""
        self._request(Trip(TripKind.RESTART))

    def open_at(self, step: int) -> None:
        """Start the run and re-execute its recorded history up to ``step`` (a replay)."""
        self._request(Trip(TripKind.OPEN, step))

    def swap_to(self, runtime: RunControls, step: int, landed: HintMessage | None = None) -> None:
        """Stop this run and show ``runtime`` (a run of the same configuration with a
        recorded history, not started yet) in its place, opened at ``step``; then say
        ``landed``.

        It waits behind a trip under way, and no later request replaces it; once it has
        landed, ``runtime`` is the controller's run.
        """
        if self._closed:
            runtime.stop()
            return
        waiting = self._next
        if waiting is not None and waiting.runtime is not None:
            waiting.runtime.stop()  # an earlier swap not made yet: this one replaces it
        self._request(Trip(TripKind.SWAP, step, runtime, landed))

    def cancel_trip(self) -> bool:
        """Abandon the rewind under way (and any waiting behind it): the run stays where it
        was. Returns False when there is none to cancel."""
        if self._trip is None or self._trip.kind is not TripKind.GOTO:
            return False
        self._next = None
        return self.runtime.cancel_travel()

    def show_progress(self) -> None:
        """Say how far the rewind under way has come (called by the screen's timer)."""
        trip = self._trip
        progress = self.runtime.travel_progress
        if trip is None or trip.kind is not TripKind.GOTO or progress is None or self._next:
            return  # (with a trip waiting behind, the line names where that one goes)
        done, target = progress
        shown = self._host.shown()
        going = trip.busy_text(shown.step if shown is not None else None).removesuffix("…")
        self._host.hint_line().busy = f"{going}… step {done:,} of {target:,} · escape cancels"

    def _request(self, trip: Trip) -> None:
        if self._closed:
            return
        if self._trip is None:
            self._start(trip)
        elif self._next is not None and self._next.kind is TripKind.SWAP and trip.runtime is None:
            self.say(TRAVELLING, "information", seconds=2)  # a swap waiting is never dropped
        else:
            self._next = trip
            self._host.hint_line().busy = trip.busy_text(self._trip.step)

    def _start(self, trip: Trip) -> None:
        self._trip = trip
        shown = self._host.shown()
        self._host.hint_line().busy = trip.busy_text(shown.step if shown is not None else None)
        self._host.start_trip(lambda: self._run(trip))

    def _run(self, trip: Trip) -> HintMessage | None:
        """The worker's body (not on the UI thread)."""
        with self._gate:
            if self._closed:
                if trip.runtime is not None:
                    trip.runtime.stop()
                return None
            if trip.runtime is not None:
                self.runtime.stop()
                self.runtime = trip.runtime
            return trip.run(self.runtime)

    def trip_finished(self, outcome: HintMessage | None) -> None:
        """The trip's worker ended (on the UI thread): show where it landed, then start the
        trip waiting behind it, if any."""
        if self._closed:
            return
        self._trip = None
        self._host.trip_landed()
        hint = self._host.hint_line()
        if outcome is not None:
            hint.say(outcome.text, outcome.severity, outcome.seconds)
        else:
            hint.clear_message()
        waiting, self._next = self._next, None
        if waiting is not None:
            self._start(waiting)
        else:
            hint.busy = None

    def close(self) -> None:
        """Stop the run for good (the screen goes away).

        A trip under way cannot be cut short (the runtime re-executes under its lock), so this
        waits for it to end (one re-execution at most), then stops the run: no trip can start
        the run's threads again after that.
        """
        waiting, self._next = self._next, None
        if waiting is not None and waiting.runtime is not None:
            waiting.runtime.stop()
        self._closed = True
        with self._gate:
            pass
        self.runtime.stop()


def _why(error: Exception) -> str:
    """One line for a run that could not be saved: an output error says it itself; a file
    that could not be read (the program, deleted or moved since) is named, with why."""
    if not isinstance(error, OSError) or not error.strerror:
        return str(error)
    file = os.path.basename(os.fsdecode(error.filename)) if error.filename else ""
    reason = error.strerror.lower()
    return f"cannot read {file}: {reason}" if file else reason
