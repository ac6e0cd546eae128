"""Name mangling in nested classes, with trailing dunders, and for all-underscore names."""

import threading

_Config__limit = 5
__hidden = "module-level"


class Config:
    __slots__ = ("__level", "__name__x", "__tag__")

    def __init__(self):
        self.__level = 1
        self.__name__x = "mangled"
        self.__tag__ = "dunder, not mangled"

    def limit(self):
        return __limit  # noqa: F821 (mangled: _Config__limit)

    def bump(self, by):
        self.__level += by
        return self.__level

    class Inner:
        def __init__(self):
            self.__secret = "inner"

        def reveal(self):
            return self.__secret, sorted(vars(self))

    class _Under:
        def __init__(self):
            self.__x = 1

        def keys(self):
            return sorted(vars(self))


class __:
    def __init__(self):
        self.__plain = "all underscores: not mangled"

    def keys(self):
        return sorted(vars(self))


lock = threading.Lock()


def work(config, results):
    with lock:
        results.append(config.bump(2))


config = Config()
results = []
threads = [threading.Thread(target=work, args=(config, results)) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results), config._Config__level, config.__tag__, config._Config__name__x)
print(config.limit(), Config.Inner().reveal(), Config._Under().keys(), __().keys())
print(sorted(Config.__slots__), __hidden)
