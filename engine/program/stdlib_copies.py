"""Which standard-library modules a run loads afresh, under control, for its program.

A standard-library module that builds on threads (``logging``'s locks, ``socketserver``'s
threads, ``sched``'s lock), registers exit functions, or reads the command line
(``argparse``, ``unittest.main``) must see the run's ``threading``, ``atexit`` and ``sys``,
not the process's: so that ``logging`` names the program's threads and writes to the
program's stderr, and ``unittest.main()`` parses the program's ``sys.argv``. Such a module
is executed afresh in every run that imports it, with the program's imports; every other
module stays the process's own, shared (``re``, ``collections``, ``typing``: loading them
per run would only cost time and split their types in two).

The rule is read from the source, so it follows each Python version by itself: a pure-Python
module of the standard library is loaded per run when a module it imports at its top level
(not inside a function, not under ``if __name__ == "__main__"``) is one of ``TRIGGERS`` or
is itself loaded per run.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import os
import sysconfig
from functools import cache

TRIGGERS = frozenset(
    {
        "threading",
        "queue",
        "concurrent.futures",
        "asyncio",
        "atexit",
        # They read sys.argv: the program's, not threadlab's.
        "argparse",
        "optparse",
        "fileinput",
        "unittest.main",
        # They write to sys.stderr by default: the program's.
        "traceback",
        "unittest.runner",
    }
)
"""Modules whose importers must be loaded per run: the controlled modules, and the readers
of the command line and writers to stderr, which are then loaded per run themselves."""

OWN_COPIES = frozenset({"warnings"})
"""Modules loaded per run that do not make their importers per run (``warnings``: most of
the standard library imports it, and loading all of that per run would only cost time)."""

_STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"])


def is_triggered(name: str) -> bool:
    return name in TRIGGERS or name.startswith(("asyncio.", "concurrent.futures."))


def stdlib_spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """The spec of the standard library's pure-Python module ``name``, found without
    importing anything (not even its parent package); None for anything else."""
    return _stdlib_spec(name)


@cache
def _stdlib_spec(name: str) -> importlib.machinery.ModuleSpec | None:
    parent, _, last = name.rpartition(".")
    if parent:
        parent_spec = _stdlib_spec(parent)
        if parent_spec is None or parent_spec.submodule_search_locations is None:
            return None
        where = list(parent_spec.submodule_search_locations)
    else:
        where = [_STDLIB]
    try:
        spec = importlib.machinery.PathFinder.find_spec(last, where)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None  # a C module, a namespace package, or not in the standard library
    spec.name = name
    return spec


def loaded_per_run(name: str) -> bool:
    """Whether the standard library's module ``name`` is executed afresh in every run."""
    return name in OWN_COPIES or _per_run(name, frozenset())


def _per_run(name: str, visiting: frozenset[str]) -> bool:
    if is_triggered(name):
        return True
    if not visiting:
        cached = _decided.get(name)
        if cached is not None:
            return cached
    spec = stdlib_spec(name)
    if spec is None or name in visiting:
        return False  # an import cycle adds nothing to decide by
    inner = visiting | {name}
    answer = any(_per_run(imported, inner) for imported in _top_level_imports(name))
    if not visiting:
        _decided[name] = answer
    return answer


_decided: dict[str, bool] = {}
"""Decisions taken so far in this process, by module name."""


@cache
def _top_level_imports(name: str) -> tuple[str, ...]:
    """The modules the standard library's module ``name`` imports when it runs: at its top
    level, in ``if``, ``try`` and ``with`` blocks there, except under ``if __name__ ==
    "__main__"``."""
    spec = stdlib_spec(name)
    assert spec is not None and spec.origin is not None
    with open(spec.origin, "rb") as file:
        tree = ast.parse(file.read(), spec.origin)
    package = spec.name if spec.submodule_search_locations is not None else spec.parent or ""
    found: list[str] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    try:
                        base = importlib.util.resolve_name("." * node.level + base, package)
                    except ImportError:
                        continue
                found.append(base)
                # ``from pkg import sub``: sub may be a module of pkg.
                found.extend(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
            elif isinstance(node, ast.If):
                if "__name__" not in ast.unparse(node.test):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.With):
                visit(node.body)

    visit(tree.body)
    return tuple(dict.fromkeys(found))
