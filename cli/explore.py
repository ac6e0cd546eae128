"""``threadlab explore``: search a scenario's or a program's schedules for one that breaks
it, from the command line.

On a find: the shrunk schedule is saved as a run file, its story is printed, and the exit
status is 1. Without one: what was covered, exit status 0. Progress goes to stderr: a live
line on a terminal, plain lines every few seconds otherwise; ``--json`` prints one JSON
object and no progress.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from ..engine.core.oneline import quote, shorten_path
from ..engine.explore import (
    STRATEGY_NAMES,
    ExploreResult,
    Progress,
    Request,
    WorkerFailed,
    default_jobs,
    explore_in_own_process,
    target_of,
)
from ..engine.formats import runfile
from ..engine.formats.files import new_file
from ..engine.lesson.scenario import ConfigError, RunConfig
from .explore_text import (
    coverage_text,
    first_find_text,
    found_text,
    progress_text,
    story_lines,
    story_rows,
    stuck_text,
)
from .termination import exit_status

DEFAULT_BUDGET = "60s"
MAX_JOBS = 64
MAX_SECONDS = 24 * 3600
MAX_SCHEDULES = 1_000_000_000
PLAIN_PROGRESS_EVERY = 5.0
"""Seconds between two progress lines when stderr is not a terminal."""

EXIT_FOUND = 1
EXIT_STUCK = 2

_BUDGET = re.compile(
    r"(?:(?P<seconds>[0-9]{1,6}(?:\.[0-9]{1,3})?)(?P<unit>s|m))|(?P<count>[0-9]{1,10})"
)


def budget(text: str) -> tuple[float | None, int | None]:
    """'60s', '2m' or '1.5s' (time), or a whole number of schedules."""
    match = _BUDGET.fullmatch(text)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"budget {quote(text)} is not a time or a count "
            "(valid: seconds such as 60s, minutes such as 2m, or a number of schedules)"
        )
    if match["count"] is not None:
        count = int(match["count"])
        if not 1 <= count <= MAX_SCHEDULES:
            raise argparse.ArgumentTypeError(
                f"budget {text} is out of range (valid: 1..{MAX_SCHEDULES:,} schedules)"
            )
        return None, count
    seconds = float(match["seconds"]) * (60 if match["unit"] == "m" else 1)
    if not 0 < seconds <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"budget {text} is out of range (valid: more than 0 s, up to 24 hours)"
        )
    return seconds, None


def jobs(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_JOBS:
        raise argparse.ArgumentTypeError(
            f"jobs {quote(text)} is not a number of processes (valid: 1..{MAX_JOBS})"
        )
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``explore`` beyond those of ``run`` (name, -m, variant, param, seed)."""
    parser.add_argument(
        "--budget",
        type=budget,
        default=budget(DEFAULT_BUDGET),
        metavar="60s|N",
        help=f"stop after this long (60s, 2m) or this many schedules (default {DEFAULT_BUDGET})",
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGY_NAMES,
        default="auto",
        help="auto (default): random walk, PCT and depth-first search in turn",
    )
    parser.add_argument(
        "--jobs",
        type=jobs,
        default=None,
        metavar="N",
        help="worker processes (default: the machine's cores); the same seed finds the same "
        "schedule with any number",
    )
    parser.add_argument(
        "--spurious",
        action="store_true",
        help="let condition waiters wake with no signal, as CPython allows",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="save a failing schedule here (default: a new threadlab-explore-….json in the "
        "save folder, --save-dir or $THREADLAB_SAVE_DIR, else the current one; never "
        "overwriting one)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON result")


def run_explore(config: RunConfig, args: argparse.Namespace, save_dir: str = "") -> int:
    """``threadlab explore``: search, report, and the exit status. A find goes to ``-o``,
    else to a new file in ``save_dir`` (the current folder if empty)."""
    seconds, schedules = args.budget
    output = args.output
    if output is not None:
        _check_output(output)
    from ..scenarios import get_scenario

    request = Request(
        target=target_of(config),
        find_scenario=get_scenario,
        strategy=args.strategy,
        seconds=seconds,
        schedules=schedules,
        seed=config.seed,
        jobs=args.jobs if args.jobs is not None else default_jobs(),
        spurious=args.spurious,
    )
    cancel = threading.Event()
    show = _Shown(quiet=args.json)
    try:
        with show:
            # in a process of its own: what the program does to its process stays there
            result = explore_in_own_process(request, progress=show.progress, cancel=cancel)
    except WorkerFailed as error:
        raise ConfigError(f"the search stopped: {error}") from None
    except KeyboardInterrupt as interrupt:  # Ctrl+C, SIGTERM or SIGHUP: workers ended
        cancel.set()
        print("threadlab: explore: interrupted", file=sys.stderr)
        return exit_status(interrupt)
    return _report(config, result, output, save_dir, as_json=args.json)


