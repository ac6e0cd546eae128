"""What every conformance program shares: find a CPython test file in the running
interpreter's own ``test`` package, load it as one of the program's modules with the few
substitutions its adapter names, and run its tests, one machine-readable line per test.

A conformance program is an ordinary program: run by ``python`` it tests the real modules
with real threads; run by ``threadlab trace`` it tests the controlled ones, because a loaded
test file imports ``threading``, ``queue``, ``asyncio``... through the program's own
``__import__`` (this module's builtins), as any of the program's modules does.

Lines printed (tab-separated, so test ids with spaces survive)::

    CONFORMANCE-START  <test id>                 before each test (names the one that hangs)
    CONFORMANCE        <outcome> <test id> <why> after it: pass, fail, error or skip
    CONFORMANCE-MISSING <path>                   the suite's file is not installed
    CONFORMANCE-END                              every test has run

``<why>`` is the last line of the first failure's traceback (or the skip's reason), cut to
one short line. Arguments: ``--exclude ID`` (repeatable) leaves a test out (the harness
resumes a run that hung without the tests already run), ``--only TEXT`` runs the tests whose
id contains TEXT.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
import traceback
import types
import unittest
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import support_shim

PREFIX = "CONFORMANCE"
Entry = type[unittest.TestCase] | tuple[str, BaseException]
"""A test class to run, or (a class's or module's name, why it could not be made)."""
OUTCOMES = ("pass", "fail", "error", "skip")
_WHY_LENGTH = 240


def emit(*fields: str) -> None:
    print("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields), flush=True)


def test_folder() -> str:
    """The running interpreter's own ``test`` package folder (it may be absent)."""
    spec = importlib.util.find_spec("test")
    if spec is None or not spec.submodule_search_locations:
        return os.path.join(os.path.dirname(os.__file__), "test")
    return next(iter(spec.submodule_search_locations))


def installed(*relative: str) -> str | None:
    """The path of ``relative`` in the test package, or None after saying it is missing."""
    path = os.path.join(test_folder(), *relative)
    if os.path.exists(path):
        return path
    emit(f"{PREFIX}-MISSING", path)
    return None


SHIM_MODULES: dict[str, object] = {
    "test": types.SimpleNamespace(support=support_shim),
    "test.support": support_shim,
    "test.support.threading_helper": support_shim.threading_helper,
    "test.support.import_helper": support_shim.import_helper,
    "test.support.script_helper": support_shim.script_helper,
}
"""What the suites' imports of ``test.support`` get (``support_shim`` says why)."""


def _program_builtins() -> dict[str, Any]:
    found = globals()["__builtins__"]
    return dict(found if isinstance(found, dict) else vars(found))


def load(
    name: str,
    path: str,
    *,
    package: str | None = None,
    replace: Iterable[tuple[str, str]] = (),
    modules: Mapping[str, object] = SHIM_MODULES,
) -> types.ModuleType:
    """Run the file at ``path`` as a module called ``name`` of the program.

    Its source is read as CPython reads it, each ``(old, new)`` of ``replace`` applied (each
    must be found: a file that changed is an error, not a silent no-op), and its imports of a
    name in ``modules`` (absolute, or relative within ``package``) get that object; every other
    import is the program's own.
    """
    with open(path, "rb") as file:
        source = importlib.util.decode_source(file.read())
    for old, new in replace:
        if old not in source:
            raise LookupError(f"{os.path.basename(path)} no longer contains {old!r}")
        source = source.replace(old, new)
    program_builtins = _program_builtins()
    program_import = program_builtins["__import__"]

    def suite_import(
        name: str,
        globals: Mapping[str, object] | None = None,
        locals: Mapping[str, object] | None = None,
        fromlist: Sequence[str] | None = (),
        level: int = 0,
    ) -> Any:
        absolute = name
        if level:
            within = (globals or {}).get("__package__")
            if isinstance(within, str) and within:
                absolute = importlib.util.resolve_name("." * level + name, within)
        if absolute in modules:
            return modules[absolute] if fromlist else modules[absolute.partition(".")[0]]
        return program_import(name, globals, locals, fromlist, level)

    program_builtins["__import__"] = suite_import
    module = types.ModuleType(name)
    module.__dict__.update(__file__=path, __package__=package or "", __builtins__=program_builtins)
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def class_definitions(
    path: str, wanted: Callable[[ast.ClassDef], bool], namespace: dict[str, Any]
) -> list[Entry]:
    """Define, in ``namespace``, each top-level class of the file at ``path`` that
    ``wanted`` picks, one at a time (a class whose definition raises is (its name, that
    exception))."""
    with open(path, "rb") as file:
        source = importlib.util.decode_source(file.read())
    tree = ast.parse(source, path)
    defined: list[Entry] = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not wanted(node):
            continue
        code = compile(ast.Module(body=[node], type_ignores=[]), path, "exec")
        try:
            exec(code, namespace)
            defined.append(namespace[node.name])
        except Exception as error:
            defined.append((node.name, error))
    return defined


def _why(error: BaseException | None, formatted: str = "") -> str:
    if error is not None:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
    else:
        text = formatted.strip()
    last = text.splitlines()[-1] if text else ""
    return last[:_WHY_LENGTH]


