"""A scenario's live view: source, threads, primitives, event log, status, and the keys.

Data flows one way. A timer pulls ``runtime.snapshot()`` (at most ~30 times a second) into
the one reactive ``snapshot``; its watcher hands it to the panels whose part of it changed
(``panel_feed``), under ``app.batch_update()``. Keys and palette commands go through the
controller (``controller``) to the runtime's control methods and nowhere else; slow ones
(rewind, go to, restart) run in a thread worker, and meanwhile the timer does not pull, as
the runtime is busy re-executing. Scenario threads never call into the UI.

The explore key (x) searches the run's schedules in another worker (``exploring``) while the
run on screen stays as it is; a failing schedule it finds takes the run's place, opened at
its failing step, with its preemptions marked on the timeline.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from rich.text import Text
from textual.app import ComposeResult, ScreenStackError, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.scalar import Scalar
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from ...engine.core.history import History
from ...engine.debuggee.controls import RunControls
from ...engine.explore import ExploreResult
from ...engine.lesson.scenario import RunConfig
from ...engine.runtime import Runtime
from ...engine.snapshot.model import Snapshot
from ..challenges import ChallengeStore
from ..widgets.events import EventLog
from ..widgets.hint import HintLine, HintMessage
from ..widgets.output import OutputPanel
from ..widgets.primitives import PrimitivesPanel
from ..widgets.source import SourcePanel
from ..widgets.status import StatusLine
from ..widgets.threads import ThreadsPanel
from ..widgets.timeline import TimelinePanel
from ..widgets.verdict import VerdictBanner
from ..widgets.watches import WatchesPanel
from .challenge_play import ChallengePlay
from .commands import palette_commands
from .controller import RunController
from .exploring import ALREADY, Exploration, Opening, explore_jobs, failure_message
from .goto import GotoScreen, ThreadPrompt
from .help import HelpScreen, KeyHelp
from .keys import SCENARIO_BINDINGS, key_help
from .panel_feed import (
    PANEL_PARTS,
    SLOW_PANELS,
    PanelFeed,
    PanelPart,
    PanelShape,
    SnapshotPanel,
    recent_events,
)
from .quitting import Leaving, QuitScreen
from .selection import Selection, conditions, next_condition, next_file, next_waiter, resolve

STEP_PATIENCE = 0.2
"""Seconds s, b or w wait for a step just asked for to be taken (a thread running outside
the schedule may never reach a checkpoint: then the key acts on the run as it is)."""

FRAME_INTERVAL = 1 / 30
"""Seconds between two snapshot pulls: at most ~30 redraws a second, however fast it runs."""

TRAVEL_GROUP = "travel"
"""The worker group of trips (rewind, go to, restart): one runs at a time."""

EXPLORE_GROUP = "explore"
"""The worker group of the explore key's search: one runs at a time."""
BACKGROUND_GROUP = "background"
"""Workers of slow work that is no trip (writing a run file)."""

_CONDITION_ACTIONS = frozenset(
    {"signal", "broadcast", "spurious", "next_condition", "next_waiter", "previous_waiter"}
)


@runtime_checkable
class RunMaker(Protocol):
    """What the screen asks of the app (``ThreadlabApp``) for the explore key."""

    explore_jobs: int | None
    """Worker processes of a search (None: ``THREADLAB_EXPLORE_JOBS``, else the cores)."""

    def new_runtime(
        self, config: RunConfig, history: History | None = None, *, paused: bool | None = None
    ) -> RunControls:
        """A run of ``config`` (following ``history``), not started yet."""
        ...


@runtime_checkable
class ChallengeKeeper(Protocol):
    """What the screen asks of the app (``ThreadlabApp``) for challenges."""

    challenges: ChallengeStore
    """Where the best result of every challenge is kept."""


@runtime_checkable
class SaveFolder(Protocol):
    """What the screen asks of the app (``ThreadlabApp``) for ctrl+s."""

    save_dir: str
    """The folder ctrl+s and screenshots save into ('' is the current one)."""


@dataclass(frozen=True)
class Explored:
    """A schedule the explorer found (or a run file of one), and the run that shows it."""

    runtime: RunControls
    history: History
    preemptions: tuple[int, ...]
    """The steps where the schedule switched away from a thread that could have gone on."""


