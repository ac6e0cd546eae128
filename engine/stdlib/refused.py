"""What a run cannot do, said where the program tries it: start processes.

threadlab schedules a program's threads; a child process would run outside the schedule
(and a forked one would be a copy of threadlab itself). So ``multiprocessing``'s ways of
starting processes and ``concurrent.futures.ProcessPoolExecutor`` raise one clear error
when the program calls them, instead of an ImportError from nowhere; what starts nothing
(``cpu_count``, its exception classes) is the real thing.
"""

from __future__ import annotations

import multiprocessing as _real_multiprocessing
from collections.abc import Callable
from types import ModuleType
from typing import Any, NoReturn

_HARMLESS = frozenset(
    {
        "cpu_count",
        "ProcessError",
        "BufferTooShort",
        "TimeoutError",
        "AuthenticationError",
        "current_process",
        "parent_process",
        "active_children",
    }
)
"""multiprocessing's names that start no process."""


class ProcessesRefused(NotImplementedError):
    """A program inside a run asked for a process."""


def refuse(what: str) -> NoReturn:
    raise ProcessesRefused(
        f"{what} starts processes, which threadlab cannot schedule: it runs a program's "
        "threads. Use threading or concurrent.futures.ThreadPoolExecutor, or run this "
        "program with plain Python."
    )


def refusing_class(name: str, what: str) -> type:
    """A class named ``name`` that refuses to be made (a program may still subclass it)."""

    def __init__(self: object, *args: Any, **kwargs: Any) -> None:
        refuse(what)

    return type(name, (), {"__init__": __init__, "__doc__": f"{what}: refused inside a run."})


class RefusingMultiprocessing(ModuleType):
    """``multiprocessing`` inside a run: its process-starting names refuse when used."""

    def __init__(self) -> None:
        super().__init__("multiprocessing", _real_multiprocessing.__doc__)

    def __getattr__(self, name: str) -> Any:
        if name in _HARMLESS or name.startswith("__"):
            return getattr(_real_multiprocessing, name)
        refused = (
            refusing_class(name, f"multiprocessing.{name}")
            if name[:1].isupper()
            else _refusing_function(name, f"multiprocessing.{name}()")
        )
        setattr(self, name, refused)
        return refused


def _refusing_function(name: str, what: str) -> Callable[..., NoReturn]:
    def refused(*args: Any, **kwargs: Any) -> NoReturn:
        refuse(what)

    refused.__name__ = refused.__qualname__ = name
    return refused
