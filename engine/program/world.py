"""A world that replays: the program's randomness drawn from its run's seed.

A run re-executed with the same seed and the same schedule must make the same values, or a
rewind and a replay go another way. Inside a run, the program's ``random``, ``os``,
``uuid`` and ``secrets`` are modules of the run's own (made here, handed to it by the
loader's import), whose every attribute is the real module's except those that draw from
the operating system's entropy:

- ``random``'s module-level functions are bound to a generator seeded from the run's seed;
  ``random.Random()`` and ``random.seed()`` without a seed take the next seed of the run
  (the n-th one drawn in a run is the same in every execution of it); ``SystemRandom`` is a
  generator seeded the same way. An explicit seed (``random.seed(42)``, ``Random(7)``)
  behaves exactly as in CPython.
- ``os.urandom`` (and ``os.getrandom``), ``uuid.uuid4`` and ``secrets`` (its tokens,
  ``choice``, ``randbelow``, ``randbits`` and ``SystemRandom``) draw their bytes from the
  run's entropy stream.

Everything else, and every module outside the program (the app, the standard library's own
imports), keeps the real ones.

The other half of a world that replays, the string-hash seed, is fixed when the
interpreter starts (``PYTHONHASHSEED``): ``process_hash_seed`` says which one this process
runs under, when it is known.
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import signal
import sys
import types
import uuid
from collections.abc import Callable
from functools import cache, partial
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..core.threads import bound
from ..primitives.aio import RUN_SIGNAL_MODULE
from . import process_exit, signals

if TYPE_CHECKING:
    from ..core.kernel import Kernel


def derived_seed(seed: int, purpose: str) -> int:
    """A 64-bit seed for ``purpose`` in the run of ``seed``: the same in every process
    (it depends on no hash seed), and unrelated between purposes."""
    digest = hashlib.sha256(f"threadlab world {seed} {purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class World:
    """One run's source of randomness, made afresh for every execution of the run."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.seeds_drawn = 0
        """The seeds given so far to ``Random()``, ``SystemRandom()`` and ``seed()``."""
        self._entropy: random.Random | None = None
        self.at_fork: list[dict[str, Callable[[], object]]] = []
        """What the run's ``os.register_at_fork`` was given (nothing forks a run)."""

    def next_seed(self) -> int:
        """The seed of the next generator the program makes (or reseeds) without one."""
        self.seeds_drawn += 1
        return derived_seed(self.seed, f"generator {self.seeds_drawn}")

    def urandom(self, size: int) -> bytes:
        """``size`` bytes of the run's entropy (``os.urandom``'s errors for a bad size)."""
        if not isinstance(size, int):
            raise TypeError(f"'{type(size).__name__}' object cannot be interpreted as an integer")
        if size < 0:
            raise ValueError("negative argument not allowed")
        return self.entropy.randbytes(size)

    @property
    def entropy(self) -> random.Random:
        """Where ``os.urandom``, ``uuid4`` and ``secrets`` draw their bytes from (made when
        first drawn from)."""
        if self._entropy is None:
            self._entropy = random.Random(derived_seed(self.seed, "entropy"))
        return self._entropy


_WORLD = "world"
"""Where a run keeps its ``World`` (``Kernel.attached``)."""


def begin_world(kernel: Kernel, seed: int) -> World:
    """Make the world of ``kernel``'s run, from the run's seed (before its program loads)."""
    process_exit.install()
    world = kernel.attached[_WORLD] = World(seed)
    return world


def world_of(kernel: Kernel) -> World:
    """The world of ``kernel``'s run (seed 0 when the run never began one)."""
    world: World | None = kernel.attached.get(_WORLD)
    return world if world is not None else begin_world(kernel, 0)


def _current_world() -> World | None:
    """The world of the run whose thread calls, or None outside every run."""
    try:
        kernel, _thread = bound()
    except RuntimeError:
        return None
    return world_of(kernel)


# ------------------------------------------------------------------ random


class Random(random.Random):
    """``random.Random`` as a run's program sees it: without a seed, it takes the run's
    next seed (outside a run, the operating system's entropy, as CPython's does)."""

    def seed(self, a: Any = None, version: int = 2) -> None:
        if a is None:
            world = _current_world()
            if world is not None:
                a = world.next_seed()
        super().seed(a, version)

    def __reduce__(self) -> str | tuple[Any, ...]:
        # pickled (and copied) as the real class with the same state: ``random.Random``
        # is the name this class shows, and the name pickle looks it up by
        if type(self) is Random:
            return random.Random, (), self.getstate()
        return super().__reduce__()


Random.__module__ = "random"  # its repr is CPython's: <random.Random object at ...>


