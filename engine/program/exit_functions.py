"""The ``atexit`` a program sees inside a run: its exit functions run when its main code
ends, inside the run, as CPython runs them when the interpreter exits.

The process's own ``atexit`` is never touched: an exit function the program (or a module it
loads per run, such as ``logging``) registers would otherwise run when threadlab exits,
long after the run, and thousands of explored runs would pile theirs up.
"""

from __future__ import annotations

import atexit as _real_atexit
import io
import sys
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import Any, TextIO

_IGNORED = (
    "Exception ignored in atexit callback {func!r}:"
    if sys.version_info >= (3, 13)
    else "Exception ignored in atexit callback: {func!r}"
)
"""The line CPython writes before the traceback of an exit function that raised."""


class ProgramAtexit(ModuleType):
    """``atexit`` for one run: ``register`` and ``unregister`` as CPython's, and
    ``run_all`` for the run's main thread when the program's main code ends."""

    def __init__(self, stderr: io.TextIOBase | TextIO) -> None:
        super().__init__("atexit", _real_atexit.__doc__)
        self._stderr = stderr
        self._functions: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def register(
        self, func: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Callable[..., Any]:
        if not callable(func):
            raise TypeError("the first argument must be callable")
        self._functions.append((func, args, kwargs))
        return func

    def unregister(self, func: Callable[..., Any], /) -> None:
        self._functions = [entry for entry in self._functions if entry[0] != func]

    def _run_exitfuncs(self) -> None:
        self.run_all()

    def _clear(self) -> None:
        self._functions.clear()

    def _ncallbacks(self) -> int:
        return len(self._functions)

    def run_all(self) -> None:
        """Call every registered function, last registered first, as CPython does at exit:
        one that raises is reported on stderr and the others still run."""
        while self._functions:
            func, args, kwargs = self._functions.pop()
            try:
                func(*args, **kwargs)
            except Exception as error:
                print(_IGNORED.format(func=func), file=self._stderr)
                # From the function's own frame, as CPython's (it calls from C).
                error.__traceback__ = error.__traceback__.tb_next if error.__traceback__ else None
                traceback.print_exception(error, file=self._stderr)
