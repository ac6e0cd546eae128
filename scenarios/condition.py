"""Condition variable: threads sleep in a wait queue until someone notifies them.

In threadlab you are the one who wakes them: s notifies one, b notifies all, w wakes one
spuriously. Run it with plain Python too (``python condition.py``): a stand-in for you
then notifies all now and then.
"""

import threading
import time

mutex = threading.Lock()
wakeup = threading.Condition(mutex)
woken: dict[str, int] = {}  # how many times each thread has woken up


def sleeper(rounds: int) -> None:
    me = threading.current_thread().name
    woken[me] = 0
    for _ in range(rounds):
        with wakeup:  # acquires mutex
            wakeup.wait()  # releases mutex, sleeps in the queue, re-acquires mutex on waking
            woken[me] += 1
        time.sleep(0.001)  # do the job


def alarm(ticks: int) -> None:
    for _ in range(ticks):
        time.sleep(0.003)  # tick
        with wakeup:
            wakeup.notify()  # wakes the first waiter; with nobody waiting, it is lost


def main(threads=3, rounds=2, variant="manual"):
    sleepers = [
        threading.Thread(target=sleeper, name=f"T{n}", args=(rounds,))
        for n in range(1, threads + 1)
    ]
    for thread in sleepers:
        thread.start()
    if variant == "alarm":
        threading.Thread(target=alarm, name="A1", args=(threads * rounds,)).start()
    for thread in sleepers:
        thread.join()


def _you() -> None:
    """Under plain Python nobody presses keys: this daemon thread stands in for you."""
    while True:
        time.sleep(0.01)
        with wakeup:
            wakeup.notify_all()


if __name__ == "__main__":
    threading.Thread(target=_you, daemon=True).start()
    main()
