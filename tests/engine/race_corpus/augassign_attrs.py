"""Augmented assignment on attributes: the object is evaluated once; in-place types."""

import threading

calls = []


class Stats:
    total = 0

    def __init__(self):
        self.count = 0
        self.items = []
        self.pair = (0,)
        self.text = ""


stats = Stats()
lock = threading.Lock()


def get_stats():
    calls.append("get")
    return stats


def work(n):
    with lock:
        get_stats().count += n
        stats.items += [n]
        same = stats.items
        stats.items += []
        stats.pair += (n,)
        stats.text += str(n)
        Stats.total += 1
        type(stats).total *= 2
        stats.__class__.total -= 1
        calls.append(same is stats.items)


threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2, 3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(stats.count, sorted(stats.items), sorted(stats.pair), sorted(stats.text), Stats.total)
print(calls)
print(vars(stats).keys() >= {"count", "items"}, "total" in vars(stats))
