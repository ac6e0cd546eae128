"""Where schedules run: in this process, one after the other, or in worker processes
(``--jobs N``), each with its own engine. Both take specs and give outcomes back in
whatever order they end; the search puts them in order."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
from collections import deque
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from ..lesson.scenario import Scenario
from .specs import Outcome, Spec, run_spec
from .target import Target

Finder = Callable[[str], Scenario]
"""Looks a shipped scenario up by name (a module-level function: it is sent to workers)."""


class Executor(Protocol):
    capacity: int
    """How many specs it takes before it has given outcomes back."""

    def submit(self, spec: Spec) -> None: ...

    def get(self, timeout: float) -> Outcome | None:
        """The next outcome to end, or None after ``timeout`` seconds."""
        ...

    def close(self) -> None: ...


def pin_to_one_cpu(slot: int) -> set[int] | None:
    """Keep the calling thread, and the threads it starts from now on, on one CPU (the
    ``slot``-th this process may use); return the CPUs it could use before (None where the
    system cannot say). A schedule hands the turn from thread to thread at every step, and
    a hand-off within one CPU costs far less than one across two: a search runs about a
    third faster pinned, and two worker processes no longer slow each other down."""
    try:
        before = os.sched_getaffinity(0)
        cpus = sorted(before)
        os.sched_setaffinity(0, {cpus[slot % len(cpus)]})
    except (AttributeError, OSError, ValueError):  # not Linux, or not allowed
        return None
    return before


def unpin(before: set[int] | None) -> None:
    if before is not None:
        with contextlib.suppress(OSError, ValueError):
            os.sched_setaffinity(0, before)


class WorkerFailed(RuntimeError):
    """A worker process raised or died: the search cannot go on."""


class Inline:
    """Runs each spec at once, in this process."""

    capacity = 1

    def __init__(self, target: Target, find: Finder, *, spurious: bool, reduce: bool) -> None:
        self._config = target.config(find)
        self._spurious = spurious
        self._reduce = reduce
        self._done: deque[Outcome] = deque()

    def submit(self, spec: Spec) -> None:
        before = pin_to_one_cpu(0)  # the run's threads start now, pinned with this one
        try:
            outcome = run_spec(self._config, spec, spurious=self._spurious, reduce=self._reduce)
        finally:
            unpin(before)
        self._done.append(outcome)

    def get(self, timeout: float) -> Outcome | None:
        return self._done.popleft() if self._done else None

    def close(self) -> None:
        self._done.clear()


def _work(
    slot: int,
    target: Target,
    find: Finder,
    spurious: bool,
    reduce: bool,
    tasks: Any,
    results: Any,
) -> None:
    """A worker process: run specs until told to stop (None)."""
    pin_to_one_cpu(slot)
    # Nothing a worker writes may reach the terminal: the app draws its screen there.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        config = target.config(find)
        while (spec := tasks.get()) is not None:
            results.put(run_spec(config, spec, spurious=spurious, reduce=reduce))
    except BaseException as error:  # said to the search, which stops
        results.put(f"{type(error).__name__}: {error}")


class Processes:
    """Runs specs in ``jobs`` worker processes, started fresh (spawned: no thread of this
    process is copied into them)."""

    def __init__(
        self, target: Target, find: Finder, jobs: int, *, spurious: bool, reduce: bool
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.capacity = jobs * 2  # one running and one waiting, for each worker
        self._tasks: Any = context.Queue()
        self._results: Any = context.Queue()
        self._workers: list[BaseProcess] = [
            context.Process(
                target=_work,
                args=(n, target, find, spurious, reduce, self._tasks, self._results),
                name=f"threadlab-explore-{n}",
                daemon=True,
            )
            for n in range(jobs)
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, spec: Spec) -> None:
        self._tasks.put(spec)

    def get(self, timeout: float) -> Outcome | None:
        try:
            item = self._results.get(timeout=timeout)
        except queue.Empty:
            if not all(worker.is_alive() for worker in self._workers):
                raise WorkerFailed("a worker process ended unexpectedly") from None
            return None
        if isinstance(item, str):
            raise WorkerFailed(item)
        result: Outcome = item
        return result

    def close(self) -> None:
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
        for worker in self._workers:
            worker.join(2.0)
            if worker.is_alive():
                worker.kill()
                worker.join(1.0)
        for channel in (self._tasks, self._results):
            with contextlib.suppress(Exception):
                channel.close()
                channel.cancel_join_thread()
