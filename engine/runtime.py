"""The runtime: one run of a program under a controlled, reproducible schedule.

This is the engine's front door, and it is thin: its lifecycle (start, stop, restart, go
to a step), its controls (pause, step, step a thread, speed, and the user's signal,
broadcast, spurious wakeup and posted event) and its snapshot. The work is done behind it:
the kernel (threads, primitives, events), the driver (who steps next, and when), the judge
(verdicts), replay (time travel) and the user actions.

The same scenario, variant, parameters, seed and sequence of control calls always give the
same run: a control call waits for the steps already asked for, and every step, action and
snapshot falls between two whole steps.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections.abc import Callable

from .core import awake
from .core.actions import apply_action, names_of, postable
from .core.driver import Driver, Phase
from .core.errors import ControlRefused, ReplayDiverged
from .core.history import History
from .core.kernel import Kernel, OutputSink, StepSink
from .core.replay import fast_forward
from .core.scheduler import BindingPolicy, make_policy
from .core.source import running_line
from .core.threads import SimThread
from .core.verdicts import Judge, why_not
from .lesson.scenario import RunConfig
from .program.loader import file_source, load_program
from .program.world import begin_world
from .snapshot.model import (
    ActionKind,
    Event,
    PrimitiveKind,
    ProgramFile,
    Snapshot,
    ThreadState,
    UserAction,
    Verdict,
)

__all__ = ["DEFAULT_SPEED", "Runtime"]

DEFAULT_SPEED = 4.0
"""Steps per second when nothing else is asked for: slow enough to follow by eye."""

SNAPSHOT_PATIENCE = 0.25
"""Seconds a snapshot waits for the step in progress to end before it shows the last
state it saw between two steps (a step takes microseconds unless the thread runs long
without reaching a checkpoint)."""

OUTSIDE_AFTER = 0.5
"""Real seconds after which a thread that has the turn and reaches no checkpoint is shown as
running outside the schedule (a busy loop, real I/O, a blocking call the engine does not
control)."""

START_PATIENCE = OUTSIDE_AFTER
"""Real seconds ``start`` waits for a thread's first checkpoint before it lets the rest of
the start go on in the background (the thread reads input, loops, or the machine is slow)."""


class _Run:
    """One run of the configuration: its kernel, judge and driver, and its threads and
    primitives as the scenario builds them. A rewind builds a new one beside the one shown
    and swaps them when it is ready, so a cancelled rewind leaves the run where it was."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        paused: bool,
        speed: float | None,
        revision: int,
    ) -> None:
        config = runtime.config
        scenario = config.scenario
        self.kernel = kernel = Kernel(
            runtime.program_file,
            revision=revision + 1,  # never goes back: the UI redraws whenever it changes
            event_sink=runtime.event_sink,
            step_sink=runtime.step_sink,
            output_sink=runtime.output_sink,
        )
        self.judge = Judge(
            kernel,
            waits_for_user=scenario.waits_for_user_in(config.variant),
            idle_hint=scenario.idle_hint,
        )
        policy = runtime.policy
        self.driver = Driver(
            kernel,
            self.judge,
            make_policy(policy, config.seed) if isinstance(policy, str) else policy,
            runtime.history_record,
            paused=paused,
            speed=speed,
            settle=self.settle,
        )
        if not isinstance(policy, str):
            policy.bind(kernel, self.driver)
        self.watch_values: tuple[tuple[str, str], ...] = ()
        self.files: tuple[ProgramFile, ...] = ()
        """The program's files, made again only when it imports a module of its own."""
        self.files_count = 1
        self.started = False
        self.last_snapshot: Snapshot | None = None
        self.outside_shown: float | None = None
        """The time outside the schedule the last snapshot showed (to the tenth)."""
        self.next_to_start = 0
        """The thread the start runs to its first checkpoint next (an index)."""
        self.starter: threading.Thread | None = None
        """Goes on with the start when a thread stays away from its first checkpoint."""
        self.unstoppable: tuple[str, ...] = ()
        """The threads that were still running when ``stop`` gave up on them."""
        kernel.raw_output = runtime.raw_output
        kernel.watching = scenario.races  # the program's own code is watched (footprints)
        begin_world(kernel, config.seed)  # the program's random, os.urandom, uuid4, secrets
        self.source = load_program(
            kernel, scenario, config.param_values, config.variant, config.argv
        )

    def settle(self) -> None:
        """Read watched state between steps, where it is consistent; primitives that show
        state owned by a scenario thread (an event loop's tasks) copy it now."""
        self.watch_values = tuple((name, str(read())) for name, read in self.kernel.watches)
        for primitive in self.kernel.primitives:
            primitive.settle()

    def stop(self, timeout: float) -> bool:
        """Stop this run's threads and scheduler; True when all ended within ``timeout``."""
        deadline = time.monotonic() + timeout
        kernel = self.kernel
        with kernel.lock:
            kernel.stop_threads()
        ended = self.driver.join(max(0.0, deadline - time.monotonic()))
        if self.starter is not None:
            self.starter.join(max(0.0, deadline - time.monotonic()))
            ended = ended and not self.starter.is_alive()
        stuck = []
        for thread in list(kernel.threads):
            os_thread = thread.os_thread
            if os_thread is None:
                continue
            # A thread that swallowed every order to unwind waits for good: it has ended.
            while os_thread.is_alive() and not thread.abandoned:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    stuck.append(thread.name)
                    break
                os_thread.join(min(remaining, 0.02))
        self.unstoppable = tuple(stuck)
        return ended and not stuck


