"""The compare-and-exchange lesson: what the program ``scenarios/cas.py`` is run with, and
what is checked while it runs."""

from __future__ import annotations

from ...engine import Check, Scenario, Variant, VerdictKind, Watch, entry_params
from ...engine.lesson.challenge import Challenge, Win
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("cas")


def _one_inside(program: ProgramState) -> str | None:
    inside = program.threads_in("critical_section")
    if len(inside) > 1:
        return f"{' and '.join(inside)} are in the critical section together"
    return None


def _count(program: ProgramState) -> int:
    """The counter the variant increments."""
    if program.variant == "counter-racy":
        return int(program.counter)
    return int(program.cas_counter.value)


def _workers_ended(program: ProgramState) -> bool:
    """Every worker T1..Tn has run to its end (the count is final)."""
    for n in range(1, program.params["threads"] + 1):
        thread = program.kernel.thread_named(f"T{n}")
        if thread is None or not thread.state.ended:
            return False
    return True


def _no_lost_update(program: ProgramState) -> str | None:
    if program.variant == "spinlock" or not _workers_ended(program):
        return None
    count, expected = _count(program), program.params["threads"] * program.params["rounds"]
    if count != expected:
        return f"counter is {count} after {expected} increments: {expected - count} lost"
    return None


def _counter(program: ProgramState) -> str:
    if program.variant == "spinlock":
        return "–"
    return str(_count(program))


def _lock(program: ProgramState) -> str:
    if program.variant != "spinlock":
        return "–"
    return "LOCKED" if program.lock.value == program.LOCKED else "UNLOCKED"


def _retries(program: ProgramState) -> str:
    return "  ".join(f"{name}:{count}" for name, count in program.retries.items())


NO_LOST_UPDATE = "final count equals increments made (counters)"
"""An invariant's words, declared once: its check and the challenge that breaks it."""

SCENARIO = Scenario(
    name="cas",
    title="Compare-and-exchange: spinlocks and lost updates",
    summary="A spinlock from compare-and-exchange; a racy counter and a CAS counter.",
    explanation=(
        "compare_exchange(expected, new) is one indivisible step (a lock stands for the CPU "
        "instruction here): it swaps only if the value is still what you expected, and says "
        "whether it did. 'spinlock' threads spin on it until they get the lock (retries "
        "counted). 'counter-racy' does counter += 1 as a separate read and write: step T1 "
        "read, T2 read, T1 write, T2 write and an update is lost. 'counter-cas' retries its "
        "exchange and never loses one."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("threads", 1, 9, "threads T1..Tn"),
        ("rounds", 1, 50, "lock rounds or increments per thread"),
    ),
    variants=(
        Variant("spinlock", "a spinlock: spin on compare-and-exchange until it swaps"),
        Variant(
            "counter-racy",
            "counter += 1 as a separate read and write: updates get lost",
            challenge=Challenge(
                "Lose an update: make the final count come out short",
                Win(VerdictKind.VIOLATION, check=NO_LOST_UPDATE),
            ),
        ),
        Variant("counter-cas", "counter += 1 with a compare-and-exchange retry loop"),
    ),
    checks=(
        Check("at most one thread in the critical section (spinlock)", _one_inside),
        Check(NO_LOST_UPDATE, _no_lost_update),
    ),
    watches=(Watch("lock", _lock), Watch("counter", _counter), Watch("retries", _retries)),
)
