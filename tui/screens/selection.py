"""What the keys act on: which condition and waiter the s, b and w keys act on, and which
file the code panel shows.

The user's choice is kept as names; ``resolve`` checks it against a snapshot, so a choice
that no longer applies (the waiter woke up) falls back to a sensible default instead of
pointing at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...engine.snapshot.model import STATE_CODES, PrimitiveView, ProgramFile, Snapshot, ThreadState


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


def in_view_order(snapshot: Snapshot) -> list[str]:
    """The names of the threads the code panel keeps in view, the first above all: the
    threads the verdict names, then the thread that ran the latest step (the one the user
    just stepped), then the threads of the latest events, the latest first."""
    names = list(snapshot.verdict.threads) if snapshot.verdict is not None else []
    if snapshot.timeline:
        ran = snapshot.timeline[-1].states.find(STATE_CODES[ThreadState.RUNNING])
        if 0 <= ran < len(snapshot.threads):
            names.append(snapshot.threads[ran].name)
    names.extend(e.thread for e in reversed(snapshot.events) if e.thread is not None)
    return names


def shown_file(snapshot: Snapshot | None, chosen: str | None) -> ProgramFile | None:
    """The file the code panel shows, when the program has more than one (else None): the
    one the user chose (its path), else the file of the thread the panel keeps in view
    (``in_view_order``), else the main file."""
    if snapshot is None or not snapshot.files:
        return None
    by_path = {f.path: f for f in snapshot.files}
    if chosen in by_path:
        return by_path[chosen]
    threads = {t.name: t for t in snapshot.threads}
    for name in in_view_order(snapshot):
        if name in threads:
            return by_path.get(threads[name].file or "", snapshot.files[0])
    return snapshot.files[0]


def next_file(snapshot: Snapshot | None, shown: ProgramFile | None) -> str | None:
    """The path of the file after ``shown`` (the first after the last), or None."""
    if snapshot is None or not snapshot.files or shown is None:
        return None
    paths = [f.path for f in snapshot.files]
    at = paths.index(shown.path) if shown.path in paths else -1
    return paths[(at + 1) % len(paths)]
