"""Conformance report: CPython's own test suites, run as ordinary programs under plain CPython
and under threadlab, side by side (``make conformance``).

Each suite is a program in ``programs/`` (an adapter that loads the test file from the
running interpreter's own ``test`` package, says what it substitutes and why, and prints one
``CONFORMANCE`` line per test; see ``programs/cpython_suite.py``). Each runs twice per Python:

- **CPython**: ``python PROGRAM`` (a subprocess of that interpreter: real modules, real threads);
- **threadlab**: ``python -m threadlab trace PROGRAM --no-races`` (the program as a user's
  program runs, its imports redirected to the controlled modules; ``--no-races`` because the
  shared reads and writes of the adapters' own helpers are not what is tested, and would only
  make the runs longer). The program's output is read back from the trace's output events, and
  the trace's end event says whether the run finished or stopped on a verdict.

Every run has a time limit (a subprocess timeout). A run that stops early (a timeout, a
verdict such as a deadlock, a crash) is resumed without the tests already reported and the one
it stopped in, which counts as ``hang``; after ``MAX_RESUMES`` it is left at that and the report
says "hung after N tests". The report never fails the build: it is a report. The comparison
is data (``SuiteRun``, ``counts``, ``differences``), so a later test can assert
``suite_run(...).counts() == ...`` per suite in a few lines.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROGRAMS = Path(__file__).resolve().parent / "programs"
PREFIX = "CONFORMANCE"
FAILED = ("fail", "error", "hang")
"""Outcomes counted as failed (a hang is the test the run stopped in)."""
MAX_RESUMES = 3
DEFAULT_TIMEOUT = 300.0
THREADLAB_STEPS = 10_000_000


@dataclass(frozen=True)
class Suite:
    """A CPython test suite and the program that runs it."""

    name: str
    program: Path


SUITES = (
    Suite("lock_tests", PROGRAMS / "run_lock_tests.py"),
    Suite("test_queue", PROGRAMS / "run_test_queue.py"),
    Suite("test_concurrent_futures", PROGRAMS / "run_test_concurrent_futures.py"),
    Suite("test_asyncio.test_locks", PROGRAMS / "run_test_asyncio_locks.py"),
    Suite("test_asyncio.test_queues", PROGRAMS / "run_test_asyncio_queues.py"),
)


@dataclass(frozen=True)
class Outcome:
    outcome: str
    """pass, fail, error, skip, or hang."""
    why: str = ""


@dataclass(frozen=True)
class Attempt:
    """One execution of a program: its output lines, and why it stopped early (None when it
    ran to its end)."""

    lines: tuple[str, ...]
    stopped: str | None = None
    steps: int | None = None
    """threadlab's scheduling steps (None under plain CPython)."""


@dataclass(frozen=True)
class World:
    """A way of running a program: plain CPython, or threadlab."""

    name: str
    command: Callable[[str, Path, Sequence[str]], list[str]]
    """(python, program, program arguments) → the command line."""
    read: Callable[[str, str, int | None], Attempt]
    """(the command's stdout, its stderr, its exit status or None after a timeout) → what
    the program printed and how it ended."""
    env: tuple[tuple[str, str], ...] = ()


def _plain_command(python: str, program: Path, args: Sequence[str]) -> list[str]:
    return [python, str(program), *args]


def _plain_read(stdout: str, stderr: str, status: int | None) -> Attempt:
    stopped = None if status == 0 else f"exit status {status}"
    if stopped and stderr.strip():
        stopped = f"{stopped}: {_last_line(stderr.splitlines())}"
    return Attempt(tuple(stdout.splitlines()), stopped)


def _threadlab_command(python: str, program: Path, args: Sequence[str]) -> list[str]:
    steps = str(THREADLAB_STEPS)
    return [python, "-m", "threadlab", "trace", str(program), "--no-races", "--steps", steps] + (
        ["--", *args] if args else []
    )


def _threadlab_read(stdout: str, stderr: str, status: int | None) -> Attempt:
    """The program's own stdout lines out of the trace's events, and the run's end."""
    lines: list[str] = []
    stopped: str | None = None if status == 0 else f"exit status {status}"
    ended = False
    steps = 0
    errors: list[str] = []
    for text in stdout.splitlines():
        try:
            event = json.loads(text)
        except ValueError:
            continue
        if event.get("kind") == "output" and event.get("stream") == "stdout":
            lines.extend(str(event.get("text", "")).splitlines() or [""])
        elif event.get("kind") == "end":
            ended = True
            steps = int(event.get("step") or 0)
            state = event.get("state")
            if state != "FINISHED":
                verdict = event.get("verdict")
                stopped = f"{state}: {verdict}" if verdict else f"{state} at step {event['step']}"
            elif event.get("exit_status") not in (0, None):
                stopped = f"the program's exit status {event['exit_status']}"
        elif event.get("kind") == "output" and event.get("stream") == "stderr":
            errors.append(str(event.get("text", "")))
    if not ended and stopped is None:
        stopped = "the trace has no end"
    if stopped and errors:
        stopped = f"{stopped}: {_last_line(errors)}"
    return Attempt(tuple(lines), stopped, steps)


