"""Signals a program sends itself, as its run's: handlers installed by ``signal.signal`` in
its main thread, and the signals it sends its own process (``signal.raise_signal``,
``os.kill(os.getpid(), n)``, ``signal.pthread_kill`` to one of its threads,
``_thread.interrupt_main``).

Under CPython a signal's Python handler runs in the main thread, between two bytecodes,
soon after the signal arrives: at once when the main thread sent it; otherwise when the
main thread next runs, a main thread blocked on a lock or asleep being interrupted for it
(it goes back to its wait, or its sleep, unless the handler raised). In a run the handler
runs in the program's main thread when that thread next has the turn, woken from a wait or
a sleep for it: one of the moments CPython may run it, and the same one in every
execution of the run, so a run that handles signals rewinds and replays exactly.

A signal with no Python handler does its default action: ignored for the signals ignored
by default (``SIGCHLD``...), and for ``SIG_IGN``; the stop signals stop nothing (as if the
process were continued at once); any other ends the run as it would end the process,
killed by the signal, at the step that sent it.

Handlers live with the run (every execution of it starts with the interpreter's start-up
ones) and never reach the process: threadlab's own handling of signals, and the signals
other processes send to the program's process, are left as they are.

``signal.alarm``, ``setitimer`` and ``getitimer`` are the run's too, on its clock (the
virtual time its sleeps and timeouts pass in, ``Kernel.timers``): ``alarm(2)`` rings when
the run's clock has moved on two seconds, and the main thread wakes to run the handler (a
main thread blocked for good is woken too, as by a real alarm). All three timers count the
run's one clock: a run has no processor time of its own. A timer that rings once the main
thread has ended has nobody to run its handler, and does nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal as _signal
import sys
from collections.abc import Callable
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any

from ..core.threads import bound_or_none
from ..snapshot.model import EventKind

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

Handler = Callable[[int, FrameType | None], Any] | int | None

_DEFAULT_IGNORED = frozenset(
    getattr(_signal, name)
    for name in ("SIGCHLD", "SIGURG", "SIGWINCH", "SIGCONT", "SIGCLD")
    if hasattr(_signal, name)
)
"""Signals whose default action is to do nothing."""

_STOPPING = frozenset(
    getattr(_signal, name)
    for name in ("SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU")
    if hasattr(_signal, name)
)
"""Signals whose default action stops the process (nothing continues it in a run: it goes
on as if continued at once)."""

_UNCATCHABLE = frozenset(
    getattr(_signal, name) for name in ("SIGKILL", "SIGSTOP") if hasattr(_signal, name)
)


def _at_start_up(number: int) -> Handler:
    """The handler of signal ``number`` when this process started: the disposition it
    inherited (``SIG_IGN`` for ``SIGINT`` under ``nohup``), or the one CPython installs then;
    never a handler of threadlab's own."""
    real = _signal.getsignal(number)
    if real in (_signal.SIG_DFL, _signal.SIG_IGN, None) or real is _signal.default_int_handler:
        return real
    return _signal.default_int_handler if number == _signal.SIGINT else _signal.SIG_DFL


_AT_START_UP: dict[int, Handler] = {
    number: _at_start_up(number) for number in _signal.valid_signals()
}
"""Every signal's handler when a run starts: read when threadlab starts, before it
installs any of its own."""

_MAIN_ONLY = "{what} only works in main thread of the main interpreter"

_KEY = "signals"
"""Where a run keeps its ``RunSignals`` (``Kernel.attached``)."""


def _integer(value: object) -> None:
    """Raise CPython's ``TypeError`` for an argument that is not an integer."""
    if not isinstance(value, int):
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer")


def _number(signalnum: object) -> int:
    """The signal number ``signalnum`` is, checked as CPython checks it."""
    _integer(signalnum)
    number = int(signalnum)  # type: ignore[call-overload]
    if not 1 <= number < _signal.NSIG:
        raise ValueError("signal number out of range")
    return number


