"""``concurrent.futures``, controlled: ``ThreadPoolExecutor``, ``Future``, ``wait`` and
``as_completed``, with CPython's API, states and errors (``TimeoutError``,
``CancelledError``, ``BrokenExecutor``, ``InvalidStateError`` are CPython's own classes,
so an ``except`` matches either way).

The executor works as CPython's does. ``submit`` queues a work item and starts a worker
thread (a real controlled ``threading.Thread`` named ``ThreadPoolExecutor-0_0``, or
``<prefix>_0``) unless a worker has gone idle since the last submit, up to
``max_workers``. Each worker takes the oldest item, runs it and settles its future; with
nothing queued it waits, and it exits once the executor is shut down and the queue is
empty. ``max_workers`` defaults to ``DEFAULT_MAX_WORKERS`` (5), not CPython's
``min(32, os.cpu_count() + 4)``, so a run is the same on every machine. When the program's
main code ends, executors never shut down are stopped as CPython does at exit: their
queued work still runs, then their workers end.

The panels show each executor (busy workers and their futures, idle workers, queued
work) and each future (its call, its state, who waits for it). ``submit``, ``shutdown``,
``result``, ``exception``, ``done``, ``running``, ``cancelled``, ``cancel``,
``set_result``, ``set_exception``, ``wait`` and each step of ``as_completed`` are
checkpoints; timeouts are in the run's virtual time.
"""

from __future__ import annotations

import concurrent.futures as _real
import concurrent.futures._base as _real_base
import concurrent.futures.thread as _real_thread
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..core.errors import StopRun
from ..core.threads import bound
from ..primitives.base import Primitive
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
from . import threads_api
from .naming import name_from_source

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

CancelledError = _real.CancelledError
TimeoutError = _real.TimeoutError
BrokenExecutor = _real.BrokenExecutor
InvalidStateError = _real.InvalidStateError
BrokenThreadPool = _real_thread.BrokenThreadPool
DoneAndNotDoneFutures: Any = _real_base.DoneAndNotDoneFutures
FIRST_COMPLETED = _real.FIRST_COMPLETED
FIRST_EXCEPTION = _real.FIRST_EXCEPTION
ALL_COMPLETED = _real.ALL_COMPLETED

DEFAULT_MAX_WORKERS = 5
"""Workers an executor may start when ``max_workers`` is not given (fixed, so runs repeat
on every machine)."""

PENDING = "PENDING"
RUNNING = "RUNNING"
CANCELLED = "CANCELLED"
CANCELLED_AND_NOTIFIED = "CANCELLED_AND_NOTIFIED"
FINISHED = "FINISHED"
_CANCELLED = (CANCELLED, CANCELLED_AND_NOTIFIED)
_DONE = (CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED)
_DESCRIPTION = {
    PENDING: "pending",
    RUNNING: "running",
    CANCELLED: "cancelled",
    CANCELLED_AND_NOTIFIED: "cancelled",
    FINISHED: "finished",
}

CALL_TEXT = 40
"""How many characters of a call (``square(3)``) a future and the pool show."""


