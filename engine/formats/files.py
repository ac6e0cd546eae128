"""Output files that never clobber anything, with one-line errors for bad paths.

- A regular file (or a new one) is written whole or not at all: a temporary file in the
  same folder, renamed over it at the end. A new file gets the mode a plain write gives
  (0666 less the umask); an existing one keeps its mode (and, where allowed, its owner).
- A symbolic link is followed: the file it points to is written and the link stays a link.
  A dangling link creates the file it points to, as the shell's ``>`` does.
- Anything else (a FIFO, a terminal or other device, ``/dev/stdout``) is opened and written
  into, never replaced: renaming over ``/dev/null`` would replace the device itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from typing import TextIO

from ..core.oneline import shorten, shorten_path
from ..lesson.scenario import ConfigError

TEMPORARY_PREFIX = ".threadlab-"

# Names of the process's own open files: writing to them means writing to that descriptor
# (as a shell does), not reopening (and maybe truncating) whatever it happens to be.
_OWN_DESCRIPTOR = re.compile(
    r"/dev/(?:fd/(?P<fd>[0-9]+)|(?P<std>stdout|stderr))|/proc/self/fd/(?P<proc>[0-9]+)"
)
_STD_DESCRIPTORS = {"stdout": 1, "stderr": 2}


class OutputError(ConfigError):
    """The output path cannot be written; the message is one line."""


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, in words ("a FIFO", "a directory", ...)."""
    for test, words in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return words
    return "not a regular file"


def own_descriptor(path: str) -> int | None:
    """The descriptor ``path`` names when it is ``/dev/stdout``, ``/dev/fd/N`` and the like."""
    match = _OWN_DESCRIPTOR.fullmatch(path)
    if match is None:
        return None
    if match["std"]:
        return _STD_DESCRIPTORS[match["std"]]
    number = match["fd"] or match["proc"]
    return int(number) if len(number) < 10 else None


class OutputStream:
    """The stream an output file is written through.

    The first failing write raises OutputError; later writes are skipped, and the ``with``
    block raises that error at its end even if the caller swallowed it. So a full disk
    inside an event sink can neither be lost nor make every later event fail again.
    """

    def __init__(self, stream: TextIO, shown: str) -> None:
        self._stream = stream
        self._shown = shown
        self.error: OutputError | None = None

    def write(self, text: str) -> int:
        if self.error is None:
            try:
                self._stream.write(text)
            except OSError as error:
                raise self._fail(error) from None
        return len(text)

    def flush(self) -> None:
        if self.error is None:
            try:
                self._stream.flush()
            except OSError as error:
                raise self._fail(error) from None

    def _fail(self, error: OSError) -> OutputError:
        if self.error is None:
            self.error = OutputError(f"cannot write {self._shown}: {_reason(error)}")
        return self.error


@contextlib.contextmanager
def output_file(path: str) -> Iterator[OutputStream]:
    """A stream to ``path`` (see the module docstring for what each kind of path gets).

    Raises:
        OutputError: an empty name, a directory, a missing folder, a name too long, no
            permission, a full disk or file-size limit; one line naming the path.
    """
    shown = shorten_path(path)
    if not path:
        raise OutputError("cannot write to an empty file name (valid: a file path)")
    descriptor = own_descriptor(path)
    if descriptor is not None:
        with _failing(shown):
            stream = os.fdopen(os.dup(descriptor), "w", encoding="utf-8")
        yield from _write_into(stream, shown)
        return
    try:
        target = os.stat(path)
    except FileNotFoundError:
        target = None
    except OSError as error:
        raise OutputError(f"cannot write {shown}: {_reason(error)}") from None
    if target is None and path.endswith(os.sep):
        raise OutputError(f"cannot write {shown}: it names a folder (valid: a file path)")
    if target is not None and stat.S_ISDIR(target.st_mode):
        raise OutputError(f"cannot write {shown}: it is a directory (valid: a file path)")
    if target is not None and not stat.S_ISREG(target.st_mode):
        # A FIFO blocks here until a reader opens it, as it does for every Unix tool.
        with _failing(shown):
            handle = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
        yield from _write_into(os.fdopen(handle, "w", encoding="utf-8"), shown)
        return
    real = _resolve(path, target)
    if real is None:  # a link into /proc whose name is not a path: write through it
        with _failing(shown):
            handle = os.open(path, os.O_WRONLY | os.O_TRUNC | os.O_NOCTTY | os.O_CLOEXEC)
        yield from _write_into(os.fdopen(handle, "w", encoding="utf-8"), shown)
        return
    yield from _replace_whole(real, target, shown)


def _resolve(path: str, target: os.stat_result | None) -> str | None:
    """The path to replace: ``path`` itself, or the file a symbolic link points to
    (None when the link's target has no path of its own, as links in /proc may not)."""
    if not os.path.islink(path):
        return os.path.abspath(path)
    _may_follow(path)
    real = os.path.realpath(path)
    if target is None:  # dangling: the file it points to is created
        return real
    try:
        found = os.stat(real)
    except OSError:
        return None
    return real if (found.st_dev, found.st_ino) == (target.st_dev, target.st_ino) else None


