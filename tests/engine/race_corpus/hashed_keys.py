"""Dict keys of the program's own class: how often __hash__ and __eq__ run."""

import threading

log = []


class Key:
    def __init__(self, name):
        self.name = name

    def __hash__(self):
        log.append("hash " + self.name)
        return hash(self.name)

    def __eq__(self, other):
        log.append("eq " + self.name)
        return isinstance(other, Key) and other.name == self.name

    def __repr__(self):
        return f"Key({self.name})"


scores = {}
lock = threading.Lock()
a, b = Key("a"), Key("b")


def work(k):
    with lock:
        scores[k] = scores.get(k, 0) + 1
        scores[k] += 10
        value = scores[k]
        scores[k] = value * 2


threads = [threading.Thread(target=work, args=(k,)) for k in (a, b)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(scores.items(), key=lambda item: item[0].name))
print(log.count("hash a"), log.count("hash b"), log.count("eq a") + log.count("eq b"))
