"""The conformance report's harness, on tiny fake suites (not CPython's: their counts are
expected to differ until the controlled standard library is CPython's own).

A fake suite is a program that runs a few unittest tests through ``cpython_suite`` as the
real adapters do. A second "world" is plain CPython with ``FAKE_WORLD`` set, which makes the
fake tests behave differently there, so the comparison is checked without depending on what
threadlab gets right today; one test runs a fake suite under threadlab itself, for the
reading of its trace.

Once the counts agree, a conformance test per suite is a few lines::

    cpython = report.suite_run(report.CPYTHON, sys.executable, suite.program)
    threadlab = report.suite_run(report.THREADLAB, sys.executable, suite.program)
    assert threadlab.counts() == cpython.counts(), report.differences(cpython, threadlab)
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
import report

OTHER = report.World(
    "other", report.CPYTHON.command, report.CPYTHON.read, env=(("FAKE_WORLD", "other"),)
)
"""Plain CPython again, but with the fake suites' tests told to behave differently."""

HANG_LIMIT = 10
"""Seconds an attempt in the other world may take (its test_3_hangs never ends): long
enough for the attempts that do end, on a loaded machine."""

HEADER = """
import os
import sys
import threading
import types
import unittest

import cpython_suite

OTHER = os.environ.get("FAKE_WORLD") == "other"
"""

FAKE_SUITE = (
    HEADER
    + """

class T(unittest.TestCase):
    def test_1_same(self):
        self.assertEqual(1 + 1, 2)

    def test_2_differs(self):
        self.assertFalse(OTHER, "behaves differently in the other world")

    def test_3_hangs(self):
        if OTHER:
            threading.Event().wait()

    def test_4_after(self):
        pass

    @unittest.skip("not today")
    def test_5_skipped(self):
        pass


cpython_suite.run([(types.ModuleType("fake"), [T])], sys.argv[1:])
"""
)


def write(tmp_path: Path, source: str, name: str = "fake_suite.py") -> Path:
    """The program, beside the real adapters' shared modules (as the adapters are)."""
    for shared in ("cpython_suite.py", "support_shim.py"):
        shutil.copy(report.PROGRAMS / shared, tmp_path / shared)
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_a_differing_test_and_a_hang_are_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    program = write(tmp_path, FAKE_SUITE)
    cpython = report.suite_run(report.CPYTHON, sys.executable, program, timeout=120)
    other = report.suite_run(OTHER, sys.executable, program, timeout=HANG_LIMIT)

    assert cpython.complete and not cpython.stops
    assert cpython.counts() == {"passed": 4, "failed": 0, "skipped": 1}
    # the hang is blamed on the test it happened in, and the run resumes after it
    assert other.complete
    assert other.outcomes["__main__.T.test_3_hangs"].outcome == "hang"
    assert other.outcomes["__main__.T.test_4_after"].outcome == "pass"
    assert other.counts() == {"passed": 2, "failed": 2, "skipped": 1}
    assert "in __main__.T.test_3_hangs" in other.note()

    found = {d.test: d for d in report.differences(cpython, other)}
    assert set(found) == {"__main__.T.test_2_differs", "__main__.T.test_3_hangs"}
    assert found["__main__.T.test_2_differs"].threadlab == report.Outcome(
        "fail", "AssertionError: True is not false : behaves differently in the other world"
    )
    row = report.Row("fake", "3.x", cpython, other)
    listing = report.format_differences([row])
    assert "fake on Python 3.x: 2 differ" in listing
    assert "__main__.T.test_3_hangs: CPython pass; threadlab hang" in listing


def test_a_run_that_keeps_hanging_is_reported_as_hung_after_n_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "MAX_RESUMES", 0)
    program = write(tmp_path, FAKE_SUITE)
    other = report.suite_run(OTHER, sys.executable, program, timeout=HANG_LIMIT)

    assert not other.complete
    assert other.note() == (
        f"hung after 2 tests (no end after {HANG_LIMIT} s, in __main__.T.test_3_hangs)"
    )
    table = report.format_table([report.Row("fake", "3.x", report.SuiteRun(), other)])
    assert "hung after 2 tests" in table


def test_a_suite_whose_file_is_not_installed_is_one_line(tmp_path: Path) -> None:
    program = write(
        tmp_path,
        HEADER
        + """
if cpython_suite.installed("no_such_test_file.py") is not None:
    raise AssertionError("found")
""",
    )
    runs = [
        report.suite_run(w, sys.executable, program, timeout=120) for w in (report.CPYTHON, OTHER)
    ]

    table = report.format_table([report.Row("fake", "3.x", *runs)]).splitlines()
    assert len(table) == 3  # the header, its rule, and one line
    assert "not installed: " in table[2] and "no_such_test_file.py" in table[2]
    assert "Traceback" not in "\n".join(table)
    assert report.format_differences([report.Row("fake", "3.x", *runs)]) == "\nNo test differs."


def test_under_threadlab_a_verdict_is_a_stop_and_the_output_is_read_from_the_trace(
    tmp_path: Path,
) -> None:
    program = write(
        tmp_path,
        HEADER
        + """

class T(unittest.TestCase):
    def test_1_passes(self):
        pass

    def test_2_deadlocks(self):
        lock = threading.Lock()
        lock.acquire()
        lock.acquire()

    def test_3_after(self):
        pass


cpython_suite.run([(types.ModuleType("fake"), [T])], sys.argv[1:])
""",
    )
    run = report.suite_run(report.THREADLAB, sys.executable, program, timeout=120)

    assert run.complete
    assert {t: o.outcome for t, o in run.outcomes.items()} == {
        "__main__.T.test_1_passes": "pass",
        "__main__.T.test_2_deadlocks": "hang",
        "__main__.T.test_3_after": "pass",
    }
    assert run.outcomes["__main__.T.test_2_deadlocks"].why.startswith("DEADLOCK: ")
    assert run.steps


def test_a_class_reported_as_one_error_is_one_line_for_all_its_tests() -> None:
    cpython = report.SuiteRun(
        {"m.C.test_a": report.Outcome("pass"), "m.C.test_b": report.Outcome("pass")}
    )
    threadlab = report.SuiteRun({"m.C": report.Outcome("error", "AttributeError: no C")})

    listing = report.format_differences([report.Row("fake", "3.x", cpython, threadlab)])

    assert listing.splitlines()[1:] == [
        "fake on Python 3.x: 2 differ",
        "  m.C: CPython not reported; threadlab error (AttributeError: no C),"
        " for its 2 tests (2 pass under CPython)",
    ]
