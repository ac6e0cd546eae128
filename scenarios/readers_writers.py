"""Readers/writers: many readers at once, or one writer alone, from a mutex and two
condition variables that share it.

Run it with plain Python too: ``python readers_writers.py``.
"""

import threading
import time


def reading():
    time.sleep(0.002)  # reading takes a while; other readers may read meanwhile


def writing():
    time.sleep(0.002)  # so does writing; nobody else may be inside meanwhile


class ReaderWriter:
    """The lesson's own: readers count themselves in and out; a writer waits for zero."""

    def __init__(self):
        self.data = 0
        self.readers = 0
        self.mutex = threading.Lock()
        self.read_gate = threading.Condition(self.mutex)
        self.write_gate = threading.Condition(self.mutex)

    def read(self):
        with self.read_gate:  # 'with' on a condition acquires and releases its lock
            self.readers += 1

        reading()  # ... do some reading

        with self.read_gate:
            self.readers -= 1
            if self.readers == 0:  # if no readers, a writer is allowed
                self.write_gate.notify()  # wake up ONE writer; a second one waits on

    def write(self, value):
        with self.write_gate:
            while self.readers > 0:
                self.write_gate.wait()

            writing()  # do some writing (holding mutex: no reader can count itself in)
            self.data = value

        # release the lock (another writer can take it, or a reader), but wake nobody


class ReadersFirst(ReaderWriter):
    """Classic: readers wait only for a writer inside; a writer for no one inside."""

    def __init__(self):
        super().__init__()
        self.writer_inside = False  # a writer writes outside the lock, so it says so

    def read(self):
        with self.read_gate:
            while self.writer_inside:
                self.read_gate.wait()
            self.readers += 1
        reading()  # outside the lock: readers read together
        with self.read_gate:
            self.readers -= 1
            if self.readers == 0:
                self.write_gate.notify()  # the last reader out lets one writer in

    def write(self, value):
        with self.write_gate:
            while self.readers > 0 or self.writer_inside:  # a steady stream of readers
                self.write_gate.wait()  # keeps readers above 0: the writer starves
            self.writer_inside = True
        writing()
        self.data = value
        with self.write_gate:
            self.writer_inside = False
            self.read_gate.notify_all()  # flaw: wakes the readers, forgets other writers


class WritersFirst(ReadersFirst):
    """Fair: a writer announces itself, and from then on no new reader starts."""

    def __init__(self):
        super().__init__()
        self.writers_waiting = 0

    def read(self):
        with self.read_gate:
            while self.writer_inside or self.writers_waiting > 0:
                self.read_gate.wait()  # a waiting writer goes first
            self.readers += 1
        reading()
        with self.read_gate:
            self.readers -= 1
            if self.readers == 0:
                self.write_gate.notify_all()

    def write(self, value):
        with self.write_gate:
            self.writers_waiting += 1  # announce: no new reader may start
            while self.readers > 0 or self.writer_inside:
                self.write_gate.wait()
            self.writers_waiting -= 1
            self.writer_inside = True
        writing()
        self.data = value
        with self.write_gate:
            self.writer_inside = False
            self.write_gate.notify_all()  # every wakeup is a broadcast:
            self.read_gate.notify_all()  # each waiter re-checks its own condition


VARIANTS = {"lesson": ReaderWriter, "classic": ReadersFirst, "fair": WritersFirst}
room = None  # the shared data and its locks, made by main()


def reader(room, reads):
    for _ in range(reads):
        room.read()


def writer(room, writes):
    me = threading.current_thread().name
    for number in range(1, writes + 1):
        room.write(f"{me}.{number}")


def main(readers=3, writers=2, reads=4, writes=1, variant="lesson"):
    global room
    room = VARIANTS[variant]()
    threads = [
        threading.Thread(target=reader, name=f"R{n}", args=(room, reads))
        for n in range(1, readers + 1)
    ]
    threads += [
        threading.Thread(target=writer, name=f"W{n}", args=(room, writes))
        for n in range(1, writers + 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(variant="fair")  # the lesson's own (the default) may leave a writer waiting forever
