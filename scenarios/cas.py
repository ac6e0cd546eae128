"""Compare-and-exchange: a spinlock, and a counter that races or never loses an update.

Run it with plain Python too: ``python cas.py``.
"""

import threading
import time

UNLOCKED, LOCKED = 0, 1


class AtomicCell:
    """A memory word with an atomic compare-and-exchange, as CPUs offer (x86's
    ``lock cmpxchg``). Python's standard library has none, so a lock stands for the
    instruction: it makes ``compare_exchange`` one indivisible step."""

    cmpxchg = threading.Lock()  # stands for the CPU instruction of that name

    def __init__(self, value: int) -> None:
        self.value = value

    def compare_exchange(self, expected: int, new: int) -> bool:
        """If the value is still ``expected``, make it ``new``; say whether it did."""
        with self.cmpxchg:
            if self.value != expected:
                return False
            self.value = new
            return True


lock = AtomicCell(UNLOCKED)  # the spinlock's word
counter = 0  # the racy counter: a plain int
cas_counter = AtomicCell(0)  # the counter updated only by compare_exchange
retries: dict[str, int] = {}  # how often each thread had to try again


def critical_section() -> None:
    time.sleep(0.002)  # only the thread holding the spinlock is in here


def spinlock(rounds: int) -> None:
    me = threading.current_thread().name
    for _ in range(rounds):
        while not lock.compare_exchange(UNLOCKED, LOCKED):
            retries[me] += 1  # somebody holds it: spin, try again
        critical_section()
        lock.value = UNLOCKED  # release: a plain store


def racy_increment(rounds: int) -> None:
    global counter
    for _ in range(rounds):
        value = counter  # counter += 1 is a read...
        time.sleep(0)  # (a yield: another thread may run here)
        counter = value + 1  # ...then a write: another thread may have written in between


def cas_increment(rounds: int) -> None:
    me = threading.current_thread().name
    for _ in range(rounds):
        while True:
            value = cas_counter.value  # read...
            time.sleep(0)  # (the same yield)
            if cas_counter.compare_exchange(value, value + 1):  # ...write only if unchanged
                break
            retries[me] += 1  # someone else got there first: read again


def main(threads=3, rounds=3, variant="spinlock"):
    body = {"spinlock": spinlock, "counter-racy": racy_increment, "counter-cas": cas_increment}
    workers = []
    for n in range(1, threads + 1):
        retries[f"T{n}"] = 0
        workers.append(threading.Thread(target=body[variant], name=f"T{n}", args=(rounds,)))
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


if __name__ == "__main__":
    main()
