"""A worker pool that counts the jobs it has done: try stepping two workers through
``done += 1`` at the same time and see whether an update can be lost.

Jobs go to a ``ThreadPoolExecutor``; every worker adds to one shared counter without a lock.
"""

import time
from concurrent.futures import ThreadPoolExecutor

done = 0


def handle(job):
    global done
    time.sleep(0.01)  # the real work
    done += 1
    return job * 2


def main():
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(handle, range(6)))
    print("results:", results)
    print("jobs done:", done, "of", len(results))
    assert done == len(results), f"{len(results) - done} update(s) of done were lost"


if __name__ == "__main__":
    main()
