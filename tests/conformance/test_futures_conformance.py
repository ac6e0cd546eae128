"""``concurrent.futures`` under threadlab behaves as CPython's: each body runs on both and
must agree (results, exceptions and their messages, timeouts, cancellation, the order
``map`` promises), never on what CPython leaves open (which worker runs what, the order
``as_completed`` yields futures that finish together).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conformance_harness import conforms


def submit_and_result():
    from concurrent.futures import ThreadPoolExecutor

    def a_bg_task(v):
        return v * 2

    with ThreadPoolExecutor() as executor:
        future_result = executor.submit(a_bg_task, 3)
        result = future_result.result()
    return result, future_result.done(), future_result.running(), future_result.cancelled()


def the_task_exception_comes_out_of_result():
    import concurrent.futures

    def fail(n):
        raise ValueError(f"cannot square {n}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        future = pool.submit(fail, 3)
        error = future.exception()
        try:
            future.result()
        except ValueError as raised:
            return type(error).__name__, str(error), raised is error


def map_keeps_the_order_of_its_inputs():
    import time
    from concurrent.futures import ThreadPoolExecutor

    def slow_square(n):
        time.sleep(0.01 * (5 - n))  # the first ones finish last
        return n * n

    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(slow_square, range(5))), list(pool.map(pow, [2, 3], [3, 2]))


def map_raises_the_first_error_in_order():
    from concurrent.futures import ThreadPoolExecutor

    def check(n):
        if n % 2:
            raise KeyError(n)
        return n

    with ThreadPoolExecutor(max_workers=2) as pool:
        got = []
        try:
            for value in pool.map(check, [0, 2, 3, 4, 5]):
                got.append(value)
        except KeyError as error:
            return got, repr(error)


def result_times_out():
    import concurrent.futures
    import threading

    gate = threading.Event()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(gate.wait)
        seen = []
        for call in (lambda: future.result(timeout=0.05), lambda: future.exception(timeout=0)):
            try:
                call()
            except concurrent.futures.TimeoutError as error:
                seen.append((type(error).__name__, str(error), isinstance(error, TimeoutError)))
        gate.set()
        seen.append(future.result(timeout=5))
    return seen


def map_with_a_timeout():
    import concurrent.futures
    import threading

    gate = threading.Event()

    def wait_for_gate(n):
        if n == 1:
            gate.wait()
        return n

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(wait_for_gate, [0, 1], timeout=0.05)
        got = [next(results)]
        try:
            next(results)
        except concurrent.futures.TimeoutError:
            got.append("timed out")
        gate.set()
    return got


def cancel_a_queued_future():
    import concurrent.futures
    import threading

    gate = threading.Event()
    calls = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(gate.wait)
        queued = pool.submit(calls.append, "ran")
        cancelled = queued.cancel()
        states = (queued.cancelled(), queued.done(), running.cancel())
        try:
            queued.result()
        except concurrent.futures.CancelledError as error:
            states += (type(error).__name__, str(error))
        gate.set()
    return cancelled, states, calls, queued.cancel()


def shutdown_cancels_queued_work():
    import concurrent.futures
    import threading

    gate = threading.Event()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    first = pool.submit(gate.wait, 5)
    rest = [pool.submit(abs, -n) for n in range(3)]
    gate.set()
    pool.shutdown(wait=True, cancel_futures=True)
    try:
        pool.submit(abs, 1)
    except RuntimeError as error:
        after = str(error)
    done_or_cancelled = all(f.done() for f in rest)
    return first.result(), done_or_cancelled, after


def wait_for_all_and_for_the_first():
    import concurrent.futures
    import threading

    gate = threading.Event()

    def boom():
        raise OSError("boom")

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        slow = pool.submit(gate.wait)
        fast = pool.submit(abs, -4)
        bad = pool.submit(boom)
        first = concurrent.futures.wait([slow, bad], return_when=concurrent.futures.FIRST_EXCEPTION)
        some = concurrent.futures.wait([slow, fast], return_when=concurrent.futures.FIRST_COMPLETED)
        none = concurrent.futures.wait([slow], timeout=0.05)
        gate.set()
        every = concurrent.futures.wait([slow, fast, bad])
    return (
        (first.done == {bad}, first.not_done == {slow}),
        (fast in some.done, slow in some.not_done),
        (none.done == set(), none.not_done == {slow}),
        (every.done == {slow, fast, bad}, every.not_done == set()),
    )


def as_completed_yields_each_once():
    import concurrent.futures
    import time

    def nap(n):
        time.sleep(0.01 * n)
        return n

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(nap, n) for n in (3, 1, 2)]
        got = [f.result() for f in concurrent.futures.as_completed(futures)]
    return sorted(got), len(got)


def as_completed_times_out():
    import concurrent.futures
    import threading

    gate = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(abs, -1), pool.submit(gate.wait)]
        got = []
        try:
            for future in concurrent.futures.as_completed(futures, timeout=0.05):
                got.append(future.result())
        except concurrent.futures.TimeoutError as error:
            got.append(str(error))
        gate.set()
    return got


def a_plain_future_set_by_hand():
    import threading
    from concurrent.futures import Future, InvalidStateError

    future = Future()
    called = []
    future.add_done_callback(lambda f: called.append(("early", f.result())))

    def settle():
        future.set_result(42)

    threading.Thread(target=settle).start()
    value = future.result(timeout=5)
    future.add_done_callback(lambda f: called.append(("late", f.result())))
    try:
        future.set_result(1)
    except InvalidStateError as error:
        state = str(error).split(":")[0]
    failed = Future()
    failed.set_exception(LookupError("nope"))
    # the early callback runs in the setting thread after result() may return: sorted
    return value, sorted(called), state, repr(failed.exception()), failed.done()


def a_callback_that_raises_is_not_propagated():
    from concurrent.futures import Future

    future = Future()

    def bad(_):
        raise RuntimeError("callback")

    future.add_done_callback(bad)
    future.set_result(1)
    return future.result()


def worker_names_and_lazy_start():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    gate = threading.Event()
    names = []

    def who():
        names.append(threading.current_thread().name)
        gate.wait()

    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="W")
    futures = [pool.submit(who) for _ in range(3)]
    started = sorted(t.name for t in threading.enumerate() if t.name.startswith("W"))
    gate.set()
    pool.shutdown()
    return started, sorted(set(names)), all(f.done() for f in futures)


def bad_arguments():
    from concurrent.futures import ThreadPoolExecutor

    seen = []
    for kwargs in ({"max_workers": 0}, {"initializer": 3}):
        try:
            ThreadPoolExecutor(**kwargs)
        except (ValueError, TypeError) as error:
            seen.append((type(error).__name__, str(error)))
    return seen


def a_failing_initializer_breaks_the_pool():
    import concurrent.futures

    def init():
        raise ValueError("no")

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, initializer=init)
    future = pool.submit(abs, -1)
    try:
        future.result(timeout=5)
    except concurrent.futures.BrokenExecutor as error:
        first = (type(error).__name__, str(error))
    try:
        pool.submit(abs, -1)
    except concurrent.futures.BrokenExecutor as error:
        second = type(error).__name__
    pool.shutdown()
    return first, second


def no_shutdown_still_runs_the_work():
    from concurrent.futures import ThreadPoolExecutor

    done = []
    pool = ThreadPoolExecutor(max_workers=2)
    for n in range(4):
        pool.submit(done.append, n)
    return "submitted"  # the program ends; its pool's work still runs, then it exits


BODIES = [
    submit_and_result,
    the_task_exception_comes_out_of_result,
    map_keeps_the_order_of_its_inputs,
    map_raises_the_first_error_in_order,
    result_times_out,
    map_with_a_timeout,
    cancel_a_queued_future,
    shutdown_cancels_queued_work,
    wait_for_all_and_for_the_first,
    as_completed_yields_each_once,
    as_completed_times_out,
    a_plain_future_set_by_hand,
    a_callback_that_raises_is_not_propagated,
    worker_names_and_lazy_start,
    bad_arguments,
    a_failing_initializer_breaks_the_pool,
    no_shutdown_still_runs_the_work,
]


@pytest.mark.parametrize("body", BODIES, ids=[b.__name__ for b in BODIES])
def test_futures_behave_as_on_cpython(body, tmp_path: Path) -> None:
    conforms(body, tmp_path)


def test_the_answers_are_the_documented_ones(tmp_path: Path) -> None:
    """A few answers spelled out, so agreeing on something wrong cannot pass."""
    assert conforms(submit_and_result, tmp_path) == ("returned", (6, True, False, False))
    assert conforms(map_keeps_the_order_of_its_inputs, tmp_path) == (
        "returned",
        ([0, 1, 4, 9, 16], [8, 9]),
    )
    assert conforms(result_times_out, tmp_path) == (
        "returned",
        [("TimeoutError", "", True), ("TimeoutError", "", True), True],
    )
    assert conforms(as_completed_times_out, tmp_path) == (
        "returned",
        [1, "1 (of 2) futures unfinished"],
    )
    assert conforms(worker_names_and_lazy_start, tmp_path) == (
        "returned",
        (["W_0", "W_1"], ["W_0", "W_1"], True),
    )
