"""Futures and a thread pool executor: ``submit`` returns a future; ``result()`` blocks.

The pool's worker threads (W1, W2, …) are scenario threads like any other: each takes the
oldest task from the pool's queue (or waits for one), runs it, and settles its future with
the result or the exception, which then comes out of ``result()`` in the caller.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from threadlab.engine.model import (
    ErrorView,
    FutureState,
    FutureView,
    Job,
    ThreadPoolView,
    ThreadState,
    WorkerJob,
)
from threadlab.engine.primitives.base import Primitive

if TYPE_CHECKING:
    from threadlab.engine.runtime import Runtime, SimThread


class Future(Primitive):
    """A result that is pending, running, done, or failed with an exception."""

    kind = "future"

    def __init__(self, runtime: Runtime, name: str, task: str) -> None:
        super().__init__(runtime, name)
        self.task = task
        self.state = "pending"
        self.worker: str | None = None
        self._value: Any = None
        self._exception: BaseException | None = None

    def result(self) -> Any:
        """The task's result; blocks until it is set; raises the task's exception."""
        rt = self._rt
        thread = rt._checkpoint(f"{self.name}.result()")
        with rt._cv:
            settled = self.state in ("done", "failed")
            if not settled:
                self.queue.append(thread)
                rt._event(thread, "block", self.name, f"{self.task} is {self.state}")
                rt._block(thread, ThreadState.BLOCKED, self)
        if not settled:
            rt._await_turn(thread)
        with rt._cv:
            outcome = "raised" if self._exception is not None else "returned"
            rt._event(thread, "result", self.name, f"{outcome} {self._outcome()}")
        if self._exception is not None:
            raise self._exception
        return self._value

    def done(self) -> bool:
        rt = self._rt
        thread = rt._checkpoint(f"{self.name}.done()")
        with rt._cv:
            answer = self.state in ("done", "failed")
            rt._event(thread, "check", self.name, f"done? {'yes' if answer else 'no'}")
            return answer

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for the result of {self.name} ({self.task}, {self.state})"

    def view(self) -> FutureView:
        exception = self._exception
        return FutureView(
            name=self.name,
            queue=self._queue_names(),
            task=self.task,
            state=FutureState(self.state),
            worker=self.worker,
            result=repr(self._value) if self.state == "done" else None,
            error=ErrorView.of(exception) if exception is not None else None,
        )

    # -- engine side (runtime lock held)

    def _settle(self, value: Any, exception: BaseException | None) -> None:
        self._value, self._exception = value, exception
        self.state = "failed" if exception is not None else "done"
        for waiter in self.queue:
            self._rt._wake(waiter, f"got the result of {self.name}")
        self.queue.clear()

    def _outcome(self) -> str:
        if self._exception is not None:
            return f"{type(self._exception).__name__}: {self._exception}"
        return repr(self._value)


@dataclass
class _Task:
    future: Future
    function: Callable[..., Any]
    args: tuple[Any, ...]


class ThreadPool(Primitive):
    """A fixed set of worker threads taking tasks from one FIFO queue."""

    kind = "pool"

    def __init__(self, runtime: Runtime, name: str) -> None:
        super().__init__(runtime, name)
        self.tasks: deque[_Task] = deque()
        self.busy: dict[str, Future] = {}
        self._handed: dict[str, _Task | None] = {}
        self._shut_down = False
        self._submitted = 0

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        rt = self._rt
        call = f"{function.__name__}({', '.join(map(repr, args))})"
        thread = rt._checkpoint(f"submit {call}")
        with rt._cv:
            if self._shut_down:
                raise RuntimeError(f"cannot submit to {self.name} after shutdown")
            self._submitted += 1
            future = Future(rt, f"f{self._submitted}", call)
            rt._register(future)
            task = _Task(future, function, args)
            rt._event(thread, "submit", self.name, f"{call} → {future.name}")
            if self.queue:  # an idle worker takes it straight away
                self._hand(self.queue.popleft(), task)
            else:
                self.tasks.append(task)
            return future

    def shutdown(self) -> None:
        """No more tasks; idle workers exit, busy ones exit after their task."""
        rt = self._rt
        thread = rt._checkpoint(f"shut down {self.name}")
        with rt._cv:
            self._shut_down = True
            rt._event(thread, "shutdown", self.name)
            while self.queue:
                self._hand(self.queue.popleft(), None)

    def __enter__(self) -> ThreadPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()

    def worker(self, me: str) -> None:
        """The body of each worker thread."""
        while (task := self._take()) is not None:
            try:
                value = task.function(*task.args)
            except Exception as exc:
                self._finish(task, None, exc)
            else:
                self._finish(task, value, None)

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for a task from {self.name}"

    def view(self) -> ThreadPoolView:
        return ThreadPoolView(
            name=self.name,
            queue=self._queue_names(),
            busy=tuple(
                WorkerJob(worker, Job(future.task, future.name))
                for worker, future in self.busy.items()
            ),
            queued=tuple(Job(t.future.task, t.future.name) for t in self.tasks),
            shut_down=self._shut_down,
        )

    # -- engine side

    def _take(self) -> _Task | None:
        rt = self._rt
        thread = rt._checkpoint(f"take a task from {self.name}")
        with rt._cv:
            if self.tasks:
                task = self.tasks.popleft()
                self._start(thread, task)
                return task
            if self._shut_down:
                rt._event(thread, "exit", self.name, "pool shut down")
                return None
            self.queue.append(thread)
            rt._event(thread, "idle", self.name, "waits for a task")
            rt._block(thread, ThreadState.WAITING, self)
        rt._await_turn(thread)
        with rt._cv:
            handed = self._handed.pop(thread.name)
            if handed is not None:
                self._start(thread, handed)
            return handed

    def _hand(self, worker: SimThread, task: _Task | None) -> None:
        self._handed[worker.name] = task
        what = f"run {task.future.name}" if task is not None else "exit (shut down)"
        self._rt._wake(worker, what)

    def _start(self, worker: SimThread, task: _Task) -> None:
        task.future.state = "running"
        task.future.worker = worker.name
        self.busy[worker.name] = task.future
        self._rt._event(worker, "start", task.future.name, task.future.task)

    def _finish(self, task: _Task, value: Any, exception: BaseException | None) -> None:
        rt = self._rt
        _runtime, worker = rt._current()  # the worker thread running this task
        with rt._cv:
            self.busy.pop(worker.name, None)
            task.future._settle(value, exception)
            outcome = task.future._outcome()
            kind = "raise" if exception is not None else "finish"
            rt._event(worker, kind, task.future.name, f"{task.future.task} → {outcome}")
