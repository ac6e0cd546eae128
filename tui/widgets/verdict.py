"""The verdict banner: DEADLOCK, LOST WAKEUP, VIOLATION or FAILED in large type, what went
wrong, who is involved, and what to do next. Hidden while there is no verdict."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from threadlab.engine.model import Snapshot, VerdictKind
from threadlab.engine.verdicts import PAUSING
from threadlab.tui.widgets.palette import thread_names

NEXT_STEP: dict[VerdictKind, str] = {
    VerdictKind.DEADLOCK: "No thread can ever run again. Press ← to step back, r to restart.",
    VerdictKind.LOST_WAKEUP: (
        "Nothing left can wake the waiters. Press ← to step back to the lost signal, r to restart."
    ),
    VerdictKind.VIOLATION: "The run is over. Press ← to step back, r to restart.",
    VerdictKind.FAILED: "The other threads can go on: press space to resume, or r to restart.",
    VerdictKind.STARVATION: (
        "The others kept going meanwhile. Press space to resume, or r to restart."
    ),
    VerdictKind.LOOP_BLOCKED: (
        "Every other task or event waited meanwhile. Press space to resume, or r to restart."
    ),
}


def shows_verdict(snapshot: Snapshot | None) -> bool:
    """Whether there is a verdict to show (a failure stops showing once the run resumes)."""
    if snapshot is None or snapshot.verdict is None:
        return False
    if snapshot.verdict.kind in PAUSING:  # shown until the run goes on
        return snapshot.run_state.value == snapshot.verdict.kind.value
    return True


class VerdictBanner(Widget):
    """What went wrong, prominently; displayed only while ``shows_verdict``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"verdict--kind"}

    DEFAULT_CSS = """
    VerdictBanner {
        height: auto;
        display: none;
        &.-shown { display: block; }
        & > .verdict--kind { text-style: bold reverse; }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, layout=True)
    """The run whose verdict is shown."""

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        self.set_class(shows_verdict(snapshot), "-shown")

    def render(self) -> Text:
        snapshot = self.snapshot
        if snapshot is None or snapshot.verdict is None:
            return Text("")
        verdict = snapshot.verdict
        indices = {t.name: t.index for t in snapshot.threads}
        return Text.assemble(
            (f" {verdict.kind.value} ", self.get_component_rich_style("verdict--kind")),
            (f"  at step {verdict.step}   ", "bold"),
            verdict.text,
            "\n",
            ("Threads involved: ", "bold"),
            thread_names(verdict.threads, indices),
            "   ",
            (NEXT_STEP[verdict.kind], "bold"),
        )
