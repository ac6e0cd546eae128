"""match statements: tuples, dataclasses, mappings, enums, guards, captures."""

import enum
import threading
from dataclasses import dataclass


class Color(enum.Enum):
    RED = 1
    GREEN = 2


@dataclass
class Move:
    dx: int
    dy: int


@dataclass
class Say:
    text: str


class Codes:
    OK = 200
    MISSING = 404


results = []
lock = threading.Lock()


def describe(command):
    match command:
        case (0, 0):
            return "origin"
        case (x, 0) | (0, x):
            return f"on an axis at {x}"
        case (x, y) if x == y:
            return f"diagonal {x}"
        case [first, *rest]:
            return f"list from {first} with {len(rest)} more"
        case Move(dx=0, dy=dy):
            return f"vertical {dy}"
        case Move(dx, dy):
            return f"move {dx},{dy}"
        case Say(text=str() as text) if text:
            return f"say {text!r}"
        case {"action": "go", "speed": speed, **rest}:
            return f"go at {speed} with {sorted(rest)}"
        case {"status": Codes.OK}:
            return "ok"
        case Color.RED:
            return "red"
        case Color() as color:
            return f"another color {color.name}"
        case str(name) | bytes(name):
            return f"text {name!r}"
        case _:
            return "unknown"


commands = [
    (0, 0),
    (3, 0),
    (0, 4),
    (2, 2),
    (1, 2),
    [9, 8, 7],
    Move(0, 5),
    Move(1, 2),
    Say("hi"),
    {"action": "go", "speed": 3, "extra": 1},
    {"status": 200},
    Color.RED,
    Color.GREEN,
    "plain",
    3.5,
]


def work(part):
    for index in part:
        with lock:
            results.append((index, describe(commands[index])))


threads = [threading.Thread(target=work, args=(range(n, len(commands), 2),)) for n in (0, 1)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for index, text in sorted(results):
    print(index, text)
