"""f-strings with attributes, items and format specs; lambdas over shared state."""

import threading


class Reading:
    def __init__(self, where, value):
        self.where = where
        self.value = value


readings = [Reading("north", 3.14159), Reading("south", -2.5)]
table = {"unit": "°C", "width": 8}
lines = []
lock = threading.Lock()
scale = 1


def report(index):
    global scale
    r = readings[index]
    with lock:
        scale += 1
        text = f"{r.where!r:>{table['width']}} {r.value * (index + 2):+.2f}{table['unit']}"
        nested = f"{f'{r.where[0].upper()}'}-{index}"
        lines.append((text, nested, f"{r.value=:.1f}"))


threads = [threading.Thread(target=report, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for line in sorted(lines):
    print(line)
by_value = sorted(readings, key=lambda r: r.value)
print([r.where for r in by_value], (lambda r: r.value * scale)(readings[0]))
adders = [lambda x, n=n: x + n for n in range(3)]
print([add(10) for add in adders])
