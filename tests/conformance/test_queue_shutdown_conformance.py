"""``queue.Queue.shutdown`` and ``queue.ShutDown`` under threadlab: CPython 3.13's, and only
on 3.13 and later (3.11 and 3.12 have neither).

Each body runs on CPython (the interpreter running the tests) and under threadlab, and both
must give the same answer; the answers are spelled out too, from 3.13's ``Lib/queue.py``:
after ``shutdown()`` puts raise ``ShutDown``, gets drain what is left and then raise it;
``shutdown(immediate=True)`` drops the items (a task done each) so gets raise at once and
``join`` returns; every thread blocked in ``put`` or ``get`` (and, if immediate, in
``join``) wakes to find out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conformance_harness import conforms

needs_shutdown = pytest.mark.skipif(
    sys.version_info < (3, 13), reason="Queue.shutdown is new in Python 3.13"
)


def what_exists():
    import queue

    return (
        hasattr(queue.Queue(), "shutdown"),
        hasattr(queue.LifoQueue(), "is_shutdown"),
        hasattr(queue, "ShutDown"),
        "ShutDown" in queue.__all__,
        hasattr(queue.SimpleQueue(), "shutdown"),
    )


def shutdown_drains_then_raises():
    import queue

    q = queue.Queue()
    for n in (1, 2):
        q.put(n)
    q.shutdown()
    seen = [q.is_shutdown]
    for call in (lambda: q.put(3), q.get, q.get, q.get, q.get_nowait, lambda: q.put_nowait(4)):
        try:
            seen.append(call())
        except queue.ShutDown:
            seen.append("ShutDown")
    q.task_done()
    q.task_done()
    q.join()
    q.shutdown()  # again: nothing changes
    seen.append((q.qsize(), q.unfinished_tasks))
    return seen


def immediate_shutdown_drops_items_and_frees_join():
    import queue
    import threading

    q = queue.PriorityQueue()
    for n in (3, 1, 2):
        q.put(n)
    q.get()
    q.task_done()  # two unfinished left, which the shutdown drops
    joined = []
    joiner = threading.Thread(target=lambda: joined.append(q.join()), name="J")
    joiner.start()
    q.shutdown(immediate=True)
    joiner.join()
    answer = [joined, q.qsize(), q.unfinished_tasks, q.empty()]
    try:
        q.get(timeout=1)
    except queue.ShutDown:
        answer.append("get: ShutDown")
    return answer


def blocked_threads_wake_on_shutdown():
    import queue
    import threading
    import time

    full = queue.Queue(maxsize=1)
    full.put("x")
    empty = queue.Queue()
    seen = []
    lock = threading.Lock()

    def put_more():
        try:
            full.put("y")
        except queue.ShutDown:
            with lock:
                seen.append("putter: ShutDown")

    def get_one():
        try:
            empty.get()
        except queue.ShutDown:
            with lock:
                seen.append("getter: ShutDown")

    def get_with_timeout():
        try:
            empty.get(timeout=30)
        except queue.ShutDown:
            with lock:
                seen.append("timed getter: ShutDown")

    threads = [
        threading.Thread(target=put_more, name="P"),
        threading.Thread(target=get_one, name="G"),
        threading.Thread(target=get_with_timeout, name="T"),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # all three block meanwhile
    full.shutdown()  # not immediate: "x" stays, and the putter still raises
    empty.shutdown()
    for thread in threads:
        thread.join()
    return sorted(seen), full.get(), full.qsize()


def consumer_stops_at_shutdown():
    import queue
    import threading

    q = queue.Queue(maxsize=2)
    got = []

    def consume():
        while True:
            try:
                item = q.get()
            except queue.ShutDown:
                got.append("done")
                return
            got.append(item)
            q.task_done()

    consumer = threading.Thread(target=consume, name="C")
    consumer.start()
    for n in range(5):
        q.put(n)
    q.shutdown()
    consumer.join()
    return got


def test_shutdown_exists_only_from_3_13(tmp_path: Path) -> None:
    on_313 = sys.version_info >= (3, 13)
    assert conforms(what_exists, tmp_path) == ("returned", (on_313, on_313, on_313, on_313, False))


@needs_shutdown
def test_the_answers_are_3_13s(tmp_path: Path) -> None:
    for name in ("drain", "immediate", "blocked", "consumer"):
        (tmp_path / name).mkdir()
    assert conforms(shutdown_drains_then_raises, tmp_path / "drain") == (
        "returned",
        [True, "ShutDown", 1, 2, "ShutDown", "ShutDown", "ShutDown", (0, 0)],
    )
    assert conforms(immediate_shutdown_drops_items_and_frees_join, tmp_path / "immediate") == (
        "returned",
        [[None], 0, 0, True, "get: ShutDown"],
    )
    assert conforms(blocked_threads_wake_on_shutdown, tmp_path / "blocked") == (
        "returned",
        (["getter: ShutDown", "putter: ShutDown", "timed getter: ShutDown"], "x", 0),
    )
    assert conforms(consumer_stops_at_shutdown, tmp_path / "consumer") == (
        "returned",
        [0, 1, 2, 3, 4, "done"],
    )
