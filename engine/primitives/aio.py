"""A real asyncio event loop under the engine's schedule, on virtual time.

``AsyncLoop`` makes event loops (subclasses of ``asyncio.BaseEventLoop``) that run in a
scenario thread. Every callback the loop runs is one step: a task step (the coroutine runs
from one ``await`` to the next), a timer firing, a future's done callback. Time is virtual:
when nothing is ready the loop idles to its next timer. ``asyncio.to_thread`` and
``run_in_executor`` hand the call to engine worker threads (asyncio_0, …) that run beside the loop
and send the result back with ``call_soon_threadsafe``, as the default executor does.

Tasks are pure-Python tasks named per loop (``fetch#2``), so a task step is a bound method
of its task and the same run always names them the same. What the app shows (the ready
queue, each task's state and the ``await`` line it is paused at) is copied in ``settle()``,
between steps, so ``view()`` never touches asyncio objects another thread owns.
"""

# The loop subclasses BaseEventLoop and reads its private state (_ready, _scheduled, a
# handle's _callback), which typeshed does not declare.
# mypy: disable-error-code="attr-defined, override"

from __future__ import annotations

import asyncio
import contextlib
import errno
import heapq
import inspect
import sys
import threading
import warnings
from asyncio import events, futures, tasks
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from types import CodeType
from typing import TYPE_CHECKING, Any, cast

from ..core.errors import StopRun
from ..core.kernel import TIMED_OUT
from ..core.threads import unwind
from ..snapshot.model import (
    Awaiting,
    AwaitsCallback,
    AwaitsFuture,
    AwaitsGather,
    AwaitsNothing,
    AwaitsSleep,
    AwaitsTask,
    AwaitsThreadCall,
    CallbackKind,
    ErrorView,
    EventKind,
    ExecutorView,
    Job,
    LoopCallback,
    LoopView,
    NeverAwaited,
    PrimitiveKind,
    TaskState,
    TaskView,
    ThreadState,
    TimerView,
    WorkerJob,
)
from .base import Primitive

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


_TASK_TYPES: tuple[type, ...] = (asyncio.Task, tasks._PyTask)
"""C tasks and the pure-Python ones this loop makes (not subclasses of each other)."""

_SIGNAL_WAITS = {
    asyncio.Event.wait.__code__: "{} to be set",
    asyncio.Condition.wait.__code__: "{} to be notified",
}
"""Coroutines where a task waits for another to signal it, and what for in words ('{}' is
the object's name): paused there with nothing left to run or to call the loop, it waits
forever (a lost wakeup)."""

_QUEUE_WAITS = {
    asyncio.Queue.get.__code__: "an item in {}",
    asyncio.Queue.put.__code__: "room in {}",
}
"""Coroutines where a task waits on a queue, and what for in words: paused there with
nothing left to run, it is a deadlock (as a thread's ``queue.Queue.get`` is), whose words
name the task, the queue and the line."""


def _waits_text(waits: list[tuple[str, str, int | None]]) -> str:
    """'consumer waits for an item in q (line 3); ...': what tasks wait for, in words."""
    return "; ".join(
        f"{task} waits for {what}" + (f" (line {line})" if line is not None else "")
        for task, what, line in waits
    )


def fmt_time(seconds: float) -> str:
    """A virtual time for people: '1.5', '0.3' (never '0.30000000000000004')."""
    return f"{round(seconds, 6):g}"


