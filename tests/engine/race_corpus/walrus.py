"""The walrus operator: in loops, conditions, and comprehensions (binding outside)."""

import threading

results = {}


def scan(name, data):
    found = [y for x in data if (y := x * 2) > 4]
    last = y
    chunks = []
    it = iter(data)
    while (chunk := next(it, None)) is not None:
        chunks.append(chunk)
    message = f"{n} chunks" if (n := len(chunks)) > 2 else "few"
    total = 0
    partial = [total := total + v for v in data]
    results[name] = (found, last, chunk, message, partial, total)


def captured():
    values = []
    _ = [(seen := v) for v in range(4)]

    def later():
        return seen

    values.append(later())
    return values


threads = [
    threading.Thread(target=scan, args=("a", [1, 2, 3, 4])),
    threading.Thread(target=scan, args=("b", [5])),
]
for t in threads:
    t.start()
for t in threads:
    t.join()
for key in sorted(results):
    print(key, results[key])
print(captured())
if any((hit := w).startswith("b") for w in ["apple", "banana", "cherry"]):
    print("first b word:", hit)
