"""Names from the source: a primitive is called what the program assigns it to.

``not_empty = threading.Condition(mutex)`` is ``not_empty``; ``self.read_gate = ...`` is
``read_gate``; ``forks = [threading.Lock() for _ in range(5)]`` gives ``forks[0]`` to
``forks[4]``, and so does ``forks.append(threading.Lock())``; ``with ThreadPoolExecutor()
as executor:`` makes ``executor``. Anything else falls back to the kind and a number
(``Lock-1``). Names are unique within a run.
"""

from __future__ import annotations

import linecache
import os
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

    from threadlab.engine.kernel import Kernel

_ENGINE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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
    while frame is not None and frame.f_code.co_filename.startswith(_ENGINE_DIR):
        frame = frame.f_back
    return frame


def name_from_source(kernel: Kernel, kind: str, fallback: str | None = None) -> str:
    """A unique name for a ``kind`` primitive the program is creating now (lock held);
    when the source names none, ``fallback``, else the kind and a number."""
    frame = program_frame()
    name = None
    if frame is not None:
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
