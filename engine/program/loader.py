"""A program run under the engine: plain Python whose imports of the standard library's
concurrency modules are redirected to the controlled ones.

The program's source is compiled once and executed afresh in every run, in a namespace of
its own whose ``__import__`` hands it the run's modules: CPython's own ``threading`` and
``queue`` run afresh over the controlled ``_thread``, the engine's ``time``, ``asyncio``
and ``concurrent.futures``, and its own ``sys``, ``atexit`` and ``importlib``; every
other import, and every other module of the process (the app, Textual, Rich), keeps the
real ones. Its ``print`` output is kept by the kernel
instead of reaching the terminal. Its main thread is the run's first thread, called
``MainThread`` as in CPython; when its code ends it joins every non-daemon thread still
alive, as CPython does at exit.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.machinery
import importlib.util
import inspect
import io
import os
import sys
import threading
import tokenize
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from types import CodeType, FrameType, ModuleType
from typing import TYPE_CHECKING, Any

from ..core.bounded_read import read_bounded
from ..core.errors import StopRun
from ..snapshot.model import SourceLine
from ..stdlib import aio_futures, lowlevel, shown, shown_futures
from ..stdlib.modules import controlled_modules
from ..stdlib.refused import RefusingMultiprocessing
from ..stdlib.threads_api import bind_threading_module, run_atexits
from . import signals, unraisable, warnings_copy
from .exit_functions import ProgramAtexit
from .races import HELPER, Races, instrument
from .stdlib_copies import loaded_per_run, stdlib_spec
from .sys_module import ProgramStream, ProgramSys
from .world import add_world_modules

if TYPE_CHECKING:
    from ..core.kernel import Kernel
    from ..core.threads import SimThread
    from ..lesson.scenario import Scenario
    from ..primitives.base import Primitive


PRESENT = {**shown.PRESENT, **shown_futures.PRESENT}
"""The presentation each of CPython's modules gets, once run afresh for a run."""


def compiled(path: str, races: bool = False) -> CodeType:
    """The program's code, compiled again only when the file has changed; with ``races``,
    its shared reads and writes are steps (``engine.races``)."""
    status = os.stat(path)
    return _compiled(path, status.st_mtime_ns, status.st_size, races)


@cache
def _compiled(path: str, _mtime_ns: int, _size: int, races: bool) -> CodeType:
    # the bytes, as CPython compiles a file: it reads the BOM and the coding line itself,
    # and a bad one is its own SyntaxError
    source = _file_bytes(path)
    # dont_inherit: the program's own __future__ imports, never this module's
    if not races:
        return compile(source, path, "exec", dont_inherit=True)
    tree = instrument(ast.parse(source, path), path)
    return compile(tree, path, "exec", dont_inherit=True)


MAX_SOURCE_BYTES = 64 << 20
"""The largest source file read (a FIFO is read too, as CPython reads ``python <(...)``)."""


def _file_bytes(path: str) -> bytes:
    return read_bounded(path, MAX_SOURCE_BYTES, fifo=True)


def read_source(path: str) -> str:
    """The text of the Python file at ``path``, decoded as CPython decodes a source file:
    a UTF-8 BOM, or a PEP 263 ``coding:`` line on line 1 or 2, else UTF-8; universal
    newlines; no BOM character in the text.

    Raises:
        SyntaxError: an unknown or contradictory encoding declaration, in the words of
            CPython's own compiler.
        UnicodeDecodeError: bytes that are not in the file's encoding.
        OSError: the file cannot be read.
    """
    source = _file_bytes(path)
    text = source.decode(_source_encoding(source, path))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _source_encoding(source: bytes, path: str) -> str:
    """The encoding ``source`` declares (``utf-8-sig`` with a BOM), UTF-8 when none."""
    first_two = source.splitlines(keepends=True)[:2]
    lines = iter(first_two)
    try:
        encoding, _lines = tokenize.detect_encoding(lambda: next(lines, b""))
    except SyntaxError:
        try:
            b"".join(first_two).decode("utf-8")
        except UnicodeDecodeError:
            return "utf-8"  # no readable declaration: the file is not UTF-8, decoding says so
        compile(source, path, "exec", dont_inherit=True)  # a bad declaration: CPython's words
        raise
    return encoding


