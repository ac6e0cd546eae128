"""Properties with setters and deleters, each call counted."""

import threading

calls = []


class Temperature:
    def __init__(self):
        self._celsius = 0.0

    @property
    def celsius(self):
        calls.append("get")
        return self._celsius

    @celsius.setter
    def celsius(self, value):
        calls.append("set")
        if value < -273.15:
            raise ValueError("below absolute zero")
        self._celsius = value

    @celsius.deleter
    def celsius(self):
        calls.append("del")
        self._celsius = 0.0

    @property
    def fahrenheit(self):
        return self.celsius * 9 / 5 + 32


lock = threading.Lock()
room = Temperature()


def warm():
    with lock:
        room.celsius += 1.5


room.celsius = 20
room.celsius += 1
print(room.celsius, room.fahrenheit, calls)
threads = [threading.Thread(target=warm) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(room.celsius, calls.count("get"), calls.count("set"))
del room.celsius
try:
    room.celsius = -300
except ValueError as error:
    print(error)
print(room.celsius, calls[-3:])


def steps():
    t = Temperature()
    t.celsius = 5
    t.celsius *= 2
    del t.celsius
    return t.celsius


calls.clear()
worker = threading.Thread(target=lambda: print(steps(), calls))
worker.start()
worker.join()
