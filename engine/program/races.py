"""Data races in a program's own files: its shared reads and writes as scheduling points.

A program's own file is rewritten, as it is compiled, so that inside its functions every
read and write of a variable threads may share (a global, a closure variable, an
attribute, an item of a list or dict) goes through a ``Races`` helper: the access waits
for its turn (a checkpoint), then happens, and is recorded on a ``ProgramVariable`` the
panel shows. ``x += 1`` is a read step and a write step, so a thread's update can be lost
when another one writes in between, as with real threads.

What no variable names is a step too (``program.effects``): a call into code outside the
program's files (``log.append(x)``: a write to the list's items; a library's function:
anything), the items behind a test, a comparison, an operator, an unpacking or a loop
(``if items:``, ``x in items``, ``for x in items``: one step per item), and a write left as
written (below): a step that may touch anything. So the code between two steps touches
nothing shared but what its first step names, and the explorer can trust what each step
touches (``core.footprint``). The module's top level is rewritten as its functions are.

What is not worth a step is left alone: a function's own locals, names bound only by
``def``, ``class`` or ``import`` at module level, a global or closure variable bound once
(outside any loop) and never rebound, the container in ``buf[i]`` or ``obj.x`` (the item
or attribute is the step), a method looked up to be called (``self.lock.acquire()``),
attributes of modules, and values that are functions, classes, modules or the engine's
own objects (a lock read to be acquired). While only one thread is alive nothing is a
step. What cannot be rewritten safely (``del``, unpacking and star targets, ``a = b = 0``,
slices, the walrus) runs as written, after a step that may touch anything when it writes
anything but locals, and so do annotations and ``match`` patterns. An item whose key is
an object of the program's own is not a step either: telling it apart would run its
``__hash__`` or ``__index__`` one more time than CPython.

The rewritten code means what the program means: ``self.__x`` in ``class C`` is
``_C__x``, as CPython mangles it; what is evaluated where the function or class is
defined (decorators, defaults, bases, a comprehension's first iterable) is rewritten
for that scope; ``obj.x += v`` and ``a[k] += v`` evaluate ``obj``, ``a`` and ``k`` once, read,
then evaluate ``v``, then write, in CPython's order; and an attribute is read or written
with ``getattr``/``setattr`` once, so properties, descriptors and ``__getattr__`` run as
often as under CPython.

Line numbers are kept: the rewritten calls carry the lines and columns of what they
replace, so tracebacks, events and the code panel show the program's lines.
"""

from __future__ import annotations

import ast
import operator
import sys
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from types import (
    BuiltinFunctionType,
    FunctionType,
    MethodType,
    ModuleType,
)
from typing import TYPE_CHECKING, Any

from ..core.collector import collecting
from ..core.threads import bound, bound_or_none
from ..primitives.shared import ProgramVariable
from ..snapshot.model import EventKind
from .effects import BY_ARGUMENTS, ITEMS, NO_STEP, Effects
from .fresh import MEASURES as _MEASURES
from .fresh import fresh_locals

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread

HELPER = "__threadlab_races__"
"""The builtin name the rewritten code calls (a program never uses such a name)."""

MAX_VARIABLES = 64
"""How many shared variables a run shows; accesses to more are steps all the same."""

_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "iadd",
    ast.Sub: "isub",
    ast.Mult: "imul",
    ast.MatMult: "imatmul",
    ast.Div: "itruediv",
    ast.FloorDiv: "ifloordiv",
    ast.Mod: "imod",
    ast.Pow: "ipow",
    ast.LShift: "ilshift",
    ast.RShift: "irshift",
    ast.BitOr: "ior",
    ast.BitXor: "ixor",
    ast.BitAnd: "iand",
}
_IN_PLACE: dict[str, Callable[[Any, Any], Any]] = {
    name: getattr(operator, name) for name in _OPERATORS.values()
}


# --------------------------------------------------------------- the rewriting


_ITEMS = ITEMS

_FRAME_SENSITIVE = frozenset(
    {"super", "locals", "vars", "dir", "globals", "eval", "exec", "breakpoint"}
)
"""Builtins that read their caller's frame: called as written, never through a helper."""

_FRAME_READERS = frozenset({"_getframe", "currentframe", "stack"})
"""Methods that read their caller's frame (``sys._getframe``): called as written."""


def instrument(tree: ast.Module, path: str) -> ast.Module:
    """Rewrite ``tree`` (the module in ``path``) in place so that its functions' shared
    reads and writes are steps; returns it."""
    scopes = _Scopes(tree)
    _Rewriter(scopes, path).visit(tree)
    return ast.fix_missing_locations(tree)


@dataclass
class _Scope:
    node: ast.AST
    kind: str
    """'module', 'function' (also a lambda), 'class' or 'comprehension'."""
    parent: _Scope | None
    bound: dict[str, int] = field(default_factory=dict)
    """Names bound here, with how many times (a binding in a loop, or an augmented one,
    counts as many)."""
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    only_named: set[str] = field(default_factory=set)
    """Names bound here only by def, class or import."""
    captured: set[str] = field(default_factory=set)
    """Locals that a nested function reads or writes (closure variables)."""
    written_inside: set[str] = field(default_factory=set)
    """Locals that a nested function writes (declared nonlocal there)."""

    def is_local(self, name: str) -> bool:
        return (
            name in self.bound
            and name not in self.declared_global
            and name not in self.declared_nonlocal
        )


_MANY = 2


