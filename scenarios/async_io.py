"""Asynchronous IO: issue reads, keep computing, collect completions from a port.

Run it with plain Python too: ``python async_io.py``.
"""

import queue
import threading
import time

pending: queue.Queue = queue.Queue()  # reads issued, waiting for the disk
# the completion port: the disk puts each finished read here
port: queue.Queue = queue.Queue()
collected: list[str] = []  # the reads the app has got back


def disk(latency):
    """The device: serves one read after another, each takes ``latency`` ms."""
    while True:
        block = pending.get()
        if block is None:  # closed: no more reads
            return
        time.sleep(latency / 1000)  # the platter turns; nobody waits on it
        port.put(block)  # done: post the completion


def app(reads, chunks):
    for number in range(1, reads + 1):
        pending.put(f"block {number}")  # returns at once: the disk works alone
    for _ in range(chunks):
        time.sleep(0.002)  # compute a chunk while the reads are in flight
        while True:  # poll the port: take what is done, never block
            try:
                collected.append(port.get_nowait())
            except queue.Empty:
                break
    while len(collected) < reads:
        collected.append(port.get())  # nothing left to do: wait for the rest
    pending.put(None)  # close the disk


def main(requests=3, latency=4, chunks=4):
    device = threading.Thread(target=disk, name="Disk", args=(latency,))
    worker = threading.Thread(target=app, name="App", args=(requests, chunks))
    device.start()
    worker.start()
    worker.join()
    device.join()


if __name__ == "__main__":
    main()
