"""How CPython's own ``threading`` and ``queue`` objects appear in a run: their panels, their
steps and their events, read back from the objects themselves.

CPython's modules run unchanged over the controlled ``_thread`` (``lowlevel``). What this
module adds, per run, around the classes of the run's fresh copy of them, is presentation:
an object the program makes gets a name from the source and a *shown* primitive (a panel
view read from the object's own state: a condition's waiters, a semaphore's value, a
queue's items); each public method the program calls is one step, named in words; and the
events the log shows are emitted around it. Semantics stay CPython's: every wrapper calls
the original method, and decides nothing.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import sys
from collections import deque
from collections.abc import Callable
from types import FrameType, FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, Any

from ..core.errors import ControlRefused, StopRun
from ..core.registry import reference
from ..core.threads import bound
from ..primitives.base import Primitive
from ..snapshot.model import EventKind, PrimitiveKind, PrimitiveView, ThreadState
from ..snapshot.views import (
    BarrierView,
    BufferItem,
    ConditionView,
    EventFlagView,
    QueueOrder,
    QueueView,
    SemaphoreView,
)
from .lowlevel import ControlledLock, unpark
from .naming import name_from_source

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

ITEM_TEXT = 24
"""How long an item's text may be in an event or a queue's view."""


def _item_text(item: Any) -> str:
    """An item as the log and the queue's view show it: its ``repr()`` (a handler by its
    name, not its address), cut to ``ITEM_TEXT`` characters."""
    if isinstance(item, FunctionType | MethodType):
        text = item.__qualname__
    else:
        try:
            text = repr(item)
        except Exception:
            text = f"<{type(item).__name__}>"
    return text if len(text) <= ITEM_TEXT else text[: ITEM_TEXT - 1] + "…"


class Shown(Primitive):
    """A primitive the panels show for one of CPython's objects, which it refers to
    weakly: the panel lives as long as the program keeps the object (``core.registry``)."""

    def __init__(self, kernel: Kernel, name: str, target: object = None) -> None:
        super().__init__(kernel, name)
        self._target: Callable[[], Any] = reference(target)
        self._last_view: PrimitiveView | None = None

    @property
    def target(self) -> Any:
        """CPython's object it shows, or None once the program has dropped it."""
        return self._target()

    def view(self) -> PrimitiveView:
        """Its panel, read from CPython's object (as last read, if another thread's garbage
        collection has just taken the object while the panels are read)."""
        target = self.target
        if target is not None:
            self._last_view = self.view_of(target)
        elif self._last_view is None:
            self._last_view = PrimitiveView(name=self.name, kind=self.kind, queue=())
        return self._last_view

    def view_of(self, target: Any) -> PrimitiveView:
        """Its panel, read from ``target``, CPython's object."""
        return super().view()

    def timed_out(self, thread: SimThread) -> None:
        unpark(thread)

    def blocked(self, thread: SimThread) -> None:
        """``thread`` has just been parked here (kernel lock held): its event, if any."""

    def woken(self, thread: SimThread) -> str:
        """What ``thread``, woken from here, does next (its operation)."""
        return thread.operation


# -- the wrapping