class _Scopes:
    """Every scope of a module, what is bound in each, and which names are shared."""

    def __init__(self, tree: ast.Module) -> None:
        self.by_node: dict[ast.AST, _Scope] = {}
        self.module = self._scope(tree, "module", None)
        self._collect(tree.body, self.module, in_loop=False)
        globals_written: set[str] = set()
        for scope in self.by_node.values():
            globals_written |= scope.declared_global
        module = self.module
        self.global_variables = {
            name
            for name, count in module.bound.items()
            if name not in module.only_named and (count >= _MANY or name in globals_written)
        } | (globals_written - module.only_named)
        self._mark_captures()

    def _scope(self, node: ast.AST, kind: str, parent: _Scope | None) -> _Scope:
        scope = _Scope(node, kind, parent)
        self.by_node[node] = scope
        return scope

    # -- bindings

    def _bind(self, scope: _Scope, name: str, times: int, *, named: bool = False) -> None:
        scope.bound[name] = scope.bound.get(name, 0) + times
        if named and scope.bound[name] == times:
            scope.only_named.add(name)
        elif not named:
            scope.only_named.discard(name)

    def _collect(self, body: list[ast.stmt] | list[ast.AST], scope: _Scope, in_loop: bool) -> None:
        for node in body:
            self._visit(node, scope, in_loop)

    def _visit(self, node: ast.AST, scope: _Scope, in_loop: bool) -> None:
        times = _MANY if in_loop else 1
        match node:
            case ast.FunctionDef() | ast.AsyncFunctionDef():
                self._bind(scope, node.name, times, named=True)
                for expression in (*node.decorator_list, *_defaults(node.args)):
                    self._visit(expression, scope, in_loop)
                inner = self._scope(node, "function", scope)
                self._arguments(node.args, inner)
                self._collect(node.body, inner, in_loop=False)
                return
            case ast.Lambda():
                for expression in _defaults(node.args):
                    self._visit(expression, scope, in_loop)
                inner = self._scope(node, "function", scope)
                self._arguments(node.args, inner)
                self._visit(node.body, inner, in_loop=False)
                return
            case ast.ClassDef():
                self._bind(scope, node.name, times, named=True)
                for part in (*node.decorator_list, *node.bases, *node.keywords):
                    self._visit(part, scope, in_loop)
                inner = self._scope(node, "class", scope)
                self._collect(node.body, inner, in_loop=False)
                return
            case ast.ListComp() | ast.SetComp() | ast.GeneratorExp() | ast.DictComp():
                inner = self._scope(node, "comprehension", scope)
                for number, generator in enumerate(node.generators):
                    # the first iterable is evaluated in the enclosing scope
                    self._visit(generator.iter, scope if number == 0 else inner, in_loop)
                    for name in _stored_names(generator.target):
                        self._bind(inner, name, _MANY)
                    for condition in generator.ifs:
                        self._visit(condition, inner, in_loop)
                elements = (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)
                for element in elements:
                    self._visit(element, inner, in_loop)
                return
            case ast.NamedExpr():
                owner = scope
                while owner.kind == "comprehension" and owner.parent is not None:
                    owner = owner.parent
                if isinstance(node.target, ast.Name):
                    self._bind(owner, node.target.id, _MANY)
                self._visit(node.value, scope, in_loop)
                return
            case ast.Global():
                scope.declared_global.update(node.names)
                return
            case ast.Nonlocal():
                scope.declared_nonlocal.update(node.names)
                return
            case ast.Import() | ast.ImportFrom():
                for alias in node.names:
                    name = alias.asname or alias.name.partition(".")[0]
                    self._bind(scope, name, times, named=True)
                return
            case ast.Name(ctx=ast.Store() | ast.Del()):
                self._bind(scope, node.id, times)
                return
            case ast.AugAssign(target=ast.Name(id=name)):
                self._bind(scope, name, _MANY)
                self._visit(node.value, scope, in_loop)
                return
            case ast.For() | ast.AsyncFor() | ast.While():
                for child in ast.iter_child_nodes(node):
                    loop_part = child not in getattr(node, "orelse", ())
                    self._visit(child, scope, in_loop or loop_part)
                return
            case ast.ExceptHandler(name=str(name)):
                self._bind(scope, name, times)
            case ast.MatchAs(name=str(name)) | ast.MatchStar(name=str(name)):
                self._bind(scope, name, times)
            case ast.MatchMapping(rest=str(name)):
                self._bind(scope, name, times)
        for child in ast.iter_child_nodes(node):
            self._visit(child, scope, in_loop)

    def _arguments(self, arguments: ast.arguments, scope: _Scope) -> None:
        every = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        for argument in (*every, arguments.vararg, arguments.kwarg):
            if argument is not None:
                self._bind(scope, argument.arg, 1)

    # -- which locals nested functions share

    def _mark_captures(self) -> None:
        for scope in self.by_node.values():
            if scope.kind not in ("function", "comprehension"):
                continue
            for node in _own_names(scope.node):
                owner, crossed = self.owner_of(scope, node.id)
                if owner is None or owner is scope or not crossed:
                    continue
                owner.captured.add(node.id)
                if node.id in scope.declared_nonlocal:
                    owner.written_inside.add(node.id)

    def owner_of(self, scope: _Scope, name: str) -> tuple[_Scope | None, bool]:
        """The function scope whose local ``name`` is, as seen from ``scope`` (None: a
        global or builtin), and whether a function boundary lies between them."""
        if name in scope.declared_global:
            return None, False
        crossed = False
        current: _Scope | None = scope
        while current is not None and current.kind != "module":
            if current.kind != "class" or current is scope:
                if current.is_local(name) and (current is scope or current.kind != "class"):
                    return current, crossed
                if name in current.declared_global:
                    return None, crossed
            if current.kind == "function":
                crossed = True
            current = current.parent
        return None, crossed

    def shared(self, scope: _Scope, name: str) -> str | None:
        """How ``name`` read or written in ``scope`` is shared between threads: 'global',
        'closure', or None (a local, or not a variable worth a step)."""
        if scope.kind == "class":
            return None
        owner, _crossed = self.owner_of(scope, name)
        if owner is None:
            return "global" if name in self.global_variables else None
        if name not in owner.captured or name in owner.only_named:
            return None
        if name in owner.written_inside or owner.bound.get(name, 0) >= _MANY:
            return "closure"
        return None