def _check_output(path: str) -> None:
    """Refuse an -o that cannot be written, before a long search (one line)."""
    folder = os.path.dirname(path) or "."
    if os.path.isdir(path):
        raise ConfigError(
            f"cannot write {shorten_path(path)}: it is a directory (valid: a file path)"
        )
    if not os.path.isdir(folder):
        raise ConfigError(
            f"cannot write {shorten_path(path)}: folder {shorten_path(folder)} does not exist"
        )


def _default_output(config: RunConfig, save_dir: str) -> str:
    scenario = config.scenario
    if scenario.entry is None:
        stem = os.path.splitext(os.path.basename(scenario.program))[0]
    else:
        stem = scenario.name
    if len(config.scenario.variants) > 1:
        stem += f"-{config.variant}"
    return new_file(save_dir, f"threadlab-explore-{re.sub(r'[^A-Za-z0-9_.-]', '_', stem)}", ".json")


def _report(
    config: RunConfig, result: ExploreResult, output: str | None, save_dir: str, *, as_json: bool
) -> int:
    if result.stuck is not None:
        raise ConfigError(stuck_text(result.stuck))
    finding = result.finding
    if finding is None:
        if as_json:
            print(
                json.dumps(
                    {
                        "found": False,
                        **_coverage_json(result),
                        "summary": coverage_text(result.coverage),
                    }
                )
            )
        else:
            print(coverage_text(result.coverage))
        return 0
    path = output if output is not None else _default_output(config, save_dir)
    record = runfile.record(config, finding.history, finding.preemption_steps)
    runfile.save(path, record)
    program_file = config.scenario.program
    if as_json:
        document: dict[str, Any] = {
            "found": True,
            "verdict": {
                "kind": finding.verdict.kind.value,
                "text": finding.verdict.text,
                "step": finding.verdict.step,
                "threads": list(finding.verdict.threads),
            },
            "file": os.path.abspath(path),
            "steps": finding.steps,
            "preemptions": finding.preemptions,
            "strategy": finding.strategy,
            "schedule": finding.schedule,
            "found_after_seconds": round(finding.found_after, 3),
            "before_shrinking": {"preemptions": finding.original[0], "steps": finding.original[1]},
            "shrinking_cut_short": finding.shrinking_cut_short,
            "story": [
                dict(zip(("steps", "thread", "place", "did", "code", "why"), row, strict=True))
                for row in story_rows(finding, program_file)
                if row[0] != "…"
            ],
            **_coverage_json(result),
        }
        print(json.dumps(document))
        return EXIT_FOUND
    print(found_text(finding).capitalize())
    print()
    print("How it happens (each thread's turns: steps, thread, line, what it did):")
    for line in story_lines(finding, program_file, width=_width()):
        print(line)
    print()
    print(f"Saved: {os.path.abspath(path)}")
    print(f"Watch it: threadlab replay {_shell_word(path)}")
    return EXIT_FOUND


def _coverage_json(result: ExploreResult) -> dict[str, Any]:
    coverage = result.coverage
    return {
        "coverage": {
            "schedules": coverage.schedules,
            "seconds": round(coverage.seconds, 3),
            "strategies": list(coverage.strategies),
            "exhaustive": coverage.exhaustive,
            "all_pass_with_at_most_preemptions": coverage.bound_done,
            "schedules_within_that_bound": coverage.bound_schedules,
            "cut_short": coverage.cut_short,
            "spurious": coverage.spurious,
            "unwatched_steps": coverage.unwatched_steps,
            "diverged_at_step": coverage.diverged_at,
        }
    }


def _shell_word(path: str) -> str:
    return (
        path if re.fullmatch(r"[A-Za-z0-9_./-]+", path) else "'" + path.replace("'", "'\\''") + "'"
    )


def _width() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except OSError:
        return 120


class _Shown:
    """Shows progress on stderr: a live line on a terminal, plain lines otherwise."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.live = not quiet and sys.stderr.isatty()
        self._status: Any = None
        self._last_plain = time.monotonic()
        self._console: Any = None
        self._announced = False

    def __enter__(self) -> _Shown:
        if self.live:
            from rich.console import Console

            self._console = Console(stderr=True)
            self._status = self._console.status("exploring…")
            self._status.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc_info)

    @property
    def progress(self) -> Callable[[Progress], None] | None:
        return None if self.quiet else self._progress

    def _progress(self, progress: Progress) -> None:
        if progress.found is not None and not self._announced:
            self._announced = True  # the find, at once, on a line that stays
            line = first_find_text(progress.found)
            if self._console is not None:
                from rich.text import Text

                self._console.print(Text(line))
            else:
                print(line, file=sys.stderr, flush=True)
        text = progress_text(progress)
        if self._status is not None:
            from rich.text import Text

            self._status.update(Text(text))  # plain text: a name in brackets is no markup
            return
        now = time.monotonic()
        if progress.shrinking or now - self._last_plain >= PLAIN_PROGRESS_EVERY:
            self._last_plain = now
            print(f"exploring: {text}", file=sys.stderr, flush=True)
