"""The scenario screen's keys: its bindings, and the rows the help screen lists for them."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding, BindingType

from .help import KeyHelp

SCENARIO_BINDINGS: list[BindingType] = [
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
        tooltip="Step thread N, numbered as in the threads panel (# for thread 10 and up)",
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
        "number_sign",
        "step_thread_prompt",
        "Step thread #",
        key_display="#",
        show=False,
        tooltip="Type a thread's number and step it: threads 10 and up have no key of their own",
        id="step-thread-number",
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
        "f",
        "next_file",
        "File",
        tooltip="Show the program's next file in the source panel (it has modules of its own)",
        id="next-file",
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
        "escape",
        "cancel",
        "Cancel",
        show=False,
        tooltip="Abandon a rewind or a search (x) under way: the run stays where it was",
        id="cancel",
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
        tooltip="Save this run up to this step as a new run file in the save folder "
        "(threadlab replay FILE)",
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
        "q",
        "quit_app",
        "Quit",
        tooltip="Quit threadlab (asks first: this run is lost unless saved; p there goes "
        "back to the scenarios)",
        id="quit",
    ),
    Binding(
        "p",
        "back",
        "Scenarios",
        show=False,
        tooltip="Stop this run and go back to the scenario picker",
        id="back",
    ),
    Binding("r", "restart", "Restart", tooltip="Start this run again from step 0", id="restart"),
    Binding(
        "v",
        "next_variant",
        "Variant",
        tooltip="Switch to the scenario's next variant, same parameters and seed, paused at step 0",
        show=False,
        id="variant",
    ),
    Binding(
        "x",
        "explore",
        "Explore",
        tooltip="Search this run's schedules for a deadlock, a broken invariant or a failure; "
        "a find opens at its failing step, its preemptions marked P on the timeline",
        id="explore",
    ),
]
"""Every key of the scenario screen (README's key table), with its footer and help text."""

HELP_ONLY = frozenset(
    {
        "back",
        "step-thread-number",
        "faster",
        "slower",
        "next-condition",
        "previous-waiter",
        "next-waiter",
        "forward",
        "start",
        "end",
        "goto",
        "cancel",
        "timeline",
        "save",
        "variant",
    }
)
"""Bindings left out of the footer (to fit 80 columns) but listed in the help screen."""


def key_help(bindings: list[BindingType], applies: Callable[[str], bool | None]) -> list[KeyHelp]:
    """The help screen's rows: each shown or help-only binding whose action ``applies``
    (not False; None means it applies but does nothing now)."""
    rows: list[KeyHelp] = []
    for binding in bindings:
        assert isinstance(binding, Binding)
        if not binding.show and binding.id not in HELP_ONLY:
            continue
        action = binding.action.split("(")[0]
        if applies(action) is False:
            continue
        key = binding.key_display or binding.key.split(",")[0]
        rows.append(KeyHelp(key, binding.description, binding.tooltip))
    return rows
