"""Enums, namedtuples and their helpers, shared between threads."""

import enum
import threading
from collections import namedtuple
from typing import NamedTuple

Point = namedtuple("Point", "x y")


class Vector(NamedTuple):
    dx: int
    dy: int = 0

    def length2(self):
        return self.dx * self.dx + self.dy * self.dy


class State(enum.Enum):
    IDLE = "idle"
    BUSY = "busy"

    @property
    def busy(self):
        return self is State.BUSY


class Flags(enum.Flag):
    READ = enum.auto()
    WRITE = enum.auto()


positions = {"a": Point(0, 0), "b": Point(1, 1)}
states = {"a": State.IDLE, "b": State.IDLE}
lock = threading.Lock()


def move(name, vector):
    with lock:
        p = positions[name]
        positions[name] = p._replace(x=p.x + vector.dx, y=p.y + vector.dy)
        states[name] = State.BUSY


threads = [
    threading.Thread(target=move, args=("a", Vector(2, 3))),
    threading.Thread(target=move, args=("b", Vector(-1))),
]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(positions.items()), [s.busy for s in states.values()], Vector(3, 4).length2())
print(Flags.READ | Flags.WRITE, State("idle"), list(State.__members__), Point(1, 2)._asdict())
