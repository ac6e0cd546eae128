"""Messages between threadlab and the process a program runs in: pickled objects, each
framed by its length, on a pipe one way and a pipe the other way.

Either end can die at any moment (the program calls ``os._exit``, the user closes the app),
so a short read, a frame that does not unpickle or one too large to be real all mean the same
thing to the reader: the channel is closed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import threading
from typing import Any

_HEADER = struct.Struct(">I")
MOST_BYTES = 1 << 30
"""The largest message (a snapshot is kilobytes; a history of a million steps, megabytes):
a bigger length is a broken frame, not a message to make room for."""


class ChannelClosed(Exception):
    """The other end has gone, or what came from it is no message."""


class Channel:
    """One end: it reads messages from ``read_fd`` and writes them to ``write_fd``; writes
    from several threads are whole messages, one after the other."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._writing = threading.Lock()
        self._closed = False

    def send(self, message: Any) -> None:
        """Write ``message`` whole.

        Raises:
            ChannelClosed: the other end has gone.
        """
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        frame = memoryview(_HEADER.pack(len(data)) + data)
        with self._writing:
            if self._closed:
                raise ChannelClosed("the channel is closed")
            try:
                while frame:
                    frame = frame[os.write(self._write_fd, frame) :]
            except OSError as error:
                raise ChannelClosed(str(error)) from None

    def receive(self) -> Any:
        """The next message (waits for it).

        Raises:
            ChannelClosed: the other end has gone, or sent what is no message.
        """
        (length,) = _HEADER.unpack(self._read_exactly(_HEADER.size))
        if length > MOST_BYTES:
            raise ChannelClosed(f"a message of {length} bytes is no message")
        data = self._read_exactly(length)
        try:
            return pickle.loads(data)
        except Exception as error:  # whatever a broken frame makes pickle raise
            raise ChannelClosed(f"a message did not unpickle: {error}") from None

    def _read_exactly(self, count: int) -> bytes:
        parts: list[bytes] = []
        while count:
            try:
                part = os.read(self._read_fd, min(count, 1 << 20))
            except OSError as error:
                raise ChannelClosed(str(error)) from None
            if not part:
                raise ChannelClosed("the other end has gone")
            parts.append(part)
            count -= len(part)
        return b"".join(parts)

    def close(self) -> None:
        """Stop writing: the other end reads the channel closed. (The reading end is closed
        by ``close_reading``, by the one thread that reads, once it has read the end.)"""
        with self._writing:
            if self._closed:
                return
            self._closed = True
            _close(self._write_fd)

    def close_reading(self) -> None:
        """Close the reading end (by the thread that reads, when done reading)."""
        _close(self._read_fd)


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):  # closed already
        os.close(fd)
