"""Context managers of the program's own, as attributes, and several in one with."""

import contextlib
import threading

log = []


class Tracker:
    def __init__(self, name):
        self.name = name
        self.depth = 0

    def __enter__(self):
        self.depth += 1
        log.append(("enter", self.name, self.depth))
        return self

    def __exit__(self, kind, value, traceback):
        self.depth -= 1
        log.append(("exit", self.name, kind.__name__ if kind else None))
        return kind is KeyError


@contextlib.contextmanager
def section(title):
    log.append(("open", title))
    try:
        yield title.upper()
    finally:
        log.append(("close", title))


class Holder:
    def __init__(self):
        self.tracker = Tracker("held")
        self.lock = threading.Lock()


holder = Holder()


def work(n):
    with holder.lock, holder.tracker as tracked, section(f"s{n}") as title:
        log.append(("inside", tracked.name, title))
    with Tracker(f"t{n}"):
        raise KeyError(n)


threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for entry in sorted(log, key=repr):
    print(entry)
print(holder.tracker.depth)
