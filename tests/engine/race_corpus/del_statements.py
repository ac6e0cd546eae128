"""del of attributes, items, slices and names, from threads."""

import threading


class Box:
    def __init__(self):
        self.a = 1
        self.b = 2


box = Box()
data = {"x": 1, "y": 2, "z": 3}
items = list(range(10))
lock = threading.Lock()
removed = []


def work(name):
    with lock:
        del data[name]
        del items[0]
        del items[-2:]
        removed.append(name)
        local = 5
        del local
        try:
            print(local)  # noqa: F821
        except UnboundLocalError:
            removed.append("unbound")


threads = [threading.Thread(target=work, args=(n,)) for n in ("x", "y")]
for t in threads:
    t.start()
for t in threads:
    t.join()
del box.a
try:
    del box.a
except AttributeError as error:
    print(error)
print(data, items, sorted(removed), vars(box))
temp = 1
del temp
print("temp" in globals())
