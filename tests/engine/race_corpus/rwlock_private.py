"""A readers-writer lock whose state is private (name-mangled) attributes."""

import threading


class ReadWriteLock:
    def __init__(self):
        self.__exclude = threading.Lock()
        self.__readers = 0
        self.__ok = threading.Condition(self.__exclude)
        self.__writing = False

    def acquire_read(self):
        with self.__ok:
            while self.__writing:
                self.__ok.wait()
            self.__readers += 1

    def release_read(self):
        with self.__ok:
            self.__readers -= 1
            if self.__readers == 0:
                self.__ok.notify_all()

    def acquire_write(self):
        with self.__ok:
            while self.__writing or self.__readers:
                self.__ok.wait()
            self.__writing = True

    def release_write(self):
        with self.__ok:
            self.__writing = False
            self.__ok.notify_all()

    @property
    def readers(self):
        return self.__readers


table = {"a": 1}
seen = []
rw = ReadWriteLock()


def reader(name):
    rw.acquire_read()
    try:
        seen.append((name, sorted(table.items())[0][0]))
    finally:
        rw.release_read()


def writer():
    rw.acquire_write()
    try:
        table["a"] += 10
        table["b"] = table["a"] * 2
    finally:
        rw.release_write()


threads = [threading.Thread(target=reader, args=(n,)) for n in ("r1", "r2")]
threads.append(threading.Thread(target=writer))
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(seen), sorted(table.items()), rw.readers)
print(sorted(k for k in vars(rw) if "readers" in k))
try:
    print(rw.__readers)
except AttributeError as error:
    print("outside the class:", error)
print(rw._ReadWriteLock__readers)
