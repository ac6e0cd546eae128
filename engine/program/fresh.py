"""Containers a function makes for itself and never lets go: their items are its own.

``threads = [Thread(...) for _ in range(3)]`` then ``for t in threads: t.start()``: the
list is made here and only iterated, indexed, tested, measured and changed through its own
methods here. No other thread can reach it, so iterating it, testing it or appending to it
touches nothing shared, and is no step (``program.races``). A container that is passed to
a call, returned, yielded, stored anywhere, captured by a nested function or used in a
generator expression (which may be consumed elsewhere) may be shared, as may any name bound
more than once or otherwise.
"""

from __future__ import annotations

import ast

_MAKERS = frozenset({"list", "dict", "set", "deque", "defaultdict", "OrderedDict", "Counter"})
"""Calls that make a new container (whatever they copy it from)."""

MEASURES = frozenset({"len", "bool", "sorted", "sum", "min", "max", "any", "all"})
"""Builtins that read a container's items and keep nothing of the container itself."""

_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _makes_container(value: ast.expr) -> bool:
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp):
        return True
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in _MAKERS
    )


def fresh_locals(function: ast.AST, captured: set[str]) -> frozenset[str]:
    """The names of ``function`` (a def or lambda) that only ever hold a container it made
    itself and never lets go (``captured``: its locals that nested functions use)."""
    parents: dict[int, ast.AST] = {}
    candidates: dict[str, int] = {}
    """Names bound by ``name = <a new container>``, with how many times."""
    other_bindings: set[str] = set()
    loads: list[ast.Name] = []
    todo: list[ast.AST] = [function]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (*_NESTED, ast.arguments)):
                for inner in ast.walk(child):  # a nested scope: a name used there escapes
                    if isinstance(inner, ast.Name):
                        other_bindings.add(inner.id)
                continue
            parents[id(child)] = node
            todo.append(child)
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads.append(node)
            else:
                parent = parents.get(id(node))
                simple = (
                    isinstance(parent, ast.Assign)
                    and len(parent.targets) == 1
                    and parent.targets[0] is node
                    and _makes_container(parent.value)
                )
                if simple:
                    candidates[node.id] = candidates.get(node.id, 0) + 1
                elif not (isinstance(parent, ast.AugAssign) and parent.target is node):
                    other_bindings.add(node.id)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            other_bindings.update(node.names)
    fresh = {
        name
        for name, times in candidates.items()
        if times == 1 and name not in other_bindings and name not in captured
    }
    for load in loads:
        if load.id in fresh and not _kept(load, parents):
            fresh.discard(load.id)
    return frozenset(fresh)


def _kept(name: ast.Name, parents: dict[int, ast.AST]) -> bool:
    """Whether this use of a container leaves it where it is."""
    parent = parents.get(id(name))
    match parent:
        case ast.For(iter=it) | ast.comprehension(iter=it) if it is name:
            return not _in_generator(parent, parents)
        case ast.Subscript(value=value) if value is name:
            return True
        case ast.Attribute(value=value) if value is name:
            call = parents.get(id(parent))
            return isinstance(call, ast.Call) and call.func is parent  # its own method
        case ast.Call(func=ast.Name(id=measure), args=args) if measure in MEASURES:
            return name in args
        case ast.Compare(comparators=comparators) if name in comparators:
            return True
        case ast.If(test=test) | ast.While(test=test) | ast.IfExp(test=test) if test is name:
            return True
        case ast.UnaryOp(op=ast.Not()):
            return True
        case ast.AugAssign(target=target) if target is name:
            return True
    return False


def _in_generator(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    """Whether ``node`` is part of a generator expression (consumed who knows where)."""
    current: ast.AST | None = node
    while current is not None:
        if isinstance(current, ast.GeneratorExp):
            return True
        current = parents.get(id(current))
    return False
