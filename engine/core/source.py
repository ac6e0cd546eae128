"""The program's own source: the lines the code panel shows, the line a thread is at, and
tracebacks trimmed to the program's frames."""

from __future__ import annotations

import ast
import sys
import traceback
from types import FrameType

from .threads import BrokenAssert


def caller_line(program_file: str, depth: int) -> int | None:
    """The line of the innermost frame in ``program_file``, starting ``depth`` frames up
    from the caller of this function."""
    frame: FrameType | None = sys._getframe(depth + 1)
    while frame is not None:
        if frame.f_code.co_filename == program_file:
            return frame.f_lineno
        frame = frame.f_back
    return None


def caller_place(program_files: list[str], depth: int) -> tuple[str | None, int | None, int | None]:
    """Where the caller is in the program, starting ``depth`` frames up from the caller of
    this function: the innermost frame in any of ``program_files`` (the first is the main
    file) as its file (None for the main file) and line, and the line of the innermost
    frame in the main file (what events record)."""
    main = program_files[0]
    frame: FrameType | None = sys._getframe(depth + 1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename == main:
            return None, frame.f_lineno, frame.f_lineno
        if filename in program_files:
            return filename, frame.f_lineno, _main_line(main, frame.f_back)
        frame = frame.f_back
    return None, None, None


def running_line(program_files: list[str], ident: int | None) -> int | None:
    """The line of the program an OS thread is running now (innermost frame in one of
    ``program_files``), for a thread that runs outside the schedule; None if unknown."""
    frame = sys._current_frames().get(ident) if ident is not None else None
    while frame is not None:
        if frame.f_code.co_filename in program_files:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _main_line(main: str, frame: FrameType | None) -> int | None:
    """The line of the innermost frame in ``main``, from ``frame`` outwards."""
    while frame is not None:
        if frame.f_code.co_filename == main:
            return frame.f_lineno
        frame = frame.f_back
    return None


def program_traceback(
    program_files: list[str], exc: BaseException
) -> tuple[str, str | None, int | None, int | None]:
    """The traceback trimmed to the program's own frames (those of any of its files; the
    first is the main file); the file (None for the main file) and line that failed, and
    the line in the main file where the failing call is."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in program_files]
    text = "".join(traceback.format_list(frames))
    text += "".join(traceback.format_exception_only(type(exc), exc))
    main = [f for f in frames if f.filename == program_files[0]]
    main_line = main[-1].lineno if main else None
    if not frames:
        return text, None, None, main_line
    last = frames[-1]
    file = None if last.filename == program_files[0] else last.filename
    return text, file, last.lineno, main_line


def broken_assert(exc: AssertionError) -> BrokenAssert:
    """Which assert raised ``exc``: the innermost frame's statement, if it is an assert."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return BrokenAssert(None, "", None, str(exc))
    last = frames[-1]
    text = (last.line or "").strip()
    source = text if text.startswith("assert") and text[6:7] in (" ", "(", "") else None
    if source is not None:
        try:
            statement = ast.parse(source).body[0]
        except (SyntaxError, ValueError, RecursionError, IndexError):  # spans several lines
            statement = None
        if isinstance(statement, ast.Assert):  # the condition, without its message
            source = f"assert {ast.unparse(statement.test)}"
    return BrokenAssert(source, last.filename, last.lineno, str(exc))
