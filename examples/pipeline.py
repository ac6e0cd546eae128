"""A three-stage pipeline of queues: try stepping the parser until the queue between it and
the writer fills up, and watch who waits for whom.

A reader produces lines, a parser turns them into numbers, a writer adds them up. Each stage
hands its work to the next through a bounded ``queue.Queue``; ``None`` means "no more".
"""

import queue
import threading
import time

raw_lines = queue.Queue(maxsize=2)
numbers = queue.Queue(maxsize=2)


def reader(lines):
    for line in lines:
        raw_lines.put(line)
    raw_lines.put(None)


def parser():
    while True:
        line = raw_lines.get()
        if line is None:
            numbers.put(None)
            return
        time.sleep(0.01)  # parsing takes a while
        numbers.put(int(line))


def writer(results):
    total = 0
    while (number := numbers.get()) is not None:
        total += number
    results.append(total)


def main():
    results = []
    stages = [
        threading.Thread(target=reader, args=(["1", "2", "3", "4", "5"],), name="reader"),
        threading.Thread(target=parser, name="parser"),
        threading.Thread(target=writer, args=(results,), name="writer"),
    ]
    for stage in stages:
        stage.start()
    for stage in stages:
        stage.join()
    print("total:", results[0])


if __name__ == "__main__":
    main()
