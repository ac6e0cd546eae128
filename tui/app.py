"""The threadlab app: the scenario picker, and a live screen per scenario run.

The app creates each run's ``Runtime``; the scenario screen starts it when it mounts and
stops it when it goes away, so no scenario thread outlives its screen or the app.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.screen import Screen

from threadlab.engine.history import History
from threadlab.engine.runtime import DEFAULT_SPEED, Runtime
from threadlab.engine.scenario import RunConfig
from threadlab.tui.screens.picker import PickerScreen
from threadlab.tui.screens.scenario import ScenarioScreen


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
    ) -> None:
        super().__init__()
        self.config = config
        self.paused = paused
        self.speed = speed
        self.history = history
        self.preemptions = preemptions
        self.explore_jobs = explore_jobs
        self._runtimes: list[Runtime] = []

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
    ) -> Runtime:
        """A run of ``config`` with the app's pace, or ``paused`` (started by the screen that
        shows it)."""
        paused = self.paused if paused is None else paused
        runtime = Runtime(config, paused=paused, speed=self.speed, history=history)
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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, ScenarioScreen):
            yield from screen.commands()
