"""threading.local: each thread its own value, updated with augmented assignments."""

import threading

local = threading.local()
results = []
lock = threading.Lock()


def work(n):
    local.value = n
    local.value += 10
    for _ in range(2):
        local.value *= 2
    with lock:
        results.append((n, local.value))


threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results), hasattr(local, "value"))