class LineResult(unittest.TestResult):
    """A TestResult that prints one line per test (a failing subtest fails its test)."""

    def __init__(self) -> None:
        super().__init__()
        self._outcome = "pass"
        self._reason = ""
        self.counts = dict.fromkeys(OUTCOMES, 0)

    def _set(self, outcome: str, err: Any) -> None:
        if self._outcome in ("fail", "error"):
            return  # the first failure is the one reported
        self._outcome = outcome
        self._reason = _why(err[1] if isinstance(err, tuple) else None)

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self._outcome, self._reason = "pass", ""
        emit(f"{PREFIX}-START", test.id())

    def stopTest(self, test: unittest.TestCase) -> None:
        super().stopTest(test)
        self.counts[self._outcome] += 1
        emit(PREFIX, self._outcome, test.id(), self._reason)

    def addError(self, test: unittest.TestCase, err: Any) -> None:
        super().addError(test, err)
        if isinstance(test, unittest.TestCase):
            self._set("error", err)
        else:  # a class or module fixture (setUpClass, setUpModule) that failed
            emit(PREFIX, "error", str(test), _why(err[1]))
            self.counts["error"] += 1

    def addFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addFailure(test, err)
        self._set("fail", err)

    def addSubTest(self, test: unittest.TestCase, subtest: unittest.TestCase, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            self._set("fail" if failed else "error", err)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        if isinstance(test, unittest.TestCase) and test.id() != str(test):
            self._outcome, self._reason = "skip", reason[:_WHY_LENGTH]
        else:  # a skipped class or module: no startTest for it
            emit(PREFIX, "skip", str(test), reason[:_WHY_LENGTH])

    def addExpectedFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addExpectedFailure(test, err)  # as unittest counts it: a success

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self._outcome, self._reason = "fail", "unexpected success"


def _tests(suite: unittest.TestSuite) -> Iterable[unittest.TestCase]:
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _tests(item)
        else:
            yield item


def run(
    modules: Sequence[tuple[types.ModuleType, Sequence[Entry]]],
    argv: Sequence[str] | None = None,
) -> None:
    """Run the test classes given per module (a module's ``setUpModule``/``tearDownModule``
    around its own), leaving out ``--exclude`` ids, and print the lines; then the end line.

    An entry may be (name, exception): the class could not be defined, or the module could
    not be loaded; it is reported as one error under its name.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    excluded: set[str] = set()
    only: list[str] = []
    while words:
        word = words.pop(0)
        if word == "--exclude" and words:
            excluded.add(words.pop(0))
        elif word == "--only" and words:
            only.append(words.pop(0))
        else:
            raise SystemExit(f"unknown argument {word!r} (valid: --exclude ID, --only TEXT)")
    loader = unittest.TestLoader()
    result = LineResult()
    for module, classes in modules:
        suite = unittest.TestSuite()
        for entry in classes:
            if isinstance(entry, tuple):  # (name, exception): could not be defined
                name, error = entry
                whole = f"{module.__name__}.{name}"
                if whole not in excluded and (not only or any(o in whole for o in only)):
                    emit(PREFIX, "error", whole, _why(error))
                continue
            for test in _tests(loader.loadTestsFromTestCase(entry)):
                if test.id() in excluded or (only and not any(o in test.id() for o in only)):
                    continue
                suite.addTest(test)
        if suite.countTestCases() == 0:
            continue
        _run_module(module, suite, result)
    emit(f"{PREFIX}-END")


def _run_module(module: types.ModuleType, suite: unittest.TestSuite, result: LineResult) -> None:
    """Run ``suite`` with ``module``'s module fixtures around it, as unittest does for a
    module it finds in ``sys.modules`` (these modules are the program's, not there)."""
    set_up = getattr(module, "setUpModule", None)
    if set_up is not None:
        try:
            set_up()
        except unittest.SkipTest as skip:
            for test in _tests(suite):
                emit(PREFIX, "skip", test.id(), str(skip)[:_WHY_LENGTH])
            return
        except Exception as error:
            for test in _tests(suite):
                emit(PREFIX, "error", test.id(), "setUpModule: " + _why(error))
            unittest.case.doModuleCleanups()
            return
    result._previousTestClass = None  # type: ignore[attr-defined]  # (a class of an earlier module)
    suite.run(result)
    tear_down = getattr(module, "tearDownModule", None)
    try:
        if tear_down is not None:
            tear_down()
    except Exception as error:
        emit(PREFIX, "error", f"{module.__name__}.tearDownModule", _why(error))
    try:
        unittest.case.doModuleCleanups()
    except Exception as error:
        emit(PREFIX, "error", f"{module.__name__}.cleanups", _why(error))


def loaded_or_error(
    name: str, load_it: Callable[[], types.ModuleType]
) -> tuple[types.ModuleType, list[Entry]]:
    """``load_it()``, or a stand-in module whose one entry is the error loading it raised."""
    try:
        return load_it(), []
    except Exception as error:
        return types.ModuleType(name), [("<module>", error)]


def test_classes(module: types.ModuleType) -> list[type[unittest.TestCase]]:
    """The module's ``TestCase`` classes, as a test loader finds them."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, unittest.TestCase)
    ]


def run_test_file(*relative: str) -> None:
    """Load the test file at ``relative`` (in the test package) as it is, and run its tests."""
    path = installed(*relative)
    if path is None:
        return
    name = os.path.splitext(relative[-1])[0]
    module, errors = loaded_or_error(name, partial(load, name, path))
    run([(module, [*test_classes(module), *errors])])