def file_source(path: str) -> tuple[SourceLine, ...]:
    """Every line of the program, numbered as in the file (read again only when the file
    has changed: the explorer starts a run hundreds of times a second)."""
    status = os.stat(path)
    return _file_source(path, status.st_mtime_ns, status.st_size)


@cache
def _file_source(path: str, _mtime_ns: int, _size: int) -> tuple[SourceLine, ...]:
    try:
        text = read_source(path)
    except (SyntaxError, UnicodeDecodeError):  # the compiler says what is wrong; show what is there
        text = _file_bytes(path).decode("utf-8", "replace")
    lines = io.StringIO(text)
    return tuple(SourceLine(n, text.rstrip()) for n, text in enumerate(lines, start=1))


@dataclass
class ProgramState:
    """What a scenario's checks and watches read: the program's own globals (as
    attributes), its parameters and variant, and what the engine tracks about it.

    A check that reads something the program has not made yet (an ``AttributeError`` or
    ``LookupError``) holds: the program has not got that far.
    """

    namespace: dict[str, Any]
    params: Mapping[str, int]
    variant: str
    kernel: Kernel
    _stacks: dict[SimThread, tuple[int, tuple[FrameType, ...], frozenset[str]]] = field(
        default_factory=dict
    )
    """Each thread's program frames, and the step they were read at."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self.namespace[name]
        except KeyError:
            raise AttributeError(name) from None

    def primitive(self, name: str) -> Primitive:
        """The engine's primitive called ``name`` (a semaphore knows its holders)."""
        found = self.kernel.primitive_named(name)
        if found is None:
            raise LookupError(name)
        return found

    def threads_in(self, function: str) -> list[str]:
        """The threads inside the program's function called ``function`` now (between
        steps every thread is parked, so their stacks stand still)."""
        return [t.name for t in self.kernel.threads if function in self._stack_of(t)[2]]

    def locals_in(self, function: str, name: str) -> dict[str, Any]:
        """The local variable ``name`` of the program's function ``function``, in every
        thread inside it now (its innermost call), by thread name."""
        found: dict[str, Any] = {}
        for thread in self.kernel.threads:
            for frame in self._frames_of(thread):
                if frame.f_code.co_name == function and name in frame.f_locals:
                    found[thread.name] = frame.f_locals[name]
                    break
        return found

    def _frames_of(self, thread: SimThread) -> tuple[FrameType, ...]:
        """The program's frames on ``thread``'s stack, innermost first."""
        return self._stack_of(thread)[1]

    def _stack_of(self, thread: SimThread) -> tuple[int, tuple[FrameType, ...], frozenset[str]]:
        """When ``thread`` last ran, the program's frames on its stack (innermost first),
        and their functions' names. A stack changes only while its thread has the turn,
        so it is read again only after it has run (a check reads it every step)."""
        cached = self._stacks.get(thread)
        if cached is not None and cached[0] == thread.last_turn:
            return cached
        found: list[FrameType] = []
        os_thread = thread.os_thread
        if not thread.state.ended and os_thread is not None and os_thread.ident is not None:
            kernel = self.kernel
            if os_thread.ident == threading.get_ident():  # the thread whose turn just ended
                frame: FrameType | None = sys._getframe()
            elif thread.parked and not (kernel.in_step and kernel.running is thread):
                frame = sys._current_frames().get(os_thread.ident)
            else:
                # It runs (starting up, unwinding, outside the schedule): its frames come
                # and go under the reader, which can crash the interpreter. None is shown.
                return (thread.last_turn, (), frozenset())
            program_file = self.kernel.program_file
            while frame is not None:
                if frame.f_code.co_filename == program_file:
                    found.append(frame)
                frame = frame.f_back
        stack = (thread.last_turn, tuple(found), frozenset(f.f_code.co_name for f in found))
        self._stacks[thread] = stack
        return stack


def checked(test: Callable[[ProgramState], str | None], state: ProgramState) -> str | None:
    """Run a check; one that reads what does not exist yet holds."""
    try:
        return test(state)
    except (AttributeError, LookupError):
        return None


def watched(read: Callable[[ProgramState], object], state: ProgramState) -> object:
    try:
        return read(state)
    except (AttributeError, LookupError):
        return "–"


