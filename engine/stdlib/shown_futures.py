"""How CPython's own ``concurrent.futures`` appears in a run: a thread pool's panel (the
tasks queued, which worker runs which), each future's panel (its task, state and outcome),
and the steps and events of ``submit``, ``result``, ``cancel``, ``shutdown``, ``wait`` and
``as_completed``, read back from CPython's objects.

CPython's modules run unchanged (``_base.py`` and ``thread.py``, afresh for the run); what
this adds is presentation, as ``shown`` adds it to ``threading`` and ``queue``.
"""

from __future__ import annotations

import functools
import sys
import weakref
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..core.threads import bound
from ..snapshot.model import EventKind, PrimitiveKind, ThreadState
from ..snapshot.views import ErrorView, FutureState, FutureView, Job, ThreadPoolView, WorkerJob
from .naming import name_from_source
from .refused import refusing_class
from .shown import Presenter, Shown, _on_init, _wrap, called_by_program, hash_in_order

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

CALL_TEXT = 40
"""How many characters of a call (``square(3)``) a future and the pool show."""

_DESCRIPTION = {
    "PENDING": "pending",
    "RUNNING": "running",
    "CANCELLED": "cancelled",
    "CANCELLED_AND_NOTIFIED": "cancelled",
    "FINISHED": "finished",
}
_CANCELLED = ("CANCELLED", "CANCELLED_AND_NOTIFIED")


