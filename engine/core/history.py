"""The history of a run: every scheduling choice and user action, enough to re-execute it.

Steps are one machine word each (the chosen thread's number, with the top bit set when the
user chose it rather than the policy), so even a long run's history is small and a run may
start as many threads as CPython lets it. User actions are
kept with the step they followed. Re-executing a history from step 0 reproduces the run
exactly, which is what rewind, replay and run files rest on.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from ..snapshot.model import ActionKind, UserAction

USER_CHOSEN = 1 << 31
MAX_THREADS = USER_CHOSEN - 1
"""The most threads a run can start: more than any machine gives CPython."""

ACTION_ARITY = {
    ActionKind.SIGNAL: 2,
    ActionKind.BROADCAST: 2,
    ActionKind.SPURIOUS: 3,
    ActionKind.POST: 2,
}
"""How many strings each action has in a run file: its kind, its target, and the waiter
of a spurious wakeup ('' for the first)."""


def action_to_json(action: UserAction) -> list[str]:
    """``[kind, target]``, or ``[kind, condition, waiter]`` for a spurious wakeup."""
    if action.kind is ActionKind.SPURIOUS:
        return [action.kind.value, action.target, action.thread]
    return [action.kind.value, action.target]


def action_from_json(parts: list[str]) -> UserAction:
    kind = ActionKind(parts[0])
    return UserAction(kind, parts[1], parts[2] if kind is ActionKind.SPURIOUS else "")


@dataclass
class History:
    steps: array[int] = field(default_factory=lambda: array("L"))
    actions: list[tuple[int, UserAction]] = field(default_factory=list)
    """(step it followed, action), in the order they happened."""

    def __len__(self) -> int:
        return len(self.steps)

    def record_step(self, thread_index: int, by_user: bool) -> None:
        self.steps.append(thread_index | (USER_CHOSEN if by_user else 0))

    def record_action(self, step: int, action: UserAction) -> None:
        self.actions.append((step, action))

    def truncate(self, step: int, actions_applied: int) -> None:
        """Forget everything after ``step`` and after the first ``actions_applied`` actions:
        the user took a new path from there."""
        del self.steps[step:]
        del self.actions[actions_applied:]

    @staticmethod
    def decode(entry: int) -> tuple[int, bool]:
        """(thread number, chosen by the user) of one recorded step."""
        return entry & MAX_THREADS, bool(entry & USER_CHOSEN)

    def copy(self) -> History:
        return History(array("L", self.steps), list(self.actions))

    def to_json(self) -> dict[str, object]:
        return {
            # thread number, negative when the user chose it
            "steps": [n if not user else -n for n, user in map(self.decode, self.steps)],
            "actions": [[step, *action_to_json(action)] for step, action in self.actions],
        }

    @classmethod
    def from_json(cls, data: object) -> History:
        """Raises ValueError with a short reason when ``data`` is not a valid schedule."""
        if not isinstance(data, dict):
            raise ValueError("the schedule is not an object")
        steps, actions = data.get("steps"), data.get("actions")
        if not isinstance(steps, list) or not isinstance(actions, list):
            raise ValueError("the schedule needs 'steps' and 'actions' lists")
        history = cls()
        for entry in steps:
            if not isinstance(entry, int) or isinstance(entry, bool) or not entry:
                raise ValueError(f"step entry {entry!r} is not a thread number")
            if abs(entry) > MAX_THREADS:
                raise ValueError(f"step entry {entry} is out of range")
            history.record_step(abs(entry), entry < 0)
        last = 0
        for item in actions:
            if (
                not isinstance(item, list)
                or len(item) < 2
                or not isinstance(item[0], int)
                or isinstance(item[0], bool)
                or item[1] not in ACTION_ARITY
                or len(item) - 1 != ACTION_ARITY[item[1]]
                or not all(isinstance(part, str) for part in item[1:])
            ):
                raise ValueError(f"action {item!r} is not a valid user action")
            if not last <= item[0] <= len(history.steps):
                raise ValueError(f"action {item!r} is out of order")
            last = item[0]
            history.record_action(item[0], action_from_json(item[1:]))
        return history
