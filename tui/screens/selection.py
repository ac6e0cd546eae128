"""Which condition and which of its waiters the s, b and w keys act on.

The user's choice is kept as names; ``resolve`` checks it against a snapshot, so a choice
that no longer applies (the waiter woke up) falls back to a sensible default instead of
pointing at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from threadlab.engine.model import PrimitiveView, Snapshot


@dataclass(frozen=True)
class Selection:
    """The condition and waiter the condition keys act on (None: nothing to act on)."""

    condition: str | None = None
    waiter: str | None = None


def conditions(snapshot: Snapshot | None) -> tuple[PrimitiveView, ...]:
    """The snapshot's condition variables, in the order the primitives panel lists them."""
    if snapshot is None:
        return ()
    return tuple(p for p in snapshot.primitives if p.kind == "condition")


def resolve(snapshot: Snapshot | None, condition: str | None, waiter: str | None) -> Selection:
    """The effective selection for the user's choice (either may be None: not chosen).

    With no chosen condition, the first one that has waiters (else the first one) is used;
    with no chosen waiter, or one that left the queue, the first waiter is used.
    """
    candidates = conditions(snapshot)
    if not candidates:
        return Selection()
    by_name = {c.name: c for c in candidates}
    chosen = by_name.get(condition) if condition is not None else None
    if chosen is None:
        chosen = next((c for c in candidates if c.queue), candidates[0])
    if waiter in chosen.queue:
        return Selection(chosen.name, waiter)
    return Selection(chosen.name, chosen.queue[0] if chosen.queue else None)


def next_condition(snapshot: Snapshot | None, current: str | None, step: int = 1) -> str | None:
    """The condition after (or before, with a negative step) ``current``."""
    names = [c.name for c in conditions(snapshot)]
    if not names:
        return None
    if current not in names:
        return names[0] if step > 0 else names[-1]
    return names[(names.index(current) + step) % len(names)]


def next_waiter(snapshot: Snapshot | None, selection: Selection, step: int = 1) -> str | None:
    """The waiter after (or before) the selected one in the selected condition's queue."""
    if snapshot is None or selection.condition is None:
        return None
    queue = list(snapshot.primitive(selection.condition).queue)
    if not queue:
        return None
    if selection.waiter not in queue:
        return queue[0]
    return queue[(queue.index(selection.waiter) + step) % len(queue)]
