"""A program of the user's own (``threadlab run mine.py``) as a scenario.

The file is checked before anything runs (it exists, decodes as CPython decodes a source
file, and compiles), so that bad input is one line naming what is wrong. The program then runs
unmodified, as ``__main__``, under the controlled schedule; its module docstring, if it
has one, is the explanation the app shows.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.machinery
import os

from ..core.bounded_read import read_bounded
from ..core.oneline import quote, shorten_path
from ..program.loader import MAX_SOURCE_BYTES, compiled, read_source
from .scenario import ConfigError, Scenario

MAX_PROGRAM_BYTES = 10 * 1024 * 1024
"""A program larger than this is not one a person steps through."""


def looks_like_a_program(name: str) -> bool:
    """Whether a name given on the command line means a file rather than a scenario."""
    return name.endswith(".py") or os.sep in name or (os.altsep or os.sep) in name


def program_scenario(path: str, races: bool = True) -> Scenario:
    """The user's program at ``path`` as a scenario run as ``__main__``; with ``races``
    (the default), its shared reads and writes are steps.

    Raises:
        ConfigError: the file is missing, not a file, unreadable, not text in its
            encoding, too large, or does not compile (with the file and line).
    """
    shown = shorten_path(path)
    if not os.path.exists(path):
        raise ConfigError(f"{shown}: no such file (give the path of a Python program)")
    if not os.path.isfile(path):
        raise ConfigError(f"{shown} is not a file (give the path of a Python program)")
    if os.path.getsize(path) > MAX_PROGRAM_BYTES:
        raise ConfigError(f"{shown} is larger than {MAX_PROGRAM_BYTES // 2**20} MiB: not a program")
    absolute = os.path.abspath(path)
    try:
        source = read_source(path)  # as CPython reads it: a BOM, a coding: line
        compiled(absolute, races)
    except UnicodeDecodeError as error:
        encoding = "UTF-8" if error.encoding.startswith("utf") else error.encoding
        raise ConfigError(f"{shown} is not {encoding} text: not a Python program") from None
    except OSError as error:
        raise ConfigError(f"{shown} cannot be read: {error.strerror or error}") from None
    except SyntaxError as error:
        where = f"{shown}:{error.lineno}" if error.lineno else shown
        raise ConfigError(f"{where}: syntax error: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, deep nesting
        raise ConfigError(f"{shown} does not compile: {error}") from None
    name = os.path.basename(path)
    return Scenario(
        name=path,
        title=name,
        summary=f"your program {quote(name)}",
        explanation=_docstring(source) or f"{name}, run under threadlab's controlled schedule.",
        program=absolute,
        entry=None,
        races=races,
    )


def module_scenario(module: str, directory: str | None = None) -> Scenario:
    """The module ``module`` (dotted) found in ``directory`` (by default the current one),
    run as ``__main__`` the way ``python -m`` does; a package runs its ``__main__``. Its
    package's modules are its own, run under control too.

    Raises:
        ConfigError: no such module there, or its file is bad (as for ``program_scenario``).
    """
    root = os.path.abspath(directory or os.getcwd())
    parts = module.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ConfigError(f"no module named {quote(module)} (give a dotted name: package.module)")
    where = [root]
    spec = None
    for depth, part in enumerate(parts):
        spec = importlib.machinery.PathFinder.find_spec(part, where)
        locations = spec.submodule_search_locations if spec is not None else None
        if spec is None:
            raise ConfigError(f"no module named {quote('.'.join(parts[: depth + 1]))}")
        if depth < len(parts) - 1 and locations is None:
            not_package = ".".join(parts[: depth + 1])
            raise ConfigError(
                f"no module named {quote(module)} ({quote(not_package)} is not a package)"
            )
        where = list(locations or ())
    assert spec is not None
    package = module.rpartition(".")[0]
    if spec.submodule_search_locations is not None:  # a package: its __main__ runs
        main = importlib.machinery.PathFinder.find_spec("__main__", where)
        if main is None:
            raise ConfigError(
                f"no module named {quote(module + '.__main__')}; "
                f"{quote(module)} is a package and cannot be directly executed"
            )
        spec, package = main, module
    if spec.origin is None or not spec.origin.endswith(".py"):
        raise ConfigError(f"{quote(module)} is not a Python source module")
    scenario = program_scenario(spec.origin)
    return dataclasses.replace(
        scenario,
        name=module,
        title=module,
        summary=f"your module {quote(module)}",
        package=package or None,
    )


def program_digest(path: str) -> str:
    """The SHA-256 of the program's file, to tell whether it changed since a run.

    Raises:
        OSError: it cannot be read, is no regular file, or is larger than a source file
            can be (a run file may name any path).
    """
    return hashlib.sha256(read_bounded(path, MAX_SOURCE_BYTES)).hexdigest()


def _docstring(source: str) -> str | None:
    """The module docstring's first paragraph, on one line."""
    try:
        text = ast.get_docstring(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError):
        return None
    if not text:
        return None
    return " ".join(text.split("\n\n")[0].split())