class RunSignals:
    """One run's signal handlers, its wakeup file descriptor, and the signals it sends."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel
        self.handlers: dict[int, Handler] = {}
        self.wakeup_fd = -1
        kernel.handle_signals = self._run_handlers
        kernel.timer_rang = self._timer_rang

    def handler(self, number: int) -> Handler:
        if number in self.handlers:
            return self.handlers[number]
        return _AT_START_UP.get(number, _signal.SIG_DFL)

    def send(self, thread: SimThread, number: int, *, default_action: bool = True) -> None:
        """``thread`` sends signal ``number`` to the program's process (its step goes on).

        Args:
            default_action: a signal without a Python handler does its default action
                (False: ``interrupt_main``, which then does nothing).
        """
        kernel = self._kernel
        name = _name(number)
        handler = self.handler(number)
        if not callable(handler):
            if handler == _signal.SIG_IGN or not default_action:
                return
            if number in _DEFAULT_IGNORED or number in _STOPPING:
                return
            kernel.end_program(thread, -number, f"killed by {name}")
        if self.wakeup_fd != -1:
            _write_wakeup(self.wakeup_fd, number)  # as the C-level handler does, at once
        main = kernel.threads[0]
        with kernel.lock:
            kernel.pending_signals.append(number)
            woken = main is not thread and kernel.interrupt(main, f"interrupted by {name}")
            detail = f"{name} sent to the process: {main.name} runs its handler next"
            if woken:
                detail = f"{name} sent to the process: {main.name} wakes to run its handler"
            kernel.emit(thread, EventKind.OS_SIGNAL, None, detail)
        if main is thread:
            self._run_handlers(thread)  # under CPython, before the call that sent it returns

    def _timer_rang(self, number: int) -> None:
        """The timer of signal ``number`` rang (lock held, at the end of a step): the main
        thread gets the signal, and is woken to handle it."""
        kernel = self._kernel
        name = _name(number)
        handler = self.handler(number)
        if not callable(handler) and (
            handler == _signal.SIG_IGN or number in _DEFAULT_IGNORED or number in _STOPPING
        ):
            return
        if self.wakeup_fd != -1:
            _write_wakeup(self.wakeup_fd, number)
        main = kernel.threads[0]
        if main.state.ended:
            kernel.emit(None, EventKind.OS_SIGNAL, None, f"the {name} timer rang: no main thread")
            return
        kernel.pending_signals.append(number)
        kernel.interrupt(main, f"interrupted by {name}")
        kernel.emit(
            None, EventKind.OS_SIGNAL, None, f"the {name} timer rang: {main.name} handles it"
        )

    def _run_handlers(self, thread: SimThread) -> None:
        """Run the pending signals' handlers in the main thread ``thread``, oldest first;
        what a handler raises, the main thread raises where it is. A timer's signal with no
        handler does its default action there."""
        kernel = self._kernel
        while True:
            with kernel.lock:
                if not kernel.pending_signals:
                    return
                number = kernel.pending_signals.pop(0)
                handler = self.handler(number)
                if callable(handler):
                    kernel.emit(
                        thread, EventKind.OS_SIGNAL, None, f"runs the {_name(number)} handler"
                    )
            if callable(handler):
                handler(number, _program_frame())
            elif handler == _signal.SIG_DFL and number not in _DEFAULT_IGNORED | _STOPPING:
                kernel.end_program(thread, -number, f"killed by {_name(number)}")


def _program_frame() -> FrameType | None:
    """The frame the main thread was interrupted in: the innermost outside threadlab."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("threadlab."):
        frame = frame.f_back
    return frame


def _write_wakeup(fd: int, number: int) -> None:
    # A full pipe or a closed descriptor: CPython's handler drops the byte too.
    with contextlib.suppress(OSError):
        os.write(fd, bytes([number & 0xFF]))


