"""A pool of workers over a queue, with a results dict updated by +=."""

import queue
import threading


class Pool:
    def __init__(self, size):
        self.__jobs = queue.Queue()
        self.__done = {}
        self.__lock = threading.Lock()
        self.__workers = [threading.Thread(target=self.__run, name=f"w{i}") for i in range(size)]

    def __run(self):
        while (job := self.__jobs.get()) is not None:
            kind, value = job
            with self.__lock:
                self.__done[kind] = self.__done.get(kind, 0) + value
                self.__done["jobs"] = self.__done.get("jobs", 0)
                self.__done["jobs"] += 1

    def start(self):
        for worker in self.__workers:
            worker.start()

    def submit(self, kind, value):
        self.__jobs.put((kind, value))

    def close(self):
        for _ in self.__workers:
            self.__jobs.put(None)
        for worker in self.__workers:
            worker.join()
        return dict(sorted(self.__done.items()))


pool = Pool(2)
pool.start()
for n in range(6):
    pool.submit("even" if n % 2 == 0 else "odd", n)
print(pool.close())
