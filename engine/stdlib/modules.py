"""The controlled modules the engine writes itself: what ``import time`` and ``import
asyncio`` give a program inside a run. (``threading``, ``queue`` and
``concurrent.futures`` are CPython's own, run afresh over the controlled ``_thread``.)"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from . import asyncio_api, clock


def _time() -> ModuleType:
    module = ModuleType("time", "time on the run's virtual clock, controlled by threadlab")
    module.__dict__.update(clock.passed_through())
    module.__dict__.update({name: _like_builtin(f) for name, f in clock.CONTROLLED.items()})
    return module


class _Unbound:
    """A function that, stored on a class, is not bound to the instance, as a C function
    is not (``logging.Formatter.converter = time.localtime`` is then called with one
    argument, as under CPython). Not ``functools.partial``: a coroutine that reaches the
    run's clock through a C call crashes CPython 3.11 when the panels read its frame."""

    def __init__(self, function: Callable[..., object]) -> None:
        self.__wrapped__ = function
        self.__name__ = self.__qualname__ = function.__name__
        self.__doc__ = function.__doc__

    def __call__(self, *args: Any, **kwargs: Any) -> object:
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<built-in function {self.__name__}>"


def _like_builtin(function: Any) -> Callable[..., object]:
    return _Unbound(function)


MODULE_MAKERS: dict[str, Callable[[], ModuleType]] = {
    "time": _time,
    "asyncio": asyncio_api.make_module,
}
"""Every module a program's imports are redirected to, by its import name."""


def controlled_modules() -> dict[str, ModuleType]:
    """A fresh set of the controlled modules, for one run."""
    return {name: make() for name, make in MODULE_MAKERS.items()}
