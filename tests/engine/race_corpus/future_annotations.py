"""A module docstring, then the __future__ import: annotations stay strings."""

from __future__ import annotations

import collections.abc
import threading
from dataclasses import dataclass, field


@dataclass
class Node:
    value: int
    children: list[Node] = field(default_factory=list)

    def add(self, child: Node) -> Node:
        self.children.append(child)
        return self

    def extend(self, more: collections.abc.Sequence[Node]) -> Node:
        self.children.extend(more)
        return self

    def total(self) -> int:
        return self.value + sum(c.total() for c in self.children)


lock = threading.Lock()
root = Node(0)


def grow(n: int) -> None:
    with lock:
        root.add(Node(n).add(Node(n * 10))).extend([Node(n * 100)])


threads = [threading.Thread(target=grow, args=(n,)) for n in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(root.total(), Node.add.__annotations__, Node.__annotations__)
print(Node.extend.__annotations__)
print(grow.__annotations__)
