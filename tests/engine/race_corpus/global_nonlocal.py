"""Globals rebound from threads, and closures that rebind with nonlocal."""

import threading

total = 0
last = None
names = []
lock = threading.Lock()


def add(name, amount):
    global total, last
    with lock:
        total += amount
        last = name
        names.append(name)


def make_counter():
    count = 0

    def bump(by=1):
        nonlocal count
        count += by
        return count

    def peek():
        return count

    return bump, peek


def deep():
    level = "outer"

    def middle():
        def inner():
            nonlocal level
            level = "inner"

        inner()
        return level

    return middle(), level


def set_global():
    def inner():
        global created
        created = "made in inner"

    inner()


threads = [threading.Thread(target=add, args=(str(n), n)) for n in range(1, 4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
bump, peek = make_counter()
workers = [threading.Thread(target=bump, args=(n,)) for n in (5, 6)]
for w in workers:
    w.start()
    w.join()
set_global()
print(total, last in ("1", "2", "3"), sorted(names), peek(), deep(), created)  # noqa: F821
