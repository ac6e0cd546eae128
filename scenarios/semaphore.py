"""Semaphore: K permits shared by N threads, like a pool of K database connections.

Run it with plain Python too: ``python semaphore.py``.
"""

import threading
import time


def query_the_database() -> None:
    time.sleep(0.003)  # at most K threads are in here at once


def client(connections: threading.Semaphore, rounds: int) -> None:
    for _ in range(rounds):
        time.sleep(0.001)  # prepare a query
        with connections:  # acquire a permit, or wait in FIFO order until one is released
            query_the_database()
        # leaving the with block releases the permit and wakes the first waiter


def main(permits=2, threads=5, rounds=2):
    connections = threading.Semaphore(permits)  # K permits: K connections in the pool
    clients = [
        threading.Thread(target=client, name=f"T{n}", args=(connections, rounds))
        for n in range(1, threads + 1)
    ]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()


if __name__ == "__main__":
    main()
