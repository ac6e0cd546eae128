"""Futures: the main thread submits tasks to a thread pool and blocks on their results.

Run it with plain Python too: ``python futures.py``.
"""

import time
from concurrent.futures import ThreadPoolExecutor

results: list[
    int | Exception
] = []  # what main gets back: each task's square, or the exception it raised


def square(n, failing):
    time.sleep(0.001 * (n % 3 + 1))  # stands for work: longer for some n than for others
    if n == failing:
        raise ValueError(f"cannot square {n}")
    return n * n


def a_bg_task(v):
    return v * 2


def lesson():
    # The lesson's example, as it is written there.
    with ThreadPoolExecutor() as executor:
        # a_bg_task(3), will run in a background thread (in this case one from a thread pool)
        future_result = executor.submit(a_bg_task, 3)

        result = future_result.result()  # block until the result is available
    results.append(result)


def main(tasks=4, workers=2, failing=3, variant="default"):
    if variant == "lesson":
        lesson()
        return
    # submit() queues a task and returns its future at once; a worker runs it later.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="W") as executor:
        futures = [executor.submit(square, n, failing) for n in range(1, tasks + 1)]
        for future in futures:
            try:
                results.append(future.result())  # blocks until that task is done
            except ValueError as error:
                results.append(error)  # the task's exception comes out of result()
    # leaving the with block shut the pool down: every worker has finished


if __name__ == "__main__":
    main()
    print(results)