def _may_follow(link: str) -> None:
    """Refuse a link the kernel would not follow for us: with fs.protected_symlinks, a link
    planted by another user in a shared sticky folder such as /tmp. ``realpath`` only reads
    links, so ask the kernel by following it the way ``open`` does (O_PATH opens nothing)."""
    o_path = getattr(os, "O_PATH", 0)
    if not o_path:
        return
    try:
        os.close(os.open(link, o_path | os.O_CLOEXEC))
    except FileNotFoundError:
        pass  # dangling: nothing to open, the link itself was followed
    except OSError as error:
        raise OutputError(f"cannot write {shorten_path(link)}: {_reason(error)}") from None


def _write_into(stream: TextIO, shown: str) -> Iterator[OutputStream]:
    """Write straight into an open stream (a device, a FIFO, a descriptor)."""
    output = OutputStream(stream, shown)
    try:
        yield output
        output.flush()
    finally:
        with contextlib.suppress(OSError):
            stream.close()
    if output.error is not None:
        raise output.error


def _replace_whole(real: str, target: os.stat_result | None, shown: str) -> Iterator[OutputStream]:
    """Write a temporary file beside ``real`` and rename it over ``real`` at the end."""
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        name = shorten(os.path.basename(real))  # the folder is named in full, once
        raise OutputError(f"cannot write {name}: folder {shorten_path(folder)} does not exist")
    if target is not None and not os.access(real, os.W_OK):
        raise OutputError(f"cannot write {shown}: {os.strerror(errno.EACCES)}")
    with _failing(shown):
        handle, temporary = _create_temporary(folder)
    try:
        if target is not None:  # keep the file's owner (where allowed) and mode
            with contextlib.suppress(OSError):
                os.fchown(handle, target.st_uid, target.st_gid)
            os.fchmod(handle, stat.S_IMODE(target.st_mode))
        stream = os.fdopen(handle, "w", encoding="utf-8")
    except BaseException:
        os.close(handle)
        os.unlink(temporary)
        raise
    output = OutputStream(stream, shown)
    try:
        try:
            yield output
            output.flush()
            if output.error is None:
                with _failing(shown, output):
                    os.fsync(stream.fileno())
        finally:
            with contextlib.suppress(OSError):
                stream.close()
        if output.error is not None:
            raise output.error
        with _failing(shown):
            os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _create_temporary(folder: str) -> tuple[int, str]:
    """A new file in ``folder`` created with mode 0666, so the kernel applies the umask
    (and a default ACL) exactly as for a plain write; ``mkstemp`` would give 0600."""
    for _ in range(100):
        temporary = os.path.join(folder, f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name")


@contextlib.contextmanager
def _failing(shown: str, output: OutputStream | None = None) -> Iterator[None]:
    """Turn an OSError into OutputError (recorded on ``output`` when given)."""
    try:
        yield
    except OSError as error:
        if output is not None:
            raise output._fail(error) from None
        raise OutputError(f"cannot write {shown}: {_reason(error)}") from None


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOENT:
        return "its folder does not exist"
    return error.strerror or str(error)


def new_file(folder: str, stem: str, suffix: str) -> str:
    """Claim a name in ``folder`` (the current one if empty) that no file has yet: ``stem``
    + suffix, else ``stem-2`` + suffix, ``stem-3``... An empty file is made there, for
    ``output_file`` to replace.

    Raises:
        OutputError: the folder cannot be written (one line).
    """
    for number in range(1, 10_000):
        name = stem if number == 1 else f"{stem}-{number}"
        path = os.path.join(folder, name + suffix)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            continue
        except OSError as error:
            shown = shorten_path(folder or os.curdir)
            raise OutputError(f"cannot write in {shown}: {_reason(error)}") from None
        os.close(handle)
        return path
    raise OutputError(
        f"no free name left for {shorten_path(stem)} in {shorten_path(folder or os.curdir)}"
    )


def writable_folder(path: str, what: str = "folder") -> str:
    """``path`` when it names a folder that exists and can be written in.

    Raises:
        OutputError: it does not exist, is not a folder, or cannot be written in; one line
            naming ``what`` it is ("save folder") and why.
    """
    shown = shorten_path(path) if path else "''"
    if not path:
        raise OutputError(f"{what} {shown} is empty (give a folder, e.g. .)")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise OutputError(f"{what} {shown} does not exist") from None
    except OSError as error:
        raise OutputError(f"{what} {shown} cannot be read: {_reason(error)}") from None
    if not stat.S_ISDIR(mode):
        raise OutputError(f"{what} {shown} is {kind_of(mode)}, not a folder")
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{what} {shown} cannot be written in (permission denied)")
    return path