def call_text(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """A call as the panels show it: ``square(3, 1)``, cut to ``CALL_TEXT`` characters."""
    name = getattr(function, "__name__", type(function).__name__)
    try:
        shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    except Exception:
        shown = ["…"]
    text = f"{name}({', '.join(shown)})"
    return text if len(text) <= CALL_TEXT else text[: CALL_TEXT - 2] + "…)"


def _outcome(future: Any) -> str:
    error = future._exception
    if error is not None:
        return f"{type(error).__name__}: {error}"
    return _safe_repr(future._result)


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<{type(value).__name__}>"


class FutureShown(Shown):
    """A future: its task, its state and outcome (read from CPython's ``Future``), and the
    threads blocked in its ``result()``."""

    kind = PrimitiveKind.FUTURE

    def __init__(self, kernel: Kernel, name: str, future: Any, task: str) -> None:
        super().__init__(kernel, name, future)
        self.task = task
        self.worker: str | None = None
        """The worker thread that took its task, once one has."""
        self.pool: PoolShown | None = None
        """The pool it was submitted to, if it was."""

    @property
    def future(self) -> Any:
        return self.target

    @property
    def described(self) -> str:
        return _DESCRIPTION.get(self.future._state, self.future._state.lower())

    def blocked(self, thread: SimThread) -> None:
        self._kernel.emit(
            thread, EventKind.BLOCK, self.name, f"{self.task or 'it'} is {self.described}"
        )

    def woken(self, thread: SimThread) -> str:
        return f"got the outcome of {self.name}"

    def waiting_text(self, thread: SimThread) -> str:
        what = f" ({self.task}, {self.described})" if self.task else ""
        return f"{thread.name} waits for the result of {self.name}{what}"

    def view_of(self, target: Any) -> FutureView:
        future = target
        error = future._exception
        if future._state in _CANCELLED:
            state = FutureState.CANCELLED
        elif future._state == "FINISHED":
            state = FutureState.FAILED if error is not None else FutureState.DONE
        else:
            state = FutureState(future._state.lower())
        return FutureView(
            name=self.name,
            queue=self._queue_names(),
            task=self.task,
            state=state,
            worker=self.worker,
            result=_safe_repr(future._result) if state is FutureState.DONE else None,
            error=ErrorView.of(error) if error is not None else None,
        )


class PoolShown(Shown):
    """A ``ThreadPoolExecutor``: the tasks in its queue, the worker running each future,
    and the idle workers waiting for a task."""

    kind = PrimitiveKind.POOL

    def __init__(self, kernel: Kernel, name: str, executor: Any, presenter: Presenter) -> None:
        super().__init__(kernel, name, executor)
        self.busy: dict[str, FutureShown] = {}
        """Which future each busy worker (by name) runs, in the order they started."""
        self._presenter = presenter

    def blocked(self, thread: SimThread) -> None:
        self._kernel.emit(thread, EventKind.IDLE, self.name, "waits for a task")

    def woken(self, thread: SimThread) -> str:
        return f"take a task from {self.name}"

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for a task from {self.name}"

    def view_of(self, target: Any) -> ThreadPoolView:
        queued = []
        for item in list(target._work_queue._queue):
            shown = self._presenter.of(getattr(item, "future", None))
            if isinstance(shown, FutureShown):
                queued.append(Job(shown.task, shown.name))
        return ThreadPoolView(
            name=self.name,
            queue=self._queue_names(),
            busy=tuple(WorkerJob(worker, Job(f.task, f.name)) for worker, f in self.busy.items()),
            queued=tuple(queued),
            shut_down=bool(target._shutdown),
        )


def _future_events(presenter: Presenter, base: ModuleType) -> None:
    """Steps and events of a future's methods the program calls."""
    kernel = presenter.kernel
    cls = base.Future

    def blocked_here(shown: FutureShown) -> tuple[Shown, ThreadState]:
        return shown, ThreadState.BLOCKED

    def result_after(
        shown: FutureShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        future = shown.future
        if future._state in _CANCELLED:
            kernel.emit(thread, EventKind.RESULT, shown.name, "cancelled")
        elif future._state != "FINISHED":
            kernel.emit(thread, EventKind.RESULT, shown.name, "timed out")
        elif future._exception is not None:
            kernel.emit(thread, EventKind.RESULT, shown.name, f"raised {_outcome(future)}")
        else:
            kernel.emit(thread, EventKind.RESULT, shown.name, f"returned {_outcome(future)}")

    def exception_after(
        shown: FutureShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if error is None:
            kernel.emit(
                thread, EventKind.RESULT, shown.name, f"exception: {_outcome(shown.future)}"
            )
        else:
            result_after(shown, thread, noted, result, error)

    def done_after(
        shown: FutureShown, thread: SimThread, noted: Any, result: Any, error: BaseException | None
    ) -> None:
        kernel.emit(thread, EventKind.CHECK, shown.name, f"done? {'yes' if result else 'no'}")

    def cancel_after(
        shown: FutureShown, thread: SimThread, noted: Any, result: Any, error: BaseException | None
    ) -> None:
        if result:
            kernel.emit(thread, EventKind.CANCELLED, shown.name, shown.task)
        else:
            kernel.emit(thread, EventKind.CANCELLED, shown.name, f"too late: {shown.described}")

    def settled(
        shown: FutureShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if error is not None:
            return
        future = shown.future
        kind = EventKind.RAISE if future._exception is not None else EventKind.FINISH
        what = f"{shown.task} → " if shown.task else ""
        kernel.emit(thread, kind, shown.name, what + _outcome(future))

    _wrap(
        presenter,
        cls,
        "result",
        lambda s, timeout=None: (f"{s.name}.result()", s.name),
        blocked_here,
        after=result_after,
    )
    _wrap(
        presenter,
        cls,
        "exception",
        lambda s, timeout=None: (f"{s.name}.exception()", s.name),
        blocked_here,
        after=exception_after,
    )
    _wrap(presenter, cls, "done", lambda s: (f"{s.name}.done()", s.name), after=done_after)
    _wrap(presenter, cls, "running", lambda s: (f"{s.name}.running()", s.name))
    _wrap(presenter, cls, "cancelled", lambda s: (f"{s.name}.cancelled()", s.name))
    _wrap(presenter, cls, "cancel", lambda s: (f"cancel {s.name}", s.name), after=cancel_after)
    _wrap(
        presenter,
        cls,
        "set_result",
        lambda s, value: (f"set the result of {s.name}", s.name),
        after=settled,
        always=True,
    )
    _wrap(
        presenter,
        cls,
        "set_exception",
        lambda s, value: (f"set the exception of {s.name}", s.name),
        after=settled,
        always=True,
    )
    _on_init(presenter, cls, lambda future, name: FutureShown(kernel, name, future, ""), "Future")
    hash_in_order(presenter, cls)
    _waiting_events(presenter, base)


class WaiterShown(Shown):
    """Where ``wait`` or ``as_completed`` blocks for several futures (not drawn on its own:
    the futures are), named after the unfinished futures it waits for."""

    kind = PrimitiveKind.FUTURE

    def __init__(self, kernel: Kernel, name: str, how: str) -> None:
        super().__init__(kernel, name)
        self.how = how
        """``as_completed``, or ``wait``'s ``return_when`` (``FIRST_COMPLETED``...)."""

    def blocked(self, thread: SimThread) -> None:
        self._kernel.emit(thread, EventKind.WAIT, self.name, self.how)

    def woken(self, thread: SimThread) -> str:
        return f"{self.how}: woken"

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for {self.name} ({self.how})"


def _unfinished_names(presenter: Presenter, futures: list[Any]) -> str:
    """The futures not finished yet, by name, three at most: ``fs[0], fs[1], …``."""
    names = [
        shown.name if (shown := presenter.of(future)) is not None else "a future"
        for future in futures
        if getattr(future, "_state", None) not in ("CANCELLED_AND_NOTIFIED", "FINISHED")
    ]
    return ", ".join(names[:3]) + (", …" if len(names) > 3 else "") or "futures"


def _call(ref: Callable[[], Any]) -> Any:
    return ref()


def _weakly(future: Any) -> Callable[[], Any]:
    """A weak reference to ``future``, or a strong one if it cannot have a weak one."""
    try:
        return weakref.ref(future)
    except TypeError:
        return lambda: future


def _waiting_events(presenter: Presenter, base: ModuleType) -> None:
    """``wait`` and each turn of ``as_completed``'s loop, called by the program: one step,
    blocking inside shown as waiting for the unfinished futures."""
    kernel = presenter.kernel
    original_wait = base.wait
    original_as_completed = base.as_completed

    def program_thread() -> SimThread | None:
        """The run's thread calling (two frames up), if the program itself calls."""
        try:
            caller_kernel, thread = bound()
        except RuntimeError:  # not a thread of the run
            return None
        if caller_kernel is not kernel:  # a future of a run that is over
            return None
        return thread if called_by_program(kernel, thread, sys._getframe(2)) else None

    def as_a_step(
        thread: SimThread, waiter: WaiterShown, words: str, call: Callable[[], Any]
    ) -> Any:
        kernel.checkpoint(words)
        outer_call, outer_presenting = thread.step_call, thread.presenting
        thread.step_call = sys._getframe(0)  # the locks it takes inside: no step of their own
        thread.presenting = (waiter, ThreadState.BLOCKED)
        thread.calls += 1
        try:
            return call()
        finally:
            thread.calls -= 1
            thread.step_call, thread.presenting = outer_call, outer_presenting

    @functools.wraps(original_wait)
    def wait(fs: Any, timeout: float | None = None, return_when: str = base.ALL_COMPLETED) -> Any:
        thread = program_thread()
        if thread is None:
            return original_wait(fs, timeout, return_when)
        futures = list(fs)
        waiter = WaiterShown(kernel, _unfinished_names(presenter, futures), str(return_when))
        return as_a_step(
            thread,
            waiter,
            f"wait for {waiter.name} ({return_when})",
            lambda: original_wait(futures, timeout, return_when),
        )

    def as_completed_steps(fs: Any, timeout: float | None) -> Iterator[Any]:
        futures = list(fs)
        # Weakly: as CPython's, a future it has yielded is the program's alone to keep.
        refs = [_weakly(future) for future in futures]
        inner = original_as_completed(futures, timeout)
        del futures
        try:
            while True:
                _kernel, thread = bound()
                alive = [future for future in map(_call, refs) if future is not None]
                waiter = WaiterShown(kernel, _unfinished_names(presenter, alive), "as_completed")
                del alive
                try:
                    yielded = [
                        as_a_step(
                            thread, waiter, f"as_completed: wait for {waiter.name}", inner.__next__
                        )
                    ]
                except StopIteration:
                    return
                yield yielded.pop()  # no name for it stays here while the program has it
        finally:
            inner.close()

    @functools.wraps(original_as_completed)
    def as_completed(fs: Any, timeout: float | None = None) -> Iterator[Any]:
        if program_thread() is None:
            return original_as_completed(fs, timeout)
        return as_completed_steps(fs, timeout)

    base.wait = wait  # type: ignore[attr-defined]
    base.as_completed = as_completed  # type: ignore[attr-defined]


def _pool_events(presenter: Presenter, thread_module: ModuleType) -> None:
    """A pool's panel, its ``submit`` and ``shutdown`` steps, its workers' steps."""
    kernel = presenter.kernel
    cls = thread_module.ThreadPoolExecutor
    work_item = thread_module._WorkItem

    # A worker takes a task: one step, shown waiting on the pool while the queue is empty.
    # The pool's queue becomes one of this class: CPython's, without the queue's panel.
    simple_queue = thread_module.queue.SimpleQueue
    queue_class = type("SimpleQueue", (simple_queue,), {})
    for method in ("get", "put"):
        original = simple_queue.__dict__[method]
        setattr(queue_class, method, getattr(original, "__wrapped__", original))
    _wrap(
        presenter,
        queue_class,
        "get",
        lambda s, block=True, timeout=None: (f"take a task from {s.pool.name}", s.pool.name),
        lambda s: (s.pool, ThreadState.WAITING),
        after=_take_after(kernel),
    )

    def make(executor: Any, name: str) -> PoolShown:
        shown = PoolShown(kernel, name, executor, presenter)
        executor._work_queue.__class__ = queue_class
        presenter.add(executor._work_queue, _WorkQueue(shown), register=False)
        return shown

    _on_init(presenter, cls, make, "ThreadPoolExecutor")

    def submit_step(shown: PoolShown, fn: Any, /, *args: Any, **kwargs: Any) -> tuple[str, str]:
        return f"submit {call_text(fn, args, kwargs)} to {shown.name}", shown.name

    def submit_after(
        shown: PoolShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        fn: Any,
        /,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if error is not None:
            return
        task = call_text(fn, args, kwargs)
        future = FutureShown(kernel, name_from_source(kernel, "Future"), result, task)
        future.pool = shown
        presenter.add(result, future)
        kernel.emit(thread, EventKind.SUBMIT, shown.name, f"{task} → {future.name}")

    def shutdown_after(
        shown: PoolShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        cancelled = kwargs.get("cancel_futures", False)
        kernel.emit(thread, EventKind.SHUTDOWN, shown.name, "cancel queued" if cancelled else "")

    _wrap(presenter, cls, "submit", submit_step, after=submit_after)
    _wrap(
        presenter,
        cls,
        "shutdown",
        lambda s, *args, **kwargs: (f"shutdown {s.name}", s.name),
        after=shutdown_after,
    )

    original_run = work_item.__dict__["run"]

    @functools.wraps(original_run)
    def run(self: Any) -> Any:
        pool, future = _pool_of(presenter, self)
        if pool is None or future is None:
            return original_run(self)
        _kernel, thread = bound()
        with kernel.lock:
            if future.future._state == "PENDING":
                future.worker = thread.name
                pool.busy[thread.name] = future
                kernel.emit(thread, EventKind.START, future.name, future.task)
        try:
            return original_run(self)
        finally:
            with kernel.lock:
                pool.busy.pop(thread.name, None)

    work_item.run = run


class _WorkQueue(Shown):
    """A pool's queue of tasks (not shown as a primitive of its own: the pool is)."""

    def __init__(self, pool: PoolShown) -> None:
        super().__init__(pool._kernel, pool.name)
        self.pool = pool


def _take_after(kernel: Kernel) -> Callable[..., None]:
    def after(
        shown: _WorkQueue,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if error is None and result is None:
            kernel.emit(thread, EventKind.EXIT, shown.pool.name, "shut down")

    return after


def _pool_of(presenter: Presenter, item: Any) -> tuple[PoolShown | None, FutureShown | None]:
    future = presenter.of(getattr(item, "future", None))
    if not isinstance(future, FutureShown):
        return None, None
    return future.pool, future


def present_futures(presenter: Presenter, module: ModuleType) -> None:
    """``concurrent.futures``: processes are refused with a line that says why."""
    module.ProcessPoolExecutor = refusing_class(  # type: ignore[attr-defined]
        "ProcessPoolExecutor", "concurrent.futures.ProcessPoolExecutor"
    )


PRESENT: dict[str, Callable[[Presenter, ModuleType], None]] = {
    "concurrent.futures": present_futures,
    "concurrent.futures._base": _future_events,
    "concurrent.futures.thread": _pool_events,
}
"""The presentation each module of ``concurrent.futures`` gets, once run afresh for a run."""
