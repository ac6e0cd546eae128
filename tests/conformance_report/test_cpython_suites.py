"""CPython's own test suites give the same outcomes under threadlab as under plain CPython,
on the Python that runs this (``make test`` runs it on every supported Python it finds).

Each suite is a program in ``conformance/programs/`` (an adapter that says what it changed
and why); ``make conformance`` prints the same comparison as a table. A suite whose test
file this Python does not install (Debian's and pyenv's builds may leave ``test`` out) is
skipped, saying so.
"""

from __future__ import annotations

import sys

import pytest
import report

SUITE_TIMEOUT = 300.0
"""Seconds a run may take before it counts as hung: generous, for a loaded machine."""

WHOLE_TIMEOUT = 2 * (report.MAX_RESUMES + 1) * SUITE_TIMEOUT
"""pytest-timeout's limit for one suite: both worlds, every resumed attempt (a suite takes
about a minute on a loaded machine; the file's 120 s default is too tight for that)."""

KNOWN_TO_DIFFER: dict[tuple[str, str], str] = {}
"""Suites that do not agree yet on one Python, and why (``make conformance`` runs them)."""


@pytest.mark.timeout(WHOLE_TIMEOUT)
@pytest.mark.parametrize("suite", report.SUITES, ids=lambda suite: suite.name)
def test_threadlab_passes_what_cpython_passes(suite: report.Suite) -> None:
    known = KNOWN_TO_DIFFER.get((suite.name, f"{sys.version_info[0]}.{sys.version_info[1]}"))
    if known is not None:
        pytest.skip(known)
    cpython = report.suite_run(report.CPYTHON, sys.executable, suite.program, SUITE_TIMEOUT)
    if cpython.missing:
        pytest.skip(f"this Python does not install {', '.join(cpython.missing)}")
    threadlab = report.suite_run(report.THREADLAB, sys.executable, suite.program, SUITE_TIMEOUT)
    assert cpython.complete and not cpython.stops, cpython.note()
    assert cpython.counts()["passed"] > 0
    assert threadlab.counts() == cpython.counts(), (
        threadlab.note(),
        report.differences(cpython, threadlab)[:10],
    )
