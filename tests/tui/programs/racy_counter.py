"""Two threads add one to a counter with no lock: a read, then a write."""

import threading

counter = 0


def increment():
    global counter
    value = counter
    counter = value + 1


def main():
    threads = [threading.Thread(target=increment, name=name) for name in ("T1", "T2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
