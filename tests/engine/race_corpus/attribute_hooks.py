"""__getattr__, __getattribute__, __setattr__ and __delattr__ overrides, counted."""

import threading


class Recorder:
    def __init__(self):
        object.__setattr__(self, "log", [])
        self.value = 1

    def __setattr__(self, name, value):
        self.log.append(("set", name))
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        self.log.append(("missing", name))
        return len(name)

    def __delattr__(self, name):
        self.log.append(("del", name))
        object.__delattr__(self, name)


class Watched:
    def __init__(self):
        self.reads = 0
        self.data = 10

    def __getattribute__(self, name):
        if name == "data":
            object.__setattr__(self, "reads", object.__getattribute__(self, "reads") + 1)
        return object.__getattribute__(self, name)


class Logged:
    """Logs every attribute it is asked for, even the ones Python asks for itself."""

    def __init__(self):
        object.__setattr__(self, "asked", [])
        self.hits = 0

    def __getattribute__(self, name):
        if name != "asked":
            object.__getattribute__(self, "asked").append(name)
        return object.__getattribute__(self, name)


lock = threading.Lock()
recorder = Recorder()
watched = Watched()
logged = Logged()


def work():
    with lock:
        recorder.value += 1
        recorder.extra = recorder.unknown
        watched.data += 1
        _ = watched.data
        logged.hits += 1
        logged.hits = logged.hits * 2


threads = [threading.Thread(target=work) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
del recorder.extra
print(recorder.value, recorder.log)
print(watched.data, object.__getattribute__(watched, "reads"))
print(object.__getattribute__(logged, "hits"), object.__getattribute__(logged, "asked"))
