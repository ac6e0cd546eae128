"""A priority queue of jobs ordered by their own __lt__, which reads their attributes."""

import queue
import threading


class Job:
    def __init__(self, priority, name):
        self.priority = priority
        self.name = name

    def __lt__(self, other):
        return self.priority < other.priority


q = queue.PriorityQueue()
out = []


def producer():
    for n in (3, 1, 2):
        q.put(Job(n, f"j{n}"))


def consumer():
    for _ in range(3):
        out.append(q.get().name)


threads = [threading.Thread(target=producer), threading.Thread(target=consumer)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(out))
