"""Generators: yield inside augmented assignments, send, yield from, in threads."""

import threading


def averager():
    total = 0.0
    count = 0
    average = None
    while True:
        total += yield average
        count += 1
        average = total / count


def chain(*parts):
    for part in parts:
        yield from part
    return len(parts)


class Counter:
    def __init__(self):
        self.seen = 0

    def walk(self, n):
        for i in range(n):
            self.seen += 1
            yield i


out = {}
counter = Counter()
lock = threading.Lock()


def work(name, values):
    avg = averager()
    next(avg)
    for v in values:
        result = avg.send(v)
    joined = list(chain(values, "ab"))
    with lock:
        walked = list(counter.walk(len(values)))
    out[name] = (result, joined, walked)


threads = [threading.Thread(target=work, args=(n, v)) for n, v in (("a", [1, 2]), ("b", [3]))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(out.items()), counter.seen)
gen = chain([1], [2])
print(list(gen))
try:
    next(gen)
except StopIteration as stop:
    print("done", stop.value)
