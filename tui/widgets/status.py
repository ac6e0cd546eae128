"""The status line: scenario, variant, seed, step, run state (and a program's exit
status) and speed (never a clock)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ...engine.snapshot.model import RunState, Snapshot

RUN_STATE_GLYPHS: dict[RunState, str] = {
    RunState.RUNNING: "▶",
    RunState.PAUSED: "‖",
    RunState.FINISHED: "✓",
    RunState.DEADLOCK: "✗",
    RunState.LOST_WAKEUP: "✗",
    RunState.VIOLATION: "✗",
    RunState.FAILED: "✗",
    RunState.LOOP_BLOCKED: "✗",
    RunState.STARVATION: "✗",
}


def format_speed(speed: float | None) -> str:
    """'4 steps/s', '1 step/s' or 'max'."""
    if speed is None:
        return "max"
    number = f"{speed:g}"
    return f"{number} step/s" if speed == 1 else f"{number} steps/s"


def exit_words(snapshot: Snapshot) -> str:
    """' (exit status 3)' once a program has ended with a status other than 0 (its
    ``sys.exit(3)``); nothing for a program that ends normally."""
    status = snapshot.exit_status
    if status is None or status == 0 or snapshot.run_state is not RunState.FINISHED:
        return ""
    return f" (exit status {status})"


class StatusLine(Widget):
    """One line that says which run this is and where it stands."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status--label",
        "status--running",
        "status--paused",
        "status--finished",
        "status--ended",
    }

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        & > .status--label { color: $text-muted; }
        & > .status--running { color: $success; text-style: bold; }
        & > .status--paused { color: $warning; text-style: bold; }
        & > .status--finished { color: $primary; text-style: bold; }
        & > .status--ended { color: $error; text-style: bold; }
        /* a light theme's success and warning are faint as text on its panel colour (even
         * its text colours for them): the state in its foreground on a tint of the colour */
        &:light {
            & > .status--running { color: $foreground; background: $success 35%; }
            & > .status--paused { color: $foreground; background: $warning 35%; }
            & > .status--finished { color: $foreground; background: $primary 25%; }
            & > .status--ended { color: $foreground; background: $error 30%; }
        }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None)
    """The run described."""

    def render(self) -> Text:
        snapshot = self.snapshot
        if snapshot is None:
            return Text("")
        label = self.get_component_rich_style("status--label")
        state = snapshot.run_state
        state_class = {
            RunState.RUNNING: "status--running",
            RunState.PAUSED: "status--paused",
            RunState.FINISHED: "status--finished",
        }.get(state, "status--ended")
        state_text = Text(
            f"{RUN_STATE_GLYPHS[state]} {state.value}{exit_words(snapshot)}",
            self.get_component_rich_style(state_class),
        )
        # After going back, say how far the recorded run goes (→ and End go forward).
        rewound = (
            f" of {snapshot.history_length}" if snapshot.history_length > snapshot.step else ""
        )
        full = Text.assemble(
            (snapshot.scenario, "bold"),
            ("  │  variant ", label),
            snapshot.variant,
            ("  │  seed ", label),
            str(snapshot.seed),
            ("  │  step ", label),
            (str(snapshot.step), "bold"),
            (rewound, label),
            ("  │  ", label),
            state_text,
            ("  │  speed ", label),
            format_speed(snapshot.speed),
            ("  (+ -)", label),
        )
        if full.cell_len <= self.size.width - 2:
            return full
        return Text.assemble(
            (snapshot.scenario, "bold"),
            ("/", label),
            snapshot.variant,
            ("  seed ", label),
            str(snapshot.seed),
            ("  step ", label),
            (str(snapshot.step), "bold"),
            (rewound, label),
            "  ",
            state_text,
            ("  speed ", label),
            format_speed(snapshot.speed).replace(" steps", "").replace(" step", ""),
            (" (+ -)", label),
            no_wrap=True,
            overflow="ellipsis",
        )