class AsyncLoop(Primitive):
    """The engine's side of an asyncio event loop: virtual clock, steps, and its view."""

    kind = PrimitiveKind.LOOP

    def __init__(self, kernel: Kernel, name: str, *, shared_clock: bool = False) -> None:
        super().__init__(kernel, name)
        self.shared_clock = shared_clock
        """True: the loop's clock is the run's (``kernel.clock``, the one ``time`` reads),
        and an idle loop waits for its next timer with a deadline, as any thread does.
        False: a clock of its own, which only the loop's thread moves (the controlled
        ``asyncio`` always makes True ones)."""
        self._now = 0.0
        self.executor: LoopExecutor | None = None
        self.submit_to: Callable[[Any, Any, Callable[..., Any], tuple[Any, ...]], Any] | None = None
        """How ``run_in_executor`` hands a call to an executor of the program's own (given
        the event loop, the executor, the function and its arguments), if it can."""
        self.loop: EngineEventLoop | None = None
        self.thread: SimThread | None = None
        """The scenario thread that runs the loop."""
        self.tasks: list[asyncio.Task[Any]] = []
        """Every task of this loop, in creation order."""
        self.running: asyncio.Task[Any] | None = None
        """The task in the middle of a step (a blocking call inside it takes steps)."""
        self.next: events.Handle | None = None
        """The callback the loop waits to run: taken off the ready queue, still first."""
        self._held_by: str | None = None
        """The task (or callback) running now, which holds the loop until it returns."""
        self._held_since = 0.0
        self._created = 0
        self.made: list[MadeCoroutine] = []
        """Coroutines made by the controlled ``asyncio`` (``to_thread``...) not yet started."""
        self.never_awaited: list[NeverAwaited] = []
        """Those found never awaited: nothing can await them any more, they never ran."""
        # What the view shows, copied by settle() between steps.
        self._time = 0.0
        self._ready: tuple[LoopCallback, ...] = ()
        self._task_views: tuple[TaskView, ...] = ()
        self._timers: tuple[TimerView, ...] = ()

    # -- scenario side

    def new_event_loop(self) -> EngineEventLoop:
        """A loop factory for ``asyncio.Runner(loop_factory=...)``; call it in the loop's
        thread."""
        self.thread = self._kernel.current()
        self.loop = EngineEventLoop(self)
        return self.loop

    def run(self, main: Coroutine[Any, Any, Any]) -> Any:
        """``asyncio.run(main)`` on this loop: run it to the end, then close the loop.

        Tasks still pending at the end are cancelled in the order they were created (not in
        ``asyncio.all_tasks`` set order), so even that part of the run repeats exactly.
        """
        with asyncio.Runner(loop_factory=self.new_event_loop) as runner:
            try:
                return runner.run(main)
            finally:
                if self._stopping():
                    self._discard_pending()
                else:
                    self._cancel_pending(runner.get_loop())

    def time(self) -> float:
        return self.now

    @property
    def now(self) -> float:
        """The loop's virtual clock, in seconds."""
        return self._kernel.clock if self.shared_clock else self._now

    @now.setter
    def now(self, value: float) -> None:
        self._now = value

    def track(self, coro: Coroutine[Any, Any, Any], call: str, line: int | None) -> None:
        """Keep an eye on a coroutine the program just made (a ``to_thread(...)`` call):
        if it is dropped before anything awaits it, it is reported as never awaited."""
        task = self.running.get_name() if self.running is not None else None
        self.made.append(MadeCoroutine(coro, call, line, task))

    def report_never_awaited(self, *, final: bool) -> None:
        """Report the tracked coroutines nothing can await any more (only this list holds
        them; at the end of the run, every one not started). CPython warns "coroutine ...
        was never awaited" when it collects one; here it is found at the end of the step
        that dropped it, the same step every time. Each is closed, so CPython never warns."""
        kept = []
        for made in self.made:
            if inspect.getcoroutinestate(made.coro) != inspect.CORO_CREATED:
                continue  # awaited (or closed): no longer ours to watch
            # 2: the reference in ``made`` and getrefcount's own argument.
            if not final and sys.getrefcount(made.coro) > 2:
                kept.append(made)
                continue
            coro = made.coro
            name = coro.__name__
            seen = NeverAwaited(name, made.call, made.line, made.task)
            self.never_awaited.append(seen)
            coro.close()
            if self.thread is not None:
                with self._kernel.lock:
                    self._kernel.emit(
                        self.thread,
                        EventKind.NEVER_AWAITED,
                        self.name,
                        f"coroutine '{name}' was never awaited: {made.call}"
                        + (f" at line {made.line}" if made.line is not None else "")
                        + " never ran",
                    )
        self.made = kept

    # -- engine side

    lines_in_text = True
    """``waiting_text`` names the lines of the tasks, not the loop thread's own."""

    @property
    def waits_for_signal(self) -> bool:
        """Some task waits in an ``asyncio.Event``'s (or ``Condition``'s) ``wait``: with
        the loop idle and no thread left to call it, nobody will ever set it."""
        return bool(self.signal_waits())

    def signal_waits(self) -> list[tuple[str, str, int | None]]:
        """The program's tasks paused in an ``asyncio.Event``'s or ``Condition``'s
        ``wait``: each task's name, what it waits for in words ('ready to be set') and
        the line of its ``await``."""
        return self._paused_in(_SIGNAL_WAITS)

    def _paused_in(self, waits: dict[CodeType, str]) -> list[tuple[str, str, int | None]]:
        """The program's tasks paused in one of the coroutines of ``waits``: each task's
        name, what it waits for in words and the line of its ``await``."""
        found = []
        for task in self.tasks:
            if task.done() or not self._visible(task):
                continue
            what = self._signal_wait(task, waits)
            if what is not None:
                found.append((task.get_name(), what, self.await_line(task)))
        return found

    def signal_waiters(self, thread: SimThread) -> str:
        tasks = [task for task, _, _ in self.signal_waits()]
        if not tasks:
            return thread.name
        kind = "task" if len(tasks) == 1 else "tasks"
        return f"{self.name}'s {kind} {', '.join(tasks)} on {thread.name}"

    def _signal_wait(
        self, task: asyncio.Task[Any], waits: dict[CodeType, str] = _SIGNAL_WAITS
    ) -> str | None:
        """What ``task`` waits for, if it is paused in one of the coroutines of ``waits``
        (by default: a wait for a signal)."""
        program_frame = None
        awaited: Any = task.get_coro()
        while awaited is not None:
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is None:
                return None
            if frame.f_code.co_filename == self._kernel.program_file:
                program_frame = frame
            what = waits.get(frame.f_code)
            if what is not None:
                waited = frame.f_locals.get("self")
                return what.format(_name_in(program_frame, waited))
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
        return None

    def waiting_text(self, thread: SimThread) -> str:
        if thread.deadline is not None:
            return f"{thread.name} runs {self.name}, which waits for its next timer"
        waits = self.signal_waits()
        if waits:
            return (
                f"{thread.name} runs {self.name}, which has nothing ready and no timer, where "
                f"{_waits_text(waits)}, and no thread is left to do it"
            )
        on_queues = self._paused_in(_QUEUE_WAITS)
        if on_queues:
            return (
                f"{thread.name} runs {self.name}, which has nothing ready and no timer, where "
                f"{_waits_text(on_queues)}: no task or thread is left to give it"
            )
        return (
            f"{thread.name} runs {self.name}, which has nothing ready and no timer: "
            "it waits for a thread's call_soon_threadsafe"
        )

    def settle(self) -> None:
        loop = self.loop
        self._time = self.now
        if loop is None:
            return
        queued = self._ready_handles()
        self._ready = tuple(self._callback(h) for h in queued)
        ready = {task for h in queued if (task := _task_of(h._callback)) is not None}
        self._task_views = tuple(
            self._task_view(task, task in ready) for task in self.tasks if self._visible(task)
        )
        self._timers = tuple(
            TimerView(h._when, self._callback(h))
            for h in sorted(loop._scheduled, key=lambda h: h._when)
            if not h._cancelled
        )

    def view(self) -> LoopView:
        return LoopView(
            name=self.name,
            queue=self._queue_names(),
            time=self._time,
            ready=self._ready,
            tasks=self._task_views,
            timers=self._timers,
            never_awaited=tuple(self.never_awaited),
        )

    def await_line(self, task: asyncio.Task[Any]) -> int | None:
        """The scenario line the task's coroutine is paused at (its innermost ``await``
        in the scenario's own code), or its ``def`` line before it starts."""
        line = None
        scenario_file = self._kernel.program_file
        awaited: Any = task.get_coro()
        while awaited is not None:
            if getattr(awaited, "cr_running", False) or getattr(awaited, "gi_running", False):
                # Running now (a blocking call inside it ends this step): the loop thread's
                # place says where, as its frame would; CPython 3.11 has crashed reading a
                # running coroutine's line from its frame object here.
                if self.thread is not None and self.thread.main_line is not None:
                    line = self.thread.main_line
                break
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
            if frame is None:
                break
            if frame.f_code.co_filename == scenario_file:
                line = frame.f_lineno
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
        return line

    def _make_task(
        self,
        loop: asyncio.AbstractEventLoop,
        coro: Coroutine[Any, Any, Any],
        context: Any = None,
    ) -> asyncio.Task[Any]:
        """A task of the loop (``create_task``): pure-Python (a step is a bound method of
        its task), named from the coroutine and a per-loop count, never the process-wide
        Task-N."""
        self._created += 1
        name = f"{getattr(coro, '__name__', 'task')}#{self._created}"
        task: asyncio.Task[Any] = tasks._PyTask(coro, loop=loop, name=name, context=context)
        self.tasks.append(task)
        if self._stopping():  # asyncio's clean-up after a stop: it will never run
            self._discard_pending()
        return task

    def _before_callback(self, handle: events.Handle) -> bool:
        """The checkpoint before the loop runs one callback: one callback, one step.

        Returns False when the callback was cancelled while the loop waited for its turn.
        """
        kernel = self._kernel
        task = _task_of(handle._callback)
        if task is not None:
            line = self.await_line(task)
            operation = f"run {task.get_name()}"
            if _started(task):
                detail = f"{task.get_name()} resumes at line {line}"
            else:
                detail = f"{task.get_name()} starts"
        else:
            operation = self._handle_name(handle)
            detail = operation
            line = None  # the loop's own line: where the thread runs the loop
        self.next = handle
        try:
            thread = kernel.checkpoint(operation, line=line)
        except BaseException:  # the run stops: no task will run again
            self._discard_pending()
            raise
        finally:
            self.next = None
        if handle._cancelled:
            return False
        with kernel.lock:
            kernel.emit(
                thread, EventKind.RUN if task is not None else EventKind.CALLBACK, self.name, detail
            )
            self.running = task
            self._held_by = task.get_name() if task is not None else operation
            self._held_since = self.now
        return True

    def holding(self) -> tuple[str, SimThread, float] | None:
        if self._held_by is None or self.thread is None:
            return None
        return self._held_by, self.thread, self.now - self._held_since

    def _after_callback(self, handle: events.Handle) -> None:
        """Say where the task that just ran stands, then which coroutines it dropped."""
        with self._kernel.lock:
            self._held_by = None
        self._task_outcome(handle)
        if self.made:
            self.report_never_awaited(final=False)

    def _task_outcome(self, handle: events.Handle) -> None:
        """Say where the task that just ran stands: paused at an ``await``, or done."""
        kernel = self._kernel
        task = _task_of(handle._callback)
        self.running = None
        if task is None or self.thread is None:
            return
        name = task.get_name()
        with kernel.lock:
            if task.cancelled():
                kernel.emit(self.thread, EventKind.CANCELLED, self.name, f"{name} is cancelled")
            elif task.done() and task.exception() is not None:
                exc = task.exception()
                kernel.emit(
                    self.thread, EventKind.RAISE, self.name, f"{name} raised {_exc_text(exc)}"
                )
            elif task.done():
                kernel.emit(
                    self.thread, EventKind.RETURN, self.name, f"{name} returns {task.result()!r}"
                )
            else:
                where = self._waits_for(task)
                line = self.await_line(task)
                kernel.emit(
                    self.thread,
                    EventKind.AWAIT,
                    self.name,
                    f"{name} awaits at line {line}: {where}",
                )

    def _select(self, loop: EngineEventLoop, timeout: float | None) -> list[Any]:
        """The loop's poll, on virtual time: nothing to poll, only time to pass."""
        if timeout is not None and timeout <= 0:
            return []
        kernel = self._kernel
        if timeout is None:
            # Nothing ready and no timer: only another thread can give the loop work.
            thread = kernel.current()
            with kernel.lock:
                if thread.stopped:  # unwinding already (asyncio's clean-up runs the loop)
                    self._discard_pending()
                    unwind(thread)
                kernel.emit(
                    thread, EventKind.WAIT, self.name, "nothing ready, no timer: waits for a thread"
                )
                kernel.park(
                    thread, self, ThreadState.WAITING, operation="wait for call_soon_threadsafe"
                )
            kernel.resume(thread)
            return []
        if self.shared_clock:
            return self._idle_until(self.now + timeout)
        target = self.now + timeout
        if loop._scheduled and abs(loop._scheduled[0]._when - target) < 1e-6:
            target = max(target, loop._scheduled[0]._when)
        thread = kernel.checkpoint(f"idle until t={fmt_time(target)}")
        with kernel.lock:
            if loop._ready:  # a worker's result came in first, as it would wake select()
                kernel.emit(
                    thread, EventKind.WAKE, self.name, f"a thread's result arrives at t={self._t()}"
                )
            else:
                before, self.now = self.now, max(self.now, target)
                kernel.emit(
                    thread, EventKind.IDLE, self.name, f"t={fmt_time(before)} → t={self._t()}"
                )
        return []

    def _idle_until(self, target: float) -> list[Any]:
        """Nothing ready before ``target`` (the next timer, on the run's clock): the loop's
        thread waits with a deadline, so other threads run meanwhile and, if none can, the
        clock jumps to it. A worker's ``call_soon_threadsafe`` wakes it earlier."""
        kernel = self._kernel
        thread = kernel.current()
        with kernel.lock:
            if thread.stopped:
                self._discard_pending()
                unwind(thread)
            until = fmt_time(target)
            kernel.emit(thread, EventKind.IDLE, self.name, f"nothing ready: waits until t={until}")
            operation = f"idle until t={until}"
            kernel.park(thread, self, ThreadState.WAITING, operation=operation, deadline=target)
        if kernel.resume(thread) is not TIMED_OUT:
            with kernel.lock:
                kernel.emit(
                    thread, EventKind.WAKE, self.name, f"a thread's result arrives at t={self._t()}"
                )
        return []

    def _wake_loop(self) -> None:
        """``call_soon_threadsafe`` from another thread: wake the loop if it waits."""
        kernel = self._kernel
        with kernel.lock:
            while self.queue:
                kernel.wake(self.queue.popleft(), "woken by call_soon_threadsafe")

    def _stopping(self) -> bool:
        return self.thread is not None and self.thread.stopped

    def _cancel_pending(self, loop: asyncio.AbstractEventLoop) -> None:
        pending = [t for t in self.tasks if t.get_loop() is loop and not t.done()]
        if not pending:
            return
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))

    def _discard_pending(self) -> None:
        """The run stops: close the coroutines of unfinished tasks here, in the loop's
        thread, so garbage collection later has nothing to warn about or to run."""
        for task in self.tasks:
            if not task.done():
                task._log_destroy_pending = False
                # A finally block that needs a step cannot have one now.
                with contextlib.suppress(BaseException):
                    task.get_coro().close()
        for made in self.made:  # unstarted: closing them keeps CPython from warning
            made.coro.close()
        self.made = []

    def _t(self) -> str:
        return fmt_time(self.now)

    def _visible(self, task: asyncio.Task[Any]) -> bool:
        """Tasks of the scenario's own coroutines (not asyncio's shutdown helpers)."""
        code = getattr(task.get_coro(), "cr_code", None)
        return code is not None and code.co_filename == self._kernel.program_file

    def _task_view(self, task: asyncio.Task[Any], ready: bool) -> TaskView:
        """Where ``task`` stands; ``ready`` says whether its step is in the ready queue."""
        name = task.get_name()
        if task.cancelled():
            return TaskView(name, TaskState.CANCELLED)
        if task.done():
            exc = task.exception()
            if exc is not None:
                return TaskView(name, TaskState.FAILED, error=ErrorView.of(exc))
            return TaskView(name, TaskState.DONE, result=repr(task.result()))
        line = self.await_line(task)
        if task is self.running:
            return TaskView(name, TaskState.RUNNING, line=line)
        state = TaskState.READY if ready else TaskState.WAITING
        if not _started(task):
            return TaskView(name, state, started=False, line=line)
        awaiting = self._awaiting(task) if state is TaskState.WAITING else None
        return TaskView(name, state, line=line, awaiting=awaiting)

    def _waits_for(self, task: asyncio.Task[Any]) -> str:
        """What a paused task waits for, in words (for the event log)."""
        return _awaiting_text(self._awaiting(task))

    def _awaiting(self, task: asyncio.Task[Any]) -> Awaiting:
        """What a paused task waits for."""
        awaited = getattr(task, "_fut_waiter", None)
        if awaited is None:
            return AwaitsNothing()
        if isinstance(awaited, _TASK_TYPES):
            return AwaitsTask(awaited.get_name())
        children = getattr(awaited, "_children", None)
        if children is not None:
            done = sum(1 for child in children if child.done())
            return AwaitsGather(done, len(children))
        loop = self.loop
        if loop is not None:
            for timer in loop._scheduled:
                if not timer._cancelled and _settles(timer, awaited):
                    return AwaitsSleep(timer._when)
            for handle in self._ready_handles():
                if not _settles(handle, awaited):
                    continue
                if isinstance(handle, events.TimerHandle):
                    return AwaitsSleep(handle._when, fired=True)
                return AwaitsCallback(self._callback(handle))
        if self.executor is not None:
            job = self.executor.job_for(awaited)
            if job is not None:
                return AwaitsThreadCall(job.call_text, job.worker)
        if awaited.done():
            return AwaitsNothing()
        return AwaitsFuture()

    def _ready_handles(self) -> list[events.Handle]:
        """The ready queue in order, the callback the loop is about to run first."""
        loop = self.loop
        queued = [self.next] if self.next is not None and not self.next._cancelled else []
        if loop is not None:
            queued.extend(h for h in loop._ready if not h._cancelled)
        return queued

    def _handle_name(self, handle: events.Handle) -> str:
        """A callback in the ready queue or a timer, in a few words (for the thread's
        operation and the event log)."""
        return _callback_text(self._callback(handle))

    def _callback(self, handle: events.Handle) -> LoopCallback:
        """What a callback in the ready queue or a timer does."""
        callback, args = handle._callback, handle._args
        task = _task_of(callback)
        if task is not None:
            return LoopCallback(CallbackKind.TASK_STEP, task.get_name())
        if isinstance(getattr(callback, "__self__", None), _Job):
            job: _Job = callback.__self__
            return LoopCallback(CallbackKind.THREAD_RESULT, job.call_text)
        if callback is futures._set_result_unless_cancelled and args:
            waiter = self._waiter_of(args[0])
            if waiter:
                return LoopCallback(CallbackKind.WAKE, waiter)
            return LoopCallback(CallbackKind.END_SLEEP)
        name = getattr(callback, "__name__", type(callback).__name__)
        if name == "_done_callback" and args:  # gather's: one of its children is done
            child = args[0]
            what = child.get_name() if isinstance(child, _TASK_TYPES) else None
            return LoopCallback(CallbackKind.CHILD_DONE, what)
        if name == "_run_until_complete_cb" and args:
            what = args[0].get_name() if isinstance(args[0], _TASK_TYPES) else None
            return LoopCallback(CallbackKind.RUN_UNTIL_COMPLETE, what)
        return LoopCallback(CallbackKind.OTHER, name)

    def _waiter_of(self, future: Any) -> str | None:
        for task in self.tasks:
            if getattr(task, "_fut_waiter", None) is future:
                return task.get_name()
        return None


