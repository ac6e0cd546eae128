"""``asyncio`` under threadlab behaves as this Python's own: each body runs on CPython (the
interpreter running the tests, real threads, real seconds) and under threadlab (several
seeds, virtual seconds), and both must give the same answer.

The bodies are written the way people write asyncio programs (``asyncio.run`` with
``gather``, ``TaskGroup``, ``asyncio.timeout``, ``to_thread``, ``run_in_executor``,
``Runner``), so whatever ``asyncio.run`` and its ``Runner`` call on the loop on this
version (3.12's ``shutdown_default_executor(timeout)``...) is called on threadlab's loop
too. Only what CPython promises is compared: results, exceptions and their messages, and
orders fixed by awaits and by times far apart; task names only where the program names a
task.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import pytest
from conformance_harness import conforms, under_threadlab


def gather_results():
    import asyncio

    async def square(n):
        await asyncio.sleep(n / 100)
        return n * n

    async def fails():
        await asyncio.sleep(0)
        raise ValueError("no")

    async def main():
        results = await asyncio.gather(*(square(n) for n in (3, 1, 2)))
        mixed = await asyncio.gather(square(2), fails(), return_exceptions=True)
        return results, [repr(item) for item in mixed]

    return asyncio.run(main())


def task_groups():
    import asyncio

    done = []

    async def work(name, delay, fail=False):
        await asyncio.sleep(delay)
        if fail:
            raise ValueError(f"{name} failed")
        done.append(name)
        return name

    async def main():
        async with asyncio.TaskGroup() as group:
            a = group.create_task(work("a", 0.02))
            b = group.create_task(work("b", 0.01), name="bee")
        answer = [a.result(), b.result(), b.get_name()]
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(work("c", 0.01, fail=True))
                group.create_task(work("d", 1.0))
        except* ValueError as errors:
            answer.append(sorted(str(e) for e in errors.exceptions))
        return answer

    return asyncio.run(main()), done


def timeouts_cancel_what_they_wrap():
    import asyncio

    seen = []

    async def slow():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            seen.append("slow cancelled")
            raise

    async def main():
        try:
            async with asyncio.timeout(0.05):
                await slow()
        except TimeoutError:
            seen.append("timeout expired")
        try:
            await asyncio.wait_for(slow(), timeout=0.02)
        except TimeoutError:
            seen.append("wait_for expired")
        async with asyncio.timeout(None) as scope:
            await asyncio.sleep(0.01)
        seen.append(scope.expired())
        return "main done"

    return asyncio.run(main()), seen


def calls_on_worker_threads():
    import asyncio
    import threading
    import time

    def blocking(n):
        time.sleep(n / 100)
        return n * 10, threading.current_thread() is not threading.main_thread()

    async def main():
        loop = asyncio.get_running_loop()
        first = await asyncio.to_thread(blocking, 2)
        second = await loop.run_in_executor(None, blocking, 1)
        both = await asyncio.gather(asyncio.to_thread(blocking, 3), asyncio.to_thread(blocking, 1))
        return first, second, both

    return asyncio.run(main())


def run_ends_after_the_calls_it_abandoned():
    """``asyncio.run`` shuts the default executor down and waits for the calls still
    running on it before it returns (3.12 and 3.13: for at most 300 seconds)."""
    import asyncio
    import time

    log = []

    def slow():
        time.sleep(0.3)
        log.append("slow returns")

    async def main():
        try:
            await asyncio.wait_for(asyncio.to_thread(slow), 0.05)
        except TimeoutError:
            log.append("gave up waiting")

    asyncio.run(main())
    log.append("asyncio.run returned")
    return log


def runners_and_loops():
    import asyncio

    async def step(n):
        await asyncio.sleep(0.01)
        return n + 1

    answers = []
    with asyncio.Runner() as runner:
        answers.append(runner.run(step(1)))
        answers.append(runner.run(step(2)))
        loop = runner.get_loop()
        answers.append(loop.get_task_factory())
    answers.append(loop.is_closed())
    loop = asyncio.new_event_loop()
    try:
        answers.append(loop.run_until_complete(step(10)))
        answers.append(loop.run_until_complete(loop.shutdown_default_executor()))
    finally:
        loop.close()
    return answers


def run_refuses_what_it_cannot_run():
    import asyncio

    async def inner():
        return 1

    async def nested():
        coro = inner()
        try:
            asyncio.run(coro)
        finally:
            coro.close()

    answers = []
    for call in (lambda: asyncio.run(42), lambda: asyncio.run(nested())):
        try:
            call()
        except (ValueError, RuntimeError) as error:
            answers.append(f"{type(error).__name__}: {error}")
    return answers


def task_names_given_by_the_program():
    import asyncio

    async def child():
        await asyncio.sleep(0)
        return asyncio.current_task().get_name()

    async def main():
        named = asyncio.create_task(child(), name="first")
        loop = asyncio.get_running_loop()
        also = loop.create_task(child(), name="second")
        renamed = asyncio.ensure_future(child())
        renamed.set_name("third")
        return await asyncio.gather(named, also, renamed)

    return asyncio.run(main())


def version_dependent_api():
    """What exists on this version: ``asyncio.run(loop_factory=)`` and
    ``shutdown_default_executor(timeout)`` since 3.12, ``asyncio.Queue.shutdown`` since
    3.13."""
    import asyncio
    import inspect

    async def probe():
        loop = asyncio.get_running_loop()
        return list(inspect.signature(loop.shutdown_default_executor).parameters)

    answers = [
        list(inspect.signature(asyncio.run).parameters),
        asyncio.run(probe()),
        hasattr(asyncio.Queue, "shutdown"),
        "TaskGroup" in dir(asyncio),
    ]
    coro = probe()
    try:
        asyncio.run(coro, loop_factory=asyncio.new_event_loop)
        answers.append("loop_factory taken")
    except TypeError as error:
        coro.close()
        answers.append(f"TypeError: {error}")
    return answers


BODIES = [
    gather_results,
    task_groups,
    timeouts_cancel_what_they_wrap,
    calls_on_worker_threads,
    run_ends_after_the_calls_it_abandoned,
    runners_and_loops,
    run_refuses_what_it_cannot_run,
    task_names_given_by_the_program,
]


@pytest.mark.parametrize("body", BODIES, ids=[b.__name__ for b in BODIES])
def test_asyncio_behaves_as_on_cpython(body, tmp_path: Path) -> None:
    conforms(body, tmp_path)


def test_the_answers_are_the_documented_ones(tmp_path: Path) -> None:
    """A few answers spelled out, so agreeing on something wrong cannot pass."""
    for name in ("gather", "abandoned", "names"):
        (tmp_path / name).mkdir()
    assert conforms(gather_results, tmp_path / "gather") == (
        "returned",
        ([9, 1, 4], ["4", "ValueError('no')"]),
    )
    assert conforms(run_ends_after_the_calls_it_abandoned, tmp_path / "abandoned") == (
        "returned",
        ["gave up waiting", "slow returns", "asyncio.run returned"],
    )
    assert conforms(task_names_given_by_the_program, tmp_path / "names") == (
        "returned",
        ["first", "second", "third"],
    )


def test_the_api_is_this_versions_own(tmp_path: Path) -> None:
    """3.11 has no ``loop_factory`` and a ``shutdown_default_executor()`` without a
    timeout; 3.12 adds both; 3.13 adds ``asyncio.Queue.shutdown``."""
    if sys.version_info >= (3, 12):
        run_params = ["main", "debug", "loop_factory"]
        shutdown_params = ["timeout"]
        factory = "loop_factory taken"
    else:
        run_params = ["main", "debug"]
        shutdown_params = []
        factory = "TypeError: run() got an unexpected keyword argument 'loop_factory'"
    queue_shutdown = sys.version_info >= (3, 13)
    expected = ("returned", [run_params, shutdown_params, queue_shutdown, True, factory])
    assert conforms(version_dependent_api, tmp_path) == expected


def run_gives_up_on_a_call_after_300_seconds():
    """Under threadlab only: CPython would spend 400 real seconds."""
    import asyncio
    import time

    log = []

    def very_slow():
        time.sleep(400)
        log.append("very_slow returns")

    async def main():
        try:
            await asyncio.wait_for(asyncio.to_thread(very_slow), 0.1)
        except TimeoutError:
            log.append("gave up waiting")

    asyncio.run(main())
    log.append("asyncio.run returned")
    return log


def test_run_waits_for_a_call_past_300_seconds_only_before_3_13(tmp_path: Path) -> None:
    """``asyncio.run`` waits for the executor's calls however long they take on 3.11 and
    3.12; 3.13's ``shutdown_default_executor`` gives up after ``THREAD_JOIN_TIMEOUT``
    (300 s, virtual ones here) with a RuntimeWarning, and the program goes on."""
    if sys.version_info >= (3, 13):
        expected = ["gave up waiting", "asyncio.run returned", "very_slow returns"]
        warns = pytest.warns(RuntimeWarning, match="within 300 seconds")
    else:
        expected = ["gave up waiting", "very_slow returns", "asyncio.run returned"]
        warns = contextlib.nullcontext()
    for seed in (0, 1):
        directory = tmp_path / f"seed{seed}"
        directory.mkdir()
        with warns:
            got = under_threadlab(run_gives_up_on_a_call_after_300_seconds, directory, seed)
        assert got == ("returned", expected)
