"""Keeping one-line error messages short and on one line, whatever the user typed.

A value quoted in a message (a path, a parameter, a field of a run file) can be thousands of
characters long or hold control characters; ``shorten`` keeps its start and end, ``quote``
shows it like ``repr`` does.
"""

from __future__ import annotations

LIMIT = 60
"""The most characters of one value a message quotes."""
PATH_LIMIT = 160
"""The most characters of a path a message shows: longer than a value, because the user
needs to recognise which file it is (and the end, with the file name, is always kept)."""


def shorten(text: str, limit: int = LIMIT) -> str:
    """``text``, or its start and end around an ellipsis when longer than ``limit``.

    The end is kept because that is where a path's file name is.
    """
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return f"{text[:head]}…{text[len(text) - (limit - 1 - head) :]}"


def shorten_path(path: str) -> str:
    """``path`` cut to PATH_LIMIT characters, keeping its start and its file name."""
    return shorten(path, PATH_LIMIT)


def quote(value: object, limit: int = LIMIT) -> str:
    """``repr(value)`` cut to about ``limit`` characters; control characters stay escaped."""
    if isinstance(value, str):
        return repr(shorten(value, limit))
    return shorten(repr(value), limit)


def one_line(message: str, limit: int = 400) -> str:
    """``message`` with control characters escaped (so it is one line) and at most ``limit``
    characters: a last guard for messages that quote something not cut at its source."""
    escaped = "".join(char if char.isprintable() else repr(char)[1:-1] for char in message)
    return shorten(escaped, limit)