class SystemRandom(Random):
    """``random.SystemRandom`` as a run's program sees it: a generator seeded from the run
    (CPython's draws from the operating system). As CPython's, it cannot be seeded and has
    no state to save."""

    def __init__(self, x: Any = None) -> None:
        world = _current_world()
        seed = world.next_seed() if world is not None else None
        random.Random.seed(self, seed)
        self.gauss_next = None

    def seed(self, *args: Any, **kwds: Any) -> None:
        """Stub method. Not used for a system random number generator."""
        return None

    def _notimplemented(self, *args: Any, **kwds: Any) -> Any:
        """Method should not be called for a system random number generator."""
        raise NotImplementedError("System entropy source does not have state.")

    getstate = setstate = _notimplemented


SystemRandom.__module__ = "random"


def _system(seed: int) -> SystemRandom:
    """A ``SystemRandom`` seeded with ``seed`` (made outside the run's threads)."""
    generator = SystemRandom.__new__(SystemRandom)
    random.Random.seed(generator, seed)
    generator.gauss_next = None
    return generator


def _lazy(module: ModuleType, make: Callable[[ModuleType], None]) -> ModuleType:
    """A module of the run's own, a copy of ``module`` that ``make`` makes the run's: made
    when the program first reads an attribute it does not have yet (most runs never
    import these modules, and the explorer starts hundreds of runs a second)."""
    copy = ModuleType(module.__name__, module.__doc__)
    namespace = vars(copy)
    own = set(namespace) | {"__getattr__", "__dir__"}

    def fill(name: str) -> Any:
        given = {key: value for key, value in namespace.items() if key not in own}
        del namespace["__getattr__"], namespace["__dir__"]
        namespace.update(vars(module))
        make(copy)
        namespace.update(given)  # what the program set before wins, as it would have
        try:
            return namespace[name]
        except KeyError:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}") from None

    def listing() -> list[str]:
        fill("__name__")
        return sorted(namespace)

    namespace.update(__getattr__=fill, __dir__=listing)
    return copy


def _rebound(module: ModuleType, copy: ModuleType, names: tuple[str, ...]) -> None:
    """Make ``module``'s functions ``names`` (CPython's own code) read ``copy``'s globals."""
    for name in names:
        function = getattr(module, name, None)
        if isinstance(function, types.FunctionType) and function.__globals__ is vars(module):
            rebound = types.FunctionType(
                function.__code__,
                vars(copy),
                function.__name__,
                function.__defaults__,
                function.__closure__,
            )
            rebound.__kwdefaults__ = function.__kwdefaults__
            rebound.__doc__ = function.__doc__
            rebound.__qualname__ = function.__qualname__
            rebound.__module__ = function.__module__
            setattr(copy, name, rebound)


def _rebind_methods(module: ModuleType, copy: ModuleType, real: object, mine: object) -> None:
    """Bind ``copy``'s attributes that are methods of ``module``'s ``real`` generator (in
    Python or in C: ``random.random`` is ``_inst.random``) to the same methods of ``mine``."""
    for name, value in vars(module).items():
        if getattr(value, "__self__", None) is real and callable(value):
            setattr(copy, name, getattr(mine, value.__name__))


def random_module(world: World, copy: ModuleType) -> None:
    """Make ``copy`` of ``random`` the run's: its module-level functions draw from a
    generator of the run."""
    generator = Random(derived_seed(world.seed, "random"))
    real = random._inst
    _rebind_methods(random, copy, real, generator)
    copy.__dict__.update(_inst=generator, Random=Random, SystemRandom=SystemRandom)


def os_module(world: World, kernel: Kernel, copy: ModuleType) -> None:
    """Make ``copy`` of ``os`` the run's: ``urandom`` (and ``getrandom``) give the run's
    entropy, ``kill`` sends the program's own process the run's signals (``signals``),
    and ``register_at_fork`` keeps its callbacks with the run.

    CPython's ``threading``, ``logging``, ``asyncio`` and ``concurrent.futures`` register
    one when they are imported, and a run imports its own copies of them: in the
    interpreter's registry, which nothing empties, they would keep every run alive."""

    def urandom(size: int, /) -> bytes:
        return world.urandom(size)

    urandom.__doc__ = os.urandom.__doc__
    copy.__dict__["urandom"] = urandom
    copy.__dict__["kill"] = signals.kill_in_run(kernel)
    if hasattr(os, "getrandom"):

        def getrandom(size: int, flags: int = 0) -> bytes:
            return world.urandom(size)

        getrandom.__doc__ = os.getrandom.__doc__
        copy.__dict__["getrandom"] = getrandom
    if hasattr(os, "register_at_fork"):

        def register_at_fork(**callbacks: Callable[[], object]) -> None:
            if not callbacks:
                raise TypeError("At least one argument is required.")
            for when, callback in callbacks.items():
                if when not in _FORK_MOMENTS:
                    raise TypeError(
                        f"register_at_fork() got an unexpected keyword argument '{when}'"
                    )
                if not callable(callback):
                    raise TypeError(f"'{when}' must be callable, not {type(callback).__name__}")
            world.at_fork.append(callbacks)

        register_at_fork.__doc__ = os.register_at_fork.__doc__
        copy.__dict__["register_at_fork"] = register_at_fork


