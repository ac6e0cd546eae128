"""A settings cache with double-checked initialisation: try stepping two readers so that both
see the cache empty before either takes the lock, and check that it is still loaded once.

The first check avoids taking the lock once the cache is filled; the second, under the lock,
makes sure only one thread loads it.
"""

import threading
import time

_settings = None
_settings_lock = threading.Lock()
loads = 0


def load_settings():
    global loads
    loads += 1
    time.sleep(0.05)  # read a file, ask a server...
    return {"colour": "blue", "retries": 3}


def get_settings():
    global _settings
    if _settings is None:  # first check, without the lock
        with _settings_lock:
            if _settings is None:  # second check, now that we hold it
                _settings = load_settings()
    return _settings


def reader(seen):
    seen.append(get_settings()["colour"])


def main():
    seen = []
    readers = [threading.Thread(target=reader, args=(seen,)) for _ in range(3)]
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    print("seen:", seen, "loaded", loads, "time(s)")


if __name__ == "__main__":
    main()
