"""A parent's and a child's private attributes of the same name are two attributes."""

import threading


class Parent:
    def __init__(self):
        self.__state = "parent"
        self.__hits = 0

    def parent_state(self):
        self.__hits += 1
        return self.__state, self.__hits


class Child(Parent):
    def __init__(self):
        super().__init__()
        self.__state = "child"
        self.__hits = 100

    def child_state(self):
        self.__hits += 1
        return self.__state, self.__hits


child = Child()
lock = threading.Lock()
seen = []


def work():
    with lock:
        seen.append((child.parent_state(), child.child_state()))


threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(seen), sorted(vars(child).items()))