_FORK_MOMENTS = ("before", "after_in_child", "after_in_parent")


def uuid_module(os_copy: ModuleType, copy: ModuleType) -> None:
    """Make ``copy`` of ``uuid`` the run's: ``uuid4`` (CPython's own) reads the run's
    ``os.urandom``."""
    copy.__dict__["os"] = os_copy
    _rebound(uuid, copy, ("uuid4",))


def secrets_module(world: World, os_copy: ModuleType, copy: ModuleType) -> None:
    """Make ``copy`` of ``secrets`` the run's: CPython's own functions over a generator
    seeded from the run."""
    generator = _system(derived_seed(world.seed, "secrets"))
    real = secrets._sysrand  # type: ignore[attr-defined]
    _rebind_methods(secrets, copy, real, generator)
    copy.__dict__.update(_sysrand=generator, SystemRandom=SystemRandom, os=os_copy)
    functions = tuple(
        name
        for name, value in vars(secrets).items()
        if isinstance(value, types.FunctionType) and value.__globals__ is vars(secrets)
    )
    _rebound(secrets, copy, functions)


def world_modules(kernel: Kernel) -> dict[str, ModuleType]:
    """The modules of ``kernel``'s run that draw from its world or hold its process's state
    (its signals), by the name the program imports them by (made afresh for every run)."""
    world = world_of(kernel)
    os_copy = _lazy(os, partial(os_module, world, kernel))
    signal_copy = kernel.attached[RUN_SIGNAL_MODULE] = _lazy(
        signal, partial(signals.signal_module, kernel)
    )
    return {
        "random": _lazy(random, partial(random_module, world)),
        "os": os_copy,
        "uuid": _lazy(uuid, partial(uuid_module, os_copy)),
        "secrets": _lazy(secrets, partial(secrets_module, world, os_copy)),
        "signal": signal_copy,
    }


def add_world_modules(
    kernel: Kernel, modules: dict[str, Any], parents: dict[str, ModuleType]
) -> None:
    """Add the modules of ``kernel``'s run that draw from its world to a program's
    ``modules`` (by the name it imports them by) and ``parents`` (what ``import a.b``
    binds ``a`` to): ``import os.path`` binds the run's ``os`` too."""
    made = world_modules(kernel)
    modules.update(made)
    modules["os.path"] = os.path
    parents["os"] = made["os"]


# ---------------------------------------------------------- the hash seed

HASH_SEED_VARIABLE = "PYTHONHASHSEED"
MAX_HASH_SEED = 2**32 - 1


def parse_hash_seed(text: str | None) -> int | None:
    """The seed ``PYTHONHASHSEED=text`` fixes, or None (unset, ``random``, or invalid)."""
    if text is None or not text.isdigit() or not text.isascii():
        return None
    seed = int(text)
    return seed if seed <= MAX_HASH_SEED else None


def process_hash_seed() -> int | None:
    """The string-hash seed this interpreter runs under, or None when it is not known (it
    was started without a fixed ``PYTHONHASHSEED``, or ignored it: ``-E``, ``-I``).

    The variable is only a claim (it may have been changed after the interpreter started):
    where CPython's hash secret can be read, the claim is checked against it."""
    return _checked_hash_seed(parse_hash_seed(os.environ.get(HASH_SEED_VARIABLE)))


@cache
def _checked_hash_seed(claimed: int | None) -> int | None:
    if claimed is None:
        return None
    secret = _hash_secret()
    if secret is None:  # not CPython, or no ctypes: trust the variable unless ignored
        return None if sys.flags.ignore_environment else claimed
    return claimed if secret == _secret_of(claimed, len(secret)) else None


def _hash_secret() -> bytes | None:
    """CPython's hash secret (``_Py_HashSecret``, 24 bytes), if it can be read."""
    try:
        import ctypes

        return bytes((ctypes.c_ubyte * 24).in_dll(ctypes.pythonapi, "_Py_HashSecret"))
    except (ImportError, AttributeError, ValueError, OSError):
        return None


def _secret_of(seed: int, size: int) -> bytes:
    """The hash secret CPython makes from ``PYTHONHASHSEED=seed`` (``lcg_urandom`` in
    Python/bootstrap_hash.c; seed 0 turns hashing randomization off)."""
    if seed == 0:
        return bytes(size)
    state, out = seed, bytearray()
    for _ in range(size):
        state = (state * 214013 + 2531011) & 0xFFFFFFFF
        out.append((state >> 16) & 0xFF)
    return bytes(out)
