"""Augmented assignment on items: the container and key are evaluated once."""

import threading
from collections import Counter, defaultdict

calls = []
lock = threading.Lock()


def key(k):
    calls.append(k)
    return k


class Tracked:
    def __init__(self):
        self.data = {}
        self.log = []

    def __getitem__(self, k):
        self.log.append(("get", k))
        return self.data.get(k, 0)

    def __setitem__(self, k, v):
        self.log.append(("set", k, v))
        self.data[k] = v


class Index:
    def __init__(self, n):
        self.n = n

    def __index__(self):
        calls.append("index")
        return self.n


counts = {"a": 0, "b": 0}
words = defaultdict(int)
tally = Counter()
grid = [[0] * 3 for _ in range(3)]
tracked = Tracked()
slots = [0, 0, 0]
pairs = {}


def work(name, n):
    with lock:
        counts[key(name)] += n
        words[name] += 1
        tally[name] += n * 2
        grid[n % 3][key(n) % 3] += 1
        grid[-1][-1] -= 1
        tracked[key(name)] += n
        slots[Index(n % 3)] += 10
        pairs[name, n] = pairs.get((name, n), 0) + 1
        pairs[name, n] += 1
        slots[0:1] += [n]
        del slots[1:2]


threads = [threading.Thread(target=work, args=(name, n)) for name, n in (("a", 1), ("b", 2))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(counts, sorted(words.items()), sorted(tally.items()), grid, sorted(pairs.items()))
print(sorted(tracked.log), sorted(calls, key=str), sorted(slots))
