"""``asyncio``, controlled: CPython's own asyncio on the engine's event loop.

Almost everything is the real module: tasks, futures, ``gather``, ``sleep``, ``wait_for``,
``timeout``, ``Queue``, ``Lock``, ``Event``, ``Semaphore``, ``Condition`` are loop-bound and
work unchanged on a custom loop. What changes is the loop itself: ``asyncio.run`` (and
``new_event_loop``, ``Runner``, ``get_event_loop``) make an ``AsyncLoop`` primitive of the run
(named ``loop``, or after what the source assigns ``new_event_loop()`` to) whose every
callback is a step and whose clock is the run's virtual clock, the one ``time`` reads.
``to_thread`` runs the call on the loop's executor, whose worker threads are controlled
threads started on demand and named as CPython names them (``asyncio_0``, ``asyncio_1``...).

Coroutines ``to_thread``, ``sleep`` and ``wait_for`` make are watched: one dropped before
anything awaits it is reported as never awaited (an event, and a line in the loop's view),
where CPython would print "RuntimeWarning: coroutine 'to_thread' was never awaited" at some
garbage collection.
"""

from __future__ import annotations

import asyncio as _real
import sys
import warnings
from asyncio import coroutines as _coroutines
from asyncio import events as _events
from asyncio import tasks as _tasks
from collections.abc import Callable, Coroutine
from types import FrameType, ModuleType
from typing import Any

from ..core.source import caller_line
from ..core.threads import bound
from ..primitives.aio import AsyncLoop, EngineEventLoop, LoopExecutor
from . import aio_futures, threads_api
from .naming import name_from_source

MAX_WORKERS = 5
"""Worker threads a loop's default executor starts at most. CPython's is
``min(32, os.cpu_count() + 4)``, which differs between machines; a run must not, so this is
CPython's number on a one-core machine."""


def _new_loop(name: str | None = None) -> AsyncLoop:
    """A new loop primitive of the run, made in the calling thread, with its executor."""
    kernel, _thread = bound()
    with kernel.lock:
        loop_name = kernel.unique_name(name) if name else name_from_source(kernel, "loop", "loop")
        loop = AsyncLoop(kernel, loop_name, shared_clock=True)
        kernel.register(loop)
        executor_name = kernel.unique_name(
            "executor" if loop_name == "loop" else f"{loop_name}-executor"
        )
        executor = LoopExecutor(
            kernel,
            executor_name,
            loop,
            start_worker=lambda number: _start_worker(executor, number),
            max_workers=MAX_WORKERS,
        )
        kernel.register(executor)
        loop.executor = executor
        loop.submit_to = aio_futures.submit_to
    return loop


def _start_worker(executor: LoopExecutor, number: int) -> None:
    """One more worker thread for ``executor``, as ``ThreadPoolExecutor`` starts them."""
    name = f"asyncio_{number}"
    worker = threads_api.new_thread(executor.worker, name, (name,), daemon=False)
    worker.start()


class _Session:
    """One run's asyncio: the event loop each thread has set (``set_event_loop``)."""

    def __init__(self) -> None:
        self.current: dict[int, _real.AbstractEventLoop | None] = {}

    if sys.version_info >= (3, 12):

        def run(
            self,
            main: Coroutine[Any, Any, Any],
            *,
            debug: bool | None = None,
            loop_factory: Callable[[], _real.AbstractEventLoop] | None = None,
        ) -> Any:
            """``asyncio.run``; 3.12 adds ``loop_factory``, the loop to run ``main`` on."""
            return self._run(main, debug, loop_factory)

    else:

        def run(self, main: Coroutine[Any, Any, Any], *, debug: bool | None = None) -> Any:
            """``asyncio.run``."""
            return self._run(main, debug, None)

    run.__qualname__ = "run"  # as CPython's says it: "run() got an unexpected keyword..."

    def _run(
        self,
        main: Coroutine[Any, Any, Any],
        debug: bool | None,
        loop_factory: Callable[[], _real.AbstractEventLoop] | None,
    ) -> Any:
        """A new loop runs ``main`` to the end in this thread, then closes: the run's own
        (``loop``), or a ``Runner``'s from the program's ``loop_factory``."""
        if _events._get_running_loop() is not None:
            raise RuntimeError("asyncio.run() cannot be called from a running event loop")
        if loop_factory is not None:
            with self.runner()(debug=debug, loop_factory=loop_factory) as runner:
                return runner.run(main)
        if not _coroutines.iscoroutine(main):
            raise ValueError(f"a coroutine was expected, got {main!r}")
        return _new_loop("loop").run(main)

    def new_event_loop(self) -> EngineEventLoop:
        return _new_loop().new_event_loop()

    @staticmethod
    def run_loop() -> EngineEventLoop:
        """A ``Runner``'s loop, called ``loop`` as ``asyncio.run``'s."""
        return _new_loop("loop").new_event_loop()

    def wrap_future(self, future: Any, *, loop: Any = None) -> Any:
        """``asyncio.wrap_future``, for a future of the run's ``concurrent.futures``."""
        if _real.isfuture(future):
            return future
        return aio_futures.wrap_future(future, loop if loop is not None else self.get_event_loop())

    def get_event_loop(self) -> _real.AbstractEventLoop:
        running = _events._get_running_loop()
        if running is not None:
            return running
        kernel, thread = bound()
        loop = self.current.get(thread.index)
        if loop is not None:
            return loop
        if thread is not kernel.threads[0] or thread.index in self.current:
            # Another thread, or set_event_loop(None) was called: none is made.
            raise RuntimeError(f"There is no current event loop in thread {thread.name!r}.")
        if sys.version_info >= (3, 12):
            warnings.warn(
                "There is no current event loop", DeprecationWarning, stacklevel=_outside_asyncio()
            )
        loop = self.new_event_loop()  # the main thread gets one, as CPython's policy makes
        self.current[thread.index] = loop
        return loop

    def set_event_loop(self, loop: _real.AbstractEventLoop | None) -> None:
        if loop is not None and not isinstance(loop, _real.AbstractEventLoop):
            raise TypeError(
                "loop must be an instance of AbstractEventLoop or None, "
                f"not '{type(loop).__name__}'"
            )
        _kernel, thread = bound()
        self.current[thread.index] = loop

    def runner(self) -> type[_real.Runner]:
        session = self

        class Runner(_real.Runner):  # type: ignore[misc]  # final in typeshed only
            """``asyncio.Runner``: its default loop is the engine's."""

            def __init__(
                self,
                *,
                debug: bool | None = None,
                loop_factory: Callable[[], _real.AbstractEventLoop] | None = None,
            ) -> None:
                super().__init__(debug=debug, loop_factory=loop_factory or session.run_loop)

        return Runner