class Runtime:
    """Runs one scenario configuration and answers control calls from any thread.

    Args:
        config: scenario, variant, parameters and seed.
        paused: start paused (no step is taken until ``step`` or ``resume``).
        speed: steps per second, or None for as fast as possible.
        policy: 'random' (seeded) or 'round-robin', or a policy of the caller's own (the
            explorer's), bound to the run's kernel and driver before it starts.
        event_sink: called with every event as it happens (under the engine lock).
        step_sink: called after every step with the step number and each thread's
            (name, state), the running one shown as running (under the engine lock).
        output_sink: called with every whole line the program prints, as it prints it
            (under the engine lock).
        history: a recorded history to follow (a run file's); ``goto`` re-executes it.
        raw_output: what the process's descriptors 1 and 2 hold now, as (stream, text)
            pieces, where they are read (the program's own process): the run's output too.
    """

    def __init__(
        self,
        config: RunConfig,
        *,
        paused: bool = False,
        speed: float | None = DEFAULT_SPEED,
        policy: str | BindingPolicy = "random",
        event_sink: Callable[[Event], None] | None = None,
        step_sink: StepSink | None = None,
        history: History | None = None,
        output_sink: OutputSink | None = None,
        raw_output: Callable[[], list[tuple[str, str]]] | None = None,
    ) -> None:
        self.config = config
        self.policy = policy
        self.event_sink = event_sink
        self.step_sink = step_sink
        self.output_sink = output_sink
        self.history_record = history.copy() if history is not None else History()
        """Every choice and action of the run, shared by the run shown and a rewind's."""
        self._lifecycle = threading.RLock()
        """Serialises every lifecycle and control call, whichever threads make them, so
        each one happens wholly before or after another (a step asked for during a restart
        goes to the new run, or is refused; it never waits on the old one)."""
        self._closed = False
        """Set by ``stop``, for good: a stopped run refuses everything."""
        self._unstoppable: tuple[str, ...] = ()
        self.program_file = config.scenario.program
        self._travel: _Run | None = None
        """The run a rewind is building beside the one shown, while it does."""
        self.raw_output = raw_output
        self._run = _Run(self, paused=paused, speed=self._check_speed(speed), revision=0)

    # --------------------------------------------------------------- lifecycle

    def start(self, at_step: int = 0) -> None:
        """Run every thread to its first checkpoint (step 0), re-execute the recorded
        history up to ``at_step`` (paused there), then go live.

        Raises:
            ReplayDiverged: the history went another way; the run stays usable, paused at
                the last step that matched.
        """
        with self._lifecycle:
            self._start_run(self._run, at_step)

    def _start_run(self, run: _Run, at_step: int) -> None:
        if run.started:
            raise RuntimeError("this run has already started")
        run.started = True
        kernel = run.kernel
        with kernel.lock:
            if kernel.stopping or self._closed:
                # Stopped before it started (``stop`` raced a restart or a rewind): it
                # never runs, and nothing waits for it to reach its first step.
                kernel.stop_threads()
                return
            if self._start_threads(run, START_PATIENCE):
                self._go_live(run, at_step)
                return
            # A thread stays away from its first checkpoint (it reads input, loops): the
            # start goes on without holding up the caller, and snapshots show that thread.
            run.starter = threading.Thread(
                target=self._start_late, args=(run, at_step), name="threadlab-starter", daemon=True
            )
            run.starter.start()

    @staticmethod
    def _start_threads(run: _Run, patience: float | None) -> bool:
        """Run every thread not started yet to its first checkpoint, one after the other
        (lock held).

        Returns:
            False when one has not reached it within ``patience`` seconds (it goes on
            running; calling again waits for it).
        """
        kernel, driver = run.kernel, run.driver
        while run.next_to_start < len(kernel.threads):
            thread = kernel.threads[run.next_to_start]
            if thread.os_thread is None:
                driver.step_done = False
                kernel.in_step = True
                kernel.mark_running(thread)
                thread.state = ThreadState.RUNNING
                kernel.start_thread(thread)
                thread.gate.release()
            deadline = None if patience is None else time.monotonic() + patience
            while not driver.step_done and not kernel.stopping:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                kernel.lock.wait(remaining)
            kernel.in_step = False
            run.next_to_start += 1
        return True

    def wait_started(self, timeout: float | None = None) -> bool:
        """Block until the start has ended: every thread at its first checkpoint and the
        history re-executed up to the step asked (``start`` returns sooner when a thread is
        slow to reach its first checkpoint).

        Returns:
            False when ``timeout`` passed first.
        """
        starter = self._run.starter
        if starter is None:
            return True
        starter.join(timeout)
        return not starter.is_alive()

    def _start_late(self, run: _Run, at_step: int) -> None:
        """The rest of a start that a thread held up (in the starter thread)."""
        with run.kernel.lock:
            self._start_threads(run, None)
            if run.kernel.stopping:
                return
            # a replay that went another way is left paused at the last step that matched
            with contextlib.suppress(ReplayDiverged):
                self._go_live(run, at_step)

    def _go_live(self, run: _Run, at_step: int) -> None:
        """Step 0 is reached: replay up to ``at_step``, then go live (lock held)."""
        kernel, driver = run.kernel, run.driver
        diverged = None
        driver.phase = Phase.LIVE
        driver.after_step(kernel.threads[0] if kernel.threads else None)
        if at_step:
            driver.paused = True
        try:
            fast_forward(driver, min(at_step, len(self.history_record)))
        except ReplayDiverged as error:
            # Keep what matched: the run stays usable, paused at the last good step.
            diverged = error
            self.history_record.truncate(kernel.step, driver.actions_applied)
            driver.paused = True
        if not kernel.stopping:
            driver.start()
        if diverged is not None:
            raise diverged

    def stop(self, timeout: float = 5.0) -> bool:
        """End the run: every scenario thread, blocked and waiting ones too, unwinds. A
        rewind or restart under way is cut short and does not start its new run. It is
        final: afterwards every control call is refused.

        Returns:
            True when every thread has ended within ``timeout`` seconds.
        """
        self._closed = True
        for run in (self._travel, self._run):  # at once, without waiting for a rewind
            if run is not None:
                with run.kernel.lock:
                    run.kernel.stop_threads()
        with self._lifecycle:
            ended = self._run.stop(timeout)
            self._unstoppable = self._run.unstoppable
            return ended

    def unstoppable(self) -> tuple[str, ...]:
        """The threads ``stop`` could not end: each was running outside the schedule (a busy
        loop, real I/O, a blocking call) and never reached a checkpoint where it would
        unwind. Their OS threads are daemons: they end with the process."""
        return self._unstoppable

    def restart(self) -> None:
        """Stop this run and start the same configuration from step 0, with a new history."""
        with self._lifecycle:
            self._refuse_if_closed()
            old = self._run
            kept, self.history_record = self.history_record, History()
            try:
                new = self._fresh_run(
                    paused=old.driver.paused, speed=old.driver.speed, revision=old.kernel.revision
                )
            except ControlRefused:
                self.history_record = kept  # the run shown goes on as it was
                raise
            old.stop(1.0)
            self._run = new
            self._start_run(self._run, 0)

    # ------------------------------------------------------------ time travel

    def goto(self, step: int) -> None:
        """Show the run exactly as it was at ``step`` (0 to the end of the history),
        paused, by re-executing the recorded choices and actions from the start.

        The new run is built beside the one shown, which pauses and stays on screen until
        the new one is ready; ``cancel_travel`` abandons it and leaves the run where it
        was. The history after ``step`` is kept, so going forward again replays it, until
        the user takes a new step or action there, which starts a new history.

        Raises:
            ControlRefused: ``step`` is outside the recorded history, or the rewind was
                cancelled.
            ReplayDiverged: re-executing went another way.
        """
        with self._lifecycle:
            self._refuse_if_closed()
            end = len(self.history_record)
            if not 0 <= step <= end:
                raise ControlRefused(f"step {step} is not in this run (valid: 0..{end})")
            old = self._run
            with old.kernel.lock:
                was_paused, old.driver.paused = old.driver.paused, True
                old.kernel.lock.notify_all()
            try:
                new = self._fresh_run(
                    paused=True, speed=old.driver.speed, revision=old.kernel.revision
                )
            except ControlRefused:
                with old.kernel.lock:  # the run shown goes on as it was
                    old.driver.paused = was_paused
                    old.kernel.lock.notify_all()
                raise
            self._travel = new
            diverged = None
            try:
                self._start_run(new, step)
                self._await_late_start(new)
            except ReplayDiverged as error:
                diverged = error
            finally:
                self._travel = None
            if new.kernel.stopping or new.driver.replay_cancelled:  # cancelled, or stopped
                new.stop(1.0)
                if self._closed:
                    raise ControlRefused("the run has stopped")
                with old.kernel.lock:
                    old.driver.paused = was_paused
                    old.driver.next_due = time.monotonic()
                    old.kernel.revision += 1
                    old.kernel.lock.notify_all()
                raise ControlRefused("the rewind was cancelled: the run is where it was")
            self._run = new
            old.stop(1.0)
            if diverged is not None:
                raise diverged

    def _fresh_run(self, *, paused: bool, speed: float | None, revision: int) -> _Run:
        """A new run of this configuration, to restart or rewind to.

        Raises:
            ControlRefused: its program can no longer be read (deleted, unreadable, or
                edited into a syntax error), in one line; the run shown is left as it is.
        """
        try:
            return _Run(self, paused=paused, speed=speed, revision=revision)
        except (OSError, SyntaxError, UnicodeDecodeError) as error:
            name = os.path.basename(self.config.scenario.name)
            raise ControlRefused(f"cannot run {name} again: {_unreadable(error, name)}") from None

    @staticmethod
    def _await_late_start(run: _Run) -> None:
        """Wait for a start that a slow first step held up to reach the step asked (the
        recorded history got past that first step before, so it comes), unless the
        rewind is cancelled or the run stopped meanwhile."""
        starter = run.starter
        while starter is not None and starter.is_alive():
            if run.driver.replay_cancelled or run.kernel.stopping:
                return
            starter.join(0.05)

    def cancel_travel(self) -> bool:
        """Abandon a rewind under way (from any thread): the run stays where it was.

        Returns:
            True when there was one to cancel.
        """
        travel = self._travel
        if travel is None:
            return False
        travel.driver.replay_cancelled = True  # seen at the replay's next turn; no lock
        return True

    @property
    def travel_progress(self) -> tuple[int, int] | None:
        """While a rewind re-executes: the step it has reached and the one it goes to."""
        travel = self._travel
        if travel is None:
            return None
        target = travel.driver.replayer
        return (travel.kernel.step, target.target) if target is not None else None

    def step_back(self, count: int = 1) -> None:
        """Go back ``count`` steps (to the start at most)."""
        with self._lifecycle:
            self._refuse_if_closed()
            with self._run.kernel.lock:
                current = self._run.kernel.step
            if current == 0:
                raise ControlRefused("already at step 0")
            self.goto(max(0, current - count))

    @property
    def history_length(self) -> int:
        """How many steps the recorded history holds (the end ``goto`` can reach)."""
        with self._run.kernel.lock:
            return len(self.history_record)

    def take_raw_output(self) -> None:
        """Keep what the process's descriptors hold now (``raw_output``) as output of the
        run executing now (the one a rewind builds, while it builds it), at its step."""
        kernel = (self._travel or self._run).kernel
        with kernel.lock:
            kernel.take_raw_output()

    def history(self, up_to_now: bool = False) -> History:
        """A copy of the recorded history (what a run file stores); with ``up_to_now``,
        only as far as the step shown now, so that replaying it ends here."""
        with self._run.kernel.lock:
            history = self.history_record.copy()
            if up_to_now:
                history.truncate(self._run.kernel.step, self._run.driver.actions_applied)
            return history

    # ----------------------------------------------------------------- control

    def pause(self) -> None:
        """Grant no more steps; the step in progress, if any, ends at its checkpoint."""
        with self._lifecycle:
            self._refuse_if_closed()
            kernel = self._run.kernel
            with kernel.lock:
                self._run.driver.paused = True
                kernel.revision += 1
                kernel.lock.notify_all()

    def resume(self) -> None:
        with self._lifecycle:
            self._refuse_if_closed()
            kernel = self._run.kernel
            with kernel.lock:
                self._run.judge.refuse_if_over()
                self._run.driver.paused = False
                self._run.judge.failed_state = False
                self._run.driver.next_due = time.monotonic()
                kernel.revision += 1
                kernel.lock.notify_all()

    def toggle_pause(self) -> bool:
        """Pause when running, resume when paused. Returns True when now paused."""
        if self.is_paused:
            self.resume()
            return False
        self.pause()
        return True

    @property
    def is_paused(self) -> bool:
        with self._run.kernel.lock:
            return self._run.driver.paused

    def step(self, count: int = 1) -> None:
        """Grant ``count`` steps, each to the thread the policy picks."""
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lifecycle:
            self._refuse_if_closed()
            kernel, driver = self._run.kernel, self._run.driver
            with kernel.lock:
                driver.wait_between_steps()
                self._run.judge.refuse_if_over()
                if not any(t.state.can_run for t in kernel.threads):
                    raise ControlRefused(self._run.judge.idle_reason() or "no thread can run now")
                driver.budget += count
                kernel.lock.notify_all()

    def step_thread(self, name: str) -> None:
        """Grant one step to the named thread.

        Raises:
            ControlRefused: the thread does not exist or cannot run now; nothing changes.
        """
        with self._lifecycle:
            self._refuse_if_closed()
            kernel, driver = self._run.kernel, self._run.driver
            with kernel.lock:
                driver.wait_between_steps()
                self._run.judge.refuse_if_over()
                thread = kernel.thread_named(name)
                if thread is None:
                    valid = ", ".join(t.name for t in kernel.threads)
                    raise ControlRefused(f"no thread named {name!r} (valid: {valid})")
                if not thread.state.can_run:
                    raise ControlRefused(f"{name} cannot run now: {why_not(thread)}")
                driver.targets.append(name)
                kernel.lock.notify_all()

    @property
    def speed(self) -> float | None:
        return self._run.driver.speed

    def set_speed(self, speed: float | None) -> None:
        """Steps per second (a positive number), or None for as fast as possible."""
        speed = self._check_speed(speed)
        with self._lifecycle:
            self._refuse_if_closed()
            kernel = self._run.kernel
            with kernel.lock:
                self._run.driver.speed = speed
                self._run.driver.next_due = time.monotonic()
                kernel.revision += 1
                kernel.lock.notify_all()

    def signal(self, condition: str) -> None:
        """The user signals a condition: its first waiter wakes."""
        self._user_action(UserAction(ActionKind.SIGNAL, condition))

    def broadcast(self, condition: str) -> None:
        """The user broadcasts on a condition: all its waiters wake."""
        self._user_action(UserAction(ActionKind.BROADCAST, condition))

    def spurious_wakeup(self, condition: str, thread: str | None = None) -> None:
        """Wake a waiter of ``condition`` with no signal at all (the first one if None)."""
        self._user_action(UserAction(ActionKind.SPURIOUS, condition, thread or ""))

    def post_event(self, queue: str) -> None:
        """The user posts an event to an event queue, or what the scenario says into a
        program's queue."""
        self._user_action(UserAction(ActionKind.POST, queue))

    @property
    def sink_error(self) -> BaseException | None:
        """What an event or step sink raised, if one did: the run stopped at that point."""
        return self._run.kernel.sink_error

    def program_files(self) -> tuple[str, ...]:
        """The program's file and the files of its own modules it has imported so far."""
        kernel = self._run.kernel
        with kernel.lock:
            return tuple(kernel.program_files)

    def output(self) -> tuple[str, ...]:
        """The whole lines the program has printed so far (the latest ones, if many)."""
        kernel = self._run.kernel
        with kernel.lock:
            return tuple(line.text for line in kernel.output)

    def condition_names(self) -> tuple[str, ...]:
        return names_of(self._run.kernel, PrimitiveKind.CONDITION)

    def event_queue_names(self) -> tuple[str, ...]:
        """The queues the user can post into now."""
        return postable(self._run.kernel)

    def line_now(self, name: str) -> int | None:
        """The line of the program the named thread is running now, even outside the
        schedule (a busy loop's, where its last checkpoint is long past)."""
        kernel = self._run.kernel
        thread = kernel.thread_named(name)
        if thread is None or thread.os_thread is None:
            return None
        return running_line(list(kernel.program_files), thread.os_thread.ident)

    def outcome(self) -> tuple[Verdict | None, int]:
        """The latest verdict and the steps taken so far: what a snapshot says of the run's
        end, without the cost of one."""
        run = self._run
        with run.kernel.lock:
            return run.judge.verdict, run.kernel.step

    def wait_idle(self, timeout: float | None = 10.0) -> bool:
        """Block until no step is in progress or owed (paused, or nothing can run).

        Returns:
            False when ``timeout`` passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        kernel = self._run.kernel
        with kernel.lock:
            while not self._run.driver.quiet():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                kernel.lock.wait(0.05 if remaining is None else min(remaining, 0.05))
            return True

    def _user_action(self, action: UserAction) -> None:
        with self._lifecycle:
            self._refuse_if_closed()
            kernel, driver = self._run.kernel, self._run.driver
            with kernel.lock:
                driver.wait_between_steps()
                self._run.judge.refuse_if_over()
                apply_action(kernel, action)
                self._run.settle()
                kernel.revision += 1
                self.history_record.truncate(kernel.step, driver.actions_applied)
                self.history_record.record_action(kernel.step, action)
                driver.actions_applied += 1
                kernel.lock.notify_all()

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise ControlRefused("the run has stopped")

    # ----------------------------------------------------------------- snapshot

    def snapshot(self) -> Snapshot:
        """An immutable view of everything visible now: always a state between two whole
        steps (a step in progress is waited for, briefly). A thread whose turn has lasted
        long is shown running outside the schedule, beside the last state seen between
        two steps."""
        run = self._run
        kernel, driver = run.kernel, run.driver
        with kernel.lock:
            # A step that has already lasted is not waited for again at every frame.
            patience = SNAPSHOT_PATIENCE
            if kernel.in_step:
                patience = max(0.0, kernel.turn_began + SNAPSHOT_PATIENCE - awake.now())
            if not driver.wait_for_gap(patience):
                outside = kernel.outside(OUTSIDE_AFTER)
                if outside is not None:
                    return self._outside_snapshot(run, *outside)
                if run.last_snapshot is not None:
                    return run.last_snapshot
            snapshot = self._snapshot_now(run)
            run.last_snapshot = snapshot
            run.outside_shown = None
            driver.go_on()
            return snapshot

    def snapshot_as_it_ends(self) -> Snapshot:
        """The run at this moment, even in the middle of a step: its process is ending
        (``os._exit``), and no gap between two steps will come."""
        run = self._run
        with run.kernel.lock:
            return self._snapshot_now(run)

    def _snapshot_now(self, run: _Run) -> Snapshot:
        """The run as it is now (lock held)."""
        kernel, driver = run.kernel, run.driver
        return Snapshot(
            scenario=self.config.scenario.name,
            title=self.config.scenario.title,
            variant=self.config.variant,
            seed=self.config.seed,
            step=kernel.step,
            revision=kernel.revision,
            run_state=run.judge.run_state(driver.paused),
            speed=driver.speed,
            threads=tuple(t.view() for t in kernel.threads),
            primitives=tuple(p.view() for p in kernel.primitives),
            events=tuple(kernel.events),
            verdict=run.judge.verdict,
            idle_reason=run.judge.idle_reason(),
            source=run.source,
            watches=run.watch_values,
            timeline=tuple(kernel.timeline),
            history_length=len(self.history_record),
            pace_paused=driver.paused,
            conditions=names_of(kernel, PrimitiveKind.CONDITION),
            event_queues=postable(kernel),
            output=kernel.latest_output(),
            exit_status=kernel.exit_status,
            files=self._program_files(run),
        )

    def _program_files(self, run: _Run) -> tuple[ProgramFile, ...]:
        """The program's files with their source, once it has more than one (lock held)."""
        paths = run.kernel.program_files
        if len(paths) != run.files_count:
            run.files_count = len(paths)
            folder = os.path.dirname(paths[0])
            run.files = tuple(
                ProgramFile(path, os.path.relpath(path, folder), file_source(path))
                for path in paths
            )
        return run.files

    def _outside_snapshot(self, run: _Run, thread: SimThread, lasted: float) -> Snapshot:
        """The last state seen between two steps (or, before there was one, the run as it
        is), with ``thread`` running outside the schedule for ``lasted`` seconds (lock
        held)."""
        kernel = run.kernel
        shown = round(lasted, 1)
        if shown != run.outside_shown:
            run.outside_shown = shown
            kernel.revision += 1  # what is shown changed: the screen redraws
        view = dataclasses.replace(thread.view(), outside_for=shown)
        base = run.last_snapshot or self._snapshot_now(run)
        threads = tuple(view if t.name == thread.name else t for t in base.threads)
        if view not in threads:  # it started after the last state seen
            threads = (*threads, view)
        return dataclasses.replace(base, revision=kernel.revision, threads=threads)

    @staticmethod
    def _check_speed(speed: float | None) -> float | None:
        if speed is not None and not speed > 0:
            raise ValueError(f"speed must be a positive number of steps per second, not {speed}")
        return speed


def _unreadable(error: OSError | SyntaxError | UnicodeDecodeError, name: str) -> str:
    """Why the program ``name`` (or a file of it) cannot be run again, in words."""
    if isinstance(error, SyntaxError):
        where = os.path.basename(error.filename or name)
        return f"{error.msg} ({where} line {error.lineno}); fix it and restart"
    if isinstance(error, UnicodeDecodeError):
        return "its file is not valid text in its encoding"
    reason = (error.strerror or type(error).__name__).lower()
    file = os.path.basename(error.filename) if isinstance(error.filename, str) else name
    return reason if file == name else f"{reason} ({file})"
