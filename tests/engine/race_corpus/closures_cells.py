"""Closures: late binding, defaults, cells shared between threads, nested nonlocal."""

import threading


def make_accumulators():
    total = 0
    lock = threading.Lock()

    def add(n):
        nonlocal total
        with lock:
            total += n

    def get():
        return total

    return add, get


def late_binding():
    functions = [lambda: i for i in range(3)]  # noqa: B023
    bound = [lambda i=i: i for i in range(3)]
    return [f() for f in functions], [f() for f in bound]


def three_levels():
    x = 1

    def second():
        y = 10

        def third():
            nonlocal x, y
            x += 1
            y += x
            return x, y

        return third(), y

    return second(), x


add, get = make_accumulators()
threads = [threading.Thread(target=add, args=(n,)) for n in range(1, 5)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(get(), late_binding(), three_levels())
