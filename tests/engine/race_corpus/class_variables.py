"""Class attributes shadowed by instance attributes, and counters on the class."""

import threading


class Meta(type):
    created = 0

    def __call__(cls, *args):
        Meta.created += 1
        return super().__call__(*args)


class Widget(metaclass=Meta):
    count = 0
    label = "widget"

    def __init__(self, name):
        self.name = name
        Widget.count += 1
        if name == "special":
            self.label = "mine"


lock = threading.Lock()
made = []


def build(name):
    with lock:
        made.append(Widget(name))


threads = [threading.Thread(target=build, args=(n,)) for n in ("a", "special", "b")]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(Widget.count, Meta.created, sorted((w.name, w.label) for w in made))
w = made[0]
w.count = 99
print(w.count, Widget.count, "count" in vars(w))
del w.count
print(w.count)
