"""Scenario metadata and run configuration: parameters, variants, and their validation.

A scenario module declares a ``Scenario``; ``resolve_config`` turns what a user typed
(names and ``k=v`` strings) into a checked ``RunConfig`` or raises ``ConfigError`` with one
line that says what is wrong and what is valid.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.oneline import quote, shorten
from ..program.loader import read_source
from .challenge import BREAK_IT, Challenge

if TYPE_CHECKING:
    from ..program.loader import ProgramState


class ConfigError(ValueError):
    """Bad user input: the message is one line naming what is wrong and what is valid."""


# ``int()`` also takes "٣" (any Unicode digit), "5_000", "+5" and " 5 ": a number a user
# types is ASCII digits with an optional minus sign, nothing else. ``[0-9]``, not ``\d``,
# which matches every Unicode digit.
_PLAIN_INTEGER = re.compile(r"-?[0-9]+")
_MAX_DIGITS = 40  # more than any range here needs; int() of thousands of digits is slow


def parse_whole(raw: str, label: str, minimum: int, maximum: int) -> int:
    """``raw`` as a plain whole number in ``minimum..maximum``.

    ``label`` starts the message, e.g. ``"seed "`` or ``"parameter threads="``.

    Raises:
        ConfigError: not ASCII digits (with an optional minus sign), or out of range.
    """
    valid = f"valid: {minimum}..{maximum}"
    if not _PLAIN_INTEGER.fullmatch(raw):
        message = f"{label}{quote(raw)} is not a whole number ({valid})"
        raise ConfigError(message + _looks_like_a_number(raw))
    if len(raw.lstrip("-")) > _MAX_DIGITS or not minimum <= int(raw) <= maximum:
        raise ConfigError(f"{label}{shorten(raw)} is out of range ({valid})")
    return int(raw)


def _looks_like_a_number(raw: str) -> str:
    """A hint when Python would read ``raw`` as a number but threadlab does not."""
    if len(raw) > _MAX_DIGITS:
        return ""
    try:
        int(raw)
    except ValueError:
        return ""
    return "; write it in plain digits 0-9 only"


@dataclass(frozen=True)
class Param:
    """An integer parameter with a default and inclusive bounds."""

    name: str
    default: int
    minimum: int
    maximum: int
    help: str

    def parse(self, raw: str) -> int:
        """``raw`` as this parameter's value; ConfigError when not a plain number in range."""
        return parse_whole(raw, f"parameter {self.name}=", self.minimum, self.maximum)


@dataclass(frozen=True)
class Variant:
    name: str
    help: str
    waits_for_user: bool | None = None
    """Overrides the scenario's ``waits_for_user`` for this variant (None: as the scenario):
    a variant whose own threads are meant to wake the waiters is judged, not left idle."""
    challenge: Challenge = BREAK_IT
    """What the learner is challenged to do with it: make a buggy variant's bug happen
    (its goal and win condition), or, for a fixed one, try to break it."""


@dataclass(frozen=True)
class Check:
    """An invariant of a program scenario, checked after every step."""

    text: str
    """The invariant in words: 'never more than capacity items in the buffer'."""
    test: Callable[[ProgramState], str | None]
    """None while it holds, else what is wrong (naming the threads involved). It reads
    the program's real state, or what the engine tracks (lock owners, threads' places)."""


@dataclass(frozen=True)
class Watch:
    """A piece of a program's own state, shown beside the run."""

    name: str
    read: Callable[[ProgramState], object]


@dataclass(frozen=True)
class UserPost:
    """What the user's post (the e key) puts into a program's queue: the program's global
    ``item`` (a handler, say), put into its queue named ``queue`` (named from the source:
    ``events = queue.Queue()`` is ``events``) as if by another thread."""

    queue: str
    item: str


@dataclass(frozen=True)
class HandlerLoop:
    """A thread-based event loop: the program's thread ``thread`` (named with ``name=``)
    takes handlers one at a time from its queue ``queue`` (named from the source) and runs
    each to its end. While a handler has run longer than ``HANDLER_BLOCKED_SECONDS`` with an
    event waiting in the queue, the run pauses with a LOOP BLOCKED verdict."""

    thread: str
    queue: str


def entry_params(path: str, entry: str, *bounds: tuple[str, int, int, str]) -> tuple[Param, ...]:
    """Parameters that are the keyword arguments of the program's ``entry`` function,
    with the defaults its ``def`` line gives them (declared once, in the program).

    Args:
        path: the program's file.
        entry: the function's name.
        bounds: (name, minimum, maximum, help) for each parameter.

    Raises:
        ValueError: the function is missing, or a parameter has no whole-number default.
    """
    tree = ast.parse(read_source(path), path)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == entry]
    if not functions:
        raise ValueError(f"{path} has no function {entry}()")
    arguments = functions[0].args
    positional = arguments.args[len(arguments.args) - len(arguments.defaults) :]
    defaults: dict[str, object] = {
        a.arg: ast.literal_eval(d) for a, d in zip(positional, arguments.defaults, strict=True)
    }
    for argument, given in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        if given is not None:
            defaults[argument.arg] = ast.literal_eval(given)
    params: list[Param] = []
    for name, minimum, maximum, help_text in bounds:
        default = defaults.get(name)
        if not isinstance(default, int) or isinstance(default, bool):
            raise ValueError(f"{entry}() in {path} gives {name} no whole-number default")
        params.append(Param(name, default, minimum, maximum, help_text))
    return tuple(params)


