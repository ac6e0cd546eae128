"""Moves that win each challenge: for every buggy variant, keys a learner can press in the
app to drive the run into its bug; for the fixed variants, the same kind of moves, which
they survive.

Every run is opened as the picker opens it (default parameters, seed 0, paused at step 0),
at the app's own pace (4 steps a second). The keys are the scenario screen's own
(tui/screens/keys.py): ``1``..``9`` step the thread of that number in the threads panel,
``w`` wakes the selected waiter spuriously, ``e`` posts an event, ``plus`` runs faster and
``space`` lets the run go. Thread numbers follow the order the threads were started in:
MainThread is 1, the first thread it starts 2, and so on.

A sequence ends where the bug shows. Where the bug can only show at the end of the run (a
count checked once every thread has finished, a waiter nobody is left to wake), the keys
take the run to the point from which every schedule ends in the bug, then run it at full
speed: what the scheduler does after that does not matter.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from textual import events
from textual.pilot import Pilot
from tui_testing import scenario_screen

from threadlab.engine import Runtime
from threadlab.engine.snapshot.model import RunState
from threadlab.tui.widgets.hint import HintLine


@dataclass(frozen=True)
class Moves:
    """Keys that take one variant, opened from the picker, to ``verdict``."""

    scenario: str
    variant: str
    keys: tuple[str, ...]
    """Key names as ``Pilot.press`` takes them, pressed one at a time."""
    verdict: RunState
    """Where the run stands once every key has been pressed (and the run has settled)."""
    why: str
    """What the moves do, in one line."""
    says: str = ""
    """Words the verdict's text must contain (who and what), or "" to check the state only."""
    pending: str | None = None
    """Why the verdict cannot be reached yet (the test is expected to fail), or None."""


def keys(*parts: str | tuple[str, ...]) -> tuple[str, ...]:
    """One key tuple from strings of one-character keys (``"1112"``) and key tuples."""
    flat: list[str] = []
    for part in parts:
        flat.extend(part)
    return tuple(flat)


FULL_SPEED = ("plus",) * 5
"""From the app's 4 steps a second to 8, 16, 32, 64, then as fast as possible."""

RUN = (*FULL_SPEED, "space")
"""Let the run go at full speed: it stops at its verdict, or when every thread is done."""

# readers-writers (3 readers of 4 reads each, 2 writers): the last reader out wakes ONE
# writer, and in both buggy variants a writer that finishes wakes no other writer. Both
# writers wait while the readers read, the readers always leave one of them inside (so no
# earlier exit wakes anyone), and the very last exit wakes W1 only.
_READERS_STRAND_A_WRITER = keys(
    "111111",  # MainThread starts R1 R2 R3 W1 W2, then waits to join R1
    "2222",  # R1 counts itself in (readers 1) and starts reading
    "555",  # W1 finds a reader inside: waits on write_gate
    "666",  # W2 too: two writers wait
    "3333",  # R2 comes in to read (readers 2)
    "4444",  # R3 too (readers 3)
    # each reader in turn leaves (the others still inside: nobody is woken) and comes back
    # for its next read, three times: each is now in its 4th and last read
    *(("222222", "333333", "444444") * 3),
    "222",  # R1 leaves for good (readers 2)
    "333",  # R2 too (readers 1)
    "4444",  # R3, the last reader out: readers 0, notify wakes ONE writer, W1
    RUN,  # W1 writes and leaves waking nobody: W2 waits for a wakeup nobody is left to send
)

