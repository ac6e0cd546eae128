"""The hint line: a calm word on what to do when the run waits for the user."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from threadlab.engine.model import RunState, Snapshot
from threadlab.tui.widgets.verdict import shows_verdict

CONDITION_KEYS = "Press s to signal, b to broadcast, w for a spurious wakeup"


def hint_for(snapshot: Snapshot | None) -> str | None:
    """What the user can do next, when the run waits for them (None otherwise)."""
    if snapshot is None or shows_verdict(snapshot):
        return None
    if snapshot.idle_reason:
        reason = snapshot.idle_reason.rstrip(".")
        return f"{reason[:1].upper()}{reason[1:]}. {CONDITION_KEYS}."
    if snapshot.run_state is RunState.FINISHED:
        return "Every thread has finished. Press r to run it again."
    if snapshot.run_state is RunState.PAUSED:
        return "Paused: press space to run, n to take one step, 1-9 to step a thread."
    return None


class HintLine(Widget):
    """Shown only while there is a hint."""

    DEFAULT_CSS = """
    HintLine {
        height: auto;
        display: none;
        &.-shown { display: block; }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, layout=True)
    """The run the hint is about."""

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        self.set_class(hint_for(snapshot) is not None, "-shown")

    def render(self) -> Text:
        hint = hint_for(self.snapshot)
        return Text(f"➜ {hint}" if hint else "")
