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

from ..snapshot.model import (
    ErrorView,
    EventKind,
    FutureState,
    FutureView,
    Job,
    PrimitiveKind,
    ThreadPoolView,
    ThreadState,
    WorkerJob,
)
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


class Future(Primitive):
    """A result that is pending, running, done, or failed with an exception."""

    kind = PrimitiveKind.FUTURE

    def __init__(self, kernel: Kernel, name: str, task: str) -> None:
        super().__init__(kernel, name)
        self.task = task
        self.state = "pending"
        self.worker: str | None = None
        self._value: Any = None
        self._exception: BaseException | None = None

    def result(self) -> Any:
        """The task's result; blocks until it is set; raises the task's exception."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"{self.name}.result()")
        with kernel.lock:
            settled = self.state in ("done", "failed")
            if not settled:
                kernel.emit(thread, EventKind.BLOCK, self.name, f"{self.task} is {self.state}")
                kernel.park(thread, self, ThreadState.BLOCKED)
        if not settled:
            kernel.resume(thread)
        with kernel.lock:
            outcome = "raised" if self._exception is not None else "returned"
            kernel.emit(thread, EventKind.RESULT, self.name, f"{outcome} {self._outcome()}")
        if self._exception is not None:
            raise self._exception
        return self._value

    def done(self) -> bool:
        kernel = self._kernel
        thread = kernel.checkpoint(f"{self.name}.done()")
        with kernel.lock:
            answer = self.state in ("done", "failed")
            kernel.emit(thread, EventKind.CHECK, self.name, f"done? {'yes' if answer else 'no'}")
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
            self._kernel.wake(waiter, f"got the result of {self.name}")
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

    kind = PrimitiveKind.POOL

    def __init__(self, kernel: Kernel, name: str) -> None:
        super().__init__(kernel, name)
        self.tasks: deque[_Task] = deque()
        self.busy: dict[str, Future] = {}
        self._shut_down = False
        self._submitted = 0

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        kernel = self._kernel
        call = f"{function.__name__}({', '.join(map(repr, args))})"
        thread = kernel.checkpoint(f"submit {call}")
        with kernel.lock:
            if self._shut_down:
                raise RuntimeError(f"cannot submit to {self.name} after shutdown")
            self._submitted += 1
            future = Future(kernel, f"f{self._submitted}", call)
            kernel.register(future)
            task = _Task(future, function, args)
            kernel.emit(thread, EventKind.SUBMIT, self.name, f"{call} → {future.name}")
            if not self.hand_to_waiter(task, f"run {future.name}"):  # no idle worker
                self.tasks.append(task)
            return future

    def shutdown(self) -> None:
        """No more tasks; idle workers exit, busy ones exit after their task."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"shut down {self.name}")
        with kernel.lock:
            self._shut_down = True
            kernel.emit(thread, EventKind.SHUTDOWN, self.name)
            while self.hand_to_waiter(None, "exit (shut down)"):
                pass

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
        kernel = self._kernel
        thread = kernel.checkpoint(f"take a task from {self.name}")
        with kernel.lock:
            if self.tasks:
                task = self.tasks.popleft()
                self._start(thread, task)
                return task
            if self._shut_down:
                kernel.emit(thread, EventKind.EXIT, self.name, "pool shut down")
                return None
            kernel.emit(thread, EventKind.IDLE, self.name, "waits for a task")
            kernel.park(thread, self, ThreadState.WAITING)
        handed: _Task | None = kernel.resume(thread)
        with kernel.lock:
            if handed is not None:
                self._start(thread, handed)
            return handed

    def _start(self, worker: SimThread, task: _Task) -> None:
        task.future.state = "running"
        task.future.worker = worker.name
        self.busy[worker.name] = task.future
        self._kernel.emit(worker, EventKind.START, task.future.name, task.future.task)

    def _finish(self, task: _Task, value: Any, exception: BaseException | None) -> None:
        kernel = self._kernel
        worker = kernel.current()  # the worker thread running this task
        with kernel.lock:
            self.busy.pop(worker.name, None)
            task.future._settle(value, exception)
            outcome = task.future._outcome()
            kind = EventKind.RAISE if exception is not None else EventKind.FINISH
            kernel.emit(worker, kind, task.future.name, f"{task.future.task} → {outcome}")