class Presenter:
    """One run's shown objects, by the identity of CPython's object."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.shown: dict[int, Shown] = {}
        self._gone: deque[int] = deque()
        """Identities of objects the garbage collector took (noted from any thread)."""
        self.serials: dict[int, int] = {}
        """The hash of each object of a class ``hash_in_order`` gave one, by identity."""

    def of(self, obj: object) -> Shown | None:
        shown = self.shown.get(id(obj))
        # Another object may have the identity of one that died since: not the same one.
        return shown if shown is not None and shown.target is obj else None

    def add(self, obj: object, shown: Shown, *, register: bool = True) -> Shown:
        """Show ``obj`` as ``shown`` (registered as a primitive of the run, unless it is
        only where threads wait) for as long as the program keeps ``obj``."""
        key = id(obj)
        with self.kernel.lock:
            gone, entries = self._gone, self.shown
            while gone:
                dead_key = gone.popleft()
                dead = entries.get(dead_key)
                if dead is not None and dead.target is None:
                    del entries[dead_key]
            entries[key] = shown
            shown._target = reference(obj, lambda _ref: gone.append(key))
            if register:
                self.kernel.register(shown, lives_with=obj)
        return shown


def hash_in_order(presenter: Presenter, cls: type) -> None:
    """Objects of ``cls`` hash by the order they were made in the run, not by their
    address: a set of them (an executor's threads, the futures ``as_completed`` is given)
    is then iterated in the same order in every execution of the run."""
    original = cls.__dict__["__init__"]
    serials = presenter.serials

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        serials[id(self)] = len(serials) + 1
        original(self, *args, **kwargs)

    def __hash__(self: Any) -> int:
        return serials.get(id(self)) or object.__hash__(self)

    cls.__init__ = __init__  # type: ignore[misc]
    cls.__hash__ = __hash__  # type: ignore[method-assign,assignment]


def _made_by_program(kernel: Kernel, obj: object) -> bool:
    """Whether the program itself makes ``obj`` (its caller, past the ``__init__`` of
    subclasses of ``obj``'s, is the program's code), not the library inside something."""
    frame: FrameType | None = sys._getframe(2)
    files = kernel.program_files
    while frame is not None:
        if frame.f_code.co_filename in files:
            return True
        if frame.f_code.co_name != "__init__" or frame.f_locals.get("self") is not obj:
            return False
        frame = frame.f_back
    return False


def called_by_program(kernel: Kernel, thread: SimThread, caller: FrameType) -> bool:
    """Whether a call to a shown object, from the frame ``caller``, is the program's own
    (one step), not the library's inside another shown call (``notify_all`` calling
    ``notify``), which that call's step covers."""
    return not thread.calls or caller.f_code.co_filename in kernel.program_files


Step = Callable[..., tuple[str, str | None] | None]
"""Given the shown primitive and the call's arguments: the step's words and what it
touches, or None for no step of its own."""


def _wrap(
    presenter: Presenter,
    cls: type,
    name: str,
    step: Step,
    shown_as: Callable[[Any], tuple[Primitive, ThreadState]] | None = None,
    before: Callable[..., Any] | None = None,
    after: Callable[..., None] | None = None,
    always: bool = False,
) -> None:
    """Make ``cls.name`` one step of the run when the program calls it on a shown object:
    a checkpoint named ``step``, blocking inside shown as ``shown_as``; ``before`` (its
    result is handed to ``after``) and ``after`` emit the events. The original does the
    work. ``always``: the events (not the step) also when the library calls it."""
    original = cls.__dict__[name]
    kernel = presenter.kernel

    @functools.wraps(original)
    def wrapper(self: Any, /, *args: Any, **kwargs: Any) -> Any:
        shown = presenter.of(self)
        if shown is None:
            return original(self, *args, **kwargs)
        try:
            caller_kernel, thread = bound()
        except RuntimeError:  # not a thread of the run (a garbage collection's callback)
            return original(self, *args, **kwargs)
        if caller_kernel is not kernel:  # an object of a run that is over, collected now
            return original(self, *args, **kwargs)
        program_level = called_by_program(kernel, thread, sys._getframe(1))
        if not program_level and not always:
            # Called by the library inside another call (notify_all calls notify): that
            # call is the step, and says what happened.
            return original(self, *args, **kwargs)
        words = step(shown, *args, **kwargs)
        outer_call, outer_presenting = thread.step_call, thread.presenting
        if words is not None and program_level:
            kernel.checkpoint(words[0], touches=words[1])  # a call the program makes
        thread.step_call = sys._getframe(0)  # the locks it takes inside: no step of their own
        if shown_as is not None:
            thread.presenting = shown_as(shown)
        noted = before(shown, thread, *args, **kwargs) if before is not None else None
        thread.calls += 1
        try:
            result = original(self, *args, **kwargs)
        except BaseException as error:
            if after is not None and not isinstance(error, StopRun):
                with kernel.lock:
                    after(shown, thread, noted, None, error, *args, **kwargs)
            raise
        finally:
            thread.calls -= 1
            thread.step_call, thread.presenting = outer_call, outer_presenting
        if after is not None:
            with kernel.lock:
                after(shown, thread, noted, result, None, *args, **kwargs)
        return result

    setattr(cls, name, wrapper)


