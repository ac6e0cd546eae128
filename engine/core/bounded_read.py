"""Reading a file that something else named (a run file's program and modules, the app's
challenge store): only as much as a real one can hold, and never a device that would never
end (``/dev/zero``) or block (a FIFO nobody writes to, unless asked for)."""

from __future__ import annotations

import os
import stat


class NotAFileToRead(OSError):
    """The path names no regular file (a device, a folder, a FIFO), or one too large."""


def read_bounded(path: str, limit: int, *, fifo: bool = False) -> bytes:
    """The bytes of the regular file at ``path`` (or, with ``fifo``, of a FIFO, which
    blocks until a writer opens it, as for any Unix tool), at most ``limit`` of them.

    Raises:
        NotAFileToRead: not a regular file (nor an allowed FIFO), or over ``limit`` bytes;
            its message says which, without the path.
        OSError: the file cannot be opened or read.
    """
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY
    descriptor = os.open(path, flags | os.O_NONBLOCK)  # a FIFO or a device: no wait here
    with os.fdopen(descriptor, "rb") as file:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISFIFO(mode) and fifo:
            os.set_blocking(descriptor, True)
        elif not stat.S_ISREG(mode):
            raise NotAFileToRead("not a regular file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise NotAFileToRead(f"larger than {_size(limit)}")
    return data


def _size(limit: int) -> str:
    return f"{limit // (1 << 20)} MiB" if limit >= 1 << 20 else f"{limit:,} bytes"
