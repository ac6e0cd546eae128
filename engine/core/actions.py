"""User actions on a run: signal, broadcast, spurious wakeup, post an event.

An action is carried out between two steps, under the engine lock, on the primitive it
names; one that does not apply now is refused with a message that says what is valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ..snapshot.model import ActionKind, PrimitiveKind, UserAction
from .errors import ControlRefused

if TYPE_CHECKING:
    from ..primitives.base import Primitive
    from ..stdlib.shown import ConditionShown as Condition
    from ..stdlib.shown import QueueShown
    from .kernel import Kernel


def apply_action(kernel: Kernel, action: UserAction) -> None:
    """Carry out ``action`` (lock held, between steps).

    Raises:
        ControlRefused: it names no such primitive, or does not apply now.
    """
    if action.kind is ActionKind.SIGNAL:
        condition(kernel, action.target).user_signal()
    elif action.kind is ActionKind.BROADCAST:
        condition(kernel, action.target).user_broadcast()
    elif action.kind is ActionKind.SPURIOUS:
        condition(kernel, action.target).user_spurious(action.thread or None)
    elif action.kind is ActionKind.POST:
        post(kernel, action.target)
    else:  # pragma: no cover - the enum has no other member
        raise ControlRefused(f"unknown action {action.kind!r}")


def names_of(kernel: Kernel, kind: PrimitiveKind) -> tuple[str, ...]:
    """The run's primitives of one kind, in order."""
    return tuple(p.name for p in kernel.primitives if p.kind == kind)


def postable(kernel: Kernel) -> tuple[str, ...]:
    """The queues the user can post into now: the program's queues its scenario lets the
    user post into (once the program has made them)."""
    return tuple(
        p.name
        for p in kernel.primitives
        if p.kind == PrimitiveKind.QUEUE and p.name in kernel.user_posts
    )


def post(kernel: Kernel, name: str) -> None:
    """The user posts into the queue ``name`` what the scenario says the user puts into
    the program's queue."""
    primitive = kernel.primitive_named(name)
    if primitive is None or name not in postable(kernel):
        valid = ", ".join(postable(kernel)) or "none in this run now"
        raise ControlRefused(f"no event queue named {name!r} (valid: {valid})")
    try:
        item = kernel.user_posts[name]()
    except AttributeError as missing:
        raise ControlRefused(f"the program has no {missing} to post yet") from None
    cast("QueueShown", primitive).user_put(item)


def condition(kernel: Kernel, name: str) -> Condition:
    return _named(kernel, name, PrimitiveKind.CONDITION, "condition")  # type: ignore[return-value]


def _named(kernel: Kernel, name: str, kind: PrimitiveKind, what: str) -> Primitive:
    primitive = kernel.primitive_named(name)
    if primitive is None or primitive.kind != kind:
        valid = ", ".join(names_of(kernel, kind)) or "none in this scenario"
        raise ControlRefused(f"no {what} named {name!r} (valid: {valid})")
    return primitive
