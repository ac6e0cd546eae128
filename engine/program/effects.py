"""What the program's watched code touches where no variable names it: the items of a list
it tests or iterates, the code it calls outside its own files.

The program's own functions are rewritten (``program.races``) so that what they share is
reached through steps. Some of it is reached without an access the rewriting sees: a call
into a library or a builtin (``log.append(x)``, ``len(items)``, ``random.random()``), the
items behind ``if items:``, ``x in items``, ``items == other``, ``a, b = pair``, and what
an operator runs on an object of a library's (its own methods). Each such place is a step
of its own, whose footprint is what this module says: nothing shared (no step), the items
of containers (``ITEMS``, which item reads and writes touch too), or anything (None).
"""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import Any

from ..core.footprint import trusted_module
from .sys_module import ProgramStream

ITEMS = "items"
"""What every item read or write touches, for the explorer: one object for all, since
which container is which cannot be told across runs."""

NO_STEP = "no step"
"""Touches nothing shared: no step."""

BY_ARGUMENTS = "by its arguments"
"""A callee whose step depends on the arguments it is given (a builtin's)."""

Effect = str | None
"""``NO_STEP``, ``ITEMS``, or None (anything)."""

_BUILTIN_CALLABLES = (
    BuiltinFunctionType,
    type((1).__add__),  # method-wrapper
    type(list.append),  # method_descriptor
    type(object.__init__),  # wrapper_descriptor
    type(dict.fromkeys),  # classmethod_descriptor (bound: builtin_function_or_method)
)

MUTABLE_CONTAINERS = (list, dict, set, bytearray, deque, defaultdict, OrderedDict, Counter)
"""Builtin containers whose items threads share (their items are ``ITEMS``)."""

_ATOMS = (type(None), bool, int, float, complex, str, bytes, range, type(...), slice)
"""Values whose operators and tests run nothing shared."""

_PURE_BUILTINS = frozenset(
    {
        "abs", "all", "any", "ascii", "bin", "bool", "callable", "chr", "divmod", "format",
        "hash", "hex", "id", "isinstance", "issubclass", "len", "max", "min", "oct", "ord",
        "pow", "repr", "round", "sorted", "str", "sum", "print", "enumerate", "zip",
        "reversed", "tuple", "list", "dict", "set", "frozenset", "int", "float", "complex",
        "bytes", "bytearray", "range", "type", "object", "iter", "map", "filter",
    }
)  # fmt: skip
"""Builtins that touch nothing but their arguments (and what those run)."""

_PURE_MODULES = frozenset({"math", "cmath", "operator", "string", "keyword"})
"""Modules whose functions touch nothing but their arguments."""

_PURE_TYPES = (
    *MUTABLE_CONTAINERS,
    tuple,
    frozenset,
    str,
    bytes,
    int,
    float,
    complex,
    bool,
    range,
    enumerate,
    zip,
    reversed,
    map,
    filter,
    slice,
)
"""Builtin types whose constructors and methods touch nothing but their arguments (and,
for a container, its own items)."""


_DEEPEST = 3
_LONGEST = 64
"""How deep and how long a tuple is looked through (a test or comparison looks at it each
time); past that, it may hold anything."""


def _worst(first: Effect, second: Effect) -> Effect:
    if first is None or second is None:
        return None
    return ITEMS if ITEMS in (first, second) else NO_STEP