def _defaults(arguments: ast.arguments) -> list[ast.expr]:
    return [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]


def _stored_names(target: ast.AST) -> Iterator[str]:
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            yield node.id


def _own_names(node: ast.AST) -> Iterator[ast.Name]:
    """The names used in the scope ``node`` opens, not in scopes nested in it."""
    nested = (
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.Lambda,
        ast.ClassDef,
        ast.ListComp,
        ast.SetComp,
        ast.GeneratorExp,
        ast.DictComp,
    )
    match node:
        case ast.FunctionDef() | ast.AsyncFunctionDef():
            todo: list[ast.AST] = list(node.body)
        case ast.Lambda():
            todo = [node.body]
        case ast.ListComp() | ast.SetComp() | ast.GeneratorExp() | ast.DictComp():
            todo = [child for child in ast.iter_child_nodes(node) if child is not None]
            first = node.generators[0]
            todo = [c for c in todo if c is not first] + [first.target, *first.ifs]
            todo += [g for g in node.generators[1:]]
        case _:
            todo = []
    while todo:
        current = todo.pop()
        if isinstance(current, ast.Name):
            yield current
        if isinstance(current, nested):
            continue
        todo.extend(ast.iter_child_nodes(current))


class _Rewriter(ast.NodeTransformer):
    """Rewrites the shared accesses inside the module's functions.

    What CPython evaluates in the enclosing scope (decorators, default values, base
    classes, a comprehension's first iterable) is visited in that scope; what it never
    evaluates here, or evaluates specially, is never rewritten: annotations (under
    ``from __future__ import annotations`` they are the source text), and ``match``
    patterns (only names and dotted names are allowed there)."""

    def __init__(self, scopes: _Scopes, path: str) -> None:
        self._scopes = scopes
        self._path = path
        self._scope = scopes.module
        self._classes: list[str] = []
        """The classes whose bodies the visit is in, innermost last (for name mangling)."""
        self._not_a_step: set[int] = set()
        """ids of nodes to keep as they are (a container whose item or attribute is the
        step, a method looked up to be called)."""
        self._fresh: frozenset[str] = frozenset()
        """The containers the function being visited keeps to itself (``_own``)."""

    # -- scopes

    @contextmanager
    def _inside(self, node: ast.AST) -> Iterator[None]:
        """Visit in the scope ``node`` opens."""
        outer, self._scope = self._scope, self._scopes.by_node.get(node, self._scope)
        outer_fresh = self._fresh
        if self._scope.kind == "function":
            self._fresh = fresh_locals(node, self._scope.captured)
        elif self._scope.kind != "comprehension":  # (a comprehension sees its function's)
            self._fresh = frozenset()
        try:
            yield
        finally:
            self._scope, self._fresh = outer, outer_fresh

    def _own(self, node: ast.expr) -> bool:
        """Whether ``node`` names a container this function made and keeps to itself
        (``program.fresh``): its items are no other thread's."""
        return isinstance(node, ast.Name) and node.id in self._fresh

    def _visit_all(self, nodes: list[Any]) -> list[Any]:
        """``nodes`` visited, as ``generic_visit`` visits a list (a node may become none
        or several)."""
        done: list[Any] = []
        for node in nodes:
            result = self.visit(node)
            if isinstance(result, list):
                done.extend(result)
            elif result is not None:
                done.append(result)
        return done

    def _visit_defaults(self, arguments: ast.arguments) -> None:
        """Default values: evaluated where the function is defined (annotations: never
        rewritten)."""
        arguments.defaults = self._visit_all(arguments.defaults)
        arguments.kw_defaults = [
            None if default is None else self.visit(default) for default in arguments.kw_defaults
        ]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        node.decorator_list = self._visit_all(node.decorator_list)
        self._visit_defaults(node.args)
        with self._inside(node):
            node.body = self._visit_all(node.body)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self._visit_defaults(node.args)
        with self._inside(node):
            node.body = self.visit(node.body)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        node.decorator_list = self._visit_all(node.decorator_list)
        node.bases = self._visit_all(node.bases)
        node.keywords = self._visit_all(node.keywords)
        self._classes.append(node.name)
        try:
            with self._inside(node):
                node.body = self._visit_all(node.body)
        finally:
            self._classes.pop()
        return node

    def _visit_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> ast.AST:
        first = node.generators[0]
        first.iter = self._iterated(first.iter, first.is_async)  # in the enclosing scope
        with self._inside(node):
            for number, generator in enumerate(node.generators):
                generator.target = self.visit(generator.target)
                if number:
                    generator.iter = self._iterated(generator.iter, generator.is_async)
                generator.ifs = [self._tested(test) for test in generator.ifs]
            if isinstance(node, ast.DictComp):
                node.key, node.value = self.visit(node.key), self.visit(node.value)
            else:
                node.elt = self.visit(node.elt)
        return node

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comprehension

    def _iterated(self, node: ast.expr, is_async: int = 0) -> ast.expr:
        """What a comprehension iterates: each item it takes a step of its own
        (``Races.iterate``); an ``async for``'s, as it is."""
        visited = self.visit(node)
        if not self._active or is_async or self._own(node):
            return visited
        call = self._call("iterate", visited, ast.Constant(_text_of(node)))
        return ast.copy_location(call, node)

    def visit_match_case(self, node: ast.match_case) -> ast.AST:
        # the pattern stays as written: a value pattern is a dotted name, never a call
        if node.guard is not None:
            node.guard = self.visit(node.guard)
        node.body = self._visit_all(node.body)
        return node

    @property
    def _active(self) -> bool:
        return self._scope.kind in ("function", "comprehension", "module")

    def _mangled(self, name: str) -> str:
        """``name`` as CPython compiles it here: ``__x`` inside ``class C`` is ``_C__x``."""
        if not self._classes or not name.startswith("__") or name.endswith("__"):
            return name
        owner = self._classes[-1].lstrip("_")
        return f"_{owner}{name}" if owner else name

    # -- helpers to build calls

    def _call(self, method: str, *arguments: ast.expr) -> ast.Call:
        function = ast.Attribute(ast.Name(HELPER, ast.Load()), method, ast.Load())
        return ast.Call(function, list(arguments), [])

    def _key(self, name: str, kind: str) -> ast.Constant:
        owner, _ = self._scopes.owner_of(self._scope, name)
        where = ""
        if owner is not None:
            where = f"{getattr(owner.node, 'name', 'lambda')}@{getattr(owner.node, 'lineno', 0)}"
        name = self._mangled(name)  # the variable's real name (``global __x`` in a class)
        key: Any = (name, f"{kind}:{self._path}:{where}:{name}")
        return ast.Constant(key)

    def _name_kind(self, name: str) -> str | None:
        if not self._active:
            return None
        return self._scopes.shared(self._scope, name)

    def _read_name(self, node: ast.Name, kind: str) -> ast.expr:
        """``NAME`` as ``got(KEY, NAME) if step(KEY, NAME) else NAME``."""
        key = self._key(node.id, kind)

        def load() -> ast.Name:
            return ast.copy_location(ast.Name(node.id, ast.Load()), node)

        test = self._call("step", key, load())
        return ast.copy_location(ast.IfExp(test, self._call("got", key, load()), load()), node)

    def _base(self, node: ast.expr) -> None:
        """``node`` holds what is accessed (``buf`` in ``buf[i]``): not a step itself."""
        if isinstance(node, ast.Name | ast.Attribute | ast.Subscript):
            self._not_a_step.add(id(node))

    # -- reads

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if not isinstance(node.ctx, ast.Load) or id(node) in self._not_a_step:
            return node
        kind = self._name_kind(node.id)
        if kind is None:
            return node
        return self._read_name(node, kind)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if isinstance(node.func, ast.Name | ast.Attribute):
            self._not_a_step.add(id(node.func))
            if isinstance(node.func, ast.Attribute):
                self._base(node.func.value)
        func = node.func
        own_method = isinstance(func, ast.Attribute) and self._own(func.value)
        measures_own = (
            isinstance(func, ast.Name)
            and func.id in _MEASURES
            and not node.keywords
            and all(self._own(a) or isinstance(a, ast.Constant) for a in node.args)
        )
        starred_texts = [_text_of(a.value) if isinstance(a, ast.Starred) else "" for a in node.args]
        keyword_texts = [_text_of(k.value) if k.arg is None else "" for k in node.keywords]
        node = self.generic_visit(node)  # type: ignore[assignment]
        if (
            not self._active
            or own_method
            or measures_own
            or (
                (isinstance(func, ast.Name) and func.id in _FRAME_SENSITIVE)
                or (isinstance(func, ast.Attribute) and func.attr in _FRAME_READERS)
            )
        ):
            return node
        # ``f(a, *b, k=c, **d)`` as ``callee(f)(a, *seen(b), k=c, **seen(d))``: a call into
        # code outside the program's files is a step of its own (``program.effects``); the
        # call itself stays in this frame (warnings, logging and tracebacks see the
        # program's line)
        args = [
            ast.copy_location(ast.Starred(self._seen(a.value, text), ast.Load()), a)
            if isinstance(a, ast.Starred)
            else a
            for a, text in zip(node.args, starred_texts, strict=True)
        ]
        keywords = [
            k
            if k.arg is not None
            else ast.copy_location(ast.keyword(None, self._seen(k.value, text)), k)
            for k, text in zip(node.keywords, keyword_texts, strict=True)
        ]
        callee = ast.copy_location(self._call("callee", node.func), node.func)
        return ast.copy_location(ast.Call(callee, args, keywords), node)

    def _seen(self, node: ast.expr, text: str) -> ast.expr:
        """``node`` as ``seen(node, TEXT)``: what its value's items or methods touch, as it
        is tested, compared, unpacked or operated on, is a step of its own."""
        if isinstance(node, ast.Constant | ast.Compare | ast.BoolOp) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
        ):
            return node  # a constant, or already a bool (its operands are seen)
        return ast.copy_location(self._call("seen", node, ast.Constant(text)), node)

    def _tested(self, node: ast.expr) -> ast.expr:
        text = _text_of(node)
        visited = self.visit(node)
        return self._seen(visited, text) if self._active and not self._own(node) else visited

    def visit_If(self, node: ast.If | ast.While) -> ast.AST:
        node.test = self._tested(node.test)
        node.body = self._visit_all(node.body)
        node.orelse = self._visit_all(node.orelse)
        return node

    visit_While = visit_If

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        node.test = self._tested(node.test)
        node.body, node.orelse = self.visit(node.body), self.visit(node.orelse)
        return node

    def visit_Assert(self, node: ast.Assert) -> ast.AST:
        node.test = self._tested(node.test)
        if node.msg is not None:
            node.msg = self.visit(node.msg)
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        node.values = [self._tested(value) for value in node.values]
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        node.operand = self._tested(node.operand)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node.left, node.right = self._tested(node.left), self._tested(node.right)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        node.left = self._tested(node.left)
        node.comparators = [self._tested(c) for c in node.comparators]
        return node

    def visit_For(self, node: ast.For | ast.AsyncFor) -> ast.AST:
        iterable = self.visit(node.iter)
        if self._active and isinstance(node, ast.For) and not self._own(node.iter):
            iterable = self._call("iterate", iterable, ast.Constant(_text_of(node.iter)))
            iterable = ast.copy_location(iterable, node.iter)
        node.iter = iterable
        node.target = self.visit(node.target)
        node.body = self._visit_all(node.body)
        node.orelse = self._visit_all(node.orelse)
        if self._active and not self._local_target(node.target):
            node.body.insert(0, self._unwatched(node))  # every item is written to it
        return node

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> ast.AST:
        for item in node.items:
            item.context_expr = self._tested(item.context_expr)
            if item.optional_vars is not None:
                item.optional_vars = self.visit(item.optional_vars)
        node.body = self._visit_all(node.body)
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
        if self._active and not all(self._local_target(t) for t in targets):
            node.body.insert(0, self._unwatched(node))
        return node

    visit_AsyncWith = visit_With

    def visit_Delete(self, node: ast.Delete) -> ast.AST | list[ast.stmt]:
        node = self.generic_visit(node)  # type: ignore[assignment]
        if self._active and not all(self._local_target(t) for t in node.targets):
            return [self._unwatched(node), node]
        return node

    def _local_target(self, target: ast.expr) -> bool:
        """Whether writing ``target`` touches nothing shared (a plain local name)."""
        if isinstance(target, ast.Name):
            return self._name_kind(target.id) is None
        if isinstance(target, ast.Tuple | ast.List):
            return all(self._local_target(t) for t in target.elts)
        if isinstance(target, ast.Starred):
            return self._local_target(target.value)
        return False

    def _unwatched(self, node: ast.AST) -> ast.stmt:
        """A step that may touch anything, before a write the rewriting leaves as written
        (unpacking, ``del``, a slice, several targets at once)."""
        return ast.copy_location(ast.Expr(self._call("unwatched")), node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self._base(node.value)
        quiet = id(node) in self._not_a_step
        node = self.generic_visit(node)  # type: ignore[assignment]
        if quiet or not self._active or not isinstance(node.ctx, ast.Load):
            return node
        call = self._call("getattr", node.value, ast.Constant(self._mangled(node.attr)))
        return ast.copy_location(call, node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self._base(node.value)
        quiet = id(node) in self._not_a_step
        text = _text_of(node.value)
        node = self.generic_visit(node)  # type: ignore[assignment]
        if (
            quiet
            or not self._active
            or not isinstance(node.ctx, ast.Load)
            or isinstance(node.slice, ast.Slice)
        ):
            return node
        call = self._call("getitem", node.value, node.slice, ast.Constant(text))
        return ast.copy_location(call, node)

    # -- writes

    def visit_Assign(self, node: ast.Assign) -> ast.AST | list[ast.stmt]:
        if len(node.targets) == 1:
            rewritten = self._store(node, node.targets[0], node.value)
            if rewritten is not None:
                return rewritten
        return self._as_written(node, node.targets)

    def _as_written(
        self, node: ast.Assign | ast.AnnAssign | ast.AugAssign, targets: list[ast.expr]
    ) -> ast.AST | list[ast.stmt]:
        """An assignment the rewriting leaves as written: after a step that may touch
        anything, unless it only binds locals (whose value it may still unpack)."""
        text = _text_of(node.value) if node.value is not None else ""
        if isinstance(node, ast.AnnAssign):  # its annotation is never rewritten
            node.value = self.visit(node.value) if node.value is not None else None
            node.target = self.visit(node.target)
        else:
            node = self.generic_visit(node)  # type: ignore[assignment]
        if not self._active:
            return node
        if all(self._local_target(t) for t in targets):
            unpacks = any(isinstance(t, ast.Tuple | ast.List) for t in targets)
            if unpacks and node.value is not None and not self._own(node.value):
                node.value = self._seen(node.value, text)  # unpacking reads its items
            return node
        return [self._unwatched(node), node]

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | list[ast.stmt]:
        # the annotation is never rewritten; inside a function CPython never evaluates it,
        # so a write that is a step may drop it
        if node.value is not None:
            rewritten = self._store(node, node.target, node.value)
            if rewritten is not None:
                return rewritten
            return self._as_written(node, [node.target])
        node.target = self.visit(node.target)
        return node

    def _store(self, node: ast.stmt, target: ast.expr, value: ast.expr) -> ast.stmt | None:
        """``target = value`` with its write a step, or None to leave it as it is."""
        if not self._active:
            return None
        if isinstance(target, ast.Name):
            kind = self._name_kind(target.id)
            if kind is None:
                return None
            new_value = self._call("put", self._key(target.id, kind), self.visit(value))
            assign = ast.Assign([ast.Name(target.id, ast.Store())], new_value)
            return ast.copy_location(assign, node)
        if isinstance(target, ast.Attribute):
            self._base(target.value)
            attribute = ast.Constant(self._mangled(target.attr))
            call = self._call("setattr", self.visit(value), self.visit(target.value), attribute)
            return ast.copy_location(ast.Expr(ast.copy_location(call, target)), node)
        if isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Slice):
            self._base(target.value)
            text = _text_of(target.value)
            call = self._call(
                "setitem",
                self.visit(value),
                self.visit(target.value),
                self.visit(target.slice),
                ast.Constant(text),
            )
            return ast.copy_location(ast.Expr(ast.copy_location(call, target)), node)
        return None

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST | list[ast.stmt]:
        target = node.target
        op = ast.Constant(_OPERATORS[type(node.op)])
        if not self._active or _suspends(node.value):
            # a yield or await between the read and the write: left as it is
            return self._as_written(node, [target])
        if isinstance(target, ast.Name):
            kind = self._name_kind(target.id)
            if kind is None:
                node.value = self._tested(node.value)  # ``total += items``: read its items
                return node
            key = self._key(target.id, kind)
            load = ast.copy_location(ast.Name(target.id, ast.Load()), target)
            read = self._read_name(load, kind)
            combined = self._call("iop", op, read, self.visit(node.value))
            assign = ast.Assign(
                [ast.Name(target.id, ast.Store())], self._call("put", key, combined)
            )
            return ast.copy_location(assign, node)
        # ``obj.name op= value`` as ``put_held(hold_attr(obj, NAME), OP, value)``: as in
        # CPython, the object (and key) once, the read, the value, then the write
        if isinstance(target, ast.Attribute):
            self._base(target.value)
            attribute = ast.Constant(self._mangled(target.attr))
            held = self._call("hold_attr", self.visit(target.value), attribute)
        elif isinstance(target, ast.Subscript) and not isinstance(target.slice, ast.Slice):
            self._base(target.value)
            text = _text_of(target.value)
            held = self._call(
                "hold_item",
                self.visit(target.value),
                self.visit(target.slice),
                ast.Constant(text),
            )
        else:
            return self._as_written(node, [target])
        ast.copy_location(held, target)
        done = self._call("put_held", held, op, self.visit(node.value))
        return ast.copy_location(ast.Expr(ast.copy_location(done, node)), node)


def _called(function: object) -> str:
    """A callable's name as a step's words say it (``list.append``, ``random``)."""
    receiver = getattr(function, "__self__", None)
    name = getattr(function, "__name__", None) or type(function).__name__
    if receiver is not None and not _is_module(receiver):
        return f"{type(receiver).__name__}.{name}"
    return str(getattr(function, "__qualname__", name))


def _suspends(node: ast.expr) -> bool:
    return any(isinstance(n, ast.Yield | ast.YieldFrom | ast.Await) for n in ast.walk(node))


def _text_of(node: ast.expr) -> str:
    """The source of a container, short, to name its items (``buf``, ``self.slots``)."""
    text = ast.unparse(node)
    return text if len(text) <= 24 else ""


# --------------------------------------------------------------- the run-time side

_STEPPED_CONTAINERS = (list, dict, bytearray, defaultdict, OrderedDict, Counter, deque)


MISSING = object()
"""A value that could not be seen without running the program's own code."""

_dull_types: dict[type, bool] = {}


def _module_of(kind: type) -> str:
    """The module ``kind`` was defined in, asked of ``type`` itself (a metaclass of the
    program's own never sees the question)."""
    try:
        return str(type.__getattribute__(kind, "__module__"))
    except AttributeError:
        return ""


_SYNCHRONIZATION_MODULES = ("threadlab.", "_thread", "threading", "queue", "concurrent.futures")
"""Where the types of locks, conditions, queues and futures come from (the engine's, or
CPython's own run for the program): reading one is no step, using it is."""


def _dull(value: object) -> bool:
    """Whether ``value`` is not worth a step: a function, class, module, or one of the
    engine's own objects (a lock, a queue, a thread)."""
    kind = type(value)
    known = _dull_types.get(kind)
    if known is None:
        known = issubclass(
            kind, ModuleType | type | FunctionType | BuiltinFunctionType | MethodType | partial
        ) or _module_of(kind).startswith(_SYNCHRONIZATION_MODULES)
        if len(_dull_types) > 10_000:
            _dull_types.clear()
        _dull_types[kind] = known
    return known


_SIMPLE = (type(None), bool, int, float, complex)
_TEXT_LIMIT = 40


def shown(value: object) -> int | str:
    """``value`` as the panel shows it: an int as it is, anything else as short text.
    Never runs the program's code (no ``repr`` of its objects), and the same value always
    gives the same text (no addresses)."""
    if type(value) is int:
        return value
    text = _text(value, 2)
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


def _text(value: object, depth: int) -> str:
    kind = type(value)
    if kind in _SIMPLE:
        return repr(value)
    if kind is str or kind is bytes:
        text = repr(value)
        return text if len(text) <= 24 else text[:20] + "…" + text[-1]
    if depth > 0 and kind in (list, tuple, set, frozenset, deque, dict):
        assert isinstance(value, list | tuple | set | frozenset | deque | dict)
        if isinstance(value, dict):
            items = [f"{_text(k, depth - 1)}: {_text(v, depth - 1)}" for k, v in value.items()]
        else:
            items = [_text(item, depth - 1) for item in value]
        if isinstance(value, set | frozenset):
            items.sort()
        more = ", …" if len(items) > 6 else ""
        inner = ", ".join(items[:6]) + more
        if kind is tuple:
            return f"({inner}{',' if len(items) == 1 else ''})"
        if kind is list:
            return f"[{inner}]"
        if kind is dict or (kind in (set, frozenset) and items):
            return "{" + inner + "}"
        return f"{kind.__name__}([{inner}])"
    return f"<{kind.__name__}>"


# ``isinstance(obj, ...)`` would ask the program's ``__getattribute__`` for ``__class__``
# when ``type(obj)`` is not the class: these ask the type, never the object


def _is_module(obj: object) -> bool:
    return issubclass(type(obj), ModuleType)


def _is_class(obj: object) -> bool:
    return issubclass(type(obj), type)


def _peek_attribute(obj: object, name: str) -> object:
    """``obj``'s own attribute ``name`` (in its ``__dict__``), without running any of the
    program's code; MISSING when it has none (a method, a property, a slot, a module's)."""
    if _is_module(obj):
        return MISSING
    try:
        own = object.__getattribute__(obj, "__dict__")
        return own.get(name, MISSING)
    except Exception:  # no __dict__, or one that is not a mapping
        return MISSING


def _data_descriptor(kind: type, name: str) -> bool:
    """Whether setting ``name`` on an instance of ``kind`` runs code (a property, a slot)."""
    for klass in kind.__mro__:
        found = klass.__dict__.get(name, MISSING)
        if found is not MISSING:
            return hasattr(type(found), "__set__")
    return False


def _attribute_label(obj: object, name: str) -> str:
    owner = type.__getattribute__(obj, "__name__") if _is_class(obj) else type(obj).__name__
    return f"{owner}.{name}"


_PLAIN_KEYS = (int, str, bytes, float, bool, type(None))


def _plain_key(key: object) -> bool:
    """Whether ``key`` can be hashed and compared without running the program's code (an
    object of its own may count its ``__hash__``, ``__eq__`` or ``__index__`` calls)."""
    kind = type(key)
    if kind is tuple:
        assert isinstance(key, tuple)
        return all(_plain_key(part) for part in key)
    return kind in _PLAIN_KEYS


def _item_key(container: object, key: object) -> object:
    """``key`` as the item's identity (``buf[-1]`` is ``buf[len - 1]``), or MISSING when the
    item cannot be told apart without running the program's code."""
    if not _plain_key(key):
        return MISSING
    if isinstance(container, list | deque | bytearray) and type(key) is int and key < 0:
        return key + len(container)
    return key


def _peek_item(container: object, key: object) -> object:
    if isinstance(container, dict):
        return dict.get(container, key, MISSING)
    try:
        return container[key]  # type: ignore[index]
    except (IndexError, TypeError):
        return MISSING


@dataclass(frozen=True, slots=True)
class Held:
    """An augmented assignment to an attribute or item whose read has been done: the
    value read, and the write that ends it (its object and key already evaluated)."""

    value: object
    write: Callable[[object], None]


class Races:
    """The run-time side of the rewritten code: one per run, reached by the builtin name
    ``HELPER``. Each method is called by a scenario thread in the middle of its step."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel
        self._variables: dict[object, ProgramVariable] = {}
        """The variables the panels show, by (kind, owner's identity, name) or a name's
        identity."""
        self._dropped: deque[object] = deque()
        """Keys of variables whose owner the program dropped (noted by the collector)."""
        self._effects = Effects(kernel.program_files)

    def _thread(self) -> SimThread | None:
        """The calling thread when its shared accesses are steps now: a thread of this run
        while another thread is alive."""
        try:
            kernel, thread = bound()
        except RuntimeError:
            return None
        if kernel is not self._kernel:
            return None
        if kernel.inside_engine(thread) or collecting():
            # the engine is running the program's code inside its own work (a queue
            # ordering its items by their ``__lt__``, a finalizer): no step can start there
            return None
        for other in kernel.threads:
            if other is not thread and not other.state.ended:
                return thread
        return None

    # -- names: globals and closure variables

    def step(self, key: tuple[str, str], value: object) -> bool:
        """Before reading a variable (``value`` is what it holds now): whether the read is
        a step; if it is, the turn has come when this returns."""
        if _dull(value):
            return False
        thread = self._thread()
        if thread is None:
            return False
        self._kernel.checkpoint(f"read {self._label(key[1], key[0])}", touches=key[1])
        return True

    def got(self, key: tuple[str, str], value: object) -> object:
        """The read after ``step``: record it, and return the value."""
        _kernel, thread = bound()
        self._record(thread, key[1], key[0], None, value, MISSING, write=False)
        return value

    def put(self, key: tuple[str, str], value: object) -> object:
        """Before writing ``value`` to a variable: the write is a step, recorded; returns
        the value to store."""
        if _dull(value):
            return value
        thread = self._thread()
        if thread is None:
            return value
        name, identity = key
        label = self._label(identity, name)
        self._kernel.checkpoint(f"write {label} = {shown(value)}", touches=identity)
        old = MISSING
        if identity.startswith("global:"):
            old = sys._getframe(1).f_globals.get(name, MISSING)
        self._record(thread, identity, name, None, value, old, write=True)
        return value

    # -- attributes

    def getattr(self, obj: object, name: str) -> object:
        peeked = _peek_attribute(obj, name)
        if peeked is MISSING and self._effects.computed_elsewhere(obj, name):
            # a library's property: its code runs in this step, unwatched
            found = bound_or_none()
            if found is not None and found[0] is self._kernel:
                found[1].unwatched = True
        if peeked is MISSING or _dull(peeked):
            return getattr(obj, name)
        thread = self._thread()
        if thread is None:
            return getattr(obj, name)
        key = ("attribute", id(obj), name)
        label = self._label(key, _attribute_label(obj, name), obj)
        # by attribute name only: the same object's id may differ from run to run
        self._kernel.checkpoint(f"read {label}", touches=f"attribute .{name}")
        value = getattr(obj, name)
        self._record(thread, key, _attribute_label(obj, name), obj, value, MISSING, write=False)
        return value

    def setattr(self, value: object, obj: object, name: str) -> None:
        if _dull(value) or _is_module(obj) or _data_descriptor(type(obj), name):
            setattr(obj, name, value)
            return
        thread = self._thread()
        if thread is None:
            setattr(obj, name, value)
            return
        key = ("attribute", id(obj), name)
        label = _attribute_label(obj, name)
        shown_label = self._label(key, label, obj)
        self._kernel.checkpoint(
            f"write {shown_label} = {shown(value)}", touches=f"attribute .{name}"
        )
        old = _peek_attribute(obj, name)
        setattr(obj, name, value)
        self._record(thread, key, label, obj, value, old, write=True)

    def hold_attr(self, obj: object, name: str) -> Held:
        """The read half of ``obj.name += ...``; ``put_held`` does the write."""
        return Held(self.getattr(obj, name), partial(self.setattr, obj=obj, name=name))

    # -- items of lists and dicts

    def getitem(self, container: Any, key: object, text: str) -> object:
        identity = _item_key(container, key)
        if type(container) not in _STEPPED_CONTAINERS or identity is MISSING:
            return container[key]
        peeked = _peek_item(container, key)
        if peeked is not MISSING and _dull(peeked):
            return container[key]
        thread = self._thread()
        if thread is None:
            return container[key]
        variable_key = ("item", id(container), identity)
        label = self._item_label(container, identity, text)
        shown_label = self._label(variable_key, label, container)
        self._kernel.checkpoint(f"read {shown_label}", touches=_ITEMS)
        value = container[key]
        self._record(thread, variable_key, label, container, value, MISSING, write=False)
        return value

    def setitem(self, value: object, container: Any, key: object, text: str) -> None:
        identity = _item_key(container, key)
        if type(container) not in _STEPPED_CONTAINERS or identity is MISSING or _dull(value):
            container[key] = value
            return
        thread = self._thread()
        if thread is None:
            container[key] = value
            return
        variable_key = ("item", id(container), identity)
        label = self._item_label(container, identity, text)
        shown_label = self._label(variable_key, label, container)
        self._kernel.checkpoint(f"write {shown_label} = {shown(value)}", touches=_ITEMS)
        old = _peek_item(container, key)
        container[key] = value
        self._record(thread, variable_key, label, container, value, old, write=True)

    def hold_item(self, container: Any, key: object, text: str) -> Held:
        """The read half of ``container[key] += ...``; ``put_held`` does the write."""
        write = partial(self.setitem, container=container, key=key, text=text)
        return Held(self.getitem(container, key, text), write)

    # -- what no variable names: calls, tests, iterations (``program.effects``)

    def callee(self, function: Any) -> Any:
        """What the program calls, about to be called: a call into code outside its files
        is a step of its own first, on what it touches (``program.effects``). A builtin's
        (``len``, ``list.append``) depends on its arguments: it comes back wrapped, to
        take its step once they are known (builtins never look at their caller's frame);
        a library's Python function takes its step now, and is called as it is."""
        effect = self._effects.of_callee(function)
        if effect is NO_STEP:
            return function
        if effect is BY_ARGUMENTS:
            return partial(self._builtin_call, function)
        if self._thread() is not None:
            self._kernel.checkpoint(f"call {_called(function)}", touches=effect)
        return function

    def _builtin_call(self, function: Any, /, *args: Any, **kwargs: Any) -> Any:
        effect = self._effects.of_call(function, args, kwargs)
        if effect is not NO_STEP and self._thread() is not None:
            self._kernel.checkpoint(f"call {_called(function)}", touches=effect)
        return function(*args, **kwargs)

    def seen(self, value: object, text: str) -> object:
        """``value``, about to be tested, compared, unpacked or operated on: a step of its
        own first when that touches something shared (a container's items)."""
        effect = self._effects.of_value(value)
        if effect is not NO_STEP and self._thread() is not None:
            what = text or f"a {type(value).__name__}"
            words = f"read the items of {what}" if effect == _ITEMS else f"use {what}"
            self._kernel.checkpoint(words, touches=effect)
        return value

    def iterate(self, iterable: Any, text: str) -> Any:
        """What a loop iterates: taking each item is a step of its own when it touches
        something shared (a list's items)."""
        effect = self._effects.of_value(iterable)
        if effect is NO_STEP:
            return iterable
        return self._stepped(iter(iterable), effect, text or f"a {type(iterable).__name__}")

    def _stepped(self, iterator: Any, effect: str | None, text: str) -> Iterator[Any]:
        while True:
            if self._thread() is not None:
                self._kernel.checkpoint(f"next item of {text}", touches=effect)
            try:
                item = next(iterator)
            except StopIteration:
                return
            yield item

    def unwatched(self) -> None:
        """Before a write the rewriting leaves as written (unpacking, ``del``, a slice):
        a step that may touch anything."""
        if self._thread() is not None:
            self._kernel.checkpoint("write (unpacked, deleted or sliced)", touches=None)

    # -- augmented assignments

    @staticmethod
    def iop(name: str, left: object, right: object) -> object:
        """``left op= right``'s operation (in place when ``left`` can be changed in place)."""
        return _IN_PLACE[name](left, right)

    @staticmethod
    def put_held(held: Held, operation: str, right: object) -> None:
        """The write half of an augmented assignment to an attribute or an item: the
        operation on what was read, written back."""
        held.write(_IN_PLACE[operation](held.value, right))

    # -- the record

    def _variable(self, key: object, owner: object) -> ProgramVariable | None:
        """The variable shown for ``key``, if it is ``owner``'s (an owner that died may
        have left its identity to another object)."""
        variable = self._variables.get(key)
        return variable if variable is not None and variable.belongs_to(owner) else None

    def _label(self, key: object, label: str, owner: object = None) -> str:
        variable = self._variable(key, owner)
        return label if variable is None else variable.name

    @staticmethod
    def _item_label(container: object, key: object, text: str) -> str:
        return f"{text or type(container).__name__}[{_text(key, 1)}]"

    def _record(
        self,
        thread: SimThread,
        key: object,
        label: str,
        owner: object,
        value: object,
        old: object,
        *,
        write: bool,
    ) -> None:
        kernel = self._kernel
        with kernel.lock:
            variables, dropped = self._variables, self._dropped
            while dropped:
                gone = dropped.popleft()
                if gone in variables and variables[gone].owner_dropped:
                    del variables[gone]
            variable = self._variable(key, owner)
            if variable is None and len(variables) < MAX_VARIABLES:
                variable = ProgramVariable(
                    kernel, kernel.unique_name(label), owner, lambda _ref: dropped.append(key)
                )
                kernel.register(variable, lives_with=owner)
                variables[key] = variable
            name = label if variable is None else variable.name
            value_shown = shown(value)
            if not write:
                if variable is not None:
                    variable.read(thread.name, value_shown)
                kernel.emit(thread, EventKind.READ, name, f"= {value_shown}")
                return
            old_shown = None if old is MISSING else shown(old)
            before = old_shown if old_shown is not None or variable is None else variable.value
            if variable is not None:
                variable.write(thread.name, value_shown, old_shown)
            was = "" if before is None else f" (was {before})"
            kernel.emit(thread, EventKind.WRITE, name, f"= {value_shown}{was}")
