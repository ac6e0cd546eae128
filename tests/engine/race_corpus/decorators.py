"""Decorators: with arguments, functools.wraps, class decorators, registries."""

import functools
import threading


class Registry:
    def __init__(self):
        self.handlers = {}

    def register(self, name):
        def decorate(function):
            self.handlers[name] = function
            return function

        return decorate


registry = Registry()
counts = {}
lock = threading.Lock()


def counted(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with lock:
            counts[function.__name__] = counts.get(function.__name__, 0) + 1
        return function(*args, **kwargs)

    return wrapper


def repeat(times):
    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args):
            return [function(*args) for _ in range(times)]

        return wrapper

    return decorate


def describe(cls):
    cls.description = f"{cls.__name__} with {len(vars(cls))} names"
    return cls


@describe
class Greeter:
    @staticmethod
    @counted
    def hello(name):
        return f"hello {name}"

    @repeat(2)
    def twice(self, word):
        return word


@registry.register("square")
@counted
def square(x):
    return x * x


def work(n):
    square(n)
    Greeter.hello(str(n))


threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2, 3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(counts, square.__name__, registry.handlers["square"](4), Greeter.description)
print(Greeter().twice("hi"), Greeter.hello.__wrapped__("x"))
