"""Private names inside classes: globals, class attributes, and getattr by mangled name."""

import threading

_Registry__entries = []
_Registry__lock = threading.Lock()


class Registry:
    __count = 0

    def add(self, item):
        global __entries
        with __lock:  # noqa: F821 (mangled: _Registry__lock)
            __entries.append(item)
            Registry.__count += 1
            type(self).__count += 0
            return Registry.__count

    def total(self):
        return self.__count, self._Registry__count, hasattr(self, "__count")

    def missing(self):
        try:
            return self.__missing
        except AttributeError as error:
            return str(error)


registry = Registry()
threads = [threading.Thread(target=registry.add, args=(n,)) for n in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(_Registry__entries), registry.total(), registry.missing())
