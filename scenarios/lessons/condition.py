"""The condition-variable lesson: what the program ``scenarios/condition.py`` is run with,
and what is shown while it runs. Its threads wait for you to wake them."""

from __future__ import annotations

from ...engine import Scenario, Variant, VerdictKind, Watch, entry_params
from ...engine.lesson.challenge import Challenge, Win
from ...engine.program.loader import ProgramState
from . import program_path

PROGRAM = program_path("condition")


def _woken(program: ProgramState) -> str:
    return "  ".join(f"{name}:{count}" for name, count in program.woken.items())


SCENARIO = Scenario(
    name="condition",
    title="Condition variable: wait, signal, broadcast",
    summary="Threads wait on a condition until you signal, broadcast, or wake one spuriously.",
    explanation=(
        "wait() releases the mutex and puts the thread in the condition's wait queue. "
        "notify() (signal) wakes the first waiter, notify_all() (broadcast) wakes them all; "
        "a woken thread must re-acquire the mutex before wait() returns. Press s, b or w to "
        "wake threads. Variant 'alarm' adds a thread that notifies now and then; a notify "
        "sent while nobody waits is lost, and once A1 has ended nothing in the program can "
        "wake a thread still waiting: a lost wakeup."
    ),
    program=PROGRAM,
    params=entry_params(
        PROGRAM,
        "main",
        ("threads", 1, 9, "how many threads wait on the condition"),
        ("rounds", 1, 20, "how many times each thread waits"),
    ),
    variants=(
        Variant("manual", "only you wake the threads"),
        Variant(
            "alarm",
            "an alarm thread A1 notifies every few steps; once it has ended, a waiter "
            "left behind is a lost wakeup",
            waits_for_user=False,
            challenge=Challenge(
                "Lose a wakeup: leave a thread waiting once the alarm has ended",
                Win(VerdictKind.LOST_WAKEUP),
            ),
        ),
    ),
    watches=(Watch("woken", _woken),),
    waits_for_user=True,
)
