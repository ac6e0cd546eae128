"""Event loop: one thread runs handlers from a queue; a long job must be cut into parts."""

from __future__ import annotations

from collections.abc import Mapping

from threadlab.engine import Param, Scenario, Variant, World, work


def build(world: World, params: Mapping[str, int], variant: str) -> None:
    parts = params["parts"]
    done = {"parts": 0}

    def on_click() -> None:
        work(1, "redraw")

    events = world.event_queue("events", user_handler=on_click)

    def compute_one_part() -> None:
        done["parts"] += 1
        work(2, f"compute part {done['parts']}/{parts}")
        if done["parts"] < parts:
            events.post("compute", compute_one_part)  # the rest waits its turn

    def compute_everything() -> None:
        for part in range(1, parts + 1):
            work(2, f"compute part {part}/{parts}")  # nothing else runs meanwhile
            done["parts"] = part

    def event_loop(me: str) -> None:
        while True:
            event = events.take()
            event.handler()  # runs to the end before the next event

    def input_thread(me: str) -> None:
        job = compute_one_part if variant == "chunked" else compute_everything
        events.post("compute", job)
        for number in range(1, params["clicks"] + 1):
            work(params["gap"], "wait for the user")
            events.post(f"click {number}", on_click)

    world.spawn("Loop", event_loop, "Loop")
    world.spawn("Input", input_thread, "Input")
    world.source(on_click, compute_one_part if variant == "chunked" else compute_everything)
    world.watch("computed", lambda: f"{done['parts']}/{parts} parts")
    world.watch("longest wait", lambda: _steps(events.longest_wait))


def _steps(count: int) -> str:
    return f"{count} step{'' if count == 1 else 's'}"


SCENARIO = Scenario(
    name="event-loop",
    title="Event loop: take turns or stall",
    summary="A loop thread runs handlers from an event queue; a long job stalls the clicks.",
    explanation=(
        "An event loop takes one event at a time from a thread-safe queue and runs its "
        "handler to the end. A long computation cut into parts, each scheduling the next, "
        "lets the clicks posted meanwhile get their turn. Variant 'blocking' computes "
        "everything in one handler: the queue backs up and every click waits. Press e to "
        "post an event yourself."
    ),
    build=build,
    params=(
        Param("parts", 6, 1, 20, "parts of the long computation (2 steps each)"),
        Param("clicks", 4, 0, 20, "clicks the input thread posts"),
        Param("gap", 2, 1, 10, "steps between two clicks"),
    ),
    variants=(
        Variant("chunked", "each part schedules the next: clicks get their turn"),
        Variant("blocking", "one handler computes everything: clicks wait"),
    ),
    waits_for_user=True,
    idle_hint="the loop waits for the next event: post one",
)