class Effects:
    """Says what values and calls of one run's program touch (``program_files``: its own
    files, whose code is watched)."""

    def __init__(self, program_files: list[str]) -> None:
        self._program_files = program_files
        self._types: dict[type, Effect] = {}

    # -- values

    def of_value(self, value: object, depth: int = 0) -> Effect:
        """What testing, comparing or iterating ``value`` touches (it runs its type's
        methods)."""
        kind = type(value)
        if kind in _ATOMS:
            return NO_STEP
        if kind is tuple or kind is frozenset:
            if depth >= _DEEPEST or len(value) > _LONGEST:  # type: ignore[arg-type]
                return None  # not looked through: it may hold anything
            effect: Effect = NO_STEP
            for item in value:  # type: ignore[attr-defined]
                effect = _worst(effect, self.of_value(item, depth + 1))
                if effect is None:
                    break
            return effect
        known = self._types.get(kind, MISSING)
        if known is MISSING:
            known = self._types[kind] = self._of_type(kind)
        return known  # type: ignore[return-value]

    def _of_type(self, kind: type) -> Effect:
        if issubclass(kind, MUTABLE_CONTAINERS):
            return ITEMS
        if issubclass(kind, ModuleType | type | FunctionType | BuiltinFunctionType | MethodType):
            return NO_STEP
        if issubclass(kind, _ATOMS):
            return NO_STEP
        if self._own_type(kind) or trusted_module(getattr(kind, "__module__", "")):
            return NO_STEP  # its methods are the program's own (watched) or guarded
        return None  # a library's object: its methods may touch anything

    def _own_type(self, kind: type) -> bool:
        """Whether ``kind`` is a class of the program's own (a method of it in its files)."""
        for klass in kind.__mro__[:-1]:
            for member in vars(klass).values():
                code = getattr(member, "__code__", None)
                if code is not None and code.co_filename in self._program_files:
                    return True
        return False

    def computed_elsewhere(self, obj: object, name: str) -> bool:
        """Whether reading ``obj.name`` runs Python code outside the program's files and
        the trusted modules (a library's property or ``__getattr__``)."""
        kind = type(obj)
        if isinstance(obj, ModuleType) or self.of_value(obj) is NO_STEP:
            return False  # a module's, or its methods are the program's own or guarded
        for klass in kind.__mro__:
            member = vars(klass).get(name)
            if member is not None:
                getter = getattr(member, "fget", None) or getattr(member, "__get__", None)
                code = getattr(getter, "__code__", None)
                return code is not None and code.co_filename not in self._program_files
        hook = getattr(kind, "__getattr__", None)
        return getattr(hook, "__code__", None) is not None

    def of_arguments(self, args: Sequence[object], kwargs: Mapping[str, object]) -> Effect:
        effect: Effect = NO_STEP
        for value in (*args, *kwargs.values()):
            effect = _worst(effect, self.of_value(value))
            if effect is None:
                return None
        return effect

    # -- calls

    def of_callee(self, function: object) -> Effect:
        """What calling ``function`` touches, as far as can be told before its arguments
        are known: ``BY_ARGUMENTS`` for a builtin's (``of_call`` says once they are)."""
        kind = type(function)
        if kind is FunctionType or kind is MethodType:
            return self._of_python(function)
        if kind in _BUILTIN_CALLABLES or kind is partial or function in _PURE_TYPES:
            return BY_ARGUMENTS
        if isinstance(function, type):
            if self._own_type(function) or trusted_module(getattr(function, "__module__", "")):
                return NO_STEP
            init, new = getattr(function, "__init__", None), getattr(function, "__new__", None)
            if init is object.__init__ and new is object.__new__:
                return NO_STEP
            return BY_ARGUMENTS if issubclass(function, _PURE_TYPES) else None
        return self.of_call(function, (), {})  # type: ignore[arg-type]  # its ``__call__``

    def of_call(
        self, function: Callable[..., Any], args: Sequence[object], kwargs: Mapping[str, object]
    ) -> Effect:
        """What calling ``function`` with ``args`` touches, beyond what the program's own
        code it runs reaches through steps of its own."""
        kind = type(function)
        if kind is FunctionType or kind is MethodType:
            return self._of_python(function)
        if kind is BuiltinFunctionType:
            return self._of_builtin(function, args, kwargs)
        if kind is partial:
            assert isinstance(function, partial)
            inner = self.of_call(function.func, function.args, function.keywords)
            return _worst(inner, self.of_arguments(args, kwargs))
        if isinstance(function, type):
            return self._of_class(function, args, kwargs)
        call = vars(kind).get("__call__") or next(
            (vars(k)["__call__"] for k in kind.__mro__ if "__call__" in vars(k)), None
        )
        code = getattr(call, "__code__", None)
        if code is not None and code.co_filename in self._program_files:
            return NO_STEP
        # a method of a builtin container (a slot wrapper or method descriptor) or a
        # library's callable object
        receiver = getattr(function, "__self__", None)
        if receiver is not None and isinstance(receiver, MUTABLE_CONTAINERS):
            return _worst(ITEMS, self.of_arguments(args, kwargs))
        return None

    def _of_python(self, function: Any) -> Effect:
        inner = getattr(function, "__func__", function)
        code = getattr(inner, "__code__", None)
        if code is None:
            return None
        if code.co_filename in self._program_files:
            return NO_STEP  # the program's own: its accesses are steps
        globals_ = getattr(inner, "__globals__", {})
        if trusted_module(globals_.get("__name__")):
            return NO_STEP  # threading, queue...: their own steps, their state guarded
        return None

    def _of_builtin(
        self, function: Any, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> Effect:
        receiver = function.__self__
        if receiver is None or isinstance(receiver, ModuleType):
            module = getattr(receiver, "__name__", getattr(function, "__module__", None))
            name = function.__name__
            if module == "builtins" and name in _PURE_BUILTINS:
                stream = kwargs.get("file")
                if name == "print" and stream is not None and type(stream) is not ProgramStream:
                    return None  # writes to a file object of its own: anything
                return self.of_arguments(args, kwargs)
            if module in _PURE_MODULES:
                return self.of_arguments(args, kwargs)
            return None  # any other function (getattr runs what the attribute runs)
        if isinstance(receiver, MUTABLE_CONTAINERS):
            # a method of a list, dict, set...: a write to its items (the receiver's)
            return _worst(ITEMS, self.of_arguments(args, kwargs))
        if type(receiver) in _ATOMS or type(receiver) is tuple:
            return _worst(self.of_value(receiver), self.of_arguments(args, kwargs))
        return None

    def _of_class(self, cls: type, args: Sequence[object], kwargs: Mapping[str, object]) -> Effect:
        if cls in _PURE_TYPES:
            return self.of_arguments(args, kwargs)
        if self._own_type(cls):
            return NO_STEP  # its __init__ and __new__ are the program's own, or object's
        if trusted_module(getattr(cls, "__module__", "")):
            return NO_STEP
        init = getattr(cls, "__init__", object.__init__)
        new = getattr(cls, "__new__", object.__new__)
        if init is object.__init__ and new is object.__new__:
            return NO_STEP
        return None


MISSING = object()