@dataclass(frozen=True)
class Scenario:
    """What a scenario module declares about itself."""

    name: str
    title: str
    summary: str
    """One line for the picker and ``threadlab list``."""
    explanation: str
    """A short paragraph for a learner."""
    program: str
    """The plain Python file that is the lesson's code."""
    params: tuple[Param, ...] = ()
    variants: tuple[Variant, ...] = (Variant("default", "the only variant"),)
    waits_for_user: bool = False
    """True when threads are meant to wait until the user acts: nothing runnable while a
    thread waits where the user can wake it is then an idle run, not a deadlock."""
    idle_hint: str = "every thread is waiting for you"
    """What the app says while the run is idle, waiting for the user."""
    invariants: tuple[str, ...] = field(default=())
    """The invariants in words, for help and listings (by default its checks' words)."""
    entry: str | None = "main"
    """The program's function to call with the parameters (and ``variant=``, if it takes
    one) after its module code has run; None runs the file as ``__main__``."""
    checks: tuple[Check, ...] = ()
    """A program scenario's invariants."""
    watches: tuple[Watch, ...] = ()
    """A program scenario's watched values."""
    user_post: UserPost | None = None
    """What the user may post into one of the program's queues, if anything."""
    handler_loops: tuple[HandlerLoop, ...] = ()
    """The program's threads that are event loops over a queue of handlers."""
    package: str | None = None
    """A program run as a module of this package (``threadlab run -m pkg.mod``): its
    relative imports work, and every module under the package's root is its own."""
    races: bool = False
    """A program scenario: whether its shared reads and writes (globals, closure
    variables, attributes, items, the two halves of ``x += 1``) are steps, so data races
    are reachable (``engine.races``). On for a user's own program, off for the shipped
    lessons, whose steps stay those of their primitives."""
    catalogue: Callable[[str], Scenario] | None = field(default=None, compare=False, repr=False)
    """A shipped lesson: the function that finds it by name. Another process (the one a
    program runs in) is sent its name, not the scenario: its checks are lambdas."""

    def __reduce_ex__(self, protocol: object) -> str | tuple[object, ...]:
        if self.catalogue is not None:
            return self.catalogue, (self.name,)
        return super().__reduce_ex__(protocol)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if self.checks and not self.invariants:
            object.__setattr__(self, "invariants", tuple(c.text for c in self.checks))

    def waits_for_user_in(self, variant: str) -> bool:
        """Whether threads of ``variant`` are meant to wait until the user acts."""
        for declared in self.variants:
            if declared.name == variant and declared.waits_for_user is not None:
                return declared.waits_for_user
        return self.waits_for_user

    @property
    def default_variant(self) -> str:
        return self.variants[0].name

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        valid = ", ".join(p.name for p in self.params) or "none"
        raise ConfigError(f"unknown parameter {quote(name)} for {self.name} (valid: {valid})")

    def describe(self) -> dict[str, object]:
        """A JSON-ready description, as ``threadlab list --json`` prints it."""
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "variants": [{"name": v.name, "help": v.help} for v in self.variants],
            "default_variant": self.default_variant,
            "params": [
                {
                    "name": p.name,
                    "default": p.default,
                    "min": p.minimum,
                    "max": p.maximum,
                    "help": p.help,
                }
                for p in self.params
            ],
            "invariants": list(self.invariants),
        }


MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class RunConfig:
    """Everything that, with the user's actions, determines a run."""

    scenario: Scenario
    variant: str
    params: tuple[tuple[str, int], ...]
    seed: int = 0
    argv: tuple[str, ...] = ()
    """The arguments a program of the user's own is given (its ``sys.argv[1:]``)."""

    @property
    def param_values(self) -> dict[str, int]:
        return dict(self.params)


def resolve_config(
    scenario: Scenario,
    variant: str | None = None,
    params: Mapping[str, str | int] | None = None,
    seed: int | str = 0,
    argv: tuple[str, ...] = (),
) -> RunConfig:
    """Check user input against the scenario and fill in defaults.

    Raises:
        ConfigError: one line naming the bad value and what is valid.
    """
    names = [v.name for v in scenario.variants]
    chosen = scenario.default_variant if variant is None else variant
    if chosen not in names:
        raise ConfigError(
            f"unknown variant {quote(chosen)} for {scenario.name} (valid: {', '.join(names)})"
        )
    values = {p.name: p.default for p in scenario.params}
    for name, raw in (params or {}).items():
        param = scenario.param(name)
        values[name] = param.parse(str(raw))
    # A seed from a run file is already an int; one typed by the user is parsed strictly.
    raw_seed = str(seed) if isinstance(seed, int) and not isinstance(seed, bool) else seed
    if not isinstance(raw_seed, str):
        raise ConfigError(f"seed {quote(seed)} is not a whole number (valid: 0..{MAX_SEED})")
    seed_value = parse_whole(raw_seed, "seed ", 0, MAX_SEED)
    ordered = tuple((p.name, values[p.name]) for p in scenario.params)
    if argv and scenario.entry is not None:
        raise ConfigError(
            f"{scenario.name} takes no arguments after -- (only a program file of your own does)"
        )
    return RunConfig(scenario, chosen, ordered, seed_value, tuple(argv))
