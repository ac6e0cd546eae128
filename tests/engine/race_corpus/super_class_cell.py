"""super() without arguments, __class__, __init_subclass__ and classmethods."""

import threading

registry = []


class Base:
    greeting = "base"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        registry.append(cls.__name__)

    def __init__(self, name):
        self.name = name
        self.seen = [__class__.__name__]

    def hello(self):
        return f"{self.greeting} {self.name}"

    @classmethod
    def make(cls, name):
        return cls(name)


class Child(Base):
    greeting = "child"

    def __init__(self, name):
        super().__init__(name.upper())
        self.seen.append(__class__.__name__)
        self.parent_greeting = super().greeting

    def hello(self):
        method = super().hello
        return method() + "!" + str(super().hello is not None)

    @classmethod
    def make(cls, name):
        made = super().make(name)
        made.seen.append("made")
        return made


class Grand(Child):
    def hello(self):
        return "grand " + super().hello()


out = []
lock = threading.Lock()


def work(kind, name):
    thing = kind.make(name)
    with lock:
        out.append((thing.hello(), thing.seen, getattr(thing, "parent_greeting", None)))


threads = [threading.Thread(target=work, args=(k, n)) for k, n in ((Child, "c"), (Grand, "g"))]
for t in threads:
    t.start()
for t in threads:
    t.join()
for entry in sorted(out):
    print(entry)
print(registry, Base("b").hello())
