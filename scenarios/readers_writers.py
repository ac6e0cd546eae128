"""Readers/writers: many readers at once, or one writer alone, from a mutex and conditions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from threadlab.engine import Param, Scenario, Variant, World, work


@dataclass
class Room:
    """The shared state, guarded by the mutex."""

    readers: int = 0
    writer: str | None = None
    writers_waiting: int = 0
    reading: list[str] = field(default_factory=list)  # who really is inside, to check
    writing: list[str] = field(default_factory=list)


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    mutex = world.mutex("mutex")
    ok_to_read = world.condition("ok_to_read", mutex)
    ok_to_write = world.condition("ok_to_write", mutex)
    room = Room()

    def reader(me: str) -> None:
        for _ in range(params["reads"]):
            with mutex:
                while room.writer is not None:
                    ok_to_read.wait()
                room.readers += 1
            room.reading.append(me)
            work(2, "read")
            room.reading.remove(me)
            with mutex:
                room.readers -= 1
                if room.readers == 0:
                    ok_to_write.signal()  # the last reader out lets one writer in

    def writer(me: str) -> None:
        for _ in range(params["writes"]):
            with mutex:
                while room.readers > 0 or room.writer is not None:
                    ok_to_write.wait()
                room.writer = me
            room.writing.append(me)
            work(2, "write")
            room.writing.remove(me)
            with mutex:
                room.writer = None
                ok_to_read.broadcast()  # flaw: wakes the readers, forgets other writers

    def fair_reader(me: str) -> None:
        for _ in range(params["reads"]):
            with mutex:
                while room.writer is not None or room.writers_waiting > 0:
                    ok_to_read.wait()  # a waiting writer goes first
                room.readers += 1
            room.reading.append(me)
            work(2, "read")
            room.reading.remove(me)
            with mutex:
                room.readers -= 1
                if room.readers == 0:
                    ok_to_write.broadcast()

    def fair_writer(me: str) -> None:
        for _ in range(params["writes"]):
            with mutex:
                room.writers_waiting += 1  # announce: no new reader may start
                while room.readers > 0 or room.writer is not None:
                    ok_to_write.wait()
                room.writers_waiting -= 1
                room.writer = me
            room.writing.append(me)
            work(2, "write")
            room.writing.remove(me)
            with mutex:
                room.writer = None
                ok_to_write.broadcast()
                ok_to_read.broadcast()

    def exclusive() -> str | None:
        if len(room.writing) > 1:
            return f"writers {' and '.join(room.writing)} write at the same time"
        if room.writing and room.reading:
            readers = ", ".join(room.reading)
            return f"{room.writing[0]} writes while {readers} read"
        return None

    fair = variant == "fair"
    for number in range(1, params["readers"] + 1):
        world.spawn(f"R{number}", fair_reader if fair else reader, f"R{number}")
    for number in range(1, params["writers"] + 1):
        world.spawn(f"W{number}", fair_writer if fair else writer, f"W{number}")
    world.watch("readers", lambda: room.readers)
    world.watch("writer", lambda: room.writer or "none")
    if fair:
        world.watch("writers waiting", lambda: room.writers_waiting)
    world.invariant("a writer never beside a reader or another writer", exclusive)


SCENARIO = Scenario(
    name="readers-writers",
    title="Readers/writers: share reading, exclusive writing",
    summary="Readers count themselves in; a writer waits for zero readers. Starvation lurks.",
    explanation=(
        "Readers may read together; a writer needs the room alone. In the classic design "
        "a writer waits while readers > 0 and the last reader out signals one writer. "
        "Flaws: a steady stream of readers starves the writer, and when a writer finishes "
        "it wakes only readers, so with two writers one can be left waiting forever. "
        "Variant 'fair': writers announce themselves and every wakeup is a broadcast."
    ),
    build=build,
    params=(
        Param("readers", 3, 1, 6, "reader threads R1..Rn"),
        Param("writers", 2, 1, 4, "writer threads W1..Wn"),
        Param("reads", 4, 1, 50, "times each reader reads"),
        Param("writes", 1, 1, 20, "times each writer writes"),
    ),
    variants=(
        Variant("classic", "readers first: writers can starve, or be left waiting forever"),
        Variant("fair", "writers announce themselves; wakeups are broadcasts"),
    ),
    invariants=("a writer never beside a reader or another writer",),
)