def _on_init(presenter: Presenter, cls: type, make: Callable[[Any, str], Shown], kind: str) -> None:
    """An object of ``cls`` the program makes gets its shown primitive, named from the
    source, once CPython's ``__init__`` has run."""
    original = cls.__dict__["__init__"]
    kernel = presenter.kernel

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if type(self).__init__ is not __init__ and presenter.of(self) is not None:
            return  # a subclass's __init__ called this one: shown once, as what it is
        if presenter.of(self) is None and _made_by_program(kernel, self):
            with kernel.lock:
                name = name_from_source(kernel, type(self).__name__ if kind == "" else kind)
            presenter.add(self, make(self, name))

    cls.__init__ = __init__  # type: ignore[misc]


# -- locks' kin: Condition, Semaphore, Event, Barrier


class ConditionShown(Shown):
    kind = PrimitiveKind.CONDITION
    accepts_user = True
    waits_for_signal = True

    def __init__(self, kernel: Kernel, name: str, cond: Any) -> None:
        super().__init__(kernel, name, cond)
        lock = cond._lock
        if isinstance(lock, ControlledLock) and not lock.visible:  # Condition() made it
            lock.name = kernel.unique_name(f"{name}.lock")
            lock.visible = True
            kernel.register(lock, lives_with=lock)

    @property
    def cond(self) -> Any:
        return self.target

    @property
    def mutex(self) -> Any:
        """The condition's lock (read from the condition, so that a panel left over from
        a condition the program dropped keeps nothing alive)."""
        return self.target._lock

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits on {self.name}, and no thread is left to signal it"

    def woken(self, thread: SimThread) -> str:
        return f"re-acquire {self.mutex.name}"

    def view_of(self, target: Any) -> ConditionView:
        return ConditionView(name=self.name, queue=self._queue_names(), mutex=target._lock.name)

    # -- the user's actions (kernel lock held, between steps)

    def user_signal(self) -> None:
        self._require_waiter()
        self._wake(self.queue[0], EventKind.SIGNAL, None)

    def user_broadcast(self) -> None:
        self._require_waiter()
        for waiter in list(self.queue):
            self._wake(waiter, EventKind.BROADCAST, None)

    def user_spurious(self, thread_name: str | None) -> None:
        self._require_waiter()
        if thread_name is None:
            waiter = self.queue[0]
        else:
            found = [t for t in self.queue if t.name == thread_name]
            if not found:
                waiting = ", ".join(t.name for t in self.queue)
                raise ControlRefused(
                    f"{thread_name} is not waiting on {self.name} (waiting: {waiting})"
                )
            waiter = found[0]
        self._wake(waiter, EventKind.SPURIOUS, None)

    def _require_waiter(self) -> None:
        if not self.queue:
            raise ControlRefused(f"nobody is waiting on {self.name}")

    def _wake(self, waiter: SimThread, kind: EventKind, by: SimThread | None) -> None:
        """Wake ``waiter`` as ``notify`` does: its waiter lock leaves the condition's list
        and is released (kernel lock held)."""
        lock = waiter.parked_lock
        if lock is not None:
            with contextlib.suppress(ValueError):
                self.cond._waiters.remove(lock)
            lock._hand_back(None)
        why = {EventKind.SIGNAL: "signalled", EventKind.BROADCAST: "broadcast"}.get(
            kind, "spurious wakeup"
        )
        waiter.operation = f"re-acquire {self.mutex.name} ({why})"
        who = by.name if by is not None else "you"
        detail = (
            f"{waiter.name} woken with no signal"
            if kind is EventKind.SPURIOUS
            else f"{waiter.name} woken by {who}"
        )
        self._kernel.emit(by, kind, self.name, detail)