def new_namespace(
    kernel: Kernel,
    path: str,
    name: str,
    argv: Sequence[str] = (),
    races: bool = False,
    package: str | None = None,
) -> dict[str, Any]:
    """A fresh module namespace whose imports get the controlled modules. A module of the
    program's own (a ``.py`` file or a package beside it, or under its package's root when
    it runs as a module of ``package``) is run afresh under control too, once per run, and
    so is a module of the standard library that builds on threads or reads the command
    line (``stdlib_copies``); any other import (a module from elsewhere) is the real one.
    Its ``sys`` is its own (``argv``, and output to the run's), and so are its ``atexit``
    and ``importlib``. With ``races``, the program's own files are compiled with their
    shared accesses as steps."""
    program_sys = ProgramSys(kernel, argv or [path])
    unraisable.attach(kernel, program_sys)
    program_atexit = ProgramAtexit(program_sys.stderr)
    modules: dict[str, ModuleType] = {
        **controlled_modules(),
        "sys": program_sys,
        "atexit": program_atexit,
        "multiprocessing": RefusingMultiprocessing(),
    }
    presenter = shown.Presenter(kernel)  # CPython's threading and queue, as the panels show them
    modules["_thread"] = lowlevel.make_module(kernel, partial(shown.thread_end, presenter))
    vars(modules["_thread"])["interrupt_main"] = signals.interrupt_main_in_run(kernel)
    own_dir = os.path.dirname(os.path.abspath(path))
    for _level in (package or "").split(".") if package else ():
        own_dir = os.path.dirname(own_dir)  # up from pkg/sub/ to the root pkg/ is in
    own_modules: dict[str, ModuleType] = {}
    stdlib_modules: dict[str, ModuleType] = {}
    parents: dict[str, ModuleType] = {}
    for dotted, module in modules.items():
        top, _, rest = dotted.partition(".")
        if rest:
            parent = parents.setdefault(top, ModuleType(top))
            setattr(parent, rest, module)
    add_world_modules(kernel, modules, parents)  # the run's random, os, uuid, secrets
    real_import = builtins.__import__

    def controlled_import(
        name: str,
        globals: Mapping[str, object] | None = None,
        locals: Mapping[str, object] | None = None,
        fromlist: tuple[str, ...] | list[str] | None = (),
        level: int = 0,
    ) -> ModuleType:
        if level == 0:
            if name in ("_queue", warnings_copy.C_ACCELERATOR):
                raise ImportError(f"No module named {name!r}", name=name)  # a pure-Python twin
            if name in modules:
                if fromlist or "." not in name:
                    return modules[name]
                return parents[name.partition(".")[0]]
            if name in parents:  # ``import concurrent``, ``from concurrent import futures``
                return parents[name]
            absolute = name
        else:  # a relative import, from a module of the program's own package
            within = (globals or {}).get("__package__")
            if not isinstance(within, str) or not within:
                return real_import(name, globals, locals, fromlist or (), level)
            absolute = importlib.util.resolve_name("." * level + name, within)
        own = own_module(absolute)
        if own is None and (
            absolute in stdlib_modules
            or loaded_per_run(absolute)
            # ``from concurrent import futures``: the package of a module loaded per run
            or any(loaded_per_run(f"{absolute}.{item}") for item in fromlist or () if item != "*")
        ):
            own = stdlib_module(absolute)
        if own is not None:
            for item in fromlist or ():  # ``from pkg import helper``: a module of pkg's
                if item != "*" and not hasattr(own, item) and hasattr(own, "__path__"):
                    submodule = f"{absolute}.{item}"
                    if own_module(submodule) is not None:
                        continue
                    if loaded_per_run(submodule):
                        stdlib_module(submodule)
                    elif stdlib_spec(submodule) is not None:  # a module shared by every run
                        setattr(own, item, importlib.import_module(submodule))
            if fromlist:
                return own
            top = absolute.partition(".")[0]
            return own_modules.get(top) or stdlib_modules[top]  # ``import a.b`` binds ``a``
        return real_import(name, globals, locals, fromlist or (), level)

    def own_module(name: str) -> ModuleType | None:
        """The program's own module or package ``name`` (dotted: each package on the way
        too), run under control, or None."""
        if name in own_modules:
            return own_modules[name]
        parent_name, _, last = name.rpartition(".")
        if parent_name:
            parent = own_module(parent_name)
            if parent is None or not hasattr(parent, "__path__"):
                return None
            where = list(parent.__path__)
        elif name in sys.builtin_module_names:
            return None
        else:
            where = [own_dir]
        spec = importlib.machinery.PathFinder.find_spec(last, where)
        origin = spec.origin if spec is not None else None
        if spec is None or origin is None or not origin.endswith(".py"):
            return None  # not found, compiled, or a namespace package: the real import
        code = compiled(origin, races)  # a SyntaxError leaves nothing behind, as import does
        module = _module_for(name, spec, program_builtins)
        own_modules[name] = module  # before running it, as import does (circular imports)
        kernel.program_files.append(origin)
        if parent_name:
            setattr(own_modules[parent_name], last, module)
        exec(code, module.__dict__)
        return module

    def stdlib_module(name: str) -> ModuleType:
        """The standard library's module ``name``, run afresh for this run (its parent
        packages too), with the program's imports."""
        if name in stdlib_modules:
            return stdlib_modules[name]
        spec = stdlib_spec(name)
        if spec is None:
            raise ImportError(f"No module named {name!r}", name=name)
        parent_name, _, last = name.rpartition(".")
        parent = stdlib_module(parent_name) if parent_name else None
        module = _module_for(name, spec, program_builtins)
        stdlib_modules[name] = module  # before running it (circular imports)
        if parent is not None:
            setattr(parent, last, module)
        exec(stdlib_code(spec), module.__dict__)
        if name in PRESENT:
            PRESENT[name](presenter, module)
        elif name == "warnings":
            warnings_copy.adjust(module)
        return module

    def controlled_print(*values: object, **options: Any) -> None:
        target = options.get("file")
        if target is None or target is sys.stdout:
            target = program_sys.stdout  # its own, unless it set sys.stdout to a file
        if not isinstance(target, ProgramStream):
            print(*values, **options)  # a file of its own
            return
        text = io.StringIO()
        print(*values, sep=options.get("sep"), end=options.get("end"), file=text)
        target.write(text.getvalue())  # one write: a line is never split between threads

    controlled_print.__name__ = controlled_print.__qualname__ = "print"  # as the program sees it

    def controlled_compile(source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        """``compile``: a file of source the program compiles itself (a plugin it runs
        with ``exec``) is the program's own code from then on, as an imported module is."""
        code = builtins.compile(source, filename, mode, *args, **kwargs)
        if isinstance(filename, (str, bytes, os.PathLike)):
            path = os.fsdecode(filename)
            if path not in kernel.program_files and os.path.isfile(path):
                kernel.program_files.append(path)
        return code

    controlled_compile.__name__ = controlled_compile.__qualname__ = "compile"
    program_builtins = dict(vars(builtins))
    program_builtins["__import__"] = controlled_import
    program_builtins["print"] = controlled_print
    program_builtins["compile"] = controlled_compile
    if races:
        program_builtins[HELPER] = Races(kernel)
    modules["importlib"] = ProgramImportlib(controlled_import)
    program_module = ModuleType(name)
    namespace = program_module.__dict__
    namespace.update({"__file__": path, "__builtins__": program_builtins})
    if package is not None:
        namespace["__package__"] = package
    if name == "__main__":
        own_modules["__main__"] = program_module  # ``unittest.main()`` imports it
    return namespace


def _module_for(
    name: str, spec: importlib.machinery.ModuleSpec, builtins_: dict[str, Any]
) -> ModuleType:
    """An empty module for ``spec`` to run in, with the program's builtins."""
    module = ModuleType(name)
    module.__dict__.update({"__file__": spec.origin, "__builtins__": builtins_, "__spec__": spec})
    if spec.submodule_search_locations is not None:
        module.__path__ = list(spec.submodule_search_locations)
        module.__package__ = name
    else:
        module.__package__ = name.rpartition(".")[0]
    return module


def stdlib_code(spec: importlib.machinery.ModuleSpec) -> CodeType:
    """The code of a standard-library module (its cached bytecode, as import reads it)."""
    return _stdlib_code(spec.name, spec.origin or "")


@cache
def _stdlib_code(name: str, origin: str) -> CodeType:
    loader = importlib.machinery.SourceFileLoader(name, origin)
    code = loader.get_code(name)
    assert code is not None
    return code


class ProgramImportlib(ModuleType):
    """``importlib`` inside a run: ``import_module`` imports as the program's ``import``
    statements do; everything else is the real module."""

    def __init__(self, controlled_import: Callable[..., ModuleType]) -> None:
        super().__init__("importlib", importlib.__doc__)
        self._import = controlled_import

    def import_module(self, name: str, package: str | None = None) -> ModuleType:
        if name.startswith("."):
            if not package:
                raise TypeError(
                    f"the 'package' argument is required to perform a relative import for {name!r}"
                )
            name = importlib.util.resolve_name(name, package)
        return self._import(name, None, None, ("__name__",), 0)

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib, name)


