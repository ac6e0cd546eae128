"""Mutex: threads take turns in a critical section, one at a time.

Run it with plain Python too: ``python mutex.py``.
"""

import threading
import time

mutex = threading.Lock()


def critical_section() -> None:
    time.sleep(0.002)  # the work only one thread at a time may do


def worker(rounds: int) -> None:
    for _ in range(rounds):
        time.sleep(0.001)  # think (others may run meanwhile)
        with mutex:  # acquire: wait in the mutex's queue while another thread holds it
            critical_section()
        # leaving the with block releases the mutex and wakes the first waiter


def worker_without_lock(rounds: int) -> None:
    for _ in range(rounds):
        time.sleep(0.001)
        # bug: forgot `with mutex:`, so two threads can be inside at once
        critical_section()


def main(threads=3, rounds=3, variant="locked"):
    body = worker if variant == "locked" else worker_without_lock
    workers = [
        threading.Thread(target=body, name=f"T{n}", args=(rounds,)) for n in range(1, threads + 1)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


if __name__ == "__main__":
    main()
