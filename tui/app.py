"""The threadlab app: the scenario picker, and a live screen per scenario run.

The app creates each run; the scenario screen starts it when it mounts and stops it when
it goes away, so no scenario thread outlives its screen or the app. Each run's program runs
in a process of its own (``ProcessRuntime``), as a debugger runs its debuggee: whatever it
does to that process (``os._exit``, ``input()``, a crash, output of its own children) cannot
reach the app or the terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterable

from rich.text import Text
from textual.app import App, ScreenStackError, SystemCommand
from textual.css.query import NoMatches
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen

from ..engine.core.history import History
from ..engine.debuggee.controls import RunControls
from ..engine.debuggee.host import ProcessRuntime
from ..engine.formats.files import OutputError, new_file, output_file
from ..engine.lesson.scenario import RunConfig
from ..engine.runtime import DEFAULT_SPEED, Runtime
from .challenges import ChallengeStore
from .screens.challenges import ChallengesScreen
from .screens.controller import run_stem
from .screens.picker import PickerScreen
from .screens.scenario import ScenarioScreen
from .widgets.hint import MESSAGE_SECONDS, HintLine


def leaving_words(unstoppable: tuple[str, ...]) -> str | None:
    """One line saying which threads could not be stopped, or None when every one was."""
    if not unstoppable:
        return None
    names = ", ".join(dict.fromkeys(unstoppable))
    one = len(set(unstoppable)) == 1
    return (
        f"threadlab: {names} {'was' if one else 'were'} running outside the schedule and "
        f"could not be stopped; {'it ends' if one else 'they end'} with threadlab"
    )


RUN_IN_ITS_OWN_PROCESS = True
"""Whether each run's program runs in a process of its own. Tests of the screens turn it off
to run faster (``tests/tui/conftest.py``); tests of their own run the app with it on."""


class ThreadlabApp(App[None]):
    """Pick a scenario, then watch and steer its threads.

    Args:
        config: the run to open directly; None opens the scenario picker.
        paused: start each run paused (nothing happens until you step or resume).
        speed: steps per second for each run, or None for as fast as possible.
        history: a recorded history for the run of ``config`` (a run file's): the run
            opens at its last step.
        preemptions: the steps of ``history`` to mark as preemptions on the timeline (a
            schedule the explorer found).
        explore_jobs: worker processes of the explore key's searches (None: the
            ``THREADLAB_EXPLORE_JOBS`` environment variable, else the machine's cores).
        save_dir: the folder ctrl+s and the Screenshot command save into ('' is the
            current one); a new file each time, never one that exists.

    Notifications (Textual's own, such as ctrl+c's "press ctrl+q to quit") go to the
    screen's message line when it has one, in place of the previous message; elsewhere a
    new one replaces the toast before it: nothing piles up.
    """

    CSS_PATH = "threadlab.tcss"
    TITLE = "threadlab"

    def __init__(
        self,
        config: RunConfig | None = None,
        *,
        paused: bool = False,
        speed: float | None = DEFAULT_SPEED,
        history: History | None = None,
        preemptions: tuple[int, ...] = (),
        explore_jobs: int | None = None,
        save_dir: str = "",
    ) -> None:
        super().__init__()
        self.save_dir = save_dir
        self.config = config
        self.paused = paused
        self.speed = speed
        self.history = history
        self.preemptions = preemptions
        self.explore_jobs = explore_jobs
        self.challenges = ChallengeStore()
        """The best result of every challenge (in the user's data folder)."""
        self._runtimes: list[RunControls] = []

    def on_mount(self) -> None:
        # The terminal closed (SIGHUP) or the app was asked to end (SIGTERM): leave as on
        # q, its runs stopped, rather than run on with no terminal.
        loop = asyncio.get_running_loop()
        for hang_up in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(hang_up, self.exit)

    def get_default_screen(self) -> Screen[None]:
        if self.config is None:
            return PickerScreen()
        # A replayed run opens at its last step, re-executed exactly as it was recorded.
        start_at = len(self.history) if self.history is not None else 0
        return ScenarioScreen(
            self.new_runtime(self.config, self.history),
            start_at=start_at,
            preemptions=self.preemptions,
        )

    def new_runtime(
        self, config: RunConfig, history: History | None = None, *, paused: bool | None = None
    ) -> RunControls:
        """A run of ``config`` with the app's pace, or ``paused`` (started by the screen that
        shows it), in a process of its own unless ``RUN_IN_ITS_OWN_PROCESS`` is off."""
        paused = self.paused if paused is None else paused
        make = ProcessRuntime if RUN_IN_ITS_OWN_PROCESS else Runtime
        runtime = make(config, paused=paused, speed=self.speed, history=history)
        self._runtimes.append(runtime)
        return runtime

    def unstoppable(self) -> tuple[str, ...]:
        """The threads of the app's runs that could not be stopped (each ran outside the
        schedule and reached no checkpoint), once their screens have closed."""
        return tuple(name for runtime in self._runtimes for name in runtime.unstoppable())

    def leaving_words(self) -> str | None:
        """One line for the terminal on leaving, when some thread could not be stopped."""
        return leaving_words(self.unstoppable())

    def on_picker_screen_chosen(self, message: PickerScreen.Chosen) -> None:
        # paused at step 0: the learner starts it (space) or steps it (n, 1-9)
        runtime = self.new_runtime(message.config, paused=True)
        self.push_screen(ScenarioScreen(runtime, back_to_picker=True))

    def on_challenges_screen_chosen(self, message: ChallengesScreen.Chosen) -> None:
        # played paused at step 0; p on the scenario screen comes back to the list
        runtime = self.new_runtime(message.config, paused=True)
        self.push_screen(ScenarioScreen(runtime, back_to_picker=True))

    def show_challenges(self) -> None:
        """Open the challenges screen (over the picker)."""
        self.push_screen(ChallengesScreen(self.challenges))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":
                where = os.path.abspath(self.save_dir or os.curdir)
                yield SystemCommand(
                    "Screenshot",
                    f"Save an SVG picture of the screen in {where}",
                    lambda: self.set_timer(0.1, self.save_screen_picture),  # palette gone
                )
            else:
                yield command
        if isinstance(screen, ScenarioScreen):
            yield from screen.commands()
        if isinstance(screen, PickerScreen):
            yield SystemCommand(
                "Challenges",
                "Every challenge in the suggested order, with your progress (c)",
                self.show_challenges,
            )

    # ------------------------------------------------------- messages, files

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Say ``message`` on the screen's message line, in place of the one before; on a
        screen without one, as a toast that replaces the toast before it."""
        try:
            line = self.screen.query_one(HintLine)
        except (NoMatches, ScreenStackError):  # no screen yet, or one without a message line
            line = None
        if line is None:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
            return
        words = Text.from_markup(message).plain if markup else message
        if title:
            words = f"{title}{'' if title[-1] in '.?!:' else ':'} {words}"
        line.say(words, severity, MESSAGE_SECONDS if timeout is None else timeout)

    def on_notify(self, event: Notify) -> None:
        """A toast (on a screen without a message line) replaces the toasts before it.

        (Textual's own handler has just added it; the toasts are kept in its private
        ``_notifications``, for want of a public way to drop all but one.)
        """
        notifications = self._notifications
        notifications.clear()
        notifications.add(event.notification)
        self._refresh_notifications()

    def save_screen_picture(self) -> str | None:
        """Save an SVG picture of the screen in the save folder, under a name no file has;
        say where, or why not. Returns the path (None when not saved)."""
        screen = self.screen
        snapshot = screen.snapshot if isinstance(screen, ScenarioScreen) else None
        stem = "threadlab-screenshot" + (f"-{run_stem(snapshot)}" if snapshot else "")
        claimed = None
        try:
            picture = self.export_screenshot()
            path = claimed = new_file(self.save_dir, stem, ".svg")
            with output_file(path) as stream:
                stream.write(picture)
        except (OutputError, OSError) as error:
            if claimed is not None:
                with contextlib.suppress(OSError):
                    os.remove(claimed)  # the empty file claimed for it
            self.notify(f"screenshot not saved: {error}", severity="error", markup=False)
            return None
        whole = os.path.abspath(path)
        self.notify(f"screenshot saved to {whole}", markup=False, timeout=10)
        return whole

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Textual's screenshot action: a picture in the save folder (see
        ``save_screen_picture``)."""
        self.save_screen_picture()