def _condition_events(presenter: Presenter, module: ModuleType) -> None:
    cls = module.Condition

    def wait_step(shown: ConditionShown, timeout: float | None = None) -> tuple[str, str]:
        return f"wait on {shown.name}", shown.mutex.name

    def wait_before(shown: ConditionShown, thread: SimThread, timeout: float | None = None) -> None:
        if shown.cond._is_owned():
            with shown._kernel.lock:
                shown._kernel.emit(
                    thread, EventKind.WAIT, shown.name, f"releases {shown.mutex.name}"
                )

    def notify_step(shown: ConditionShown, n: int = 1) -> tuple[str, str]:
        words = f"notify {shown.name}" if n == 1 else f"notify {n} on {shown.name}"
        return words, shown.mutex.name

    def notify_before(shown: ConditionShown, thread: SimThread, n: int = 1) -> list[SimThread]:
        return list(shown.queue)[: max(0, n)] if shown.cond._is_owned() else []

    def notify_after(
        shown: ConditionShown,
        thread: SimThread,
        woken: list[SimThread],
        result: Any,
        error: BaseException | None,
        n: int = 1,
    ) -> None:
        if error is not None:
            return
        if not woken:
            shown._kernel.emit(
                thread, EventKind.SIGNAL, shown.name, "nobody waits: the notify is lost"
            )
        for waiter in woken:
            waiter.operation = f"re-acquire {shown.mutex.name} (signalled)"
            shown._kernel.emit(
                thread, EventKind.SIGNAL, shown.name, f"{waiter.name} woken by {thread.name}"
            )

    def notify_all_step(shown: ConditionShown) -> tuple[str, str]:
        return f"notify_all {shown.name}", shown.mutex.name

    def notify_all_before(shown: ConditionShown, thread: SimThread) -> list[SimThread]:
        return list(shown.queue) if shown.cond._is_owned() else []

    def notify_all_after(
        shown: ConditionShown,
        thread: SimThread,
        woken: list[SimThread],
        result: Any,
        error: BaseException | None,
    ) -> None:
        if error is not None:
            return
        if not woken:
            shown._kernel.emit(thread, EventKind.BROADCAST, shown.name, "nobody waits")
        for waiter in woken:
            waiter.operation = f"re-acquire {shown.mutex.name} (broadcast)"
            shown._kernel.emit(
                thread, EventKind.BROADCAST, shown.name, f"{waiter.name} woken by {thread.name}"
            )

    _on_init(
        presenter, cls, lambda cond, name: ConditionShown(presenter.kernel, name, cond), "Condition"
    )
    _wrap(presenter, cls, "wait", wait_step, lambda s: (s, ThreadState.WAITING), before=wait_before)
    _wrap(presenter, cls, "notify", notify_step, before=notify_before, after=notify_after)
    for name in ("notify_all", "notifyAll"):
        _wrap(
            presenter, cls, name, notify_all_step, before=notify_all_before, after=notify_all_after
        )


class SemaphoreShown(Shown):
    kind = PrimitiveKind.SEMAPHORE

    def __init__(self, kernel: Kernel, name: str, sem: Any) -> None:
        super().__init__(kernel, name, sem)
        self.permits = int(sem._value)
        self.holders: list[SimThread] = []

    def blocked(self, thread: SimThread) -> None:
        self._kernel.emit(thread, EventKind.BLOCK, self.name, "no permit left")

    def woken(self, thread: SimThread) -> str:
        return f"acquire {self.name}"

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for a permit of {self.name}"

    def view_of(self, target: Any) -> SemaphoreView:
        return SemaphoreView(
            name=self.name,
            queue=self._queue_names(),
            count=int(target._value),
            permits=self.permits,
            holders=tuple(t.name for t in self.holders),
        )


