"""The mutex lesson: what the program ``scenarios/mutex.py`` is run with, and what is
checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Variant, VerdictKind, entry_params
from ...engine.lesson.challenge import Challenge, Win
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("mutex")


def _at_most_one_inside(program: ProgramState) -> str | None:
    inside = program.threads_in("critical_section")
    if len(inside) > 1:
        return f"{' and '.join(inside)} are in the critical section together"
    return None


ONE_INSIDE = "at most one thread in the critical section"
"""An invariant's words, declared once: its check and the challenge that breaks it."""

SCENARIO = Scenario(
    name="mutex",
    title="Mutex: one at a time",
    summary="N threads take turns in a critical section guarded by one mutex.",
    explanation=(
        "A mutex (threading.Lock) has at most one owner. A thread that tries to acquire it "
        "while another holds it joins the mutex's wait queue and sleeps; a release frees it "
        "and wakes the first waiter, in FIFO order, which then tries again. Variant "
        "'unlocked' forgets the mutex: step two threads into critical_section() and the "
        "invariant catches them."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("threads", 1, 9, "how many threads contend for the mutex"),
        ("rounds", 1, 50, "how many times each thread enters the critical section"),
    ),
    variants=(
        Variant("locked", "every thread takes the mutex around its critical section"),
        Variant(
            "unlocked",
            "the mutex is forgotten: two threads can be inside at once",
            challenge=Challenge(
                "Get two threads into the critical section at once",
                Win(VerdictKind.VIOLATION, check=ONE_INSIDE),
            ),
        ),
    ),
    checks=(Check(ONE_INSIDE, _at_most_one_inside),),
)
