"""The ``mutex`` scenario's threads, looping for ever instead of for N rounds: a steady
benchmark load (``measure.ENDLESS_MUTEX`` runs it).

Run it with plain Python too (it never ends: stop it with Ctrl-C).
"""

import threading
import time

mutex = threading.Lock()


def critical_section() -> None:
    time.sleep(0.002)  # the work only one thread at a time may do


def worker() -> None:
    while True:
        time.sleep(0.001)  # think
        with mutex:
            critical_section()


def main(threads=5):
    for n in range(1, threads + 1):
        threading.Thread(target=worker, name=f"T{n}", daemon=True).start()
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
