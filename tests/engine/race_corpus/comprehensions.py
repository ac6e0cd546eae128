"""Comprehensions and generator expressions: their own scope, including in a class body."""

import threading

rows = [[1, 2], [3, 4]]
factor = 3
lock = threading.Lock()
out = []


class Table:
    size = 3
    # only the first iterable sees the class's names
    cells = [n * 2 for n in range(size)]  # noqa: RUF012
    pairs = {k: v for k, v in zip("abc", range(size), strict=True)}  # noqa: RUF012
    __hidden = [1, 2]  # noqa: RUF012
    doubled = [x * 2 for x in __hidden]  # noqa: RUF012

    def __init__(self):
        self.__items = [Item(i) for i in range(3)]

    def values(self):
        return [item.__value for item in self.__items if item.__value % 2 == 0]


class Item:
    def __init__(self, value):
        self._Table__value = value


def work(n):
    flat = [x * factor for row in rows for x in row if x != n]
    square = {x: x * x for x in flat}
    unique = {x % 4 for x in flat}
    gen = sum(x for x in flat if x > n)
    nested = [[y * n for y in row] for row in rows]
    with lock:
        out.append((n, flat, sorted(square.items()), sorted(unique), gen, nested))


threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for entry in sorted(out):
    print(entry)
print(Table.cells, Table.pairs, Table.doubled, Table().values())
try:
    exec("class Broken:\n    k = 2\n    bad = [k * x for x in range(2)]\n")
except NameError as error:
    print("class scope is not visible:", error)
