"""Producer/consumer: a bounded buffer guarded by one lock and two condition variables.

Run it with plain Python too: ``python producer_consumer.py``.
"""

import threading

buffer: list[str] = []
mutex = threading.Lock()
not_full = threading.Condition(mutex)
not_empty = threading.Condition(mutex)


def producer(items: int, capacity: int) -> None:
    me = threading.current_thread().name
    for number in range(1, items + 1):
        # with not_full: acquires mutex, the conditions' lock
        with not_full:
            # while, not if: re-check after every wakeup
            while len(buffer) == capacity:
                # releases mutex, re-acquires it on waking
                not_full.wait()
            buffer.append(f"{me}.{number}")
            # wake a consumer: it runs once mutex is free
            not_empty.notify()


def consumer(quota: int) -> None:
    for _ in range(quota):
        with not_empty:
            while len(buffer) == 0:
                not_empty.wait()
            buffer.pop(0)
            not_full.notify()  # wake a producer


def consumer_with_if(quota: int) -> None:
    for _ in range(quota):
        with not_empty:
            if len(buffer) == 0:  # bug: should be while
                not_empty.wait()
            # after a spurious or stolen wakeup: empty!
            buffer.pop(0)
            not_full.notify()


def main(producers=2, consumers=2, capacity=3, items=4, variant="while"):
    take = consumer if variant == "while" else consumer_with_if
    threads = [
        threading.Thread(target=producer, name=f"P{n}", args=(items, capacity))
        for n in range(1, producers + 1)
    ]
    total = producers * items
    for n in range(1, consumers + 1):
        quota = total // consumers + (1 if n <= total % consumers else 0)
        threads.append(threading.Thread(target=take, name=f"C{n}", args=(quota,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
