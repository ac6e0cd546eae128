"""The verdict banner: DEADLOCK, LOST WAKEUP, VIOLATION or FAILED in large type, what went
wrong, who is involved, and what to do next; below it, when the verdict wins the run's
challenge, the win. A fixed variant's run that has finished shows what it survived in the
same place. Hidden while there is neither."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ...engine.core.verdicts import PAUSING
from ...engine.snapshot.model import Snapshot, VerdictKind
from .palette import dark_theme, thread_names

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


PROCESS_ENDED = "Its process is gone, and the run with it. Press r to run it again."
PROGRAM_ENDED = "The program has ended here. Press ← to step back, r to restart."


def _next_step(snapshot: Snapshot) -> str:
    """What the user can do now, after the snapshot's verdict."""
    verdict = snapshot.verdict
    assert verdict is not None
    if snapshot.process_ended:
        return PROCESS_ENDED
    if verdict.ends_program:
        return PROGRAM_ENDED
    return NEXT_STEP[verdict.kind]


@dataclass(frozen=True)
class ChallengeNote:
    """The challenge's line of the banner: a win, or what a fixed variant survived."""

    label: str
    """In large type: 'CHALLENGE WON', 'SURVIVED'."""
    text: str
    won: bool = True
    """A win (or a goal met, not scored); False: what a run survived."""
    short: str | None = None
    """The words without the goal, for a banner too narrow for ``text`` on one line."""


def shows_verdict(snapshot: Snapshot | None) -> bool:
    """Whether there is a verdict to show (a failure stops showing once the run resumes)."""
    if snapshot is None or snapshot.verdict is None:
        return False
    if snapshot.verdict.kind in PAUSING:  # shown until the run goes on
        return snapshot.run_state.value == snapshot.verdict.kind.value
    return True


class VerdictBanner(Widget):
    """What went wrong, prominently; displayed only while ``shows_verdict``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"verdict--kind", "verdict--challenge"}

    DEFAULT_CSS = """
    VerdictBanner {
        height: auto;
        display: none;
        &.-shown { display: block; }
        & > .verdict--kind { text-style: bold reverse; }
        & > .verdict--challenge { text-style: bold reverse; color: $success; }
        /* a light theme's green is too pale to be the label's background, and some light
           themes' green text too faint: their own text on a green tint */
        &:light > .verdict--challenge {
            text-style: bold;
            color: $foreground;
            background: $success-muted;
        }
    }
    """

    snapshot: reactive[Snapshot | None] = reactive(None, layout=True)
    """The run whose verdict is shown."""
    note: reactive[ChallengeNote | None] = reactive(None, layout=True)
    """The challenge's line: the win this verdict is, or what the run survived."""

    def _update_shown(self) -> None:
        verdict = shows_verdict(self.snapshot)
        self.set_class(verdict or self.note is not None, "-shown")
        self.set_class(not verdict and self.note is not None, "-challenge-only")

    def watch_snapshot(self) -> None:
        self._update_shown()

    def watch_note(self) -> None:
        self._update_shown()

    def render(self) -> Text:
        snapshot, note = self.snapshot, self.note
        line = Text("")
        if note is not None:
            words = note.text
            # the banner's padding and border take 4 cells: at 80x24 every row counts
            room = self.app.size.width - 4 - len(f" {note.label}   ")
            if note.short is not None and len(words) > room:
                words = note.short
            line = Text.assemble(
                (f" {note.label} ", self.get_component_rich_style("verdict--challenge")),
                "  ",
                (words, "bold"),
            )
        if snapshot is None or snapshot.verdict is None or not shows_verdict(snapshot):
            return line
        verdict = snapshot.verdict
        indices = {t.name: t.index for t in snapshot.threads}
        text = Text.assemble(
            (f" {verdict.kind.value} ", self.get_component_rich_style("verdict--kind")),
            (f"  at step {verdict.step}   ", "bold"),
            verdict.text,
            "\n",
            ("Threads involved: ", "bold"),
            thread_names(verdict.threads, indices, dark=dark_theme(self)),
            "   ",
            (_next_step(snapshot), "bold"),
        )
        if note is not None:
            text.append("\n")
            text.append_text(line)
        return text
