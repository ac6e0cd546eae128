"""Dataclasses with slots, updated from threads under a lock."""

import threading
from dataclasses import dataclass, field


@dataclass(slots=True)
class Point:
    x: int = 0
    y: int = 0
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Frozen:
    name: str


class Slotted:
    __slots__ = ("__private", "count")

    def __init__(self):
        self.count = 0
        self.__private = "p"

    def private(self):
        return self.__private


lock = threading.Lock()
point = Point()
slotted = Slotted()


def move(dx, dy):
    with lock:
        point.x += dx
        point.y += dy
        point.tags += [f"{dx},{dy}"]
        slotted.count += 1


threads = [threading.Thread(target=move, args=(n, -n)) for n in (1, 2, 3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(point.x, point.y, sorted(point.tags), slotted.count, slotted.private())
try:
    slotted.other = 1
except AttributeError as error:
    print("no slot:", error)
try:
    Frozen("f").name = "g"
except AttributeError as error:
    print("frozen:", type(error).__name__, error)
print(Point.__slots__, hasattr(point, "__dict__"))