def _last_line(lines: Sequence[str]) -> str:
    """The last line that says something (a traceback's last line is its exception)."""
    said = [line.strip() for line in lines if line.strip()]
    return said[-1][:240] if said else ""


CPYTHON = World("CPython", _plain_command, _plain_read)
THREADLAB = World("threadlab", _threadlab_command, _threadlab_read)


@dataclass
class SuiteRun:
    """A suite's outcomes in one world on one Python."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    """Test files not installed (the suite did not run)."""
    stops: list[str] = field(default_factory=list)
    """Why each attempt stopped early, with the test it stopped in."""
    complete: bool = False
    """Whether a run reached the end (after resumes)."""
    steps: int | None = None
    """threadlab's scheduling steps over every attempt (None under plain CPython)."""

    def counts(self) -> Counter[str]:
        """How many tests passed, failed (fail, error or hang) and were skipped."""
        counted: Counter[str] = Counter(passed=0, failed=0, skipped=0)
        for outcome in self.outcomes.values():
            if outcome.outcome == "pass":
                counted["passed"] += 1
            elif outcome.outcome == "skip":
                counted["skipped"] += 1
            else:
                counted["failed"] += 1
        return counted

    def note(self) -> str:
        """What the counts do not say: a file not installed, a run that stopped early, a
        threadlab run in which nothing was a step."""
        if self.missing:
            return "not installed: " + ", ".join(self.missing)
        notes = []
        if self.steps == 0 and self.outcomes:
            notes.append("0 steps: the tests never reached the controlled modules")
        ran = sum(o.outcome != "hang" for o in self.outcomes.values())
        if self.stops and not self.complete:
            notes.append(f"hung after {ran} tests ({self.stops[-1]})")
        elif self.stops:
            notes.append(f"resumed after {len(self.stops)} stop(s): {'; '.join(self.stops)}")
        return "; ".join(notes)


def parse(lines: Iterable[str], run: SuiteRun) -> str | None:
    """Add the outcomes in ``lines`` to ``run``; return the test started but not finished,
    if any. Sets ``complete`` when the end line is there."""
    current: str | None = None
    for line in lines:
        fields = line.split("\t")
        if fields[0] == f"{PREFIX}-START" and len(fields) >= 2:
            current = fields[1]
        elif fields[0] == PREFIX and len(fields) >= 3:
            run.outcomes[fields[2]] = Outcome(fields[1], fields[3] if len(fields) > 3 else "")
            if fields[2] == current:
                current = None
        elif fields[0] == f"{PREFIX}-MISSING" and len(fields) >= 2:
            run.missing.append(fields[1])
        elif fields[0] == f"{PREFIX}-END":
            run.complete = True
    return current


def execute(
    command: Sequence[str], timeout: float, env: dict[str, str]
) -> tuple[str, str, int | None]:
    """Run ``command`` (in a session of its own) for at most ``timeout`` seconds; its stdout,
    its stderr and its exit status (None when it was killed for the time limit)."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        return stdout, stderr, process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()  # what it printed before (none of it is lost)
        return stdout, stderr, None


def suite_run(
    world: World, python: str, program: Path, timeout: float = DEFAULT_TIMEOUT
) -> SuiteRun:
    """Run ``program`` in ``world`` with ``python``, resuming after a stop (at most
    ``MAX_RESUMES`` times) without the tests already reported and the one it stopped in."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **dict(world.env)}
    run = SuiteRun()
    args: list[str] = []
    for _attempt in range(MAX_RESUMES + 1):
        stdout, stderr, status = execute(world.command(python, program, args), timeout, env)
        attempt = world.read(stdout, stderr, status)
        if status is None:
            attempt = Attempt(attempt.lines, f"no end after {timeout:g} s", attempt.steps)
        before = len(run.outcomes)
        if attempt.steps is not None:
            run.steps = (run.steps or 0) + attempt.steps
        unfinished = parse(attempt.lines, run)
        if run.missing or run.complete:
            return run
        stopped = attempt.stopped or "ended without the end line"
        run.stops.append(f"{stopped}, in {unfinished}" if unfinished else stopped)
        if unfinished is not None:
            run.outcomes[unfinished] = Outcome("hang", stopped)
        elif len(run.outcomes) == before:
            return run  # no progress and no test to blame: resuming would do the same
        args = [word for test in run.outcomes for word in ("--exclude", test)]
    return run


@dataclass(frozen=True)
class Difference:
    test: str
    cpython: Outcome | None
    threadlab: Outcome | None


