"""What the explorer says, in words: its progress, what it covered, and the story of a
failing schedule (the switches that matter, each with thread, line and operation).

Shared by ``threadlab explore`` and the app's explore key.
"""

from __future__ import annotations

import linecache
import os

from ..engine.explore import (
    Coverage,
    ExploreResult,
    Finding,
    FoundSoFar,
    Mislabel,
    Place,
    Progress,
    Stuck,
    Switch,
)
from ..engine.snapshot.model import VerdictKind

STRATEGY_WORDS = {"random": "random", "pct": "PCT", "dfs": "DFS"}

STORY_SWITCHES = 12
"""A story shows every switch up to this many; past it, the preemptions and the last ones."""

LAST_SWITCHES = 5


def _and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def strategies_text(strategies: tuple[str, ...]) -> str:
    return _and([STRATEGY_WORDS.get(s, s) for s in strategies]) or "none"


def seconds_text(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def preemptions_text(count: int) -> str:
    return f"{count} preemption" + ("" if count == 1 else "s")


def _size(preemptions: int, steps: int) -> str:
    return f"{preemptions_text(preemptions)}, {steps:,} steps"


def first_find_text(found: FoundSoFar) -> str:
    """The line said as soon as a failing schedule is found, before it is shrunk."""
    what = VERDICT_WORDS.get(found.verdict.kind, found.verdict.kind.value)
    return (
        f"Found {what} in schedule {found.schedule:,} after {seconds_text(found.seconds)} "
        f"({STRATEGY_WORDS.get(found.strategy, '')}), with {_size(*found.original)}: "
        f"{found.verdict.text}"
    )


def bound_text(bound: int, schedules: int) -> str:
    """What a completed preemption bound proves."""
    if schedules == 1:
        return f"the one schedule with at most {preemptions_text(bound)} passes"
    return f"all {schedules:,} schedules with at most {preemptions_text(bound)} pass"


def progress_text(progress: Progress, cut_key: str = "Ctrl+C") -> str:
    """One line while a search runs (``cut_key`` cuts a shrinking short)."""
    found = progress.found
    if found is not None:
        best = _size(*found.best)
        return (
            f"found at schedule {found.schedule:,}; shrinking it: {best} so far "
            f"(from {_size(*found.original)}) · {cut_key} keeps the smallest so far"
        )
    if progress.shrinking:
        return "found a failing schedule: shrinking it to the fewest preemptions and steps…"
    rate = progress.schedules / progress.seconds if progress.seconds > 0 else 0.0
    parts = [
        f"{progress.schedules:,} schedules",
        f"{rate:,.0f}/s",
        strategies_text(progress.strategies),
        seconds_text(progress.seconds),
    ]
    if progress.bound_done is not None:
        parts.append(bound_text(progress.bound_done, progress.bound_schedules))
    return " · ".join(parts)


def coverage_text(coverage: Coverage) -> str:
    """What a search that found nothing covered, never more than it did."""
    wakeups = "; spurious wakeups included" if coverage.spurious else ""
    if coverage.exhaustive:
        # the depth-first search's schedules: the random and PCT runs beside it repeat some
        count = coverage.bound_schedules
        passed = (
            "the one schedule there is passes" if count == 1 else f"all {count:,} schedules pass"
        )
        return (
            f"{passed}: the search is exhaustive "
            f"(steps on different objects tried in one order{wakeups})"
        )
    how = f"{strategies_text(coverage.strategies)}, {seconds_text(coverage.seconds)}{wakeups}"
    text = f"no failure in {coverage.schedules:,} schedules ({how}); not exhaustive"
    if coverage.cancelled:
        text += " (stopped before its budget)"
    if coverage.bound_done is not None:
        text += "; " + bound_text(coverage.bound_done, coverage.bound_schedules)
    if coverage.cut_short:
        text += f"; {coverage.cut_short:,} run(s) cut short for going on too long (a loop?)"
    if coverage.unwatched is not None:
        text += "; " + unwatched_text(coverage.unwatched, coverage.unwatched_steps)
    if coverage.diverged_at is not None:
        text += (
            f"; no claim of full coverage: a schedule replayed went another way at step "
            f"{coverage.diverged_at} (other threads could run than when it was recorded: "
            f"the program does not run the same way twice)"
        )
    return text


def unwatched_text(first: Mislabel, count: int) -> str:
    """Why no claim of full coverage is made: steps ran code threadlab does not watch."""
    where = f" at line {first.line}" if first.line is not None else ""
    what = "anything" if first.beyond is None else ", ".join(first.beyond)
    others = f" (and {count - 1:,} more)" if count > 1 else ""
    return (
        f"no claim of full coverage: a step of {first.thread}{where} touched {what} "
        f"through code threadlab does not watch{others}"
    )


def stuck_text(stuck: Stuck, command: str = "explore") -> str:
    """One line: a thread of ``command``'s run stayed away from every checkpoint (or,
    with no thread named, the run took no step at all for that long)."""
    if not stuck.thread:
        return (
            f"a run took no step for {stuck.seconds:.0f} s, with no thread running outside "
            f"the schedule: threadlab itself is stuck; please report it (how you ran {command})"
        )
    where = f" at line {stuck.line}" if stuck.line is not None else ""
    return (
        f"{stuck.thread} ran outside the schedule for {stuck.seconds:.0f} s{where} "
        "(a busy loop with no threading call, real I/O, or a blocking call threadlab does "
        f"not control); {command} needs every thread to reach threading calls"
    )


VERDICT_WORDS = {
    VerdictKind.DEADLOCK: "a deadlock",
    VerdictKind.LOST_WAKEUP: "a lost wakeup",
    VerdictKind.VIOLATION: "a broken invariant",
    VerdictKind.FAILED: "a failure",
    VerdictKind.LOOP_BLOCKED: "a blocked event loop",
    VerdictKind.STARVATION: "a starved thread",
}


def found_text(finding: Finding) -> str:
    """The first line of a find."""
    what = VERDICT_WORDS.get(finding.verdict.kind, finding.verdict.kind.value)
    preemptions, steps = finding.original
    shrunk = (
        f"shrunk from {preemptions_text(preemptions)} and {steps} steps "
        f"to {finding.preemptions} and {finding.steps}"
    )
    if finding.shrinking_cut_short:
        shrunk += " (shrinking cut short: the smallest found by then)"
    return (
        f"found {what} in schedule {finding.schedule:,} after "
        f"{seconds_text(finding.found_after)} ({STRATEGY_WORDS.get(finding.strategy, '')}); "
        f"{shrunk}"
    )


def _code(program_file: str, place: Place) -> str:
    path = place.file or program_file
    if place.line is None or not path:
        return ""
    return linecache.getline(path, place.line).strip()


def _where(program_file: str, place: Place) -> str:
    if place.line is None:
        return ""
    if place.file and place.file != program_file:
        return f"{os.path.basename(place.file)}:{place.line}"
    return f"line {place.line}"


def _steps(turn: Switch) -> str:
    return str(turn.step) if turn.steps == 1 else f"{turn.step}-{turn.last.step}"


TURN_OPERATIONS = 4
"""A turn of more steps than this is told by its first two and last two."""


def _what(turn: Switch) -> str:
    """What the thread did in its turn, step by step (the middle of a long turn left out)."""
    operations = [place.operation for place in turn.places]
    if len(operations) > TURN_OPERATIONS:
        operations = [*operations[:2], "…", *operations[-2:]]
    return ", ".join(operations).replace(", …,", " …")


def story_rows(finding: Finding, program_file: str) -> list[tuple[str, ...]]:
    """The turns worth telling: (steps, thread, place of its last step, what it did, that
    line's code, why it matters), with a '…' row where turns are left out."""
    turns = list(finding.switches)
    keep = set(range(len(turns)))
    if len(turns) > STORY_SWITCHES:
        keep = {i for i, turn in enumerate(turns) if turn.preempted or turn.spurious}
        keep |= {i + 1 for i in keep if i + 1 < len(turns)}  # what the preemption let happen
        keep |= set(range(max(0, len(turns) - LAST_SWITCHES), len(turns)))
    rows: list[tuple[str, ...]] = []
    skipped = False
    for index, turn in enumerate(turns):
        if index not in keep:
            skipped = True
            continue
        if skipped:
            rows.append(("…", "", "", "", "", ""))
            skipped = False
        why = []
        if turn.spurious:
            why.append(f"a waiter of {turn.spurious} woke with no signal")
        if turn.preempted:
            why.append(f"preempts {turn.preempted}")
        rows.append(
            (
                _steps(turn),
                turn.thread,
                _where(program_file, turn.last),
                _what(turn),
                _code(program_file, turn.last),
                "; ".join(why),
            )
        )
    return rows


def story_lines(finding: Finding, program_file: str, width: int = 100) -> list[str]:
    """The story as plain lines."""
    rows = story_rows(finding, program_file)
    step_width = max((len(r[0]) for r in rows), default=0)
    name_width = max((len(r[1]) for r in rows), default=0)
    place_width = max((len(r[2]) for r in rows), default=0)
    lines = []
    for steps, thread, place, what, code, why in rows:
        if steps == "…":
            lines.append("  …")
            continue
        text = f"  {steps:>{step_width}}  {thread:<{name_width}}  {place:<{place_width}}  {what}"
        if why:
            text += f"  ← {why}"
        if code:
            text += f"   [{code}]"
        lines.append(_cut(text, width))
    verdict = finding.verdict
    lines.append(_cut(f"  {verdict.step:>{step_width}}  {verdict.text}", width))
    return lines


def _cut(text: str, width: int) -> str:
    width = max(width, 40)
    return text if len(text) <= width else text[: width - 1] + "…"


# ------------------------------------------------------------------ the app's explore key

PREEMPTION_MARK = "P"
"""How the timeline marks a preemption of the explorer's schedule."""


def exploring_text(progress: Progress | None) -> str:
    """The app's progress line while it explores (it says how to stop)."""
    if progress is not None and progress.found is not None:
        return progress_text(progress, "escape")
    lead = "exploring schedules (escape cancels)"
    if progress is None or (progress.schedules == 0 and not progress.shrinking):
        return f"{lead}: starting…"
    return f"{lead}: {progress_text(progress)}"


def _steps_text(steps: tuple[int, ...]) -> str:
    return ("step " if len(steps) == 1 else "steps ") + _and([str(s) for s in steps])


def found_message(finding: Finding) -> str:
    """The app's line once a find is open at its failing step: what was found, and how to
    read it on the timeline."""
    text = found_text(finding)
    text = text[:1].upper() + text[1:]
    steps = finding.preemption_steps
    if steps:
        which = "the one preemption" if len(steps) == 1 else f"the {len(steps)} preemptions"
        gist = f"{PREEMPTION_MARK} on the timeline marks {which} it needs ({_steps_text(steps)})"
    else:
        gist = (
            "It needs no preemption: each switch comes where a thread blocks, waits, sleeps or ends"
        )
    return f"{text}. {gist}."


def cancelled_text(result: ExploreResult) -> str:
    """What a search cancelled with escape had done."""
    if result.finding is not None:
        return (
            "exploring cancelled while it shrank a failing schedule it had found; "
            "press x to search again"
        )
    return f"exploring cancelled: {coverage_text(result.coverage)}"
