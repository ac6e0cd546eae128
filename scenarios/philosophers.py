"""Dining philosophers: each needs two forks; left-then-right can deadlock in a cycle.

Run it with plain Python too: ``python philosophers.py`` (it takes the forks in order, so
it always ends; ``main(variant="left-right")`` may hang for good).
"""

import threading
import time


def philosopher(forks: list[threading.Lock], left: int, right: int, meals: int) -> None:
    for _ in range(meals):
        time.sleep(0.001)  # think
        # Left fork, then right: if everyone holds a left fork, everyone waits forever.
        with forks[left], forks[right]:
            time.sleep(0.002)  # eat


def philosopher_ordered(forks: list[threading.Lock], left: int, right: int, meals: int) -> None:
    first, second = sorted((left, right))  # a global order on forks: lower number first
    for _ in range(meals):
        time.sleep(0.001)  # think
        with forks[first], forks[second]:  # no cycle of waits can form
            time.sleep(0.002)  # eat


def main(philosophers=3, meals=3, variant="ordered"):
    forks = [threading.Lock() for _ in range(philosophers)]  # forks[0], forks[1], ...
    dine = philosopher_ordered if variant == "ordered" else philosopher
    diners = [
        threading.Thread(
            target=dine, name=f"Ph{n + 1}", args=(forks, n, (n + 1) % philosophers, meals)
        )
        for n in range(philosophers)
    ]
    for thread in diners:
        thread.start()
    for thread in diners:
        thread.join()


if __name__ == "__main__":
    main()
