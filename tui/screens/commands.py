"""The scenario screen's command palette entries, built from the snapshot on screen.

Every action the keys offer is also a command, and each names its target explicitly
("Step T1", "Signal not_empty", "Spurious wakeup C1 on not_empty", "Back to step 11"), so a
command does the same thing whenever it is chosen. Only what applies to the snapshot shown
is listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Protocol

from textual.app import SystemCommand

from ...engine.snapshot.model import RunState, Snapshot
from ..widgets.status import format_speed
from .controller import RunController, default_run_file
from .controller import palette_key as _key
from .selection import conditions
from .speeds import SPEEDS

ENDED = frozenset({RunState.FINISHED, RunState.DEADLOCK, RunState.LOST_WAKEUP, RunState.VIOLATION})
"""Run states in which no step or action applies (only travel, restart and the rest)."""


class ScreenActions(Protocol):
    """The screen's own actions the palette offers beside the controller's."""

    back_to_picker: bool

    def action_goto(self) -> None: ...

    def action_help(self) -> None: ...

    def action_back(self) -> None: ...

    def action_save(self) -> None: ...

    def action_explore(self) -> None: ...

    def switch_variant(self, name: str) -> None: ...

    def cancel_exploring(self) -> bool: ...

    @property
    def exploring(self) -> bool: ...

    def show_file(self, path: str | None) -> None: ...


def palette_commands(
    snapshot: Snapshot, controller: RunController, screen: ScreenActions
) -> Iterator[SystemCommand]:
    """Command palette entries, one per action and target, for what applies now."""
    if snapshot.run_state not in ENDED:
        yield from _run_commands(snapshot, controller)
    for speed in SPEEDS:
        if speed != snapshot.speed:
            yield SystemCommand(
                f"Speed {format_speed(speed)}",
                "Set how fast the run goes",
                partial(controller.set_speed, speed),
            )
    if snapshot.run_state not in ENDED:
        for queue in snapshot.event_queues:
            yield SystemCommand(
                f"Post an event to {queue}",
                "Its handler runs when the loop takes it",
                partial(controller.post_event, queue, _key(f"Post an event to {queue}")),
            )
    for file in snapshot.files:
        yield SystemCommand(
            f"Show file {file.name}",
            "Show this file of the program in the source panel",
            partial(screen.show_file, file.path),
        )
    yield from _travel_commands(snapshot, controller, screen)
    yield SystemCommand("Restart", "Start this run again from step 0", controller.restart)
    config = controller.runtime.config
    for variant in config.scenario.variants:
        if variant.name != config.variant:
            yield SystemCommand(
                f"Switch to variant {variant.name}",
                f"{variant.help} (same parameters and seed, paused at step 0)",
                partial(screen.switch_variant, variant.name),
            )
    if screen.exploring:
        yield SystemCommand(
            "Cancel exploring",
            "Stop the search for a failing schedule (escape)",
            screen.cancel_exploring,
        )
    else:
        yield SystemCommand(
            "Explore schedules",
            "Search this run's schedules for a deadlock, a broken invariant or a failure (x)",
            screen.action_explore,
        )
    yield SystemCommand("Help", "Keys, states and this scenario", screen.action_help)
    yield SystemCommand("Back to scenarios", "Stop this run (p)", screen.action_back)


def _run_commands(snapshot: Snapshot, controller: RunController) -> Iterator[SystemCommand]:
    """Pace, steps and the condition actions, while the run can still move."""
    if snapshot.pace_paused:
        yield SystemCommand(
            "Resume", "Let the run go at its speed", partial(controller.resume, _key("Resume"))
        )
    else:
        yield SystemCommand("Pause", "Stop granting steps", controller.pause)
    yield SystemCommand(
        "Step",
        "Take one step; the scheduler picks the thread",
        partial(controller.step, _key("Step")),
    )
    for thread in snapshot.threads:
        if thread.state.can_run:
            yield SystemCommand(
                f"Step {thread.name}",
                f"Grant one step to thread {thread.index} ({thread.operation})",
                partial(controller.step_thread, thread.name, _key(f"Step {thread.name}")),
            )
    for condition in conditions(snapshot):
        if not condition.queue:
            continue
        waiting = ", ".join(condition.queue)
        yield SystemCommand(
            f"Signal {condition.name}",
            f"Wake {condition.queue[0]}, the first waiter",
            partial(controller.signal, condition.name, _key(f"Signal {condition.name}")),
        )
        yield SystemCommand(
            f"Broadcast {condition.name}",
            f"Wake every waiter: {waiting}",
            partial(controller.broadcast, condition.name, _key(f"Broadcast {condition.name}")),
        )
        for waiter in condition.queue:
            yield SystemCommand(
                f"Spurious wakeup {waiter} on {condition.name}",
                f"Wake {waiter} with no signal at all",
                partial(
                    controller.spurious_wakeup,
                    condition.name,
                    waiter,
                    _key(f"Spurious wakeup {waiter} on {condition.name}"),
                ),
            )


def _travel_commands(
    snapshot: Snapshot, controller: RunController, screen: ScreenActions
) -> Iterator[SystemCommand]:
    """Going back and forth in the recorded run, and saving it."""
    step, last = snapshot.step, snapshot.history_length
    if step > 0:
        yield SystemCommand(
            f"Back to step {step - 1}",
            "Show exactly the state one step earlier",
            partial(controller.go_to, step - 1),
        )
        yield SystemCommand("Go to step 0", "The start of the run", partial(controller.go_to, 0))
    if step < last:
        yield SystemCommand(
            f"Forward to step {step + 1}",
            "Replay the next recorded step",
            partial(controller.go_to, step + 1),
        )
        yield SystemCommand(
            f"Go to step {last}", "The last recorded step", partial(controller.go_to, last)
        )
    yield SystemCommand("Go to step…", "Type the step to show", screen.action_goto)
    yield SystemCommand(
        "Save run file",
        f"Write this run up to step {step} as {default_run_file(snapshot)}",
        screen.action_save,
    )