def _name(number: int) -> str:
    try:
        return _signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def signals_of(kernel: Kernel) -> RunSignals:
    """The signals of ``kernel``'s run (made when it first uses them)."""
    found: RunSignals | None = kernel.attached.get(_KEY)
    if found is None:
        found = kernel.attached[_KEY] = RunSignals(kernel)
    return found


def _caller_of(kernel: Kernel) -> SimThread:
    found = bound_or_none()
    if found is None or found[0] is not kernel:
        raise RuntimeError("a run's signals are used from a thread of another run")
    return found[1]


def _in_main_thread(kernel: Kernel, what: str) -> SimThread:
    thread = _caller_of(kernel)
    if thread is not kernel.threads[0]:
        raise ValueError(_MAIN_ONLY.format(what=what))
    return thread


def signal_module(kernel: Kernel, copy: ModuleType) -> None:
    """Make ``copy`` of ``signal`` the run's: its handlers, wakeup descriptor and the
    signals the program sends itself are the run's (CPython's ``signal.py`` converts the
    numbers to and from its enums around them, as it does around ``_signal``'s)."""
    signals = signals_of(kernel)

    def signal(signalnum: int, handler: Handler) -> Handler:
        # CPython's order of checks: the argument's type, the thread, the range, the handler.
        signalnum = _to_int(signalnum)
        _integer(signalnum)
        _in_main_thread(kernel, "signal")
        number = _number(signalnum)
        handler = _to_int(handler)
        if not callable(handler) and handler not in (_signal.SIG_DFL, _signal.SIG_IGN):
            raise TypeError(
                "signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object"
            )
        if number in _UNCATCHABLE:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        previous = signals.handler(number)
        signals.handlers[number] = handler
        return _as_handler(previous)

    def getsignal(signalnum: int) -> Handler:
        return _as_handler(signals.handler(_number(_to_int(signalnum))))

    def raise_signal(signalnum: int) -> None:
        number = _number(_to_int(signalnum))
        signals.send(_caller_of(kernel), number)

    def pthread_kill(thread_id: int, signalnum: int) -> None:
        number = _to_int(signalnum)
        if number != 0:
            number = _number(number)
        caller = _caller_of(kernel)
        if not any(t.index == thread_id and not t.state.ended for t in kernel.threads):
            raise ProcessLookupError(errno.ESRCH, os.strerror(errno.ESRCH))
        if number:
            signals.send(caller, number)  # every handler runs in the main thread

    def set_wakeup_fd(fd: int, /, *, warn_on_full_buffer: bool = True) -> int:
        fd = _to_int(fd)
        _integer(fd)
        _in_main_thread(kernel, "set_wakeup_fd")
        if fd != -1:
            os.fstat(fd)  # OSError for a descriptor that is not open, as CPython's
            if os.get_blocking(fd):
                raise ValueError(f"the fd {fd} must be in non-blocking mode")
        previous, signals.wakeup_fd = signals.wakeup_fd, fd
        return previous

    def alarm(seconds: int, /) -> int:
        _integer(seconds)
        seconds = int(seconds)
        if not -(2**31) <= seconds < 2**31:
            raise OverflowError("Python int too large to convert to C int")
        if seconds < 0:
            seconds += 2**32  # as the C call takes it: unsigned
        left, _interval = _timer(kernel, _signal.SIGALRM)
        _set_timer(kernel, _signal.SIGALRM, float(seconds), 0.0)
        # The C call's rounding: to the nearest second, and at least 1 while time is left.
        whole = int(left)
        return whole + 1 if left - whole >= 0.5 or (whole == 0 and left > 0) else whole

    def setitimer(which: int, seconds: float, interval: float = 0.0, /) -> tuple[float, float]:
        number = _timer_signal(which)
        seconds, interval = _seconds(seconds), _seconds(interval)
        if seconds < 0 or interval < 0:
            raise _signal.ItimerError(errno.EINVAL, os.strerror(errno.EINVAL))
        previous = _timer(kernel, number)
        _set_timer(kernel, number, seconds, interval)
        return previous

    def getitimer(which: int, /) -> tuple[float, float]:
        return _timer(kernel, _timer_signal(which))

    for function, real in (
        (alarm, getattr(_signal, "alarm", None)),
        (setitimer, getattr(_signal, "setitimer", None)),
        (getitimer, getattr(_signal, "getitimer", None)),
        (signal, _signal.signal),
        (getsignal, _signal.getsignal),
        (raise_signal, _signal.raise_signal),
        (pthread_kill, getattr(_signal, "pthread_kill", None)),
        (set_wakeup_fd, _signal.set_wakeup_fd),
    ):
        if real is not None:
            function.__doc__ = real.__doc__
            copy.__dict__[real.__name__] = function


