"""Barrier: threads work in phases and wait for each other between phases.

Run it with plain Python too: ``python barrier.py``.
"""

import threading
import time


def worker(barrier: threading.Barrier, effort: int, phases: int) -> None:
    for phase in range(1, phases + 1):
        time.sleep(effort * 0.001)  # this phase's work: Tk takes k ms
        barrier.wait()  # nobody starts phase k+1 before all have finished phase k


def main(threads=3, phases=3):
    barrier = threading.Barrier(threads)  # opens when all `threads` parties have arrived
    workers = [
        threading.Thread(target=worker, name=f"T{n}", args=(barrier, n, phases))
        for n in range(1, threads + 1)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


if __name__ == "__main__":
    main()
