"""The threads the engine starts for a program, and what runs when its main code ends.

A thread pool's workers and an event loop's executor threads are the run's own
``threading.Thread`` (CPython's, run afresh for the run), so ``current_thread()`` in them
is what CPython says. ``register_atexit`` is ``threading._register_atexit`` for the
engine's own executors: called when the program's main code ends, last registered first,
before the non-daemon threads are joined.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..core.threads import bound

if TYPE_CHECKING:
    from ..core.kernel import Kernel

_THREADING_MODULE = "threading module"
"""Where a run keeps its ``threading`` module (``Kernel.attached``)."""

_AT_EXIT = "engine exit functions"
"""Where a run keeps the functions to call when its program's main code ends."""


def bind_threading_module(kernel: Kernel, module: ModuleType) -> None:
    """``module`` is the ``threading`` the program of ``kernel``'s run imports."""
    kernel.attached[_THREADING_MODULE] = module


def new_thread(
    target: Callable[..., object], name: str, args: tuple[Any, ...] = (), *, daemon: bool
) -> Any:
    """A ``threading.Thread`` of the calling thread's run, not started yet."""
    kernel, _thread = bound()
    thread_class = kernel.attached[_THREADING_MODULE].Thread
    return thread_class(target=target, name=name, args=args, daemon=daemon)


def register_atexit(function: Callable[[], object]) -> None:
    """Call ``function`` when the program's main code ends, before the non-daemon
    threads are joined (``concurrent.futures`` stops its idle workers so)."""
    kernel, _thread = bound()
    kernel.attached.setdefault(_AT_EXIT, []).append(function)


def run_atexits(kernel: Kernel) -> None:
    """Call the functions given to ``register_atexit``, last registered first."""
    functions: list[Callable[[], object]] = kernel.attached.get(_AT_EXIT, [])
    while functions:
        functions.pop()()