def _semaphore_events(presenter: Presenter, module: ModuleType) -> None:
    def acquire_step(shown: SemaphoreShown, *args: Any, **kwargs: Any) -> tuple[str, str]:
        return f"acquire {shown.name}", shown.name

    def acquire_after(
        shown: SemaphoreShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if error is None and result:
            shown.holders.append(thread)
            shown._kernel.emit(thread, EventKind.ACQUIRE, shown.name, f"{shown.target._value} left")

    def release_step(shown: SemaphoreShown, n: int = 1) -> tuple[str, str]:
        return f"release {shown.name}", shown.name

    def release_before(shown: SemaphoreShown, thread: SimThread, n: int = 1) -> list[SimThread]:
        return list(shown.queue)[: max(0, n)]

    def release_after(
        shown: SemaphoreShown,
        thread: SimThread,
        woken: list[SimThread],
        result: Any,
        error: BaseException | None,
        n: int = 1,
    ) -> None:
        if error is not None:
            return
        for _ in range(n):
            if thread in shown.holders:
                shown.holders.remove(thread)
            elif shown.holders:
                shown.holders.pop(0)  # a permit given back for someone else
        names = ", ".join(w.name for w in woken)
        detail = f"{shown.target._value} left" + (f", wakes {names}" if names else "")
        shown._kernel.emit(thread, EventKind.RELEASE, shown.name, detail)

    for cls in (module.Semaphore, module.BoundedSemaphore):
        if "__init__" in cls.__dict__:
            _on_init(
                presenter, cls, lambda sem, name: SemaphoreShown(presenter.kernel, name, sem), ""
            )
    cls = module.Semaphore
    shown_as = lambda s: (s, ThreadState.BLOCKED)  # noqa: E731
    for name in ("acquire", "__enter__"):
        _wrap(presenter, cls, name, acquire_step, shown_as, after=acquire_after)
    _wrap(presenter, cls, "release", release_step, before=release_before, after=release_after)
    if "release" in module.BoundedSemaphore.__dict__:
        _wrap(
            presenter,
            module.BoundedSemaphore,
            "release",
            release_step,
            before=release_before,
            after=release_after,
        )


class EventShown(Shown):
    kind = PrimitiveKind.EVENT
    waits_for_signal = True

    def __init__(self, kernel: Kernel, name: str, event: Any) -> None:
        super().__init__(kernel, name, event)

    def blocked(self, thread: SimThread) -> None:
        self._kernel.emit(thread, EventKind.WAIT, self.name)

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for {self.name} to be set, and no thread is left to set it"

    def view_of(self, target: Any) -> EventFlagView:
        return EventFlagView(name=self.name, queue=self._queue_names(), is_set=bool(target._flag))


def _event_events(presenter: Presenter, module: ModuleType) -> None:
    cls = module.Event

    def set_before(shown: EventShown, thread: SimThread) -> list[SimThread]:
        return list(shown.queue)

    def set_after(
        shown: EventShown,
        thread: SimThread,
        woken: list[SimThread],
        result: Any,
        error: BaseException | None,
    ) -> None:
        detail = ", ".join(t.name for t in woken)
        shown._kernel.emit(thread, EventKind.SET, shown.name, f"wakes {detail}" if detail else "")

    def clear_after(
        shown: EventShown, thread: SimThread, noted: Any, result: Any, error: BaseException | None
    ) -> None:
        shown._kernel.emit(thread, EventKind.CLEAR, shown.name)

    _on_init(presenter, cls, lambda ev, name: EventShown(presenter.kernel, name, ev), "Event")
    _wrap(
        presenter,
        cls,
        "set",
        lambda s: (f"set {s.name}", s.name),
        before=set_before,
        after=set_after,
    )
    _wrap(presenter, cls, "clear", lambda s: (f"clear {s.name}", s.name), after=clear_after)
    _wrap(
        presenter,
        cls,
        "wait",
        lambda s, timeout=None: (f"wait for {s.name}", s.name),
        lambda s: (s, ThreadState.WAITING),
    )


class BarrierShown(Shown):
    kind = PrimitiveKind.BARRIER

    def __init__(self, kernel: Kernel, name: str, barrier: Any) -> None:
        super().__init__(kernel, name, barrier)
        self.parties = int(barrier._parties)
        self.phase = 0

    def blocked(self, thread: SimThread) -> None:
        parties = self.parties
        self._kernel.emit(
            thread, EventKind.ARRIVE, self.name, f"{len(self.queue)}/{parties} arrived"
        )

    def waiting_text(self, thread: SimThread) -> str:
        parties = self.parties
        return f"{thread.name} waits at {self.name} ({len(self.queue)} of {parties} arrived)"

    def view_of(self, target: Any) -> BarrierView:
        return BarrierView(
            name=self.name,
            queue=self._queue_names(),
            parties=self.parties,
            phase=self.phase,
        )


def _barrier_events(presenter: Presenter, module: ModuleType) -> None:
    cls = module.Barrier

    def wait_after(
        shown: BarrierShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        timeout: float | None = None,
    ) -> None:
        if error is None and result == shown.parties - 1:
            shown.phase += 1
            parties = shown.parties
            shown._kernel.emit(thread, EventKind.RELEASE, shown.name, f"all {parties} arrived: go")

    def broke_after(why: str) -> Callable[..., None]:
        def after(
            shown: BarrierShown, thread: SimThread, noted: Any, result: Any, error: Any
        ) -> None:
            if error is None:
                shown._kernel.emit(thread, EventKind.BREAK, shown.name, why)

        return after

    _on_init(presenter, cls, lambda b, name: BarrierShown(presenter.kernel, name, b), "Barrier")
    _wrap(
        presenter,
        cls,
        "wait",
        lambda s, timeout=None: (f"wait at {s.name}", s.name),
        lambda s: (s, ThreadState.BLOCKED),
        after=wait_after,
    )
    _wrap(
        presenter, cls, "abort", lambda s: (f"abort {s.name}", s.name), after=broke_after("aborted")
    )
    _wrap(presenter, cls, "reset", lambda s: (f"reset {s.name}", s.name))


# -- threads


class ThreadEnd(Shown):
    """Where joiners wait for a thread to end (not a primitive of its own in the panels)."""

    def __init__(self, kernel: Kernel, name: str, thread: Any) -> None:
        super().__init__(kernel, name, thread)

    @property
    def thread(self) -> Any:
        """CPython's ``Thread`` (alive while a thread starts or joins it)."""
        return self.target

    @property
    def owner(self) -> SimThread | None:
        """The thread being joined: whom a joiner waits for, for a deadlock's cycle."""
        ident = getattr(self.thread, "_ident", None)
        threads = self._kernel.threads
        if not isinstance(ident, int) or not 0 < ident <= len(threads):
            return None
        return threads[ident - 1]  # a thread's number is its place in the run, from 1

    def blocked(self, thread: SimThread) -> None:
        self._kernel.emit(thread, EventKind.JOIN, None, f"waits for {self.thread.name}")

    def woken(self, thread: SimThread) -> str:
        return f"joined {self.thread.name}"

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for {self.thread.name} to finish"


def thread_end(presenter: Presenter, thread: Any) -> ThreadEnd:
    """The place joiners of ``thread`` (a ``threading.Thread``) wait."""
    shown = presenter.of(thread)
    if not isinstance(shown, ThreadEnd):
        shown = ThreadEnd(presenter.kernel, str(thread.name), thread)
        presenter.add(thread, shown, register=False)
    return shown


def _thread_events(presenter: Presenter, module: ModuleType) -> None:
    cls = module.Thread
    kernel = presenter.kernel

    def start_step(shown: ThreadEnd) -> tuple[str, None]:
        return f"start {shown.thread.name}", None

    def start_after(
        shown: ThreadEnd, thread: SimThread, noted: Any, result: Any, error: BaseException | None
    ) -> None:
        if error is not None:
            return
        started = shown.owner
        if started is None:
            return
        body = shown.thread.__dict__.get("_target") or type(shown.thread).run
        code = getattr(body, "__code__", None)
        if code is not None and code.co_filename in kernel.program_files:
            started.line = code.co_firstlineno  # until it runs: where its code starts
            if code.co_filename != kernel.program_file:
                started.file = code.co_filename
            else:
                started.main_line = code.co_firstlineno
        kernel.emit(thread, EventKind.START, None, f"starts {started.name}")

    original_init = cls.__dict__["__init__"]

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        thread_end(presenter, self)

    cls.__init__ = __init__
    hash_in_order(presenter, cls)
    _wrap(presenter, cls, "start", start_step, after=start_after, always=True)
    _wrap(
        presenter,
        cls,
        "join",
        lambda s, timeout=None: (f"join {s.thread.name}", None),
        lambda s: (s, ThreadState.BLOCKED),
    )


# -- queues


class QueueLine(Shown):
    """Where threads wait on a queue for one reason (an item, a free slot, every task
    done); the queue's view lists them."""

    kind = PrimitiveKind.QUEUE

    def __init__(self, owner: QueueShown, why: str, block_detail: Callable[[], str] | None) -> None:
        super().__init__(owner._kernel, owner.name)
        self.owner_queue = owner
        self.why = why
        self.block_detail = block_detail

    def blocked(self, thread: SimThread) -> None:
        if self.block_detail is not None:
            self._kernel.emit(thread, EventKind.BLOCK, self.name, self.block_detail())

    def waiting_text(self, thread: SimThread) -> str:
        return f"{thread.name} waits for {self.why} {self.owner_queue.name}"


class QueueShown(Shown):
    kind = PrimitiveKind.QUEUE

    def __init__(self, kernel: Kernel, name: str, q: Any, order: QueueOrder) -> None:
        super().__init__(kernel, name, q)
        self.order = order
        self.putters: dict[int, deque[str]] = {}
        """Who put each item in, by the item's identity, oldest first."""
        self.getters = QueueLine(self, "an item in", lambda: "empty")
        self.putters_line = QueueLine(self, "a free slot in", lambda: f"full ({self.q.maxsize})")
        self.joiners = QueueLine(self, "every task to be done in", None)
        self.handler: tuple[str, SimThread, float] | None = None

    @property
    def q(self) -> Any:
        return self.target

    @property
    def items(self) -> list[Any]:
        """The items, next out first."""
        stored = list(self.q._queue if self.order is QueueOrder.SIMPLE else self.q.queue)
        if self.order is QueueOrder.LIFO:
            return stored[::-1]
        if self.order is QueueOrder.PRIORITY:
            try:
                return [heapq.heappop(stored) for _ in range(len(stored))]
            except Exception:  # items that do not compare: the heap's own order
                return list(self.q.queue)
        return stored

    def size_text(self) -> str:
        count = self.q.qsize() if self.order is QueueOrder.SIMPLE else self.q._qsize()
        maxsize = getattr(self.q, "maxsize", 0)
        return f"{count}/{maxsize}" if maxsize > 0 else str(count)

    def putter_of(self, item: Any, take: bool) -> str | None:
        line = self.putters.get(id(item))
        if not line:
            return None
        if not take:
            return line[0]
        who = line.popleft()
        if not line:
            del self.putters[id(item)]
        return who

    def _buffer_items(self) -> tuple[BufferItem, ...]:
        """The items, next out first, each with who put it: the same object put twice is
        two items, each with its own putter (the later one last out of a FIFO queue)."""
        seen: dict[int, int] = {}
        shown: list[BufferItem] = []
        for item in self.items:
            line = self.putters.get(id(item))
            count = seen.get(id(item), 0)
            seen[id(item)] = count + 1
            putter = None
            if line and count < len(line):
                putter = line[-1 - count] if self.order is QueueOrder.LIFO else line[count]
            shown.append(BufferItem(_item_text(item), putter))
        return tuple(shown)

    def handler_running(self) -> tuple[str, SimThread, float, int] | None:
        if self.handler is None or not self.items:
            return None
        text, thread, since = self.handler
        if thread.state.ended:
            return None
        return text, thread, self._kernel.clock - since, len(self.items)

    def user_put(self, item: Any) -> None:
        """The user puts ``item`` (kernel lock held, between steps), as a thread's put
        would if the queue had room: it wakes the first getter."""
        q = self.q
        if getattr(q, "is_shutdown", False):
            raise ControlRefused(f"{self.name} is shut down")
        if 0 < q.maxsize <= q._qsize():
            raise ControlRefused(f"{self.name} is full ({q.maxsize})")
        q._put(item)
        q.unfinished_tasks += 1
        self.putters.setdefault(id(item), deque()).append("you")
        first = self.getters.queue[0] if self.getters.queue else None
        waking = f", wakes {first.name}" if first is not None else ""
        self._kernel.emit(None, EventKind.PUT, self.name, f"{_item_text(item)} (by you){waking}")
        if q.not_empty._waiters:
            lock = q.not_empty._waiters.popleft()
            lock._hand_back(None)

    def view_of(self, target: Any) -> QueueView:
        getters, putters, joiners = (
            tuple(t.name for t in line.queue)
            for line in (self.getters, self.putters_line, self.joiners)
        )
        return QueueView(
            name=self.name,
            queue=getters + putters + joiners,
            order=self.order,
            items=self._buffer_items(),
            maxsize=getattr(target, "maxsize", 0),
            unfinished=None if self.order is QueueOrder.SIMPLE else target.unfinished_tasks,
            getters=getters,
            putters=putters,
            joiners=joiners,
        )


def _queue_events(presenter: Presenter, module: ModuleType) -> None:
    kernel = presenter.kernel

    def make(q: Any, name: str) -> QueueShown:
        order = QueueOrder.FIFO
        if isinstance(q, module._PySimpleQueue):
            order = QueueOrder.SIMPLE
        elif isinstance(q, module.LifoQueue):
            order = QueueOrder.LIFO
        elif isinstance(q, module.PriorityQueue):
            order = QueueOrder.PRIORITY
        return QueueShown(kernel, name, q, order)

    def put_step(shown: QueueShown, item: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
        return f"put {_item_text(item)} into {shown.name}", shown.name

    def put_before(
        shown: QueueShown, thread: SimThread, item: Any, *args: Any, **kwargs: Any
    ) -> tuple[SimThread, ...]:
        with kernel.lock:
            shown.putters.setdefault(id(item), deque()).append(thread.name)
            return tuple(shown.getters.queue)

    def get_before(
        shown: QueueShown, thread: SimThread, *args: Any, **kwargs: Any
    ) -> tuple[SimThread, ...]:
        return tuple(shown.putters_line.queue)

    def wakes(line: QueueLine, waiting: tuple[SimThread, ...]) -> str:
        """', wakes X' when the call woke a thread that waited in ``line`` before it."""
        woken = [t for t in waiting if t not in line.queue]
        return f", wakes {woken[0].name}" if woken else ""

    def put_after(
        shown: QueueShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        item: Any,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        text = _item_text(item)
        if error is not None:
            line = shown.putters.get(id(item))
            if line:
                line.pop()
                if not line:
                    del shown.putters[id(item)]
            why = "shut down" if type(error).__name__ == "ShutDown" else "full"
            kernel.emit(thread, EventKind.PUT, shown.name, f"{text}: {why}")
            return
        detail = f"{text} ({shown.size_text()})" + wakes(shown.getters, noted)
        kernel.emit(thread, EventKind.PUT, shown.name, detail)

    def get_step(shown: QueueShown, *args: Any, **kwargs: Any) -> tuple[str, str]:
        if shown.handler is not None and shown.handler[1] is bound()[1]:
            with kernel.lock:
                shown.handler = None  # back for more: the handler it ran has ended
        return f"get from {shown.name}", shown.name

    def get_after(
        shown: QueueShown,
        thread: SimThread,
        noted: Any,
        result: Any,
        error: BaseException | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if error is not None:
            why = "empty and shut down" if type(error).__name__ == "ShutDown" else "empty"
            kernel.emit(thread, EventKind.GET, shown.name, why)
            return
        putter = shown.putter_of(result, take=True)
        detail = f"{_item_text(result)} from {putter} ({shown.size_text()})"
        detail += wakes(shown.putters_line, noted)
        kernel.emit(thread, EventKind.GET, shown.name, detail)
        if kernel.handler_loops.get(shown.name) == thread.name:
            shown.handler = (_item_text(result), thread, kernel.clock)

    def task_done_after(
        shown: QueueShown, thread: SimThread, noted: Any, result: Any, error: BaseException | None
    ) -> None:
        if error is None:
            kernel.emit(
                thread, EventKind.RELEASE, shown.name, f"{shown.q.unfinished_tasks} unfinished"
            )

    for cls_name in ("Queue", "LifoQueue", "PriorityQueue", "_PySimpleQueue"):
        cls = getattr(module, cls_name, None)
        if cls is not None and "__init__" in cls.__dict__:
            _on_init(presenter, cls, make, "SimpleQueue" if cls_name == "_PySimpleQueue" else "")
    for cls in (module.Queue, module._PySimpleQueue):
        _wrap(
            presenter,
            cls,
            "put",
            put_step,
            lambda s: (s.putters_line, ThreadState.BLOCKED),
            before=put_before,
            after=put_after,
        )
        _wrap(
            presenter,
            cls,
            "get",
            get_step,
            lambda s: (s.getters, ThreadState.BLOCKED),
            before=get_before,
            after=get_after,
        )
    _wrap(
        presenter,
        module.Queue,
        "task_done",
        lambda s: (f"task_done on {s.name}", s.name),
        after=task_done_after,
    )
    _wrap(
        presenter,
        module.Queue,
        "join",
        lambda s: (f"join {s.name}", s.name),
        lambda s: (s.joiners, ThreadState.WAITING),
    )
    if hasattr(module, "_PySimpleQueue"):
        module.SimpleQueue = module._PySimpleQueue  # type: ignore[attr-defined]  # no _queue here


def present_threading(presenter: Presenter, module: ModuleType) -> None:
    """Add presentation to a run's fresh ``threading``."""
    _condition_events(presenter, module)
    _semaphore_events(presenter, module)
    _event_events(presenter, module)
    _barrier_events(presenter, module)
    _thread_events(presenter, module)


def present_queue(presenter: Presenter, module: ModuleType) -> None:
    """Add presentation to a run's fresh ``queue``."""
    _queue_events(presenter, module)


PRESENT: dict[str, Callable[[Presenter, ModuleType], None]] = {
    "threading": present_threading,
    "queue": present_queue,
}
"""The presentation each module of CPython's gets, once run afresh for a run."""
