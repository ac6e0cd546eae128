"""Names from the source: a primitive is called what the program assigns it to.

``not_empty = threading.Condition(mutex)`` is ``not_empty``; ``self.read_gate = ...`` is
``read_gate``; ``forks = [threading.Lock() for _ in range(5)]`` gives ``forks[0]`` to
``forks[4]``, and so does ``forks.append(threading.Lock())``; ``with ThreadPoolExecutor()
as executor:`` makes ``executor``. Anything else falls back to the kind and a number
(``Lock-1``). Names are unique within a run.
"""

from __future__ import annotations

import ast
import linecache
import os
import re
import sys
from collections.abc import Callable
from functools import lru_cache, partial
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.kernel import Kernel

ENGINE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The engine's folder: its frames are never the program's."""

_ASSIGNED = re.compile(
    r"""^\s*(?:[A-Za-z_]\w*\.)*        # self. / obj.attr.
    (?P<target>[A-Za-z_]\w*)
    (?P<subscript>\[[^\]=]*\])?         # locks[key] =
    \s*(?::[^=]+)?                      # an annotation
    =(?!=)\s*(?P<value>.*)$""",
    re.VERBOSE,
)
_WITH_AS = re.compile(r"^\s*(?:async\s+)?with\s+.*\bas\s+(?P<target>[A-Za-z_]\w*)\s*:\s*(?:#.*)?$")
_APPENDED = re.compile(r"^\s*(?:[A-Za-z_]\w*\.)*(?P<target>[A-Za-z_]\w*)\.append\(")
_COMPREHENSION = re.compile(r"^[\[\(\{].*\bfor\b")


def program_frame() -> FrameType | None:
    """The innermost frame outside threadlab's engine: where the program called from."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(ENGINE_DIR):
        frame = frame.f_back
    return frame


def name_from_source(kernel: Kernel, kind: str, fallback: str | None = None) -> str:
    """A unique name for a ``kind`` primitive the program is creating now (lock held);
    when the source names none, ``fallback``, else the kind and a number."""
    frame = program_frame()
    files = kernel.program_files
    while frame is not None and frame.f_code.co_filename not in files:
        frame = frame.f_back  # past the standard library's frames (threading.RLock())
    name = None
    if frame is not None:
        name = _name_of_call(kernel, frame)
        if name is None:
            line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
            name = _name_in(kernel, line)
    if name is None and fallback is not None:
        name = fallback
    if name is None:
        count = kernel.names_used.get(f"\0{kind}", 0) + 1
        kernel.names_used[f"\0{kind}"] = count
        name = f"{kind}-{count}"
    return kernel.unique_name(name)


def _name_in(kernel: Kernel, line: str) -> str | None:
    with_as = _WITH_AS.match(line)
    if with_as:
        return with_as["target"]
    appended = _APPENDED.match(line)
    if appended:
        return _indexed(kernel, appended["target"])
    assigned = _ASSIGNED.match(line)
    if assigned is None:
        return None
    target = assigned["target"]
    if assigned["subscript"]:
        return f"{target}{assigned['subscript']}"
    if _COMPREHENSION.match(assigned["value"]):
        return _indexed(kernel, target)
    return target


def _indexed(kernel: Kernel, target: str) -> str:
    """``target[0]``, ``target[1]``... in the order they are made."""
    key = f"\0[]{target}"
    index = kernel.names_used.get(key, 0)
    kernel.names_used[key] = index + 1
    return f"{target}[{index}]"


# -- from the syntax tree: the call being made, and where its value goes

_Position = tuple[int, int, int, int]


def _name_of_call(kernel: Kernel, frame: FrameType) -> str | None:
    """The name the statement running in ``frame`` gives the value of the call it is making
    (a call that spans lines, a tuple of targets, a list), or None when it gives none or
    the source cannot tell."""
    code = frame.f_code
    positions = list(code.co_positions())
    index = frame.f_lasti // 2
    if not 0 <= index < len(positions) or None in positions[index]:
        return None
    position: _Position = positions[index]  # type: ignore[assignment]
    source = "".join(linecache.getlines(code.co_filename))
    found = _calls_in(source).get(position)
    if found is None:
        return None
    node, parents = found
    return _target_of(kernel, node, parents, partial(_named, source))


@lru_cache(maxsize=16)
def _calls_in(source: str) -> dict[_Position, tuple[ast.expr, tuple[ast.AST, ...]]]:
    """Every call in ``source`` by its position, with its enclosing nodes (innermost first)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    calls: dict[_Position, tuple[ast.expr, tuple[ast.AST, ...]]] = {}

    def visit(node: ast.AST, parents: tuple[ast.AST, ...]) -> None:
        if isinstance(node, ast.Call) and node.end_lineno is not None:
            assert node.end_col_offset is not None
            where = (node.lineno, node.end_lineno, node.col_offset, node.end_col_offset)
            calls[where] = (node, parents)
        for child in ast.iter_child_nodes(node):
            visit(child, (node, *parents))

    visit(tree, ())
    return calls


def _target_of(
    kernel: Kernel,
    node: ast.expr,
    parents: tuple[ast.AST, ...],
    named: Callable[[ast.expr], str | None],
) -> str | None:
    """What the enclosing statement assigns ``node``'s value to, if anything."""
    for at, parent in enumerate(parents):
        if isinstance(parent, ast.Assign | ast.AnnAssign) and parent.value is node:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            return named(targets[-1])
        if isinstance(parent, ast.withitem) and parent.context_expr is node:
            return named(parent.optional_vars) if parent.optional_vars is not None else None
        if isinstance(parent, ast.Tuple | ast.List) and node in parent.elts:
            outer = parents[at + 1] if at + 1 < len(parents) else None
            if isinstance(outer, ast.Assign) and outer.value is parent:
                target = outer.targets[-1]
                position = parent.elts.index(node)
                if isinstance(target, ast.Tuple | ast.List):  # a, b = X(), Y()
                    if len(target.elts) == len(parent.elts):
                        return named(target.elts[position])
                    return None
                whole = named(target)  # forks = [Lock(), Lock()]
                return f"{whole}[{position}]" if whole is not None else None
            return None
        if isinstance(parent, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            if parent.elt is not node:
                return None
            outer = parents[at + 1] if at + 1 < len(parents) else None
            if isinstance(outer, ast.Assign | ast.AnnAssign) and outer.value is parent:
                targets = outer.targets if isinstance(outer, ast.Assign) else [outer.target]
                whole = named(targets[-1])
                return _indexed(kernel, whole) if whole is not None else None
            return None
        if isinstance(parent, ast.Call):
            function = parent.func
            if (
                isinstance(function, ast.Attribute)
                and function.attr == "append"
                and parent.args == [node]
            ):
                whole = named(function.value)
                return _indexed(kernel, whole) if whole is not None else None
            return None
        if isinstance(parent, ast.stmt | ast.comprehension):
            return None
    return None


def _named(source: str, target: ast.expr) -> str | None:
    """``x`` for ``x``, ``gate`` for ``self.gate``, ``table["salt"]`` for ``table["salt"]``."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        whole = _named(source, target.value)
        key = ast.get_source_segment(source, target.slice) or ast.unparse(target.slice)
        return f"{whole}[{key}]" if whole is not None else None
    return None
