"""The producer-consumer lesson: what the program ``scenarios/producer_consumer.py`` is
run with, and what is checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Variant, VerdictKind, Watch, entry_params
from ...engine.lesson.challenge import Challenge, Win
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("producer_consumer")


def _within_capacity(program: ProgramState) -> str | None:
    count, capacity = len(program.buffer), program.params["capacity"]
    if count > capacity:
        return f"the buffer holds {count} items, more than its capacity of {capacity}"
    return None


def _buffer(program: ProgramState) -> str:
    return f"{program.buffer} ({len(program.buffer)} of {program.params['capacity']})"


SCENARIO = Scenario(
    name="producer-consumer",
    title="Producer-consumer: a bounded buffer",
    summary="Producers fill a bounded buffer, consumers empty it; one lock, two conditions.",
    explanation=(
        "Producers wait on not_full while the buffer is full; consumers wait on not_empty "
        "while it is empty; each notifies the other after changing the buffer. The 'while' "
        "loop re-checks after every wakeup. Variant 'if' checks only once: wake a waiting "
        "consumer spuriously (w) and it pops from an empty list."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("producers", 1, 5, "producer threads P1..Pn"),
        ("consumers", 1, 5, "consumer threads C1..Cn"),
        ("capacity", 1, 10, "slots in the buffer"),
        ("items", 1, 50, "items each producer makes; the run ends when all are eaten"),
    ),
    variants=(
        Variant("while", "correct: re-check the buffer in a while loop after every wakeup"),
        Variant(
            "if",
            "buggy: check once with if; a spurious or stolen wakeup breaks it",
            challenge=Challenge(
                "Make a consumer take from an empty buffer",
                Win(VerdictKind.FAILED, error="IndexError"),
            ),
        ),
    ),
    checks=(Check("never more items in the buffer than its capacity", _within_capacity),),
    watches=(Watch("buffer", _buffer),),
)