def start_program(
    kernel: Kernel,
    path: str,
    *,
    entry: str | None,
    arguments: Callable[[Callable[..., Any]], dict[str, Any]],
    argv: Sequence[str] = (),
    races: bool = False,
    package: str | None = None,
) -> dict[str, Any]:
    """Make the program's main thread (it runs when the run starts) and return the
    namespace it will run in.

    Args:
        kernel: the run.
        path: the program's file.
        entry: a function of the program to call after its module code has run (the
            module then runs as an imported module, not as ``__main__``), or None to run
            the file as ``__main__``.
        arguments: the keyword arguments to call ``entry`` with, given the function.
        argv: the program's ``sys.argv`` (by default, just its path).
        races: whether the program's shared reads and writes are steps.
        package: the package the program runs as a module of (``-m pkg.mod``), if any.
    """
    code = compiled(path, races)
    module_name = "__main__" if entry is None else "__program__"
    namespace = new_namespace(kernel, path, module_name, argv, races, package)
    program_import = namespace["__builtins__"]["__import__"]
    program_sys, exit_functions = program_import("sys"), program_import("atexit")

    def main_thread() -> None:
        threading_module = program_import("threading")  # its _MainThread is this thread
        bind_threading_module(kernel, threading_module)  # the engine's own threads use it
        aio_futures.bind_futures(
            kernel, lambda: program_import("concurrent.futures", None, None, ("Future",))
        )
        try:
            exec(code, namespace)
            if entry is not None:
                function = namespace[entry]
                function(**arguments(function))
            status = 0
        except StopRun:
            raise  # the run stops: unwind, and never join the others as at an exit
        except SystemExit as exit_:  # sys.exit(n): the program ends with status n
            status = exit_status(exit_.code, kernel)
        except BaseException as error:
            hook = vars(program_sys).get("excepthook")
            if hook is None:
                raise  # CPython's own hook: the main thread fails (a verdict says so)
            hook(type(error), error, error.__traceback__)  # the program's own hook
            status = 1
        run_atexits(kernel)  # executors never shut down are stopped, as CPython's
        threading_module._shutdown()  # joins every non-daemon thread, as at an exit
        exit_functions.run_all()  # as CPython: after the other threads are joined
        with kernel.lock:
            kernel.exit_status = status

    kernel.spawn("MainThread", main_thread, ())
    return namespace