def _call_text(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    name = getattr(function, "__name__", type(function).__name__)
    try:
        shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    except Exception:
        shown = ["…"]
    text = f"{name}({', '.join(shown)})"
    return text if len(text) <= CALL_TEXT else text[: CALL_TEXT - 2] + "…)"


def _deadline(kernel: Kernel, timeout: float | None) -> float | None:
    return None if timeout is None else kernel.clock + max(0.0, timeout)


# -- futures


class Future(Primitive):
    """``concurrent.futures.Future``: the result of a call, pending, running, finished
    (returned or raised) or cancelled."""

    kind = PrimitiveKind.FUTURE

    def __init__(self, *, name: str | None = None, task: str = "") -> None:
        kernel, _thread = bound()
        with kernel.lock:
            unique = kernel.unique_name(name) if name else name_from_source(kernel, "Future")
            super().__init__(kernel, unique)
            self.task = task
            self.worker: str | None = None
            self._state = PENDING
            self._result: Any = None
            self._exception: BaseException | None = None
            self._waiters: list[_Waiter] = []
            self._done_callbacks: list[Callable[[Future], object]] = []
            self._serial = len(kernel.primitives)
            kernel.register(self)

    def __hash__(self) -> int:
        return self._serial  # sets of futures iterate in the same order in every run

    def __eq__(self, other: object) -> bool:
        return self is other

    def __repr__(self) -> str:
        state = _DESCRIPTION[self._state]
        if self._state == FINISHED:
            if self._exception is not None:
                return f"<Future {self.name} state={state} raised {type(self._exception).__name__}>"
            return f"<Future {self.name} state={state} returned {type(self._result).__name__}>"
        return f"<Future {self.name} state={state}>"

    # -- asking

    def cancelled(self) -> bool:
        self._kernel.checkpoint(f"{self.name}.cancelled()")
        return self._state in _CANCELLED

    def running(self) -> bool:
        self._kernel.checkpoint(f"{self.name}.running()")
        return self._state == RUNNING

    def done(self) -> bool:
        kernel = self._kernel
        thread = kernel.checkpoint(f"{self.name}.done()")
        with kernel.lock:
            answer = self._state in _DONE
            kernel.emit(thread, EventKind.CHECK, self.name, f"done? {'yes' if answer else 'no'}")
            return answer

    def result(self, timeout: float | None = None) -> Any:
        self._wait_settled("result", timeout)
        if self._exception is not None:
            try:
                raise self._exception
            finally:
                self = None  # type: ignore[assignment]  # as CPython: no cycle kept
        return self._result

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._wait_settled("exception", timeout)
        return self._exception

    def _wait_settled(self, call: str, timeout: float | None) -> None:
        """Block until finished or cancelled (or the timeout passes): CancelledError,
        TimeoutError, or return with the outcome set."""
        kernel = self._kernel
        thread = kernel.checkpoint(f"{self.name}.{call}()")
        with kernel.lock:
            if self._state not in _DONE:
                if timeout is not None and timeout <= 0:
                    self._outcome_or_raise(thread, call)
                state = _DESCRIPTION[self._state]
                kernel.emit(thread, EventKind.BLOCK, self.name, f"{self.task or 'it'} is {state}")
                kernel.park(thread, self, ThreadState.BLOCKED, deadline=_deadline(kernel, timeout))
                parked = True
            else:
                parked = False
        if parked:
            kernel.resume(thread)
        with kernel.lock:
            self._outcome_or_raise(thread, call)

    def _outcome_or_raise(self, thread: SimThread, call: str) -> None:
        """(lock held) Raise CancelledError or TimeoutError, or record the outcome's read."""
        kernel = self._kernel
        if self._state in _CANCELLED:
            kernel.emit(thread, EventKind.RESULT, self.name, "cancelled")
            raise CancelledError()
        if self._state != FINISHED:
            kernel.emit(thread, EventKind.RESULT, self.name, "timed out")
            raise TimeoutError()
        if call == "result":
            how = "raised" if self._exception is not None else "returned"
            kernel.emit(thread, EventKind.RESULT, self.name, f"{how} {self._outcome()}")
        else:
            kernel.emit(thread, EventKind.RESULT, self.name, f"exception: {self._outcome()}")

    # -- changing

    def cancel(self) -> bool:
        kernel = self._kernel
        thread = kernel.checkpoint(f"cancel {self.name}")
        with kernel.lock:
            if self._state in (RUNNING, FINISHED):
                late = f"too late: {_DESCRIPTION[self._state]}"
                kernel.emit(thread, EventKind.CANCELLED, self.name, late)
                return False
            if self._state in _CANCELLED:
                return True
            self._cancel_now(thread)
        self._invoke_callbacks()
        return True

    def _cancel_now(self, thread: SimThread | None) -> None:
        """(lock held) Cancelled: whoever waits in result() wakes (to CancelledError)."""
        self._state = CANCELLED
        self._kernel.emit(thread, EventKind.CANCELLED, self.name, self.task)
        self._wake_all("cancelled")

    def add_done_callback(self, fn: Callable[[Future], object]) -> None:
        with self._kernel.lock:
            if self._state not in _DONE:
                self._done_callbacks.append(fn)
                return
        self._call_back(fn)

    def set_running_or_notify_cancel(self) -> bool:
        kernel = self._kernel
        with kernel.lock:
            if self._state == CANCELLED:
                self._state = CANCELLED_AND_NOTIFIED
                for waiter in self._waiters:
                    waiter.add_cancelled(self)
                return False
            if self._state == PENDING:
                self._state = RUNNING
                return True
            raise RuntimeError("Future in unexpected state")

    def set_result(self, result: Any) -> None:
        thread = self._kernel.checkpoint(f"set the result of {self.name}")
        self._settle(thread, result, None)

    def set_exception(self, exception: BaseException | None) -> None:
        thread = self._kernel.checkpoint(f"set the exception of {self.name}")
        self._settle(thread, None, exception)

    def _settle(self, thread: SimThread, result: Any, exception: BaseException | None) -> None:
        kernel = self._kernel
        with kernel.lock:
            if self._state in _DONE:
                raise InvalidStateError(f"{self._state}: {self!r}")
            self._result, self._exception = result, exception
            self._state = FINISHED
            for waiter in self._waiters:
                if exception is None:
                    waiter.add_result(self)
                else:
                    waiter.add_exception(self)
            kind = EventKind.RAISE if exception is not None else EventKind.FINISH
            what = f"{self.task} → " if self.task else ""
            kernel.emit(thread, kind, self.name, what + self._outcome())
            self._wake_all(f"got the outcome of {self.name}")
        self._invoke_callbacks()

    def _wake_all(self, operation: str) -> None:
        while self.queue:
            self._kernel.wake(self.queue.popleft(), operation)

    def _invoke_callbacks(self) -> None:
        for callback in self._done_callbacks:
            self._call_back(callback)

    def _call_back(self, fn: Callable[[Future], object]) -> None:
        """Call a done callback; what it raises is reported, not propagated (as CPython
        logs it)."""
        try:
            fn(self)
        except Exception as error:
            kernel = self._kernel
            with kernel.lock:
                kernel.emit(
                    kernel.current(),
                    EventKind.RAISE,
                    self.name,
                    f"exception calling callback: {type(error).__name__}: {error}",
                )

    def _outcome(self) -> str:
        if self._exception is not None:
            return f"{type(self._exception).__name__}: {self._exception}"
        return repr(self._result)

    # -- the panels

    def waiting_text(self, thread: SimThread) -> str:
        what = f" ({self.task}, {_DESCRIPTION[self._state]})" if self.task else ""
        return f"{thread.name} waits for the result of {self.name}{what}"

    def view(self) -> FutureView:
        exception = self._exception
        if self._state in _CANCELLED:
            state = FutureState.CANCELLED
        elif self._state == FINISHED:
            state = FutureState.FAILED if exception is not None else FutureState.DONE
        else:
            state = FutureState(self._state.lower())
        return FutureView(
            name=self.name,
            queue=self._queue_names(),
            task=self.task,
            state=state,
            worker=self.worker,
            result=_safe_repr(self._result) if state is FutureState.DONE else None,
            error=ErrorView.of(exception) if exception is not None else None,
        )


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<{type(value).__name__}>"


# -- waiting for several futures


class _Waiter(Primitive):
    """Where ``wait`` or ``as_completed`` blocks for several futures (not drawn on its own:
    the futures are). Works as CPython's waiters: futures report to it as they finish."""

    kind = PrimitiveKind.FUTURE

    def __init__(self, kernel: Kernel, futures: Iterable[Future], how: str) -> None:
        pending = [f.name for f in futures if f._state not in _DONE]
        shown = ", ".join(pending[:3]) + (", …" if len(pending) > 3 else "")
        super().__init__(kernel, shown or "futures")
        self.how = how
        self.flag = False
        self.finished_futures: list[Future] = []
        self.pending_calls = len(pending)

    def set(self) -> None:
        self.flag = True
        while self.queue:
            self._kernel.wake(self.queue.popleft(), f"{self.how}: woken")

    def add_result(self, future: Future) -> None:
        self.finished_futures.append(future)
        self._after(False)

    def add_exception(self, future: Future) -> None:
        self.finished_futures.append(future)
        self._after(True)

    def add_cancelled(self, future: Future) -> None:
        self.finished_futures.append(future)
        self._after(False)

    def _after(self, raised: bool) -> None:
        if self.how in ("as_completed", FIRST_COMPLETED):
            self.set()
            return
        if raised and self.how == FIRST_EXCEPTION:
            self.set()
            return
        self.pending_calls -= 1
        if not self.pending_calls:
            self.set()

    def block(self, thread: SimThread, timeout: float | None) -> bool:
        """Park ``thread`` until set or the timeout passes, unless it is set already or
        the timeout is not positive (lock held). Returns whether it parked: then call
        ``kernel.resume`` after leaving the lock."""
        kernel = self._kernel
        if self.flag or (timeout is not None and timeout <= 0):
            return False
        kernel.emit(thread, EventKind.WAIT, self.name, self.how)
        kernel.park(thread, self, ThreadState.BLOCKED, deadline=_deadline(kernel, timeout))
        return True

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for {self.name} ({self.how})"


def wait(
    fs: Iterable[Future], timeout: float | None = None, return_when: str = ALL_COMPLETED
) -> Any:
    """``concurrent.futures.wait``: a named tuple of the done and the not-done futures."""
    kernel, _thread = bound()
    thread = kernel.checkpoint(f"wait for futures ({return_when})")
    futures = set(fs)
    with kernel.lock:
        done = {f for f in futures if f._state in (CANCELLED_AND_NOTIFIED, FINISHED)}
        not_done = futures - done
        if return_when == FIRST_COMPLETED and done:
            return DoneAndNotDoneFutures(done, not_done)
        raised = any(f._state == FINISHED and f._exception is not None for f in done)
        if return_when == FIRST_EXCEPTION and raised:
            return DoneAndNotDoneFutures(done, not_done)
        if len(done) == len(futures):
            return DoneAndNotDoneFutures(done, not_done)
        if return_when not in (FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED):
            raise ValueError(f"Invalid return condition: {return_when!r}")
        waiter = _Waiter(kernel, futures, return_when)
        for future in futures:
            future._waiters.append(waiter)
        parked = waiter.block(thread, timeout)
    if parked:
        kernel.resume(thread)
    with kernel.lock:
        for future in futures:
            future._waiters.remove(waiter)
        done.update(waiter.finished_futures)
    return DoneAndNotDoneFutures(done, futures - done)


def as_completed(fs: Iterable[Future], timeout: float | None = None) -> Iterator[Future]:
    """``concurrent.futures.as_completed``: each future as it finishes (or is cancelled)."""
    kernel, _thread = bound()
    end_time = None if timeout is None else timeout + kernel.clock
    futures = set(fs)
    total = len(futures)
    with kernel.lock:
        finished = [f for f in futures if f._state in (CANCELLED_AND_NOTIFIED, FINISHED)]
        pending = futures - set(finished)
        waiter = _Waiter(kernel, futures, "as_completed")
        for future in futures:
            future._waiters.append(waiter)
    try:
        yield from _yield_finished(finished, pending)
        while pending:
            wait_timeout = None
            if end_time is not None:
                wait_timeout = end_time - kernel.clock
                if wait_timeout < 0:
                    raise TimeoutError(f"{len(pending)} (of {total}) futures unfinished")
            thread = kernel.checkpoint("as_completed: wait for the next future")
            with kernel.lock:
                parked = waiter.block(thread, wait_timeout)
            if parked:
                kernel.resume(thread)
            with kernel.lock:
                finished = waiter.finished_futures
                waiter.finished_futures = []
                waiter.flag = False
            finished.reverse()
            yield from _yield_finished(finished, pending)
    finally:
        with kernel.lock:
            for future in futures:
                if waiter in future._waiters:
                    future._waiters.remove(waiter)


def _yield_finished(finished: list[Future], pending: set[Future]) -> Iterator[Future]:
    while finished:
        future = finished[-1]
        pending.discard(future)
        yield finished.pop()


# -- the executor


@dataclass
class _WorkItem:
    future: Future
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class _RunExecutors:
    """A run's executors, for what CPython does at exit."""

    executors: list[ThreadPoolExecutor] = field(default_factory=list)
    shutting_down: bool = False
    counter: int = 0


_EXECUTORS = "executors"
"""Where a run keeps its ``_RunExecutors`` (``Kernel.attached``)."""


def _run_of(kernel: Kernel) -> _RunExecutors:
    run: _RunExecutors | None = kernel.attached.get(_EXECUTORS)
    if run is None:
        run = kernel.attached[_EXECUTORS] = _RunExecutors()
        threads_api.register_atexit(lambda: _at_exit(kernel))
    return run


def _at_exit(kernel: Kernel) -> None:
    """CPython's ``_python_exit``: no more submits; idle workers of every executor wake
    and end once their queue is empty; the main thread joins them."""
    run: _RunExecutors = kernel.attached[_EXECUTORS]
    with kernel.lock:
        run.shutting_down = True
        for executor in run.executors:
            executor._wake_idle("exit (the program ends)")
    for executor in run.executors:
        for worker in list(executor._threads):
            worker.join()


class Executor:
    """``concurrent.futures.Executor``: the base class (only ``ThreadPoolExecutor`` is
    controlled)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        raise NotImplementedError

    def map(
        self,
        fn: Callable[..., Any],
        *iterables: Iterable[Any],
        timeout: float | None = None,
        chunksize: int = 1,
    ) -> Iterator[Any]:
        kernel, _thread = bound()
        end_time = None if timeout is None else timeout + kernel.clock
        calls = enumerate(zip(*iterables, strict=False))
        futures = [self._submit_named(fn, args, f"map[{n}]") for n, args in calls]

        def result_iterator() -> Iterator[Any]:
            try:
                futures.reverse()
                while futures:
                    if end_time is None:
                        yield _result_or_cancel(futures.pop())
                    else:
                        yield _result_or_cancel(futures.pop(), end_time - kernel.clock)
            finally:
                for future in futures:
                    future.cancel()

        return result_iterator()

    def _submit_named(self, fn: Callable[..., Any], args: tuple[Any, ...], name: str) -> Future:
        return self.submit(fn, *args)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown(wait=True)


def _result_or_cancel(future: Future, timeout: float | None = None) -> Any:
    try:
        return future.result(timeout)
    finally:
        future.cancel()


class ThreadPoolExecutor(Executor, Primitive):
    """``concurrent.futures.ThreadPoolExecutor``; ``max_workers`` defaults to
    ``DEFAULT_MAX_WORKERS`` (5) on every machine."""

    kind = PrimitiveKind.POOL

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        if max_workers is None:
            max_workers = DEFAULT_MAX_WORKERS
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        kernel, _thread = bound()
        with kernel.lock:
            run = _run_of(kernel)
            Primitive.__init__(self, kernel, name_from_source(kernel, "ThreadPoolExecutor"))
            self._max_workers = max_workers
            self._work: deque[_WorkItem] = deque()
            self._threads: list[Any] = []  # threading.Thread, the run's
            self._idle_count = 0  # CPython's idle semaphore
            self._broken: str | None = None
            self._shutdown = False
            if not thread_name_prefix:
                thread_name_prefix = f"ThreadPoolExecutor-{run.counter}"
                run.counter += 1
            self._thread_name_prefix = thread_name_prefix
            self._initializer = initializer
            self._initargs = tuple(initargs)
            self.busy: dict[str, Future] = {}
            self._run = run
            run.executors.append(self)
            kernel.register(self)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return self._submit(fn, args, kwargs, None)

    def _submit_named(self, fn: Callable[..., Any], args: tuple[Any, ...], name: str) -> Future:
        return self._submit(fn, args, {}, name)

    def _submit(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        name: str | None,
    ) -> Future:
        kernel = self._kernel
        call = _call_text(fn, args, kwargs)
        thread = kernel.checkpoint(f"submit {call} to {self.name}")
        with kernel.lock:
            if self._broken:
                raise BrokenThreadPool(self._broken)
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._run.shutting_down:
                raise RuntimeError("cannot schedule new futures after interpreter shutdown")
        future = Future(name=name, task=call)
        with kernel.lock:
            self._work.append(_WorkItem(future, fn, args, kwargs))
            kernel.emit(thread, EventKind.SUBMIT, self.name, f"{call} → {future.name}")
            self._wake_idle(f"take {future.name} from {self.name}", first_only=True)
            start = None
            if self._idle_count > 0:
                self._idle_count -= 1
            elif len(self._threads) < self._max_workers:
                start = threads_api.new_thread(
                    self._worker, f"{self._thread_name_prefix}_{len(self._threads)}", daemon=False
                )
                self._threads.append(start)
        if start is not None:
            start.start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"shutdown {self.name}")
        cancelled: list[Future] = []
        with kernel.lock:
            self._shutdown = True
            if cancel_futures:
                while self._work:
                    future = self._work.popleft().future
                    if future._state == PENDING:
                        future._cancel_now(thread)
                        cancelled.append(future)
            kernel.emit(thread, EventKind.SHUTDOWN, self.name, "cancel queued" if cancelled else "")
            self._wake_idle("exit (shut down)")
        for future in cancelled:
            future._invoke_callbacks()
        if wait:
            for worker in list(self._threads):
                worker.join()

    def _wake_idle(self, operation: str, first_only: bool = False) -> None:
        """Wake idle workers to look at the queue again (lock held)."""
        while self.queue:
            self._kernel.wake(self.queue.popleft(), operation)
            if first_only:
                return

    # -- the workers

    def _worker(self) -> None:
        """The body of each worker thread, as CPython's ``_worker``."""
        kernel = self._kernel
        if self._initializer is not None:
            try:
                self._initializer(*self._initargs)
            except StopRun:
                raise
            except BaseException as error:
                self._initializer_failed(error)
                return
        while True:
            thread = kernel.checkpoint(f"take a task from {self.name}")
            with kernel.lock:
                item = self._work.popleft() if self._work else None
                if item is None:
                    if self._shutdown or self._run.shutting_down:
                        self._shutdown = True
                        kernel.emit(thread, EventKind.EXIT, self.name, "shut down")
                        return
                    kernel.emit(thread, EventKind.IDLE, self.name, "waits for a task")
                    kernel.park(thread, self, ThreadState.WAITING)
            if item is None:
                kernel.resume(thread)
                continue
            self._run_item(thread, item)
            with kernel.lock:
                self.busy.pop(thread.name, None)
                self._idle_count += 1

    def _run_item(self, thread: SimThread, item: _WorkItem) -> None:
        future = item.future
        if not future.set_running_or_notify_cancel():
            return
        kernel = self._kernel
        with kernel.lock:
            future.worker = thread.name
            self.busy[thread.name] = future
            kernel.emit(thread, EventKind.START, future.name, future.task)
        try:
            result = item.function(*item.args, **item.kwargs)
        except StopRun:
            raise
        except BaseException as error:
            future._settle(thread, None, error)
        else:
            future._settle(thread, result, None)

    def _initializer_failed(self, error: BaseException) -> None:
        kernel = self._kernel
        thread = kernel.current()
        with kernel.lock:
            self._broken = "A thread initializer failed, the thread pool is not usable anymore"
            what = f"initializer: {type(error).__name__}: {error}"
            kernel.emit(thread, EventKind.RAISE, self.name, what)
            failed = [item.future for item in self._work]
            self._work.clear()
        for future in failed:
            if future._state == PENDING:
                future._settle(thread, None, BrokenThreadPool(self._broken))

    # -- the panels

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
            queued=tuple(Job(item.future.task, item.future.name) for item in self._work),
            shut_down=self._shutdown,
        )

    def __repr__(self) -> str:
        return f"<ThreadPoolExecutor {self.name}>"