CHALLENGES: tuple[Moves, ...] = (
    Moves(
        "mutex",
        "unlocked",
        keys(
            "11",  # MainThread starts T1 and T2
            "222",  # T1 thinks, then enters critical_section() (no mutex to stop it)
            "333",  # T2 does the same: two threads inside at once
        ),
        RunState.VIOLATION,
        "step T1 into the critical section, then T2: nothing stops the second",
        says="T1 and T2 are in the critical section together",
    ),
    Moves(
        "producer-consumer",
        "if",
        keys(
            "111",  # MainThread starts P1, P2 and C1
            "444",  # C1 takes the lock, finds the buffer empty, waits on not_empty
            "w",  # wake C1 with no signal at all (a spurious wakeup)
            "44",  # C1 re-takes the lock; `if`, not `while`: it pops from the empty buffer
        ),
        RunState.FAILED,
        "a consumer waits on an empty buffer; a spurious wakeup (w) makes it pop anyway "
        "(IndexError: pop from empty list)",
        says="C1 failed: IndexError: pop from empty list",
    ),
    Moves(
        "cas",
        "counter-racy",
        keys(
            "11",  # MainThread starts T1 and T2
            "2",  # T1 reads counter (0)
            "3",  # T2 reads counter (0) before T1 writes
            "2",  # T1 writes 1
            "3",  # T2 writes 1 too: T1's increment is lost
            RUN,  # the final count comes out short
        ),
        RunState.VIOLATION,
        "T1 and T2 both read the counter before either writes: one increment is lost",
        says="final count equals increments made",
    ),
    Moves(
        "readers-writers",
        "lesson",
        _READERS_STRAND_A_WRITER,
        RunState.LOST_WAKEUP,
        "both writers wait while the readers read; the last reader out wakes only W1, "
        "and W1 wakes nobody when it is done: W2 waits forever",
        says="no live thread is left to wake W2",
    ),
    Moves(
        "readers-writers",
        "classic",
        _READERS_STRAND_A_WRITER,
        RunState.LOST_WAKEUP,
        "both writers wait while the readers read; the last reader out wakes only W1, "
        "whose notify_all wakes the readers only: W2 waits forever",
        says="no live thread is left to wake W2",
    ),
    Moves(
        "philosophers",
        "left-right",
        keys(
            "1111",  # MainThread starts Ph1 Ph2 Ph3, then waits to join Ph1
            "2222",  # Ph1 thinks, then takes its left fork, forks[0]
            "3333",  # Ph2 takes forks[1]
            "4444",  # Ph3 takes forks[2]: every fork is held
            "234",  # each reaches for its right fork, held by its neighbour: a cycle
        ),
        RunState.DEADLOCK,
        "every philosopher takes its left fork, then reaches for the right one",
        says="Cycle: Ph1 → Ph2 → Ph3 → Ph1",
    ),
    Moves(
        "coroutines",
        "missing-await",
        keys(
            "111",  # the loop runs io_and_computation, starts long_running_io, then runs
            # long_running_computation: to_thread(...) without await is dropped unrun
        ),
        RunState.VIOLATION,
        "step the loop until long_running_computation() drops to_thread(...) unawaited",
        says="coroutine 'to_thread' made at line",
    ),
    Moves(
        "coroutines",
        "blocking-call",
        keys(
            "1111",  # the loop makes the fetch tasks, hands crunch_numbers to asyncio_0,
            # then runs fetch_blocking(1): time.sleep(0.5) holds the loop's only thread
            "222",  # asyncio_0 crunches (sleeps 0.4 s): time passes, the loop stays held
        ),
        RunState.LOOP_BLOCKED,
        "a coroutine's time.sleep() holds the loop while the worker thread's time passes",
        says="fetch_blocking",
    ),
    Moves(
        "condition",
        "alarm",
        keys(
            "11111",  # MainThread starts T1 T2 T3 and the alarm A1, then waits to join T1
            "55",  # A1 sleeps until its first tick
            "234",  # T1 T2 T3 each take a step towards the lock: nobody waits yet
            "555",  # A1 takes the lock and notifies: nobody waits, the signal is lost
            RUN,  # 6 waits and 5 notifies left: once A1 has ended, a thread waits forever
        ),
        RunState.LOST_WAKEUP,
        "the alarm's first notify comes before anyone waits: it is lost, and one thread is "
        "left waiting with nobody to wake it",
        says="Lost wakeup: no thread can run, and no live thread is left to wake",
    ),
    Moves(
        "event-loop",
        "blocking",
        keys(
            "11",  # MainThread starts Loop and Input
            "22",  # Loop waits for an event
            "33",  # Input posts compute_everything
            "22",  # Loop takes it: computing every part in one handler (1.2 s)
            "e",  # post a click: it waits in the queue behind the long handler
            RUN,
        ),
        RunState.LOOP_BLOCKED,
        "a click posted while the one long handler computes everything waits behind it",
        says="compute_everything",
    ),
)
"""One entry per buggy variant: the moves that win its challenge."""

