"""The ``sys`` a program sees inside a run: the real one, except for its own ``argv``
(``threadlab run mine.py -- ARGS``) and its own ``stdout`` and ``stderr``, which go to the
run's output rather than the terminal. The process's own ``sys`` is never changed."""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.kernel import Kernel


class ProgramStream(io.TextIOBase):
    """A text stream whose writes go to the run's output (``stdout`` or ``stderr``)."""

    def __init__(self, kernel: Kernel, name: str) -> None:
        super().__init__()
        self._kernel = kernel
        self._name = name

    @property
    def name(self) -> str:
        return f"<{self._name}>"

    @property
    def encoding(self) -> str:  # type: ignore[override]  # read-only, as a real stream's
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._kernel.print_output(text, self._name)
        return len(text)

    def flush(self) -> None:
        pass


class ProgramSys(ModuleType):
    """``sys`` for one run of a program: attributes it sets stay its own, the others are
    the real module's."""

    def __init__(self, kernel: Kernel, argv: Sequence[str]) -> None:
        super().__init__("sys", sys.__doc__)
        stdout, stderr = ProgramStream(kernel, "stdout"), ProgramStream(kernel, "stderr")
        self.argv = list(argv)
        self.orig_argv = [sys.executable, *argv]
        self.stdout = self.__stdout__ = stdout
        self.stderr = self.__stderr__ = stderr

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(sys)) | set(self.__dict__))
