"""The dining-philosophers lesson: what the program ``scenarios/philosophers.py`` is run
with. Its bug is a deadlock, which the engine finds by itself (with the cycle)."""

from __future__ import annotations

from ...engine import Scenario, Variant, VerdictKind, entry_params
from ...engine.lesson.challenge import Challenge, Win
from . import program_path

PROGRAM = program_path("philosophers")

SCENARIO = Scenario(
    name="philosophers",
    title="Dining philosophers: a deadlock cycle",
    summary="Philosophers take the left fork, then the right: a cycle of waits is reachable.",
    explanation=(
        "Each philosopher holds one fork and waits for the next one. If every philosopher "
        "takes a left fork, each waits for a fork its neighbour holds: a cycle, and no one "
        "ever eats again. Step Ph1, Ph2, … to their first fork to see it. Variant 'ordered' "
        "takes the lower-numbered fork first, which breaks the cycle."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("philosophers", 2, 9, "philosophers (and forks) around the table"),
        ("meals", 1, 50, "meals each philosopher eats"),
    ),
    variants=(
        Variant(
            "left-right",
            "left fork, then right: deadlock is reachable",
            challenge=Challenge(
                "Get every philosopher stuck holding one fork",
                Win(VerdictKind.DEADLOCK),
            ),
        ),
        Variant("ordered", "lower-numbered fork first: never deadlocks"),
    ),
)
