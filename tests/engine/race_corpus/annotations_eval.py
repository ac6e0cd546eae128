"""Annotations: evaluated where CPython evaluates them, never inside functions."""

import threading

evaluated = []


def note(text):
    evaluated.append(text)
    return text


class Config:
    name: note("class name") = "cfg"
    size: int

    def __init__(self):
        self.level: note("never, in a function") = 1
        local: undefined_name = 2  # noqa: F821
        self.local = local


def scale(value: note("param"), factor: int = 2) -> note("return"):
    result: float = value * factor
    return result


lock = threading.Lock()
out = []


def work(n):
    config = Config()
    box: dict[str, int] = {}
    box["n"]: int = n
    with lock:
        out.append((scale(n), config.level, config.local, box))


threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(out, key=repr), evaluated)
print(Config.__annotations__, scale.__annotations__)