_TIMER_SIGNALS = {
    getattr(_signal, which): getattr(_signal, number)
    for which, number in (
        ("ITIMER_REAL", "SIGALRM"),
        ("ITIMER_VIRTUAL", "SIGVTALRM"),
        ("ITIMER_PROF", "SIGPROF"),
    )
    if hasattr(_signal, which) and hasattr(_signal, number)
}
"""Each interval timer, by ``which``, and the signal it sends."""


def _timer_signal(which: object) -> int:
    """The signal timer ``which`` sends, checked as CPython checks it."""
    _integer(which)
    number = _TIMER_SIGNALS.get(int(which))  # type: ignore[call-overload]
    if number is None:
        raise _signal.ItimerError(errno.EINVAL, os.strerror(errno.EINVAL))
    return number


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer")
    return float(value)


def _timer(kernel: Kernel, number: int) -> tuple[float, float]:
    """What is left of timer ``number`` on the run's clock, and its interval."""
    with kernel.lock:
        when, interval = kernel.timers.get(number, (kernel.clock, 0.0))
        return max(0.0, when - kernel.clock), interval


def _set_timer(kernel: Kernel, number: int, seconds: float, interval: float) -> None:
    """Set timer ``number`` to ring ``seconds`` from now on the run's clock, then every
    ``interval`` (0: once); ``seconds`` 0 clears it."""
    signals_of(kernel)  # its ringing goes to the run's signals
    with kernel.lock:
        if seconds > 0:
            kernel.timers[number] = (kernel.clock + seconds, interval)
        else:
            kernel.timers.pop(number, None)


def kill_in_run(kernel: Kernel) -> Callable[[int, int], None]:
    """The run's ``os.kill``: a signal to the program's own process is the run's; to any
    other process, the real one."""

    def kill(pid: int, signal: int, /) -> None:
        if pid != os.getpid() or bound_or_none() is None:
            os.kill(pid, signal)
            return
        number = _to_int(signal)
        if number != 0:
            signals_of(kernel).send(_caller_of(kernel), _number(number))

    kill.__doc__ = os.kill.__doc__
    return kill


def interrupt_main_in_run(kernel: Kernel) -> Callable[..., None]:
    """The run's ``_thread.interrupt_main``: as if the signal came, handled only by a
    Python handler (CPython's does nothing for ``SIG_DFL`` and ``SIG_IGN``)."""

    def interrupt_main(signum: int = _signal.SIGINT, /) -> None:
        number = _number(_to_int(signum))
        signals_of(kernel).send(_caller_of(kernel), number, default_action=False)

    return interrupt_main


def _to_int(value: Any) -> Any:
    """An enum member as its number (what CPython's ``signal.py`` passes on to ``_signal``)."""
    return int(value) if isinstance(value, int) else value


def _as_handler(handler: Handler) -> Handler:
    """``SIG_DFL`` and ``SIG_IGN`` as ``signal.Handlers`` members, as ``signal.py`` gives them."""
    if isinstance(handler, int) and not isinstance(handler, bool):
        try:
            return _signal.Handlers(handler)
        except ValueError:
            return handler
    return handler
