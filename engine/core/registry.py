"""A run's primitives, by name, in the order they were made: the lesson's for the whole run,
the program's for as long as the program keeps them.

The panels show a program's lock, condition or future while the program can still reach
it. The run holds such a primitive weakly (through the object it lives with), so holding
it does not keep alive what the program dropped: a ``weakref`` to the program's lock dies
when CPython's would, an executor the program forgot shuts its workers down, and a
finished future leaves the snapshot. When it dies, the garbage collector only notes its
name here (in whatever thread it runs, perhaps one holding the engine lock); the name
leaves the registry the next time the run's primitives are read. Names are never given
twice, so the names a run gives never depend on when the collector ran.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..primitives.base import Primitive


def reference(obj: object, died: Callable[[Any], None] | None = None) -> Callable[[], Any]:
    """A weak reference to ``obj`` (calling ``died`` when it dies), or a strong one to an
    object that cannot be referenced weakly (a list, a dict: kept for the whole run)."""
    try:
        return weakref.ref(obj, died)
    except TypeError:
        return lambda: obj


class _Held:
    """A primitive the run keeps for its whole length (a lesson's, an event loop)."""

    __slots__ = ("primitive",)

    def __init__(self, primitive: Primitive) -> None:
        self.primitive = primitive

    def __call__(self) -> Primitive | None:
        return self.primitive


class _LivesWith:
    """A primitive kept while the program's object it shows lives."""

    __slots__ = ("owner", "primitive")

    def __init__(self, primitive: Primitive, owner: weakref.ref[object]) -> None:
        self.primitive = primitive
        self.owner = owner

    def __call__(self) -> Primitive | None:
        return self.primitive if self.owner() is not None else None


class Registry:
    """The primitives of one run. Its methods are called with the engine lock held; the
    collector's callbacks only append to a deque, which is safe from any thread."""

    def __init__(self) -> None:
        self._entries: dict[str, Callable[[], Primitive | None]] = {}
        self._names_given: set[str] = set()
        self._gone: deque[str] = deque()
        """Names whose primitive died, noted by the collector, not yet dropped."""

    def add(self, primitive: Primitive, lives_with: object | None = None) -> None:
        """Add ``primitive``: for the whole run, or (``lives_with``) while that object
        lives; it may be the primitive itself (a lock the program made). An object that
        cannot be referenced weakly keeps its primitive for the whole run."""
        name = primitive.name
        if name in self._names_given:
            raise ValueError(f"two primitives are named {name!r}")
        entry: Callable[[], Primitive | None] = _Held(primitive)
        if lives_with is not None:
            try:
                owner = weakref.ref(lives_with, lambda _ref: self._gone.append(name))
            except TypeError:
                pass
            else:
                entry = owner if lives_with is primitive else _LivesWith(primitive, owner)  # type: ignore[assignment]
        self._names_given.add(name)
        self._entries[name] = entry

    def taken(self, name: str) -> bool:
        """Whether a primitive of the run was ever given ``name``."""
        return name in self._names_given

    def named(self, name: str) -> Primitive | None:
        entry = self._entries.get(name)
        return entry() if entry is not None else None

    def live(self) -> list[Primitive]:
        """The primitives alive now, in the order they were added."""
        gone = self._gone
        while gone:
            self._entries.pop(gone.popleft(), None)
        return [p for entry in self._entries.values() if (p := entry()) is not None]