def differences(cpython: SuiteRun, threadlab: SuiteRun) -> list[Difference]:
    """The tests whose outcome differs (a test reported in one run only differs too)."""
    found = []
    for test in sorted(cpython.outcomes.keys() | threadlab.outcomes.keys()):
        a, b = cpython.outcomes.get(test), threadlab.outcomes.get(test)
        if (a and a.outcome) != (b and b.outcome):
            found.append(Difference(test, a, b))
    return found


@dataclass(frozen=True)
class Row:
    suite: str
    python: str
    cpython: SuiteRun
    threadlab: SuiteRun


def _cell(run: SuiteRun) -> str:
    if run.missing:
        return "—"
    counted = run.counts()
    return f"{counted['passed']}/{counted['failed']}" + (
        f" ({counted['skipped']} skip)" if counted["skipped"] else ""
    )


def format_table(rows: Sequence[Row]) -> str:
    """The table: suite × Python × passed/failed under CPython and under threadlab."""
    header = ("suite", "Python", "CPython pass/fail", "threadlab pass/fail", "same", "note")
    table = [header]
    for row in rows:
        if row.cpython.missing:
            note = row.cpython.note()
            same = "—"
        else:
            same = "yes" if row.cpython.counts() == row.threadlab.counts() else "no"
            notes = [
                f"{name}: {n}"
                for name, r in (("CPython", row.cpython), ("threadlab", row.threadlab))
                if (n := r.note())
            ]
            note = "; ".join(notes)
        table.append((row.suite, row.python, _cell(row.cpython), _cell(row.threadlab), same, note))
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    lines = []
    for i, r in enumerate(table):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  ----")
    return "\n".join(line.rstrip() for line in lines)


def _describe(outcome: Outcome | None) -> str:
    if outcome is None:
        return "not reported"
    return f"{outcome.outcome}" + (f" ({outcome.why})" if outcome.why else "")


def _stands_for(found: Sequence[Difference]) -> dict[str, list[Difference]]:
    """The tests reported in one run only because the other reported their whole class (or
    module) as one entry (it could not be defined or loaded), by that entry."""
    entries = {d.test for d in found}
    covered: dict[str, list[Difference]] = {}
    for diff in found:
        if diff.cpython is None or diff.threadlab is None:
            parts = diff.test.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                whole = ".".join(parts[:cut])
                if whole in entries:
                    covered.setdefault(whole, []).append(diff)
                    break
    return covered


def format_differences(rows: Sequence[Row]) -> str:
    """The tests that differ, grouped by suite (and Python); a class reported as one error
    in one run is one line for all of its tests."""
    parts = []
    for row in rows:
        found = differences(row.cpython, row.threadlab)
        if not found:
            continue
        covered = _stands_for(found)
        hidden = {d.test for group in covered.values() for d in group}
        parts.append(f"\n{row.suite} on Python {row.python}: {len(found) - len(covered)} differ")
        for diff in found:
            if diff.test in hidden:
                continue
            line = f"  {diff.test}: CPython {_describe(diff.cpython)}; "
            line += f"threadlab {_describe(diff.threadlab)}"
            if diff.test in covered:
                tests = covered[diff.test]
                other = Counter(
                    _describe(d.cpython if d.threadlab is None else d.threadlab).split(" ")[0]
                    for d in tests
                )
                line += (
                    f", for its {len(tests)} tests ("
                    + ", ".join(f"{n} {what}" for what, n in sorted(other.items()))
                    + (" under CPython)" if diff.cpython is None else " under threadlab)")
                )
            parts.append(line)
    return "\n".join(parts) if parts else "\nNo test differs."


def _python_arg(text: str) -> tuple[str, str]:
    version, sep, python = text.partition("=")
    if not sep or not version or not python:
        raise argparse.ArgumentTypeError(f"{text!r} is not VERSION=PYTHON (e.g. 3.12=python3.12)")
    return version, python


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "pythons",
        nargs="*",
        type=_python_arg,
        metavar="VERSION=PYTHON",
        help="the interpreters to run (default: this one)",
    )
    parser.add_argument("--suite", action="append", choices=[s.name for s in SUITES])
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds a run may take before it counts as hung ({DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--jobs", type=int, default=2, help="runs at once (2)")
    args = parser.parse_args(argv)
    pythons = args.pythons or [(f"{sys.version_info[0]}.{sys.version_info[1]}", sys.executable)]
    suites = [s for s in SUITES if not args.suite or s.name in args.suite]
    jobs = [(s, v, p, w) for s in suites for v, p in pythons for w in (CPYTHON, THREADLAB)]
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {
            job: pool.submit(suite_run, job[3], job[2], job[0].program, args.timeout)
            for job in jobs
        }
    rows = [
        Row(s.name, v, futures[(s, v, p, CPYTHON)].result(), futures[(s, v, p, THREADLAB)].result())
        for s in suites
        for v, p in pythons
    ]
    print(format_table(rows))
    print(format_differences(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
