"""``threading.Thread`` and its kin, controlled: threads a program starts while it runs.

``start`` and ``join`` are checkpoints. A started thread is a scenario thread of the run
from its first turn; ``join`` blocks (visibly: "MainThread waits for Thread-1 to finish")
until it ends, so a thread joining one that waits for it is a deadlock with a cycle.
Names are the ``name=`` given, or CPython's ``Thread-N (target)``; idents are small
numbers that are the same in every run.
"""

from __future__ import annotations

import threading as _real_threading
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..core.errors import StopRun
from ..core.threads import bound
from ..primitives.base import Primitive
from ..snapshot.model import EventKind, ThreadState
from .locks import Event

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread


class _ThreadEnd(Primitive):
    """Where joiners wait for a thread to end (not shown as a primitive of its own)."""

    def __init__(self, kernel: Kernel, owner: Thread) -> None:
        super().__init__(kernel, owner.name)
        self.thread = owner

    @property
    def owner(self) -> SimThread | None:
        """The thread being joined: whom a joiner waits for, for the deadlock cycle."""
        return self.thread._sim

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for {self.thread.name} to finish"


class Thread:
    """``threading.Thread``: subclass it and override ``run``, or give it a ``target``."""

    def __init__(
        self,
        group: None = None,
        target: Callable[..., object] | None = None,
        name: str | None = None,
        args: Iterable[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        daemon: bool | None = None,
    ) -> None:
        if group is not None:
            raise AssertionError("group argument must be None for now")
        kernel, caller = bound()
        self._kernel = kernel
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs or {})
        with kernel.lock:
            if name is None:
                count = kernel.names_used.get("\0Thread-N", 0) + 1
                kernel.names_used["\0Thread-N"] = count
                name = f"Thread-{count}"
                if target is not None and hasattr(target, "__name__"):
                    name += f" ({target.__name__})"
        self._name = str(name)
        self._daemonic = _daemon_of(caller) if daemon is None else bool(daemon)
        self._sim: SimThread | None = None
        self._end = _ThreadEnd(kernel, self)
        self._ended = False

    # -- what the program calls

    def start(self) -> None:
        if self._sim is not None:
            raise RuntimeError("threads can only be started once")
        kernel = self._kernel
        thread = kernel.checkpoint(f"start {self._name}")
        with kernel.lock:
            self._sim = kernel.start_thread_now(
                self._name, self._bootstrap, daemon=self._daemonic, handle=self
            )
            body = self._target if self._target is not None else type(self).run
            code = getattr(body, "__code__", None)
            if code is not None and code.co_filename in kernel.program_files:
                # until it runs: where its code starts
                self._sim.line = code.co_firstlineno
                if code.co_filename != kernel.program_file:
                    self._sim.file = code.co_filename
                else:
                    self._sim.main_line = code.co_firstlineno
            kernel.emit(thread, EventKind.START, None, f"starts {self._sim.name}")

    def run(self) -> None:
        try:
            if self._target is not None:
                self._target(*self._args, **self._kwargs)
        finally:
            del self._target, self._args, self._kwargs  # as CPython does: no cycles kept

    def join(self, timeout: float | None = None) -> None:
        kernel, caller = bound()
        if self._sim is None:
            raise RuntimeError("cannot join thread before it is started")
        if self._sim is caller:
            raise RuntimeError("cannot join current thread")
        thread = kernel.checkpoint(f"join {self.name}")
        with kernel.lock:
            if self._ended:
                return
            kernel.emit(thread, EventKind.JOIN, None, f"waits for {self._sim.name}")
            deadline = None if timeout is None else kernel.clock + max(0.0, timeout)
            kernel.park(thread, self._end, ThreadState.BLOCKED, deadline=deadline)
        kernel.resume(thread)

    def is_alive(self) -> bool:
        return self._sim is not None and not self._ended

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = str(value)

    @property
    def ident(self) -> int | None:
        return None if self._sim is None else self._sim.index

    @property
    def native_id(self) -> int | None:
        return self.ident

    @property
    def daemon(self) -> bool:
        return self._daemonic

    @daemon.setter
    def daemon(self, daemonic: bool) -> None:
        if self._sim is not None:
            raise RuntimeError("cannot set daemon status of active thread")
        self._daemonic = bool(daemonic)

    def isDaemon(self) -> bool:
        return self.daemon

    def setDaemon(self, daemonic: bool) -> None:
        self.daemon = daemonic

    def getName(self) -> str:
        return self.name

    def setName(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        status = "initial" if self._sim is None else "stopped" if self._ended else "started"
        if self._daemonic:
            status += " daemon"
        if self.ident is not None:
            status += f" {self.ident}"
        return f"<{type(self).__name__}({self._name}, {status})>"

    # -- engine side

    def _bootstrap(self) -> None:
        """The body of the scenario thread: ``run``, then wake whoever joins it. As
        CPython's ``threading.excepthook``, a ``SystemExit`` just ends the thread."""
        try:
            self.run()
        except StopRun:
            raise  # the run stops: nobody is woken, nothing changes any more
        except SystemExit:
            self._finish()
        except BaseException as error:
            hook = _program_excepthook(self._kernel)
            if hook is not None:  # the program's own: it decides, the thread just ends
                hook(
                    _real_threading.ExceptHookArgs((type(error), error, error.__traceback__, self))
                )
            self._finish()
            if hook is None:
                raise  # CPython's hook: the thread fails (a verdict says so); the others go on
        else:
            self._finish()

    def _finish(self) -> None:
        kernel = self._kernel
        with kernel.lock:
            self._ended = True
            while self._end.queue:
                kernel.wake(self._end.queue.popleft(), f"joined {self._name}")


class _MainThread(Thread):
    """The program's main thread, already running."""

    def __init__(self, sim: SimThread) -> None:
        super().__init__(name="MainThread", daemon=False)
        self._sim = sim
        self.atexits: list[Callable[[], object]] = []
        """Called, last registered first, when the program's main code ends."""


_THREADING_MODULE = "threading module"
"""Where a run keeps its ``threading`` module (``Kernel.attached``): the program may set
its own ``excepthook`` there."""


def bind_threading_module(kernel: Kernel, module: ModuleType) -> None:
    """``module`` is the ``threading`` the program of ``kernel``'s run imports."""
    kernel.attached[_THREADING_MODULE] = module


def _program_excepthook(kernel: Kernel) -> Callable[[Any], object] | None:
    """The ``threading.excepthook`` the program has set, or None while it is CPython's."""
    module = kernel.attached.get(_THREADING_MODULE)
    hook = getattr(module, "excepthook", None)
    return None if hook is None or hook is _real_threading.__excepthook__ else hook


def new_thread(
    target: Callable[..., object], name: str, args: tuple[Any, ...] = (), *, daemon: bool
) -> Any:
    """A thread the engine starts for the program (a pool's worker, an event loop's
    executor's): the run's own ``threading.Thread`` when the program runs CPython's
    ``threading`` (so ``current_thread()`` knows it), else this module's."""
    kernel, _thread = bound()
    module = kernel.attached.get(_THREADING_MODULE)
    cls = getattr(module, "Thread", Thread) if module is not None else Thread
    return cls(target=target, name=name, args=args, daemon=daemon)


def adopt_main_thread(sim: SimThread) -> Thread:
    """Give the program's main scenario thread its ``threading`` object (in that thread)."""
    main = _MainThread(sim)
    sim.handle = main
    return main


def _daemon_of(caller: SimThread) -> bool:
    handle = caller.handle
    return bool(handle.daemon) if handle is not None else False


class Timer(Thread):
    """``threading.Timer``: calls ``function`` after ``interval`` virtual seconds unless
    cancelled first."""

    def __init__(
        self,
        interval: float,
        function: Callable[..., object],
        args: Iterable[Any] | None = None,
        kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.interval = interval
        self.function = function
        self.args = list(args) if args is not None else []
        self.kwargs = dict(kwargs) if kwargs is not None else {}
        self.finished = Event(name=f"{self.name}.finished")

    def cancel(self) -> None:
        self.finished.set()

    def run(self) -> None:
        self.finished.wait(self.interval)
        if not self.finished.is_set():
            self.function(*self.args, **self.kwargs)
        self.finished.set()


def current_thread() -> Thread:
    _kernel, thread = bound()
    handle = thread.handle
    if handle is None:
        raise RuntimeError(f"{thread.name} is not a thread of the program")
    return handle


def main_thread() -> Thread:
    kernel, _thread = bound()
    return kernel.threads[0].handle


def enumerate() -> list[Thread]:
    kernel, _thread = bound()
    with kernel.lock:
        return [t.handle for t in kernel.threads if t.handle is not None and not t.handle._ended]


def active_count() -> int:
    return len(enumerate())


def get_ident() -> int:
    _kernel, thread = bound()
    return thread.index


get_native_id = get_ident


def register_atexit(function: Callable[[], object]) -> None:
    """``threading._register_atexit``: call ``function`` when the program's main code ends,
    before the non-daemon threads are joined (``concurrent.futures`` stops its idle
    workers so)."""
    main = main_thread()
    assert isinstance(main, _MainThread)
    main.atexits.append(function)


def run_atexits(main: Thread) -> None:
    """Call the functions given to ``register_atexit``, last registered first."""
    if isinstance(main, _MainThread):
        while main.atexits:
            main.atexits.pop()()


def shutdown(main: Thread) -> None:
    """What CPython's main thread does as the program exits: call the functions given to
    ``register_atexit``, last first, then join every non-daemon thread still alive,
    oldest first."""
    run_atexits(main)
    kernel = main._kernel
    while True:
        with kernel.lock:
            alive = [
                t.handle
                for t in kernel.threads
                if t.handle is not None and t.handle is not main and not t.handle._ended
            ]
        waiting = [t for t in alive if not t.daemon]
        if not waiting:
            return
        waiting[0].join()


TIMEOUT_MAX = _real_threading.TIMEOUT_MAX
local = _real_threading.local  # every scenario thread is a real OS thread of its own