def _outside_asyncio() -> int:
    """The ``stacklevel`` that makes a warning from ``get_event_loop`` name the first
    caller outside asyncio, as CPython's event loop policy finds it."""
    stacklevel = 2  # who called get_event_loop (frame 0 is this function, 1 its caller)
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if not (module == "asyncio" or module.startswith("asyncio.")):
            break
        frame = frame.f_back
        stacklevel += 1
    return stacklevel


def _watched(
    make: Callable[..., Coroutine[Any, Any, Any]], name: str
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """``make`` (an ``async def`` of asyncio), whose coroutines the loop watches until
    they start: one dropped unawaited is reported with the program line that made it."""

    def watched(*args: Any, **kwargs: Any) -> Coroutine[Any, Any, Any]:
        coro = make(*args, **kwargs)
        owner = getattr(_events._get_running_loop(), "_owner", None)
        if isinstance(owner, AsyncLoop) and owner.shared_clock:
            kernel, _thread = bound()
            owner.track(coro, _call_text(name, args, kwargs), caller_line(kernel.program_file, 1))
        return coro

    watched.__name__ = watched.__qualname__ = name
    watched.__doc__ = make.__doc__
    watched._is_coroutine = _coroutines._is_coroutine  # type: ignore[attr-defined]
    return watched


def _call_text(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """'to_thread(crunch, 6)', 'sleep(1)'."""
    shown = [getattr(a, "__name__", None) or repr(a) for a in args[:1]] if args else []
    shown += [repr(a) for a in args[1:]]
    shown += [f"{key}={value!r}" for key, value in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def make_module() -> ModuleType:
    """A fresh controlled ``asyncio`` for one run."""
    session = _Session()
    module = ModuleType("asyncio", "asyncio on the run's event loop, controlled by threadlab")
    # Every public name of this version's asyncio, not only ``__all__``: 3.11's leaves
    # ``TaskGroup`` out of it, yet ``asyncio.TaskGroup`` works.
    # Its submodules stay out: their functions (``asyncio.events.get_event_loop``) would
    # reach past the run's loop.
    module.__dict__.update(
        {
            name: value
            for name, value in vars(_real).items()
            if not name.startswith("_") and not isinstance(value, ModuleType)
        }
    )
    module.__all__ = _real.__all__  # type: ignore[attr-defined]
    module.__dict__.update(
        run=session.run,
        Runner=session.runner(),
        new_event_loop=session.new_event_loop,
        get_event_loop=session.get_event_loop,
        set_event_loop=session.set_event_loop,
        to_thread=_watched(_real.to_thread, "to_thread"),
        sleep=_watched(_real.sleep, "sleep"),
        wait_for=_watched(_real.wait_for, "wait_for"),
        run_coroutine_threadsafe=aio_futures.run_coroutine_threadsafe,
        wrap_future=session.wrap_future,
        # The loop's tasks are pure-Python ones (a step is a bound method of its task).
        Task=_tasks._PyTask,  # type: ignore[attr-defined]
    )
    return module
