"""Three threads count words into dicts and attributes, under one lock."""

import threading
from collections import defaultdict


class Stats:
    def __init__(self):
        self.lines = 0
        self.words = 0
        self.by_length = defaultdict(int)


TEXT = ["the quick brown fox", "jumps over", "the lazy dog", "the end"]
stats = Stats()
frequency = {}
lock = threading.Lock()


def count(lines):
    for line in lines:
        words = line.split()
        with lock:
            stats.lines += 1
            stats.words += len(words)
            for word in words:
                frequency[word] = frequency.get(word, 0)
                frequency[word] += 1
                stats.by_length[len(word)] += 1


parts = [TEXT[0:1], TEXT[1:3], TEXT[3:]]
threads = [threading.Thread(target=count, args=(part,)) for part in parts]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(stats.lines, stats.words, sorted(stats.by_length.items()))
print(sorted(frequency.items()))
