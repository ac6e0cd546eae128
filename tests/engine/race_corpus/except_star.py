"""try/except* with exception groups raised from threads' results."""

import threading


class Problem(Exception):
    def __init__(self, code):
        super().__init__(f"problem {code}")
        self.code = code


errors = []
lock = threading.Lock()


def work(n):
    try:
        if n % 2:
            raise Problem(n)
        raise KeyError(n)
    except Exception as error:
        with lock:
            errors.append(error)


threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
errors.sort(key=lambda e: str(e))
try:
    raise ExceptionGroup("many", errors)
except* Problem as group:
    print("problems:", sorted(e.code for e in group.exceptions))
except* KeyError as group:
    print("keys:", sorted(e.args[0] for e in group.exceptions))
try:
    try:
        raise ExceptionGroup("one", [ValueError("v")])
    except* TypeError:
        print("never")
except ExceptionGroup as rest:
    print("left over:", rest, [str(e) for e in rest.exceptions])
