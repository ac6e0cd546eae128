"""Writing output files whole or not at all, with one-line errors for bad paths."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import TextIO

from threadlab.engine.scenario import ConfigError


class OutputError(ConfigError):
    """The output path cannot be written; the message is one line."""


@contextlib.contextmanager
def atomic_writer(path: str) -> Iterator[TextIO]:
    """A text stream that replaces ``path`` only when the ``with`` block succeeds, so a
    failure never leaves a half-written file (nor a temporary one) behind.

    Raises:
        OutputError: the path is a folder, its folder does not exist, or it is not writable.
    """
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        raise OutputError(f"cannot write {path}: it is a directory")
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write {path}: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=".threadlab-", dir=folder)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
