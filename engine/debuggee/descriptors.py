"""The program's process's file descriptors 1 and 2, read inside that process.

What a child process or C code writes there becomes the output of the run executing when it
comes, at that run's step: so a rewind, which runs the program's children again in the run it
builds, shows their output once, in the run it belongs to. Reading it in threadlab's process
instead could only stamp it with the step on screen.

What the process writes as it dies (a fatal error's traceback) goes to the descriptor 2 it
started with, which threadlab's process reads: nothing here would be left to read it.
"""

from __future__ import annotations

import codecs
import contextlib
import faulthandler
import os
import select
import threading
from collections.abc import Callable

RawPieces = list[tuple[str, str]]
"""What the descriptors held: (stream name, text) pieces, in the order they came."""

_CHUNK = 65536


class CapturedDescriptors:
    """Point descriptors 1 and 2 at pipes read here (make one, early in the process).

    ``take`` reads what they hold now; the engine takes it at the end of every step, so a
    child's output written before a step ends is that step's. A thread here calls the
    ``deliver_to`` callback when something comes between steps (a paused run's child).
    """

    def __init__(self) -> None:
        self.own_stderr = os.dup(2)
        """The descriptor 2 the process started with: for what threadlab itself says."""
        faulthandler.enable(file=self.own_stderr, all_threads=True)
        self._lock = threading.Lock()
        self._deliver: Callable[[], None] | None = None
        self._early: RawPieces = []
        self._readers: dict[int, tuple[str, codecs.IncrementalDecoder]] = {}
        for descriptor, stream in ((1, "stdout"), (2, "stderr")):
            read_end, write_end = os.pipe()
            os.dup2(write_end, descriptor)
            os.close(write_end)
            os.set_blocking(read_end, False)
            decoder = codecs.getincrementaldecoder("utf-8")("replace")
            self._readers[read_end] = (stream, decoder)
        self._waiting = select.poll()  # under the lock: one poll object, one caller at once
        for descriptor in self._readers:
            self._waiting.register(descriptor, select.POLLIN)
        threading.Thread(target=self._watch, name="threadlab-descriptors", daemon=True).start()

    def deliver_to(self, deliver: Callable[[], None]) -> None:
        """Call ``deliver`` (which calls ``take``) when something comes between steps."""
        self._deliver = deliver

    def take(self) -> RawPieces:
        """What the descriptors hold now (and what came before anyone took it)."""
        with self._lock:
            pieces, self._early = self._early, []
            if self._waiting.poll(0):  # (the cheap look: it is done at every step)
                for descriptor in list(self._readers):
                    self._read(descriptor, pieces)
            return pieces

    def _watch(self) -> None:
        watched = select.poll()
        registered = set(self._readers)
        for descriptor in registered:
            watched.register(descriptor, select.POLLIN)
        while registered:
            watched.poll()
            deliver = self._deliver
            if deliver is not None:
                with contextlib.suppress(Exception):
                    deliver()
            with self._lock:  # kept for the first taker (what nobody took, if it failed)
                for descriptor in list(self._readers):
                    self._read(descriptor, self._early)
                for descriptor in registered - set(self._readers):  # closed: no writer left
                    watched.unregister(descriptor)
                    registered.discard(descriptor)

    def _read(self, descriptor: int, pieces: RawPieces) -> None:
        """Read what ``descriptor`` holds now into ``pieces`` (lock held)."""
        stream, decoder = self._readers[descriptor]
        while True:
            try:
                chunk = os.read(descriptor, _CHUNK)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:  # every writer has gone
                del self._readers[descriptor]
                self._waiting.unregister(descriptor)
                with contextlib.suppress(OSError):
                    os.close(descriptor)
                text = decoder.decode(b"", final=True)
            else:
                text = decoder.decode(chunk)
            if text:
                pieces.append((stream, text))
            if not chunk:
                return