SURVIVED: tuple[Moves, ...] = (
    Moves(
        "mutex",
        "locked",
        keys(
            "11",  # MainThread starts T1 and T2
            "2222",  # T1 takes the mutex and enters critical_section()
            "3333",  # T2 tries to follow: it blocks on the mutex
            RUN,
        ),
        RunState.FINISHED,
        "step T1 into the critical section, then T2: T2 waits for the mutex",
    ),
    Moves(
        "producer-consumer",
        "while",
        keys(
            "111",  # MainThread starts P1, P2 and C1
            "444",  # C1 finds the buffer empty and waits on not_empty
            "w",  # a spurious wakeup
            "44",  # C1 re-checks in its while loop: still empty, it waits again
            RUN,
        ),
        RunState.FINISHED,
        "the same spurious wakeup: the while loop re-checks and waits again",
    ),
    Moves(
        "cas",
        "spinlock",
        keys(
            "11",  # MainThread starts T1 and T2
            "222",  # T1's compare_exchange swaps: it holds the spinlock, enters
            "3333",  # T2's compare_exchange fails, twice: it spins, trying again
            RUN,
        ),
        RunState.FINISHED,
        "T1 takes the spinlock; T2 spins until it is free",
    ),
    Moves(
        "cas",
        "counter-cas",
        keys(
            "11",  # MainThread starts T1 and T2
            "2323",  # both read the counter before either writes, as in counter-racy
            RUN,  # T2's exchange finds the value changed: it reads again, nothing lost
        ),
        RunState.FINISHED,
        "both threads read before either writes; the second exchange fails and retries",
    ),
    Moves(
        "philosophers",
        "ordered",
        keys(
            "1111",  # MainThread starts Ph1 Ph2 Ph3, then waits to join Ph1
            "2222",  # Ph1 takes forks[0]
            "3333",  # Ph2 takes forks[1]
            "4444",  # Ph3 reaches for forks[0] first (the lower number): it blocks
            "23",  # Ph1 waits for forks[1]; Ph2 takes forks[2] and eats: no cycle
            RUN,
        ),
        RunState.FINISHED,
        "everyone reaches for a first fork; Ph3's first is forks[0], so no cycle forms",
    ),
    Moves(
        "readers-writers",
        "fair",
        keys(
            "111111",  # MainThread starts R1 R2 R3 W1 W2, then waits to join R1
            "2222",  # R1 starts reading
            "555",  # W1 announces itself and waits for R1
            "666",  # W2 too
            "333",  # R2 comes to read: a writer is waiting, so R2 waits on read_gate
            "444",  # R3 too
            "2222",  # R1 leaves: the last reader out wakes every writer
            RUN,
        ),
        RunState.FINISHED,
        "both writers wait for a reader; new readers wait behind them; every wakeup is a broadcast",
    ),
    Moves(
        "coroutines",
        "async",
        keys(
            "1111",  # the loop makes the fetch tasks, hands crunch_numbers to asyncio_0,
            # then runs each fetch up to its await asyncio.sleep(): none holds the loop
            "222",  # asyncio_0 crunches (sleeps 0.4 s) beside the loop
            RUN,
        ),
        RunState.FINISHED,
        "the blocking-call moves: here each fetch awaits, so the loop is never held",
    ),
    Moves(
        "event-loop",
        "chunked",
        keys(
            "11",  # MainThread starts Loop and Input
            "22",  # Loop waits for an event
            "33",  # Input posts compute_one_part
            "22",  # Loop takes it: one part (0.2 s), then it schedules the next
            "e",  # post a click: it runs before the next part
            RUN,
        ),
        RunState.FINISHED,
        "the blocking moves: a click posted during a part runs before the next part",
    ),
)
"""The fixed variants under the same kind of moves: each runs to its end."""

MOVES: dict[tuple[str, str], Moves] = {(m.scenario, m.variant): m for m in CHALLENGES + SURVIVED}
"""Every entry above by (scenario, variant)."""


# ------------------------------------------------------------------ pressing the moves

SETTLE_SECONDS = 60.0
"""How long the engine may take to settle after a key (a run let go at full speed)."""

CHARACTERS = {"space": " ", "plus": "+"}
"""The character of each named key the moves use (a one-character key is its own)."""


HANDLED_WITHIN = 100
"""How many times the screen's message queues may drain before a key must have been handled
(a key travels from the app to the focused widget and bubbles up to the screen's bindings)."""

HANDLED_WITHIN_SECONDS = 10.0
"""And how long, at least: on a loaded machine the app's loop may take longer to get to it."""


def _seen(runtime: Runtime) -> tuple[int, float | None, bool]:
    snapshot = runtime.snapshot()
    return snapshot.revision, snapshot.speed, snapshot.pace_paused


async def press(pilot: Pilot[object], runtime: Runtime, key: str) -> bool:
    """Press ``key`` as a learner does, and return once the run has settled and the screen
    shows it (so that ``w`` acts on the waiter the screen shows, as it would a frame later).

    The key goes through the app's own key handling and bindings, as with ``pilot.press``,
    but without its wait for the process to go CPU-idle (about 0.1 s a key; the
    readers-writers moves are 94 keys). A key travels from the app to the focused widget and
    bubbles up to the screen's bindings, so one drain of the screen's queues is not always
    enough (it usually takes two): drain them until the run changes or the hint line says
    why it did not.

    Returns:
        True when the run changed, False when the key was refused (the hint line says why).
    """
    screen = scenario_screen(pilot.app)
    hint = screen.query_one(HintLine)
    before, said = _seen(runtime), hint.message
    pilot.app.post_message(events.Key(key, CHARACTERS.get(key, key)))
    deadline = time.monotonic() + HANDLED_WITHIN_SECONDS
    drains = 0
    while drains < HANDLED_WITHIN or time.monotonic() < deadline:
        drains += 1
        await pilot._wait_for_screen()
        if drains > HANDLED_WITHIN:  # a loaded machine: give the app's loop time to get to it
            await asyncio.sleep(0.01)
        assert runtime.wait_idle(SETTLE_SECONDS), f"{key}: the run did not settle"
        if _seen(runtime) != before:
            screen.refresh_snapshot()  # as the frame timer does at its next tick
            return True
        if hint.message is not said:
            return False
    raise AssertionError(f"the key {key} was not handled")