def exit_status(code: object, kernel: Kernel) -> int:
    """The status ``sys.exit(code)`` ends a program with, as CPython's: None is 0, a
    number is itself, anything else is written to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return int(code)  # sys.exit(True), as unittest.main() ends, is status 1
    kernel.print_output(f"{code}\n", "stderr")
    return 1


def load_program(
    kernel: Kernel,
    scenario: Scenario,
    params: Mapping[str, int],
    variant: str,
    argv: Sequence[str] = (),
) -> tuple[SourceLine, ...]:
    """Set up a program scenario's run: its main thread, checks and watches. Returns the
    lines the code panel shows (the whole program)."""

    def arguments(function: Callable[..., Any]) -> dict[str, Any]:
        given: dict[str, Any] = dict(params)
        if "variant" in inspect.signature(function).parameters:
            given["variant"] = variant
        return given

    program_name = scenario.name if scenario.entry is None else scenario.program
    namespace = start_program(
        kernel,
        scenario.program,
        entry=scenario.entry,
        arguments=arguments,
        argv=[program_name, *argv],
        races=scenario.races,
        package=scenario.package,
    )
    state = ProgramState(namespace, params, variant, kernel)
    for check in scenario.checks:
        kernel.invariants.append((check.text, partial(checked, check.test, state)))
    for watch in scenario.watches:
        kernel.watches.append((watch.name, partial(watched, watch.read, state)))
    if (post := scenario.user_post) is not None:
        kernel.user_posts[post.queue] = partial(getattr, state, post.item)
    for loop in scenario.handler_loops:
        kernel.handler_loops[loop.queue] = loop.thread
    return file_source(scenario.program)
