"""User actions on a run: signal, broadcast, spurious wakeup, post an event.

An action is carried out between two steps, under the engine lock, on the primitive it
names; one that does not apply now is refused with a message that says what is valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadlab.engine.errors import ControlRefused
from threadlab.engine.model import ActionKind, PrimitiveKind, UserAction

if TYPE_CHECKING:
    from threadlab.engine.kernel import Kernel
    from threadlab.engine.primitives.base import Primitive
    from threadlab.engine.primitives.condition import Condition
    from threadlab.engine.primitives.event_queue import EventQueue


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
        event_queue(kernel, action.target).user_post()
    else:  # pragma: no cover - the enum has no other member
        raise ControlRefused(f"unknown action {action.kind!r}")


def names_of(kernel: Kernel, kind: PrimitiveKind) -> tuple[str, ...]:
    """The run's primitives of one kind, in order."""
    return tuple(p.name for p in kernel.primitives if p.kind == kind)


def condition(kernel: Kernel, name: str) -> Condition:
    return _named(kernel, name, PrimitiveKind.CONDITION, "condition")  # type: ignore[return-value]


def event_queue(kernel: Kernel, name: str) -> EventQueue:
    return _named(kernel, name, PrimitiveKind.EVENTS, "event queue")  # type: ignore[return-value]


def _named(kernel: Kernel, name: str, kind: PrimitiveKind, what: str) -> Primitive:
    primitive = kernel.primitive_named(name)
    if primitive is None or primitive.kind != kind:
        valid = ", ".join(names_of(kernel, kind)) or "none in this scenario"
        raise ControlRefused(f"no {what} named {name!r} (valid: {valid})")
    return primitive
