"""A scenario's live view: source, threads, primitives, event log, status, and the keys.

Data flows one way. A timer pulls ``runtime.snapshot()`` (at most ~30 times a second) into
the one reactive ``snapshot``; its watcher hands it to every panel under
``app.batch_update()``. Keys and palette commands go to the runtime's control methods and
nowhere else. Scenario threads never call into the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from threadlab.engine import runfile
from threadlab.engine.model import RunState, Snapshot
from threadlab.engine.runtime import ControlRefused, ReplayDiverged, Runtime
from threadlab.engine.scenario import ConfigError
from threadlab.tui.screens.goto import GotoScreen
from threadlab.tui.screens.help import HelpScreen, KeyHelp
from threadlab.tui.screens.selection import (
    Selection,
    conditions,
    next_condition,
    next_waiter,
    resolve,
)
from threadlab.tui.widgets.events import EventLog
from threadlab.tui.widgets.hint import HintLine
from threadlab.tui.widgets.primitives import PrimitivesPanel
from threadlab.tui.widgets.source import SourcePanel
from threadlab.tui.widgets.status import StatusLine, format_speed
from threadlab.tui.widgets.threads import ThreadsPanel
from threadlab.tui.widgets.timeline import TimelinePanel
from threadlab.tui.widgets.verdict import VerdictBanner
from threadlab.tui.widgets.watches import WatchesPanel

FRAME_INTERVAL = 1 / 30
"""Seconds between two snapshot pulls: at most ~30 redraws a second, however fast it runs."""

SPEEDS: tuple[float | None, ...] = (1, 2, 4, 8, 16, 32, 64, None)
"""The speeds + and - move through, in steps per second; None is as fast as possible."""

HELP_ONLY = frozenset(
    {
        "faster",
        "slower",
        "next-condition",
        "previous-waiter",
        "next-waiter",
        "forward",
        "start",
        "end",
        "goto",
        "timeline",
        "save",
    }
)
"""Bindings left out of the footer (to fit 80 columns) but listed in the help screen."""
_CONDITION_ACTIONS = frozenset(
    {"signal", "broadcast", "spurious", "next_condition", "next_waiter", "previous_waiter"}
)


def faster(speed: float | None) -> float | None:
    """The next speed up the list (max stays max)."""
    if speed is None:
        return None
    return next((s for s in SPEEDS if s is None or s > speed), None)


def slower(speed: float | None) -> float | None:
    """The next speed down the list (the slowest stays the slowest)."""
    if speed is None:
        return SPEEDS[-2]
    lower = [s for s in SPEEDS if s is not None and s < speed]
    return lower[-1] if lower else speed


def default_run_file(snapshot: Snapshot) -> str:
    """Where ctrl+s saves: the current folder, named after the run and its step."""
    run = f"{snapshot.scenario}-{snapshot.variant}-seed{snapshot.seed}"
    return f"threadlab-{run}-step{snapshot.step}.json"


class ScenarioScreen(Screen[None]):
    """Watch and steer one run of a scenario."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_pause",
            "Pause",
            tooltip="Pause the run, or let it run at the current speed",
            id="pause",
        ),
        Binding(
            "n",
            "step",
            "Step",
            tooltip="Take one step; the scheduler picks the thread",
            id="step",
        ),
        Binding(
            "left",
            "step_back",
            "Back",
            key_display="←",
            tooltip="Go back one step: the screen shows exactly the state at that step",
            id="back-step",
            priority=True,  # before the scrolling panels' own arrow keys
        ),
        Binding(
            "1",
            "step_thread(1)",
            "Step #",
            key_display="1-9",
            tooltip="Step thread N, numbered as in the threads panel",
            id="step-thread-1",
        ),
        *(
            Binding(
                str(n),
                f"step_thread({n})",
                f"Step thread {n}",
                show=False,
                id=f"step-thread-{n}",
            )
            for n in range(2, 10)
        ),
        Binding(
            "plus,equals_sign",
            "speed_up",
            "Faster",
            key_display="+",
            show=False,
            tooltip="Run faster: 1, 2, 4, … 64 steps a second, then max",
            id="faster",
        ),
        Binding(
            "minus",
            "slow_down",
            "Slower",
            key_display="-",
            show=False,
            tooltip="Run slower",
            id="slower",
        ),
        Binding(
            "s",
            "signal",
            "Signal",
            tooltip="Signal the selected condition: its first waiter wakes",
            id="signal",
        ),
        Binding(
            "b",
            "broadcast",
            "Broadcast",
            tooltip="Broadcast on the selected condition: every waiter wakes",
            id="broadcast",
        ),
        Binding(
            "w",
            "spurious",
            "Spurious",
            tooltip="Wake the selected waiter with no signal at all (a spurious wakeup)",
            id="spurious",
        ),
        Binding(
            "e",
            "post_event",
            "Post event",
            tooltip="Post an event to the event loop's queue (its handler runs in turn)",
            id="post-event",
        ),
        Binding(
            "c",
            "next_condition",
            "Condition",
            show=False,
            tooltip="Select the next condition variable for s, b and w",
            id="next-condition",
        ),
        Binding(
            "left_square_bracket",
            "previous_waiter",
            "Previous waiter",
            key_display="[",
            show=False,
            tooltip="Select the previous waiter of the selected condition (for w)",
            id="previous-waiter",
        ),
        Binding(
            "right_square_bracket",
            "next_waiter",
            "Next waiter",
            key_display="]",
            show=False,
            tooltip="Select the next waiter of the selected condition (for w)",
            id="next-waiter",
        ),
        Binding(
            "right",
            "forward",
            "Forward",
            key_display="→",
            show=False,
            tooltip="Go forward one step: along the recorded run after going back, else a new step",
            id="forward",
            priority=True,  # before the scrolling panels' own arrow keys
        ),
        Binding(
            "home",
            "go_start",
            "Start",
            show=False,
            tooltip="Go to step 0 (the recorded run is kept)",
            id="start",
            priority=True,  # before the scrolling panels' own arrow keys
        ),
        Binding(
            "end",
            "go_end",
            "End",
            show=False,
            tooltip="Go to the last recorded step",
            id="end",
            priority=True,  # before the scrolling panels' own arrow keys
        ),
        Binding(
            "g",
            "goto",
            "Go to step",
            show=False,
            tooltip="Type a step number and go there",
            id="goto",
        ),
        Binding(
            "t",
            "toggle_timeline",
            "Timeline",
            show=False,
            tooltip="Show or hide the timeline (at small sizes it takes the event log's place)",
            id="timeline",
        ),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            show=False,
            tooltip="Save this run up to this step as a run file (threadlab replay FILE)",
            id="save",
        ),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            tooltip="Keys, thread states and this scenario explained",
            id="help",
        ),
        Binding(
            "q", "back", "Back", tooltip="Stop this run and go back to the scenarios", id="back"
        ),
        Binding("q", "quit_app", "Quit", tooltip="Stop this run and quit", id="quit"),
        Binding(
            "r", "restart", "Restart", tooltip="Start this run again from step 0", id="restart"
        ),
    ]

    # Plain class attributes: Textual declares them "ClassVar[...] | None".
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]  # noqa: RUF012

    snapshot: reactive[Snapshot | None] = reactive(None, init=False)
    """The latest snapshot of the run: the one thing every panel draws from.

    Set by the timer when the run's revision changed (and right after a control action), so
    panels redraw at most ~30 times a second however fast the run goes.
    """
    chosen_condition: reactive[str | None] = reactive(None, init=False)
    """The condition the user picked with c (None: pick the one with waiters)."""
    chosen_waiter: reactive[str | None] = reactive(None, init=False)
    """The waiter the user picked with [ and ] (None or gone: the first in the queue)."""

    def __init__(
        self, runtime: Runtime, *, back_to_picker: bool = False, start_at: int = 0
    ) -> None:
        super().__init__()
        self.runtime = runtime
        """The run this screen shows and steers; started on mount, stopped on unmount."""
        self.start_at = start_at
        """The step to open at, re-executing the runtime's recorded history (replay)."""
        self.back_to_picker = back_to_picker
        """Whether q goes back to the scenario picker (else it quits the app)."""
        self._epoch = 0
        self._started = False
        self._shown: tuple[int, int] | None = None
        self._timer: Timer | None = None
        self._binding_state: tuple[object, ...] = ()

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        scenario = self.runtime.config.scenario
        with Vertical(id="heading"):
            yield Static(
                Text.assemble(
                    ("threadlab", "bold"),
                    "  ·  ",
                    (scenario.title, "bold"),
                    ("   (press ? for help)", "dim"),
                ),
                id="title",
            )
            yield Static(scenario.explanation, id="explanation")
        yield VerdictBanner(id="verdict")
        with Horizontal(id="main"):
            yield SourcePanel(id="source")
            with VerticalScroll(id="side"):
                yield ThreadsPanel(id="threads")
                yield WatchesPanel(id="watches")
                yield PrimitivesPanel(id="primitives")
        yield TimelinePanel(id="timeline")
        yield EventLog(id="events")
        yield HintLine(id="hint")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#source").border_title = "Source"
        self.query_one("#threads").border_title = "Threads"
        self.query_one("#primitives").border_title = "Primitives"
        self.query_one("#events").border_title = "Events"
        self.query_one("#timeline").border_title = "Timeline"
        self.query_one("#watches").border_title = "State"
        try:
            self.runtime.start(at_step=self.start_at)
        except ReplayDiverged as diverged:
            self.notify(f"cannot replay this run: {diverged}", severity="error", timeout=10)
        self._started = True
        self.refresh_snapshot(force=True)
        self._timer = self.set_interval(FRAME_INTERVAL, self.refresh_snapshot)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.runtime.stop()

    # ------------------------------------------------------------- data flow

    def refresh_snapshot(self, force: bool = False) -> None:
        """Pull a snapshot from the runtime; publish it if the run changed (or ``force``)."""
        if not self._started:
            return  # the panels are not there yet; on_mount publishes the first snapshot
        snapshot = self.runtime.snapshot()
        key = (self._epoch, snapshot.revision)
        if force or key != self._shown:
            self._shown = key
            self.snapshot = snapshot

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None:
            return
        with self.app.batch_update():
            for panel in (
                self.query_one(SourcePanel),
                self.query_one(ThreadsPanel),
                self.query_one(PrimitivesPanel),
                self.query_one(EventLog),
                self.query_one(TimelinePanel),
                self.query_one(WatchesPanel),
                self.query_one(StatusLine),
                self.query_one(VerdictBanner),
                self.query_one(HintLine),
            ):
                panel.snapshot = snapshot
            self._publish_selection()

    def watch_chosen_condition(self) -> None:
        self._publish_selection()

    def watch_chosen_waiter(self) -> None:
        self._publish_selection()

    @property
    def selection(self) -> Selection:
        """The condition and waiter that s, b and w act on now."""
        return resolve(self.snapshot, self.chosen_condition, self.chosen_waiter)

    def _selected_queue(self) -> tuple[str, ...]:
        condition = self.selection.condition
        if condition is None or self.snapshot is None:
            return ()
        return self.snapshot.primitive(condition).queue

    def _publish_selection(self) -> None:
        self.query_one(PrimitivesPanel).selection = self.selection
        state = (len(conditions(self.snapshot)), len(self._selected_queue()) > 1)
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    # -------------------------------------------------------------- controls

    def _control(self, action: Callable[..., Any], *args: Any) -> bool:
        """Call a runtime control method; a refusal becomes a short notification."""
        try:
            action(*args)
        except ControlRefused as refused:
            self.notify(str(refused), severity="warning", timeout=4, markup=False)
            return False
        self.refresh_snapshot()
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.back_to_picker
        if action == "quit_app":
            return not self.back_to_picker
        if action == "post_event":
            return bool(self.runtime.event_queue_names())
        if action in _CONDITION_ACTIONS:
            count = len(conditions(self.snapshot))
            if count == 0:
                return False
            if action == "next_condition":
                return True if count > 1 else None
            if action in ("next_waiter", "previous_waiter"):
                return True if len(self._selected_queue()) > 1 else None
        return True

    def action_toggle_pause(self) -> None:
        self._control(self.runtime.toggle_pause)

    def action_step(self) -> None:
        self._control(self.runtime.step)

    def action_step_thread(self, number: int) -> None:
        snapshot = self.snapshot
        threads = snapshot.threads if snapshot is not None else ()
        by_number = {t.index: t.name for t in threads}
        if number not in by_number:
            self.notify(
                f"there is no thread {number} (threads 1-{len(threads)})",
                severity="warning",
                timeout=4,
            )
            return
        self.step_thread(by_number[number])

    def step_thread(self, name: str) -> None:
        """Grant one step to the thread called ``name``."""
        self._control(self.runtime.step_thread, name)

    def action_speed_up(self) -> None:
        if self.runtime.speed is None:
            self.notify("already at max speed", timeout=3)
            return
        self.set_speed(faster(self.runtime.speed))

    def action_slow_down(self) -> None:
        speed = self.runtime.speed
        if speed is not None and slower(speed) == speed:
            self.notify(f"already at the slowest speed ({format_speed(speed)})", timeout=3)
            return
        self.set_speed(slower(speed))

    def set_speed(self, speed: float | None) -> None:
        """Run at ``speed`` steps a second (None: as fast as possible)."""
        self._control(self.runtime.set_speed, speed)

    def _condition_or_notify(self) -> str | None:
        condition = self.selection.condition
        if condition is None:
            self.notify("this scenario has no condition variable", severity="warning")
        return condition

    def action_signal(self) -> None:
        condition = self._condition_or_notify()
        if condition is not None:
            self.signal(condition)

    def action_broadcast(self) -> None:
        condition = self._condition_or_notify()
        if condition is not None:
            self.broadcast(condition)

    def action_spurious(self) -> None:
        selection = self.selection
        if self._condition_or_notify() is not None:
            self.spurious_wakeup(selection.condition or "", selection.waiter)

    def signal(self, condition: str) -> None:
        """Signal ``condition``: its first waiter wakes."""
        self._control(self.runtime.signal, condition)

    def broadcast(self, condition: str) -> None:
        """Broadcast on ``condition``: every waiter wakes."""
        self._control(self.runtime.broadcast, condition)

    def spurious_wakeup(self, condition: str, waiter: str | None) -> None:
        """Wake ``waiter`` (None: the first) from ``condition`` with no signal at all."""
        self._control(self.runtime.spurious_wakeup, condition, waiter)

    def action_next_condition(self) -> None:
        self.chosen_condition = next_condition(self.snapshot, self.selection.condition)
        self.chosen_waiter = None

    def action_next_waiter(self) -> None:
        self.chosen_waiter = next_waiter(self.snapshot, self.selection, 1)

    def action_previous_waiter(self) -> None:
        self.chosen_waiter = next_waiter(self.snapshot, self.selection, -1)

    def action_restart(self) -> None:
        """Stop this run and start it again from step 0 (same seed, same variant)."""
        self.runtime.restart()
        self._epoch += 1
        self.chosen_waiter = None
        self.refresh_snapshot(force=True)
        self.notify("restarted from step 0", timeout=2)

    def action_post_event(self) -> None:
        queues = self.runtime.event_queue_names()
        if not queues:
            self.notify("this scenario has no event queue", severity="warning")
            return
        self.post_event(queues[0])

    def post_event(self, queue: str) -> None:
        """Post an event to ``queue`` as the user."""
        self._control(self.runtime.post_event, queue)

    # ----------------------------------------------------------- time travel

    def action_step_back(self) -> None:
        self._travel(self.runtime.step_back)

    def action_forward(self) -> None:
        snapshot = self.snapshot
        if snapshot is not None and snapshot.step < snapshot.history_length:
            self.go_to(snapshot.step + 1)
        else:
            self.action_step()

    def action_go_start(self) -> None:
        self.go_to(0)

    def action_go_end(self) -> None:
        self.go_to(self.runtime.history_length)

    def action_goto(self) -> None:
        snapshot = self.snapshot
        current = snapshot.step if snapshot is not None else 0

        def chosen(step: int | None) -> None:
            if step is not None:
                self.go_to(step)

        self.app.push_screen(GotoScreen(current, self.runtime.history_length), chosen)

    def go_to(self, step: int) -> None:
        """Show the run exactly as it was at ``step`` (re-executed from the start)."""
        self._travel(self.runtime.goto, step)

    def _travel(self, action: Callable[..., Any], *args: Any) -> None:
        try:
            action(*args)
        except ControlRefused as refused:
            self.notify(str(refused), severity="warning", timeout=4, markup=False)
        except ReplayDiverged as diverged:
            self.notify(str(diverged), severity="error", timeout=8, markup=False)
        self.chosen_waiter = None
        self.refresh_snapshot(force=True)

    def action_toggle_timeline(self) -> None:
        short = self.has_class("-short")
        self.toggle_class("-timeline" if short else "-no-timeline")

    def action_save(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        path = default_run_file(snapshot)
        self.save_run(path)

    def save_run(self, path: str) -> bool:
        """Write this run, up to the step shown, as a run file at ``path``."""
        try:
            run = runfile.record(self.runtime.config, self.runtime.history(up_to_now=True))
            runfile.save(path, run)
        except (ConfigError, OSError) as error:
            self.notify(f"not saved: {error}", severity="error", timeout=8, markup=False)
            return False
        self.notify(f"saved to {path}: threadlab replay {path}", timeout=8, markup=False)
        return True

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.runtime.config, self.key_help()))

    def action_back(self) -> None:
        self.dismiss()

    def action_quit_app(self) -> None:
        self.app.exit()

    # ---------------------------------------------------- palette and help

    def _travel_commands(self, snapshot: Snapshot) -> Iterator[SystemCommand]:
        """Going back and forth in the recorded run, and saving it."""
        last = snapshot.history_length
        if snapshot.step > 0:
            yield SystemCommand(
                f"Back to step {snapshot.step - 1}",
                "Show exactly the state one step earlier",
                self.action_step_back,
            )
            yield SystemCommand("Go to step 0", "The start of the run", self.action_go_start)
        if snapshot.step < last:
            yield SystemCommand(
                f"Forward to step {snapshot.step + 1}",
                "Replay the next recorded step",
                self.action_forward,
            )
            yield SystemCommand(f"Go to step {last}", "The last recorded step", self.action_go_end)
        yield SystemCommand("Go to step…", "Type the step to show", self.action_goto)
        yield SystemCommand(
            "Save run file",
            f"Write this run up to step {snapshot.step} as {default_run_file(snapshot)}",
            self.action_save,
        )

    def key_help(self) -> list[KeyHelp]:
        """Every key of this screen that applies, for the help screen."""
        rows: list[KeyHelp] = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if not binding.show and binding.id not in HELP_ONLY:
                continue
            action = binding.action.split("(")[0]
            if self.check_action(action, ()) is False:
                continue
            key = binding.key_display or binding.key.split(",")[0]
            rows.append(KeyHelp(key, binding.description, binding.tooltip))
        return rows

    def commands(self) -> Iterator[SystemCommand]:
        """Command palette entries, one per action and target, for what applies now."""
        snapshot = self.snapshot
        if snapshot is None:
            return
        ended = snapshot.run_state in (RunState.FINISHED, RunState.DEADLOCK, RunState.VIOLATION)
        if not ended:
            if self.runtime.is_paused:
                yield SystemCommand(
                    "Resume",
                    "Let the run go at its speed",
                    partial(self._control, self.runtime.resume),
                )
            else:
                yield SystemCommand(
                    "Pause", "Stop granting steps", partial(self._control, self.runtime.pause)
                )
            yield SystemCommand(
                "Step", "Take one step; the scheduler picks the thread", self.action_step
            )
            for thread in snapshot.threads:
                if thread.state.can_run:
                    yield SystemCommand(
                        f"Step {thread.name}",
                        f"Grant one step to thread {thread.index} ({thread.operation})",
                        partial(self.step_thread, thread.name),
                    )
            for condition in conditions(snapshot):
                if not condition.queue:
                    continue
                waiting = ", ".join(condition.queue)
                yield SystemCommand(
                    f"Signal {condition.name}",
                    f"Wake {condition.queue[0]}, the first waiter",
                    partial(self.signal, condition.name),
                )
                yield SystemCommand(
                    f"Broadcast {condition.name}",
                    f"Wake every waiter: {waiting}",
                    partial(self.broadcast, condition.name),
                )
                for waiter in condition.queue:
                    yield SystemCommand(
                        f"Spurious wakeup {waiter} on {condition.name}",
                        f"Wake {waiter} with no signal at all",
                        partial(self.spurious_wakeup, condition.name, waiter),
                    )
        for speed in SPEEDS:
            if speed != self.runtime.speed:
                yield SystemCommand(
                    f"Speed {format_speed(speed)}",
                    "Set how fast the run goes",
                    partial(self.set_speed, speed),
                )
        if not ended:
            for queue in self.runtime.event_queue_names():
                yield SystemCommand(
                    f"Post an event to {queue}",
                    "Its handler runs when the loop takes it",
                    partial(self.post_event, queue),
                )
        yield from self._travel_commands(snapshot)
        yield SystemCommand("Restart", "Start this run again from step 0", self.action_restart)
        yield SystemCommand("Help", "Keys, states and this scenario", self.action_help)
        if self.back_to_picker:
            yield SystemCommand("Back to scenarios", "Stop this run", self.action_back)