def agreeing_steps(found: History, now: History) -> int:
    """How many first steps of ``now`` are those of ``found`` (the same thread, after the
    same user actions): the steps where ``found``'s marks still hold."""
    agree = 0
    for was, is_now in zip(found.steps, now.steps, strict=False):
        if History.decode(was)[0] != History.decode(is_now)[0]:
            break
        agree += 1
    for index in range(max(len(found.actions), len(now.actions))):
        a, b = found.actions[index : index + 1], now.actions[index : index + 1]
        if a != b:  # the steps up to this action's are the same; those after it are not
            return min(agree, *(step for step, _ in a + b))
    return agree


class ScenarioScreen(Screen[None]):
    """Watch and steer one run of a scenario."""

    BINDINGS: ClassVar[list[BindingType]] = SCENARIO_BINDINGS

    # Plain class attributes: Textual declares them "ClassVar[...] | None".
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]  # noqa: RUF012

    snapshot: reactive[Snapshot | None] = reactive(None, init=False, repaint=False)
    """The latest snapshot of the run: the one thing every panel draws from.

    Set by the timer when the run's revision changed (and right after a control action), so
    panels redraw at most ~30 times a second however fast the run goes.
    """
    chosen_condition: reactive[str | None] = reactive(None, init=False, repaint=False)
    """The condition the user picked with c (None: pick the one with waiters)."""
    chosen_waiter: reactive[str | None] = reactive(None, init=False, repaint=False)
    """The waiter the user picked with [ and ] (None or gone: the first in the queue)."""

    def __init__(
        self,
        runtime: RunControls,
        *,
        back_to_picker: bool = False,
        start_at: int = 0,
        preemptions: tuple[int, ...] = (),
    ) -> None:
        """``preemptions``: the steps to mark as preemptions on the timeline (a run file of
        a schedule the explorer found)."""
        super().__init__()
        self.controller = RunController(runtime, self)
        """Every control call and its feedback goes through it."""
        self.start_at = start_at
        """The step to open at, re-executing the runtime's recorded history (replay)."""
        self.back_to_picker = back_to_picker
        """Whether it was opened from the scenario picker (p goes back to it; else p opens
        a new picker in its place)."""
        self._epoch = 0
        self._background_done: dict[int, Callable[[HintMessage], None]] = {}
        """What to do when each background worker ends (by the worker's id)."""
        self._started = False
        self._shown: tuple[int, int] | None = None
        self._timer: Timer | None = None
        self._binding_state: tuple[object, ...] = ()
        self._feed: PanelFeed | None = None
        self._exploration: Exploration | None = None
        """The explore key's search under way."""
        self._exploring_words = ""
        self._explored: Explored | None = None
        if preemptions:
            self._explored = Explored(runtime, runtime.history(), preemptions)
            self.show_timeline()  # the marks are what the run file is for
        self._marks_key: tuple[object, ...] = ()
        self._challenge: ChallengePlay | None = None
        """The run's challenge, judged at every snapshot (made on mount: it needs the app's
        store)."""
        self._help: HelpScreen | None = None
        """The help screen shown last, kept installed (``_help_screen``)."""

    @property
    def runtime(self) -> RunControls:
        """The run this screen shows; started on mount, stopped on unmount. A find of the
        explore key takes its place."""
        return self.controller.runtime

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
                yield OutputPanel(id="output")
                yield PrimitivesPanel(id="primitives")
        yield TimelinePanel(id="timeline")
        yield EventLog(id="events")
        yield Static(id="exploring")
        yield HintLine(id="hint")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for panel, title in (
            ("source", "Source"),
            ("threads", "Threads"),
            ("primitives", "Primitives"),
            ("events", "Events"),
            ("timeline", "Timeline"),
            ("watches", "State"),
            ("output", "Output"),
        ):
            self.query_one(f"#{panel}").border_title = title
        log = self.query_one(EventLog)
        shapes: dict[str, PanelShape] = {
            # the log is handed no more new events a frame than it has rows in view
            "events": lambda snapshot: recent_events(snapshot, log.scrollable_content_region.height)
        }
        panels: list[tuple[SnapshotPanel, PanelPart, PanelShape | None]] = []
        for panel_id, part in PANEL_PARTS.items():
            widget: SnapshotPanel = self.query_one(f"#{panel_id}")  # type: ignore[assignment]
            panels.append((widget, part, shapes.get(panel_id)))
        # The costly panels to draw (a table per primitive, the code, the log's lines).
        slow = [self.query_one(f"#{panel_id}") for panel_id in SLOW_PANELS]
        self._feed = PanelFeed(panels, slow)  # type: ignore[arg-type]
        self._hint = self.query_one(HintLine)
        self._primitives = self.query_one(PrimitivesPanel)
        self._source = self.query_one(SourcePanel)
        self._main = self.query_one("#main")
        self._side = self.query_one("#side")
        self._timeline = self.query_one(TimelinePanel)
        self._exploring_line = self.query_one("#exploring", Static)
        self._banner = self.query_one(VerdictBanner)
        app = self.app
        store = app.challenges if isinstance(app, ChallengeKeeper) else ChallengeStore()
        self._challenge = ChallengePlay(store)
        self._started = True
        if self.start_at:
            self.controller.open_at(self.start_at)  # a replay: re-executed in a worker
        else:
            self.runtime.start()
            self.refresh_snapshot(force=True)
        self._timer = self.set_interval(FRAME_INTERVAL, self._frame)

    def on_unmount(self) -> None:
        self.close_run()
        if self._help is not None:
            with contextlib.suppress(ScreenStackError):  # shown as the app ends: it goes too
                self.app.uninstall_screen(self._help)

    def close_run(self) -> None:
        """Stop the run and the search (the screen is going away, or left for good)."""
        if self._timer is not None:
            self._timer.stop()
        if self._exploration is not None:
            self._exploration.cancel.set()  # its worker ends at its next look
        self.controller.close()

    def _frame(self) -> None:
        self._show_exploring()
        self.refresh_snapshot()
        self._balance()  # cheap when nothing changed; catches a panel that grew on its own

    def on_resize(self) -> None:
        self.call_after_refresh(self._balance)

    def _balance(self) -> None:
        """On a tall screen, the code and side panels get no more rows than they fill: the
        rest goes to the event log (its share of the room, a quarter, is its least)."""
        if not self._started:
            return
        main, side = self._main, self._side
        wanted: int | None = None
        if self.has_class("-tall"):
            filled = sum(panel.outer_size.height for panel in side.children if panel.display)
            wanted = max(self._source.wanted_height, filled + side.gutter.height)
        if main.styles.max_height != (None if wanted is None else Scalar.from_number(wanted)):
            main.styles.max_height = wanted

    # ------------------------------------------------------------- data flow

    def refresh_snapshot(self, force: bool = False) -> None:
        """Pull a snapshot from the runtime; publish it if the run changed (or ``force``).

        Not while a trip is under way: the runtime holds its lock while it re-executes, and
        a pull would freeze the screen until it is done.
        """
        if not self._started:
            return
        if self.controller.travelling:
            self.controller.show_progress()
            return
        snapshot = self.runtime.snapshot()
        key = (self._epoch, snapshot.revision)
        if force or key != self._shown:
            self._shown = key
            self.snapshot = snapshot

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None or self._feed is None:
            return
        with self.app.batch_update():
            self._feed.publish(snapshot)
            self._publish_selection()
            self._publish_preemptions(snapshot)
            self._judge_challenge(snapshot)
        self.call_after_refresh(self._balance)  # the panels' new contents may fill more

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
        if not self._started:
            return
        self._primitives.selection = self.selection
        state = (
            len(conditions(self.snapshot)),
            len(self._selected_queue()) > 1,
            bool(self.snapshot is not None and self.snapshot.files),
        )
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def _publish_preemptions(self, snapshot: Snapshot) -> None:
        """Mark the found schedule's preemptions on the timeline, at the steps the run on
        screen still shares with it (none once it took another way)."""
        explored = self._explored
        if explored is None or explored.runtime is not self.runtime:
            self._timeline.preemptions = ()
            return
        key = (self._epoch, snapshot.step, snapshot.history_length)
        if key == self._marks_key:
            return
        self._marks_key = key
        agree = agreeing_steps(explored.history, self.runtime.history())
        self._timeline.preemptions = tuple(
            (step, History.decode(explored.history.steps[step - 1])[0])
            for step in explored.preemptions
            if step <= agree
        )

    def _judge_challenge(self, snapshot: Snapshot) -> None:
        """Show the challenge's goal, and its win (or what the run survived) on the banner."""
        play = self._challenge
        if play is None:
            return
        config = self.runtime.config
        self._hint.goal = play.goal(config)
        self._hint.winnable = play.winnable(config)
        judged = play.judge(config, snapshot, self._epoch, self.runtime.history, self._explored_to)
        self._banner.note = judged.note
        if judged.say is not None:
            self.controller.say(judged.say, "information", 8)

    def _explored_to(self, history: History, step: int) -> bool:
        """Whether ``history``'s first ``step`` steps are those of the explorer's find."""
        explored = self._explored
        if explored is None or explored.runtime is not self.runtime:
            return False
        return agreeing_steps(explored.history, history) >= step

    def marked_preemptions(self) -> tuple[int, ...]:
        """The steps marked as preemptions on the timeline now."""
        return tuple(step for step, _ in self._timeline.preemptions)

    # ------------------------------------------------------------- explore

    @property
    def exploring(self) -> bool:
        """Whether the explore key's search is under way."""
        return self._exploration is not None

    def _show_exploring(self) -> None:
        """Show the search's latest progress on its line (hidden when there is none)."""
        exploration = self._exploration
        words = f"⟳ {exploration.progress_line()}" if exploration is not None else ""
        if words != self._exploring_words:
            self._exploring_words = words
            self._exploring_line.update(Text(words))
            self._exploring_line.display = bool(words)

    def explore(self) -> None:
        """Search this run's schedules for one that fails, in a worker."""
        if self._exploration is not None:
            self.controller.say(ALREADY, "information", 3)
            return
        app = self.app
        jobs = explore_jobs(app.explore_jobs if isinstance(app, RunMaker) else None)
        try:
            exploration = Exploration(self.runtime.config, jobs)
        except Exception as error:
            message = failure_message(error)
            self.controller.say(message.text, message.severity, message.seconds)
            return
        self._exploration = exploration
        self._show_exploring()
        self.run_worker(
            exploration.run,
            name="explore",
            group=EXPLORE_GROUP,
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def cancel_exploring(self) -> bool:
        """Stop the search under way; False when there is none."""
        if self._exploration is None:
            return False
        self._exploration.cancel.set()
        return True

    def _explored_ended(self, worker: Worker[object], state: WorkerState) -> None:
        """The search's worker ended (on the UI thread): open its find, or say its end."""
        exploration, self._exploration = self._exploration, None
        self._show_exploring()
        if exploration is None:
            return
        if state is WorkerState.CANCELLED:  # by Textual (the screen or app is closing)
            exploration.cancel.set()  # the search itself stops at its next look
            return
        if state is WorkerState.ERROR:
            error = worker.error
            message = failure_message(error if error is not None else RuntimeError("unknown"))
            self.controller.say(message.text, message.severity, message.seconds)
            return
        result = worker.result
        if not isinstance(result, ExploreResult):
            return
        outcome = exploration.outcome(result)
        if isinstance(outcome, Opening):
            self._open_find(exploration.config, outcome)
        else:
            self.controller.say(outcome.text, outcome.severity, outcome.seconds)

    def _open_find(self, config: RunConfig, opening: Opening) -> None:
        """Put the found schedule in place of the run, opened at its failing step."""
        app = self.app
        if isinstance(app, RunMaker):
            runtime = app.new_runtime(config, opening.history, paused=True)
        else:
            runtime = Runtime(config, paused=True, history=opening.history)
        self._explored = Explored(runtime, opening.history, opening.finding.preemption_steps)
        self._marks_key = ()
        if opening.finding.preemption_steps:
            self.show_timeline()
        self.controller.swap_to(runtime, opening.step, opening.message)

    def show_timeline(self) -> None:
        """Show the timeline (at small sizes, in the event log's place), whatever t chose."""
        self.remove_class("-no-timeline")
        self.add_class("-timeline")

    # ------------------------------------------------- the controller's host

    def hint_line(self) -> HintLine:
        return self._hint

    def shown(self) -> Snapshot | None:
        return self.snapshot

    def start_trip(self, work: Callable[[], HintMessage | None]) -> None:
        self.run_worker(work, name="trip", group=TRAVEL_GROUP, exclusive=True, thread=True)

    def in_background(
        self, work: Callable[[], HintMessage], done: Callable[[HintMessage], None]
    ) -> None:
        # An error it did not turn into a message is said on the hint line, never a crash.
        worker = self.run_worker(work, group=BACKGROUND_GROUP, thread=True, exit_on_error=False)
        self._background_done[id(worker)] = done

    def trip_landed(self) -> None:
        self._epoch += 1
        self.chosen_waiter = None
        if self._feed is not None:
            self._feed.forget()
        self.refresh_snapshot(force=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == EXPLORE_GROUP:
            if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
                self._explored_ended(worker, event.state)
            return
        if worker.group == BACKGROUND_GROUP:
            if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
                done = self._background_done.pop(id(worker), None)
                result = worker.result
                if not isinstance(result, HintMessage):
                    result = HintMessage(f"failed: {worker.error or 'cancelled'}", "error")
                if done is not None:
                    done(result)
            return
        if worker.group != TRAVEL_GROUP:
            return
        if event.state is WorkerState.SUCCESS:
            result = worker.result
            self.controller.trip_finished(result if isinstance(result, HintMessage) else None)
        elif event.state is WorkerState.ERROR:
            failure = HintMessage(f"going there failed: {worker.error}", "error")
            self.controller.trip_finished(failure)

    # ----------------------------------------------------------------- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_file":
            return self.snapshot is not None and bool(self.snapshot.files)
        if action == "post_event":
            return self.snapshot is not None and bool(self.snapshot.event_queues)
        if action == "next_variant":
            return len(self.runtime.config.scenario.variants) > 1
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
        self.controller.toggle_pause("space")

    def action_step(self) -> None:
        self._source.chosen_file = None  # the panel follows the thread that steps
        self.controller.step("n")

    def action_step_thread(self, number: int) -> None:
        self._source.chosen_file = None
        self.controller.step_thread_number(number, str(number))

    def action_step_thread_prompt(self) -> None:
        threads = len(self.snapshot.threads) if self.snapshot is not None else 0

        def chosen(number: int | None) -> None:
            if number is not None:
                self.action_step_thread(number)

        self.app.push_screen(ThreadPrompt(max(1, threads)), chosen)

    def action_next_file(self) -> None:
        self.show_file(next_file(self.snapshot, self._source.shown))

    def show_file(self, path: str | None) -> None:
        """Show the program's file at ``path`` in the source panel."""
        self._source.show_file(path)

    def action_speed_up(self) -> None:
        self.controller.speed_up()

    def action_slow_down(self) -> None:
        self.controller.slow_down()

    def _current_selection(self) -> Selection:
        """The selection in the run as it is now, not as the last frame showed it: a step
        just asked for (4, then w faster than a frame) is taken first, so w wakes the
        waiter that step made."""
        if not self.controller.travelling:
            shown = self.snapshot
            if shown is not None and shown.pace_paused:
                self.runtime.wait_idle(STEP_PATIENCE)
            self.refresh_snapshot()
        return self.selection

    def _selected_condition(self, selection: Selection) -> str | None:
        if selection.condition is None:
            self.controller.say("this scenario has no condition variable")
        return selection.condition

    def action_signal(self) -> None:
        if (condition := self._selected_condition(self._current_selection())) is not None:
            self.controller.signal(condition, "s")

    def action_broadcast(self) -> None:
        if (condition := self._selected_condition(self._current_selection())) is not None:
            self.controller.broadcast(condition, "b")

    def action_spurious(self) -> None:
        selection = self._current_selection()
        if (condition := self._selected_condition(selection)) is not None:
            self.controller.spurious_wakeup(condition, selection.waiter, "w")

    def action_next_condition(self) -> None:
        self.chosen_condition = next_condition(self.snapshot, self.selection.condition)
        self.chosen_waiter = None

    def action_next_waiter(self) -> None:
        self.chosen_waiter = next_waiter(self.snapshot, self.selection, 1)

    def action_previous_waiter(self) -> None:
        self.chosen_waiter = next_waiter(self.snapshot, self.selection, -1)

    def action_post_event(self) -> None:
        queues = self.snapshot.event_queues if self.snapshot is not None else ()
        if not queues:
            self.controller.say("this scenario has no event queue")
            return
        self.controller.post_event(queues[0], "e")

    def action_restart(self) -> None:
        self.controller.restart()

    def action_step_back(self) -> None:
        self.controller.step_back()

    def action_forward(self) -> None:
        self.controller.forward()

    def action_go_start(self) -> None:
        self.controller.go_to(0)

    def action_go_end(self) -> None:
        self.controller.go_end()

    def action_goto(self) -> None:
        current, last = self.controller.whereabouts()

        def chosen(step: int | None) -> None:
            if step is not None:
                self.controller.go_to(step)

        self.app.push_screen(GotoScreen(current, last), chosen)

    def action_toggle_timeline(self) -> None:
        short = self.has_class("-short")
        self.toggle_class("-timeline" if short else "-no-timeline")

    def action_save(self) -> None:
        app = self.app
        folder = app.save_dir if isinstance(app, SaveFolder) else ""
        self.controller.save(preemptions=self.marked_preemptions(), folder=folder)

    def action_explore(self) -> None:
        self.explore()

    def action_next_variant(self) -> None:
        """Switch to the scenario's next variant (round the list)."""
        config = self.runtime.config
        names = [variant.name for variant in config.scenario.variants]
        if len(names) > 1:
            self.switch_variant(names[(names.index(config.variant) + 1) % len(names)])

    def switch_variant(self, name: str) -> None:
        """Put a run of variant ``name`` (same parameters and seed) in this run's place,
        paused at step 0."""
        config = dataclasses.replace(self.runtime.config, variant=name)
        app = self.app
        if isinstance(app, RunMaker):
            runtime = app.new_runtime(config, paused=True)
        else:
            runtime = Runtime(config, paused=True)
        self._explored = None  # the marks of a find belong to the run it replaces
        variant = next(v for v in config.scenario.variants if v.name == name)
        landed = HintMessage(f"variant {name}: {variant.help}", "information")
        self.controller.swap_to(runtime, 0, landed)

    def action_cancel(self) -> None:
        """Cancel the search and the rewind under way (the run stays where it was)."""
        exploring = self.cancel_exploring()
        rewinding = self.controller.cancel_trip()
        if not (exploring or rewinding):
            self.controller.say("no rewind or search to cancel", "information", 2)

    def action_help(self) -> None:
        def closed(then: str | None) -> None:
            if then == "quit":  # q in the help: quit, as q does everywhere (asked first)
                self.action_quit_app()

        self.app.push_screen(self._help_screen(), closed)

    def _help_screen(self) -> HelpScreen:
        """The help screen for this run and the keys that apply now: the one shown last
        time when they are the same, kept installed, so it opens without being built and
        drawn again (it answers within 100 ms during a rewind or a save)."""
        config, keys = self.runtime.config, self.key_help()
        kept = self._help
        if kept is not None and kept.config == config and kept.keys == keys:
            return kept
        if kept is not None:
            with contextlib.suppress(ScreenStackError):
                self.app.uninstall_screen(kept)
        self._help = HelpScreen(config, keys)
        self.app.install_screen(self._help, f"help-{id(self)}")
        return self._help

    def action_back(self) -> None:
        """Back to the scenario picker: the one this run was opened from, else a new one."""
        if self.back_to_picker:
            self.dismiss()
        else:  # opened directly: it is the app's first screen, left under the picker
            from .picker import PickerScreen

            self.close_run()
            self.app.push_screen(PickerScreen())

    def action_quit_app(self) -> None:
        """Quit threadlab, once the user says so (the run is lost unless saved)."""

        def chosen(choice: Leaving | None) -> None:
            if choice == "quit":
                self.app.exit()
            elif choice == "scenarios":
                self.action_back()

        self.app.push_screen(QuitScreen(), chosen)

    # ---------------------------------------------------- palette and help

    def key_help(self) -> list[KeyHelp]:
        """Every key of this screen that applies, for the help screen."""
        return key_help(self.BINDINGS, lambda action: self.check_action(action, ()))

    def commands(self) -> Iterator[SystemCommand]:
        """Command palette entries, one per action and target, for what applies now."""
        if self.snapshot is not None:
            yield from palette_commands(self.snapshot, self.controller, self)
