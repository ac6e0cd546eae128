"""Chained, starred, tuple and attribute-target assignments."""

import threading


class Pair:
    pass


lock = threading.Lock()
results = []


def work(n):
    pair = Pair()
    a = b = c = [n]
    a.append(0)
    pair.x = pair.y = n * 10
    first, *middle, last = range(n + 3)
    (pair.left, pair.right), d = (n, -n), {}
    d["k"], d["v"] = "key", n
    holder = {}
    holder["a"] = holder["b"] = []
    holder["a"].append(n)
    for pair.i in range(2):
        pass
    [p, q] = [n, n + 1]
    *start, end = "abc"
    with lock:
        results.append(
            (n, a, b is c, pair.x, pair.y, first, middle, last, pair.left, pair.right, d)
        )
        results.append((n, holder, pair.i, p, q, start, end))


threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for entry in sorted(results, key=repr):
    print(entry)
