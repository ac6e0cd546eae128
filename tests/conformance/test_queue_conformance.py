"""``queue`` under threadlab behaves as CPython's: each body runs on both and must agree.

Only what CPython promises is compared: the order a single consumer gets items in, the
errors and their messages, timeouts (real seconds on CPython, virtual ones in threadlab),
``task_done`` and ``join``; never which of several waiting threads wakes first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conformance_harness import conforms


def fifo_order_across_threads():
    import queue
    import threading

    q = queue.Queue(maxsize=2)  # small: the producer blocks while the queue is full

    def produce():
        for n in range(8):
            q.put(n)
        q.put(None)

    producer = threading.Thread(target=produce, name="P")
    producer.start()
    got = []
    while (item := q.get()) is not None:
        got.append(item)
    producer.join()
    return got, q.qsize(), q.empty(), q.full()


def lifo_and_priority_order():
    import queue

    lifo = queue.LifoQueue()
    for n in (1, 2, 3):
        lifo.put(n)
    priority = queue.PriorityQueue()
    for item in [(3, "c"), (1, "a"), (2, "b"), (1, "A")]:
        priority.put(item)
    simple = queue.SimpleQueue()
    for n in (1, 2, 3):
        simple.put(n)
    return (
        [lifo.get() for _ in range(3)],
        [priority.get() for _ in range(4)],
        [simple.get() for _ in range(3)],
        simple.empty(),
    )


def empty_and_full_are_raised():
    import queue

    q = queue.Queue(1)
    seen = []
    for call in (q.get_nowait, lambda: q.get(timeout=0.05), lambda: q.get(block=False)):
        try:
            call()
        except queue.Empty as error:
            seen.append(("Empty", str(error)))
    q.put("x")
    for call in (lambda: q.put_nowait("y"), lambda: q.put("y", timeout=0.05)):
        try:
            call()
        except queue.Full as error:
            seen.append(("Full", str(error)))
    try:
        queue.SimpleQueue().get(timeout=0.01)
    except queue.Empty:
        seen.append(("Empty", "simple"))
    return seen, q.qsize(), q.full()


def a_timed_out_get_waits_its_timeout():
    import queue
    import time

    q = queue.Queue()
    start = time.monotonic()
    try:
        q.get(timeout=0.05)
    except queue.Empty:
        return "Empty", time.monotonic() - start >= 0.04
    return "no Empty"


def get_with_timeout_gets_a_late_item():
    import queue
    import threading
    import time

    q = queue.Queue()

    def late():
        time.sleep(0.02)
        q.put("late")

    threading.Thread(target=late).start()
    return q.get(timeout=5)


def negative_timeouts():
    import queue

    seen = []
    for make in (queue.Queue, lambda: queue.Queue(1), queue.SimpleQueue):
        q = make()
        try:
            q.get(timeout=-1)
        except ValueError as error:
            seen.append(str(error))
    full = queue.Queue(1)
    full.put(1)
    try:
        full.put(2, timeout=-1)
    except ValueError as error:
        seen.append(str(error))
    unbounded = queue.Queue()
    unbounded.put(1, timeout=-1)  # no limit, so no check
    seen.append(unbounded.get(block=False, timeout=-1))  # not blocking: no check either
    return seen


def task_done_too_many_times():
    import queue

    q = queue.Queue()
    q.put(1)
    q.get()
    q.task_done()
    q.join()  # nothing unfinished: returns at once
    q.task_done()


def join_waits_for_every_task():
    import queue
    import threading

    q = queue.Queue()
    done = []

    def worker():
        while True:
            item = q.get()
            if item is None:
                q.task_done()
                return
            done.append(item * item)
            q.task_done()

    workers = [threading.Thread(target=worker, name=f"W{n}") for n in range(3)]
    for w in workers:
        w.start()
    for n in range(10):
        q.put(n)
    q.join()  # every item so far is done
    finished = sorted(done)
    for _ in workers:
        q.put(None)
    for w in workers:
        w.join()
    return finished, q.unfinished_tasks


def many_producers_one_consumer():
    import queue
    import threading

    q = queue.Queue(maxsize=2)

    def produce(tag):
        for n in range(5):
            q.put((tag, n))

    producers = [threading.Thread(target=produce, args=(t,), name=t) for t in "ab"]
    for p in producers:
        p.start()
    got = [q.get() for _ in range(10)]
    for p in producers:
        p.join()
    # FIFO: each producer's items come out in the order it put them
    return {tag: [n for t, n in got if t == tag] for tag in "ab"}


def many_producers_many_consumers():
    import queue
    import threading

    q = queue.Queue(maxsize=3)
    got = []
    lock = threading.Lock()

    def produce(tag):
        for n in range(5):
            q.put((tag, n))

    def consume():
        for _ in range(5):
            item = q.get()
            with lock:
                got.append(item)

    threads = [threading.Thread(target=produce, args=(t,)) for t in "ab"]
    threads += [threading.Thread(target=consume) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(got), q.empty()  # which consumer gets what is not promised: sorted


def priority_items_that_do_not_compare():
    import queue

    q = queue.PriorityQueue()
    q.put({"a": 1})
    q.put({"b": 2})


BODIES = [
    fifo_order_across_threads,
    lifo_and_priority_order,
    empty_and_full_are_raised,
    a_timed_out_get_waits_its_timeout,
    get_with_timeout_gets_a_late_item,
    negative_timeouts,
    task_done_too_many_times,
    join_waits_for_every_task,
    many_producers_one_consumer,
    many_producers_many_consumers,
    priority_items_that_do_not_compare,
]


@pytest.mark.parametrize("body", BODIES, ids=[b.__name__ for b in BODIES])
def test_queue_behaves_as_on_cpython(body, tmp_path: Path) -> None:
    conforms(body, tmp_path)


def test_the_answers_are_the_documented_ones(tmp_path: Path) -> None:
    """A few answers spelled out, so agreeing on something wrong cannot pass."""
    assert conforms(fifo_order_across_threads, tmp_path) == (
        "returned",
        (list(range(8)), 0, True, False),
    )
    assert conforms(task_done_too_many_times, tmp_path) == (
        "raised",
        "ValueError",
        "task_done() called too many times",
    )
    assert conforms(negative_timeouts, tmp_path) == (
        "returned",
        ["'timeout' must be a non-negative number"] * 4 + [1],
    )