@dataclass(eq=False)
class MadeCoroutine:
    """A coroutine the controlled ``asyncio`` made for the program, watched until it starts."""

    coro: Coroutine[Any, Any, Any]
    call: str
    """The call that made it: 'to_thread(crunch, 6)'."""
    line: int | None
    """The program's line that made it."""
    task: str | None
    """The task whose step made it."""


@dataclass(eq=False)
class _Job:
    """One ``run_in_executor`` call: what to run, and the asyncio future it settles."""

    loop: EngineEventLoop
    future: asyncio.Future[Any]
    call: Callable[[], Any]
    call_text: str
    worker: str | None = None
    outcome: tuple[Any, BaseException | None] = field(default=(None, None))

    def deliver(self) -> None:
        """Runs on the loop (a callback): the awaiting task gets the result."""
        value, exception = self.outcome
        if self.future.cancelled():
            return
        if exception is not None:
            self.future.set_exception(exception)
        else:
            self.future.set_result(value)


class LoopExecutor(Primitive):
    """The loop's default executor: engine worker threads take ``to_thread`` calls in FIFO
    order, run them beside the loop, and hand the result back with
    ``call_soon_threadsafe``."""

    kind = PrimitiveKind.EXECUTOR

    def __init__(
        self,
        kernel: Kernel,
        name: str,
        owner: AsyncLoop,
        *,
        start_worker: Callable[[int], None] | None = None,
        max_workers: int = 0,
    ) -> None:
        super().__init__(kernel, name)
        self.owner = owner
        self.jobs: deque[_Job] = deque()
        self.busy: dict[str, _Job] = {}
        self._shut_down = False
        self._start_worker = start_worker
        """Starts worker number n (from 0) on demand, as ``ThreadPoolExecutor`` does; None
        when the workers are started some other way (the controlled ``asyncio`` always
        gives one)."""
        self._max_workers = max_workers
        self.started = 0
        """Workers started on demand so far."""
        self._drained: asyncio.Future[None] | None = None
        """What ``shutdown_default_executor`` awaits: done when the last job is."""

    def worker(self, me: str) -> None:
        """The body of each worker thread."""
        while (job := self._take()) is not None:
            try:
                value = job.call()
            except StopRun:
                raise
            except BaseException as exc:  # as CPython's executor: SystemExit too
                self._finish(job, None, exc)
            else:
                self._finish(job, value, None)

    def job_for(self, future: Any) -> _Job | None:
        for job in list(self.jobs) + list(self.busy.values()):
            if job.future is future:
                return job
        return None

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for a to_thread call from {self.owner.name}"

    def view(self) -> ExecutorView:
        return ExecutorView(
            name=self.name,
            queue=self._queue_names(),
            busy=tuple(WorkerJob(worker, Job(job.call_text)) for worker, job in self.busy.items()),
            queued=tuple(Job(job.call_text) for job in self.jobs),
            shut_down=self._shut_down,
        )

    # -- engine side

    def submit(self, loop: EngineEventLoop, func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Called on the loop's thread, inside a task step (no step of its own)."""
        kernel = self._kernel
        future = loop.create_future()
        job = _Job(loop, future, partial(func, *args), _call_text(func, args))
        with kernel.lock:
            if self._shut_down:
                raise RuntimeError(f"cannot run in {self.name} after shutdown")
            kernel.emit(self.owner.thread, EventKind.SUBMIT, self.name, job.call_text)
            handed = self.hand_to_waiter(job, f"run {job.call_text}")
            if not handed:  # no idle worker
                self.jobs.append(job)
            grow = self._start_worker is not None and not handed
            grow = grow and self.started < self._max_workers
            if grow:
                self.started += 1
        if grow and self._start_worker is not None:  # as ThreadPoolExecutor: one more thread
            self._start_worker(self.started - 1)
        return future

    def shutdown(self, loop: EngineEventLoop | None) -> asyncio.Future[None] | None:
        """No more jobs: idle workers exit now, busy ones after the jobs still queued or
        running. With ``loop`` (``shutdown_default_executor``), a future of that loop that
        is done when those jobs are (None when there are none)."""
        kernel = self._kernel
        with kernel.lock:
            if not self._shut_down:
                self._shut_down = True
                if not self.owner._stopping():
                    kernel.emit(self.owner.thread, EventKind.SHUTDOWN, self.name)
                while self.hand_to_waiter(None, "exit"):
                    pass
            if loop is None or not (self.jobs or self.busy):
                return None
            self._drained = loop.create_future()
            return self._drained

    def _take(self) -> _Job | None:
        kernel = self._kernel
        thread = kernel.checkpoint(f"take a job from {self.name}")
        with kernel.lock:
            if self.jobs:
                job = self.jobs.popleft()
                self._start(thread, job)
                return job
            if self._shut_down:
                kernel.emit(thread, EventKind.EXIT, self.name, "the loop is closed")
                return None
            kernel.emit(thread, EventKind.IDLE, self.name, "waits for a job")
            kernel.park(
                thread, self, ThreadState.WAITING, operation=f"wait for a job from {self.name}"
            )
        handed: _Job | None = kernel.resume(thread)
        with kernel.lock:
            if handed is not None:
                self._start(thread, handed)
            else:
                kernel.emit(thread, EventKind.EXIT, self.name, "the loop is closed")
            return handed

    def _start(self, worker: SimThread, job: _Job) -> None:
        job.worker = worker.name
        self.busy[worker.name] = job
        self._kernel.emit(worker, EventKind.START, self.name, job.call_text)

    def _finish(self, job: _Job, value: Any, exception: BaseException | None) -> None:
        kernel = self._kernel
        worker = kernel.current()
        with kernel.lock:
            self.busy.pop(worker.name, None)
            job.outcome = (value, exception)
            outcome = _exc_text(exception) if exception is not None else repr(value)
            if job.loop.is_closed():  # nobody awaits it any more
                kernel.emit(
                    worker, EventKind.FINISH, self.name, f"{job.call_text} → {outcome} (dropped)"
                )
                return
            kernel.emit(
                worker,
                EventKind.FINISH,
                self.name,
                f"{job.call_text} → {outcome}: call_soon_threadsafe",
            )
            job.loop.call_soon_threadsafe(job.deliver)
            drained = self._drained
            if drained is not None and not (self.jobs or self.busy):
                self._drained = None  # the loop's shutdown_default_executor goes on
                job.loop.call_soon_threadsafe(futures._set_result_unless_cancelled, drained, None)


class _VirtualSelector:
    """What ``BaseEventLoop._run_once`` polls: no sockets, only virtual time."""

    def __init__(self, owner: AsyncLoop, loop: EngineEventLoop) -> None:
        self._owner = owner
        self._loop = loop

    def select(self, timeout: float | None) -> list[Any]:
        return self._owner._select(self._loop, timeout)

    def close(self) -> None:
        pass


class _StepHandle(events.Handle):
    """A callback that is one step: it waits for its turn before it runs."""

    __slots__ = ()

    def _run(self) -> None:
        _run_as_step(self, super()._run)


class _StepTimerHandle(events.TimerHandle):
    """A timer callback that is one step when it fires."""

    __slots__ = ()

    def _run(self) -> None:
        _run_as_step(self, super()._run)


def _run_as_step(handle: events.Handle, run: Callable[[], None]) -> None:
    owner: AsyncLoop = handle._loop._owner
    if owner._before_callback(handle):
        run()
        owner._after_callback(handle)


RUN_SIGNAL_MODULE = "signal module"
"""Where a program's run keeps its ``signal`` module (``Kernel.attached``): a loop's
signal handlers are the run's (``program.signals``)."""


class EngineEventLoop(asyncio.BaseEventLoop):
    """An asyncio event loop whose callbacks are engine steps and whose clock is virtual.

    Everything else (tasks, futures, gather, sleep, the ready queue and the timer heap) is
    CPython's own ``BaseEventLoop``.
    """

    def __init__(self, owner: AsyncLoop) -> None:
        super().__init__()
        self._owner = owner
        self._signal_handlers: dict[int, events.Handle] = {}
        self._selector = _VirtualSelector(owner, self)
        self._clock_resolution = 1e-9  # the same on every machine
        # Debug mode would log "slow" callbacks (in virtual seconds) to stderr, under the app.
        self.set_debug(False)

    def create_task(
        self, coro: Any, *, name: str | None = None, context: Any = None
    ) -> asyncio.Task[Any]:
        """Without a task factory of the program's own, the loop's tasks are its owner's
        (pure-Python, named per loop: ``fetch#2``); with one, as CPython's loop does.

        Not through ``set_task_factory``: ``get_task_factory()`` stays None, as on
        CPython's loop, and 3.13.0's ``create_task`` would name every task 'None' when a
        factory makes it without a name."""
        if self._task_factory is not None:
            return super().create_task(coro, name=name, context=context)
        self._check_closed()
        task = self._owner._make_task(self, coro, context)
        if name is not None:
            task.set_name(name)
        return task

    def time(self) -> float:
        return self._owner.now

    def _process_events(self, event_list: list[Any]) -> None:
        pass  # no sockets, no pipes

    def _write_to_self(self) -> None:
        self._owner._wake_loop()

    def _call_soon(
        self, callback: Callable[..., Any], args: tuple[Any, ...], context: Any
    ) -> events.Handle:
        # call_soon and call_soon_threadsafe both come here.
        handle = _StepHandle(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._ready.append(handle)
        return handle

    def call_at(
        self, when: float, callback: Callable[..., Any], *args: Any, context: Any = None
    ) -> events.TimerHandle:
        # call_later comes here too; the same as BaseEventLoop.call_at but a step handle.
        if when is None:
            raise TypeError("when cannot be None")
        self._check_closed()
        if self._debug:
            self._check_thread()
            self._check_callback(callback, "call_at")
        timer = _StepTimerHandle(when, callback, args, self, context)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    def run_in_executor(self, executor: Any, func: Callable[..., Any], *args: Any) -> Any:
        """``to_thread`` comes here: the call goes to an engine worker thread. With an
        executor of the program's own, the call is submitted to it, as CPython does."""
        self._check_closed()
        if executor is not None:
            if self._owner.submit_to is None:
                raise TypeError(
                    f"{self._owner.name} runs calls only on its own worker threads: pass None"
                )
            return self._owner.submit_to(self, executor, func, args)
        self._check_default_executor()
        pool = self._owner.executor
        if pool is None:
            raise RuntimeError(f"{self._owner.name} has no worker threads for to_thread")
        return pool.submit(self, func, args)

    if sys.version_info >= (3, 12):

        async def shutdown_default_executor(self, timeout: float | None = None) -> None:
            """3.12 and later: ``asyncio.run`` passes ``THREAD_JOIN_TIMEOUT`` (300 s)."""
            await self._shutdown_default_executor(timeout)

    else:

        async def shutdown_default_executor(self) -> None:
            await self._shutdown_default_executor(None)

    async def _shutdown_default_executor(self, timeout: float | None) -> None:
        """As CPython's: no more calls, and the calls still queued or running finish before
        it returns. 3.13 waits at most ``timeout`` seconds (virtual ones), then warns and
        goes on; 3.11 and 3.12 wait for them however long they take."""
        self._executor_shutdown_called = True
        pool = self._owner.executor
        if pool is None:
            return
        finished = pool.shutdown(self)
        if finished is None:  # no call left: the idle workers exit on their own
            return
        if sys.version_info < (3, 13):
            await finished
            return
        try:
            async with asyncio.timeout(timeout):
                await finished
        except TimeoutError:
            warnings.warn(
                f"The executor did not finishing joining its threads within {timeout} seconds.",
                RuntimeWarning,
                stacklevel=3,  # past this loop's two methods, as CPython's names asyncio's
            )

    # -- signals, as the Unix loop's: a handler of the run's calls back in the loop

    def add_signal_handler(self, sig: int, callback: Callable[..., Any], *args: Any) -> None:
        if asyncio.iscoroutine(callback) or asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with add_signal_handler()")
        signal = self._run_signal_module(sig)
        self._check_closed()
        try:
            # The Unix loop's first call: it says so when this is not the main thread.
            signal.set_wakeup_fd(-1)
        except (ValueError, OSError) as exc:
            raise RuntimeError(str(exc)) from None
        self._signal_handlers[sig] = _StepHandle(callback, args, self, None)
        try:
            signal.signal(sig, self._on_signal)
        except OSError as exc:
            del self._signal_handlers[sig]
            if exc.errno == errno.EINVAL:
                raise RuntimeError(f"sig {sig:d} cannot be caught") from None
            raise

    def remove_signal_handler(self, sig: int) -> bool:
        signal = self._run_signal_module(sig)
        if self._signal_handlers.pop(sig, None) is None:
            return False
        signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
        return True

    def _on_signal(self, signum: int, frame: object) -> None:
        handle = self._signal_handlers.get(signum)
        if handle is None:
            return
        if handle._cancelled:
            self.remove_signal_handler(signum)
        else:
            self._add_callback_signalsafe(handle)  # CPython's own: queue it, wake the loop

    def _run_signal_module(self, sig: int) -> Any:
        """The run's ``signal``, once ``sig`` is checked as the Unix loop checks it."""
        signal = self._owner._kernel.attached.get(RUN_SIGNAL_MODULE)
        if signal is None:
            raise NotImplementedError  # not a program's loop: a lesson's has no signals
        if not isinstance(sig, int):
            raise TypeError(f"sig must be an int, not {sig!r}")
        if sig not in signal.valid_signals():
            raise ValueError(f"invalid signal number {sig}")
        return signal

    def close(self) -> None:
        if not sys.is_finalizing():
            for sig in list(getattr(self, "_signal_handlers", ())):
                self.remove_signal_handler(sig)
        super().close()
        if self._owner.executor is not None:
            self._owner.executor.shutdown(None)
        if self._owner._stopping():
            self._owner._discard_pending()
        else:  # what is still unstarted now will never run
            self._owner.report_never_awaited(final=True)

    def call_exception_handler(self, context: dict[str, Any]) -> None:
        """A callback that raised makes the loop's thread fail, as a scenario bug does.

        Other reports (a task destroyed while pending after a stop, an exception nobody
        retrieved) come from garbage collection, at no reproducible moment: not shown.
        """
        exception = context.get("exception")
        if (
            "handle" in context
            and exception is not None
            and self._thread_id == threading.get_ident()
        ):
            raise exception


def _name_in(frame: Any, value: object) -> str:
    """What the program calls ``value`` where ``frame`` (a frame of its own) sees it: a
    local or global name, a ``self`` attribute; else the kind of thing it is."""
    if frame is not None:
        scopes = [frame.f_locals, frame.f_globals]
        owner = frame.f_locals.get("self")
        if owner is not None:
            scopes.append(getattr(owner, "__dict__", {}))
        for scope in scopes:
            for name, seen in scope.items():
                if seen is value and not name.startswith("__"):
                    return name
    return f"an asyncio.{type(value).__name__}"


def _task_of(callback: Any) -> asyncio.Task[Any] | None:
    """The task whose step (or wakeup) this callback is, if it is one."""
    owner = getattr(callback, "__self__", None)
    return cast("asyncio.Task[Any]", owner) if isinstance(owner, _TASK_TYPES) else None


def _settles(handle: events.Handle, future: Any) -> bool:
    """Whether running this callback settles ``future`` (a sleep's timer, a job's result)."""
    callback, args = handle._callback, handle._args
    if callback is futures._set_result_unless_cancelled:
        return bool(args) and args[0] is future
    job = getattr(callback, "__self__", None)
    return isinstance(job, _Job) and job.future is future


def _started(task: asyncio.Task[Any]) -> bool:
    coro = task.get_coro()
    return not inspect.iscoroutine(coro) or inspect.getcoroutinestate(coro) != "CORO_CREATED"


def _call_text(func: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """'crunch(6)' for ``to_thread(crunch, 6)`` (which wraps it in ``ctx.run``)."""
    if isinstance(func, partial) and getattr(func.func, "__name__", "") == "run" and func.args:
        inner, *inner_args = func.args
        return _call_text(inner, (*inner_args, *args))
    if isinstance(func, partial):
        return _call_text(func.func, (*func.args, *args))
    name = getattr(func, "__name__", type(func).__name__)
    return f"{name}({', '.join(map(repr, args))})"


def _exc_text(exception: BaseException | None) -> str:
    return f"{type(exception).__name__}: {exception}"


# The engine's own words for a callback and for what a task awaits: its thread's operation
# and the event log use them (the app words the typed data itself).


def _callback_text(callback: LoopCallback) -> str:
    subject = callback.subject
    match callback.kind:
        case CallbackKind.TASK_STEP:
            return f"{subject}"
        case CallbackKind.THREAD_RESULT:
            return f"result of {subject}"
        case CallbackKind.WAKE:
            return f"wake {subject}"
        case CallbackKind.END_SLEEP:
            return "end a sleep"
        case CallbackKind.CHILD_DONE:
            return f"gather: {subject or 'a child'} done"
        case CallbackKind.RUN_UNTIL_COMPLETE:
            return f"run_until_complete: {subject or 'it'} done"
        case CallbackKind.OTHER:
            return f"callback {subject}"


def _awaiting_text(awaiting: Awaiting) -> str:
    match awaiting:
        case AwaitsTask(task):
            return f"task {task}"
        case AwaitsGather(done, total):
            return f"gather: {done} of {total} done"
        case AwaitsSleep(until, fired):
            if fired:
                return f"slept until t={fmt_time(until)}: timer in the ready queue"
            return f"sleep until t={fmt_time(until)}"
        case AwaitsCallback(callback):
            return f"{_callback_text(callback)} in the ready queue"
        case AwaitsThreadCall(call, worker):
            return f"{call} on {worker or 'a worker thread'}"
        case AwaitsFuture():
            return "a future"
        case AwaitsNothing():
            return "ready to go on"
