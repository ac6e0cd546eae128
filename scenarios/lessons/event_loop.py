"""The event-loop lesson: what the program ``scenarios/event_loop.py`` is run with, and
what is watched while it runs."""

from __future__ import annotations

from ...engine import HandlerLoop, Scenario, UserPost, Variant, VerdictKind, Watch, entry_params
from ...engine.lesson.challenge import Challenge, Win
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("event_loop")


def _computed(program: ProgramState) -> str:
    return f"{program.parts_done}/{program.params['parts']} parts"


def _backlog(program: ProgramState) -> str:
    waiting = program.events.qsize()
    return f"{waiting} event{'' if waiting == 1 else 's'} waiting"


SCENARIO = Scenario(
    name="event-loop",
    title="Event loop: take turns or stall",
    summary="A loop thread runs handlers from an event queue; a long job stalls the clicks.",
    explanation=(
        "An event loop takes one handler at a time from a thread-safe queue and runs it "
        "to its end. A long computation cut into parts, each scheduling the next "
        "(events.put(compute_one_part)), lets the clicks posted meanwhile get their turn. "
        "Variant 'blocking' computes everything in one handler: the queue backs up, "
        "every click waits; once it has held the loop 0.5 s with a click waiting, the run "
        "stops: LOOP BLOCKED. "
        "Press e to post a click (on_click) yourself."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("parts", 1, 20, "parts of the long computation (0.2 s each)"),
        ("clicks", 0, 20, "clicks the input thread posts"),
        ("gap", 1, 10, "tenths of a second between two clicks"),
    ),
    variants=(
        Variant("chunked", "each part schedules the next: clicks get their turn"),
        Variant(
            "blocking",
            "one handler computes everything: clicks wait",
            challenge=Challenge(
                "Stall the loop: keep the clicks waiting behind one long handler",
                Win(VerdictKind.LOOP_BLOCKED),
            ),
        ),
    ),
    watches=(Watch("computed", _computed), Watch("backlog", _backlog)),
    user_post=UserPost("events", "on_click"),
    handler_loops=(HandlerLoop(thread="Loop", queue="events"),),
)
