"""Producer-consumer: a bounded buffer guarded by one mutex and two conditions."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, Variant, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    mutex = world.mutex("mutex")
    not_full = world.condition("not_full", mutex)
    not_empty = world.condition("not_empty", mutex)
    buffer = world.buffer("buffer", params["capacity"])

    def producer(me: str) -> None:
        for number in range(1, params["items"] + 1):
            work(1, "make an item")
            with mutex:
                while buffer.is_full():
                    not_full.wait()
                buffer.put(f"{me}.{number}")
                not_empty.signal()

    def consumer(me: str, quota: int) -> None:
        for _ in range(quota):
            with mutex:
                while buffer.is_empty():
                    not_empty.wait()
                buffer.get()
                not_full.signal()
            work(1, "use the item")

    def consumer_with_if(me: str, quota: int) -> None:
        for _ in range(quota):
            with mutex:
                if buffer.is_empty():  # bug: should be while
                    not_empty.wait()
                buffer.get()
                not_full.signal()
            work(1, "use the item")

    for number in range(1, params["producers"] + 1):
        world.spawn(f"P{number}", producer, f"P{number}")
    total = params["producers"] * params["items"]
    consumers = params["consumers"]
    body = consumer if variant == "while" else consumer_with_if
    for number in range(1, consumers + 1):
        quota = total // consumers + (1 if number <= total % consumers else 0)
        world.spawn(f"C{number}", body, f"C{number}", quota)


SCENARIO = Scenario(
    name="producer-consumer",
    title="Producer-consumer: a bounded buffer",
    summary="Producers fill a bounded buffer, consumers empty it; one mutex, two conditions.",
    explanation=(
        "Producers wait on not_full while the buffer is full; consumers wait on not_empty "
        "while it is empty; each signals the other after changing the buffer. The 'while' "
        "loop re-checks after every wakeup. Variant 'if' checks only once: wake a waiting "
        "consumer spuriously (w) and it takes from an empty buffer."
    ),
    build=build,
    params=(
        Param("producers", 2, 1, 5, "producer threads P1..Pn"),
        Param("consumers", 2, 1, 5, "consumer threads C1..Cn"),
        Param("capacity", 3, 1, 10, "slots in the buffer"),
        Param("items", 4, 1, 50, "items each producer makes; the run ends when all are eaten"),
    ),
    variants=(
        Variant("while", "correct: re-check the buffer in a while loop after every wakeup"),
        Variant("if", "buggy: check once with if; a spurious or stolen wakeup breaks it"),
    ),
    invariants=("0 ≤ buffer count ≤ capacity, and no get from an empty buffer",),
)
