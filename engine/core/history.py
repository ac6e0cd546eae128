"""The history of a run: every scheduling choice and user action, enough to re-execute it.

Steps are one machine word each (the chosen thread's number, with the top bit set when the
user chose it rather than the policy), so even a long run's history is small and a run may
start as many threads as CPython lets it. User actions are
kept with the step they followed. Re-executing a history from step 0 reproduces the run
exactly, which is what rewind, replay and run files rest on.

Beside each step it keeps which threads could run just before it (the *enabled* set), so a
re-execution that goes the same way but with other threads able to run says so at that
step. A run has few distinct enabled sets: each step keeps the number of its set in a table.
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
    enabled: array[int] = field(default_factory=lambda: array("I"))
    """For each of the first steps (all of them, unless the history comes from a run file
    that did not record them): the number of the set of threads that could run just
    before it, in ``enabled_sets``."""
    enabled_sets: list[int] = field(default_factory=list)
    """The distinct enabled sets, each a bit mask of thread numbers (bit n: thread n)."""
    _set_numbers: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    """Each set's number in ``enabled_sets``, for the first ``_indexed`` of them."""
    _indexed: int = field(default=0, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.steps)

    def record_step(self, thread_index: int, by_user: bool, enabled: int | None = None) -> None:
        """Record a step; ``enabled`` is the bit mask of the threads that could run just
        before it (kept only while every earlier step's is known)."""
        if enabled is not None and len(self.enabled) == len(self.steps):
            self.enabled.append(self._set_number(enabled))
        self.steps.append(thread_index | (USER_CHOSEN if by_user else 0))

    def _set_number(self, mask: int) -> int:
        sets = self.enabled_sets
        while self._indexed < len(sets):  # sets copied, or read from a file
            self._set_numbers.setdefault(sets[self._indexed], self._indexed)
            self._indexed += 1
        number = self._set_numbers.get(mask)
        if number is None:
            number = self._set_numbers[mask] = len(sets)
            sets.append(mask)
            self._indexed += 1
        return number

    def enabled_before(self, step: int) -> int | None:
        """The bit mask of the threads that could run just before step ``step`` (1-based),
        or None when it was not recorded."""
        if not 0 < step <= len(self.enabled):
            return None
        return self.enabled_sets[self.enabled[step - 1]]

    def record_action(self, step: int, action: UserAction) -> None:
        self.actions.append((step, action))

    def truncate(self, step: int, actions_applied: int) -> None:
        """Forget everything after ``step`` and after the first ``actions_applied`` actions:
        the user took a new path from there."""
        del self.steps[step:]
        del self.enabled[step:]
        del self.actions[actions_applied:]

    @staticmethod
    def decode(entry: int) -> tuple[int, bool]:
        """(thread number, chosen by the user) of one recorded step."""
        return entry & MAX_THREADS, bool(entry & USER_CHOSEN)

    def copy(self) -> History:
        return History(
            array("L", self.steps),
            list(self.actions),
            array("I", self.enabled),
            list(self.enabled_sets),
        )

    def to_json(self) -> dict[str, object]:
        document: dict[str, object] = {
            # thread number, negative when the user chose it
            "steps": [n if not user else -n for n, user in map(self.decode, self.steps)],
            "actions": [[step, *action_to_json(action)] for step, action in self.actions],
        }
        if self.steps and len(self.enabled) == len(self.steps):
            document["enabled"] = {
                # each set as its thread numbers; each step as the index of its set
                "sets": [thread_numbers(mask) for mask in self.enabled_sets],
                "steps": list(self.enabled),
            }
        return document

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
        enabled = data.get("enabled")
        if enabled is not None:
            history._enabled_from_json(enabled)
        return history

    def _enabled_from_json(self, data: object) -> None:
        """Read the enabled sets of a run file (files before them have none)."""
        sets = data.get("sets") if isinstance(data, dict) else None
        steps = data.get("steps") if isinstance(data, dict) else None
        if not isinstance(sets, list) or not isinstance(steps, list):
            raise ValueError("the schedule's 'enabled' needs 'sets' and 'steps' lists")
        for entry in sets:
            if not isinstance(entry, list) or not all(
                isinstance(n, int) and not isinstance(n, bool) and 0 < n <= MAX_THREADS
                for n in entry
            ):
                raise ValueError(f"enabled set {entry!r} is not a list of thread numbers")
            self.enabled_sets.append(sum(1 << n for n in set(entry)))  # a repeated set: fine
        if len(steps) != len(self.steps):
            raise ValueError(
                f"the schedule has {len(self.steps)} steps but enabled sets for {len(steps)}"
            )
        for entry in steps:
            if not isinstance(entry, int) or isinstance(entry, bool):
                raise ValueError(f"enabled entry {entry!r} is not the number of a set")
            if not 0 <= entry < len(sets):
                raise ValueError(f"enabled entry {entry} names no set (0..{len(sets) - 1})")
            self.enabled.append(entry)


def thread_numbers(mask: int) -> list[int]:
    """The thread numbers of an enabled set's bit mask, in order."""
    return [n for n in range(mask.bit_length()) if mask >> n & 1]
