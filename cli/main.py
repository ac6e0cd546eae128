"""The ``threadlab`` command line: the picker, ``run``, ``list``, ``trace``, ``explore``,
``replay`` and ``serve``.

Bad input gets one line saying what is wrong and what is valid, exit status 2, and no
traceback. The commands that open the app (the picker, ``run``, ``replay``) describe it as an
``AppRequest`` and hand it to the opener the entry point gives, so this package never imports
the app (nor Textual).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from .. import __version__
from ..engine.core.oneline import one_line, quote
from ..engine.explore.search import Stuck
from ..engine.formats import runfile
from ..engine.formats.files import output_file, writable_folder
from ..engine.formats.trace import (
    DEFAULT_TRACE_STEPS,
    FORMATS,
    HistoryLost,
    RunStuck,
    write_trace,
)
from ..engine.lesson.own_program import looks_like_a_program, module_scenario, program_scenario
from ..engine.lesson.scenario import ConfigError, RunConfig, Scenario, parse_whole, resolve_config
from ..engine.program.world import process_hash_seed
from ..engine.runtime import DEFAULT_SPEED
from .explore import add_arguments as add_explore_arguments
from .explore import run_explore
from .explore_text import stuck_text
from .serve import add_arguments as add_serve_arguments
from .serve import run_serve
from .termination import end_cleanly_on_termination, exit_status

if TYPE_CHECKING:
    from ..engine.core.history import History

EXIT_DIFFERS = 1
EXIT_BAD_INPUT = 2
MAX_TRACE_STEPS = 10_000_000


@dataclass(frozen=True)
class AppRequest:
    """The app a command asks for: the picker (no config), a run, or a saved run to replay."""

    save_dir: str
    """Where ``ctrl+s`` saves ('' for the current folder)."""
    config: RunConfig | None = None
    paused: bool = False
    speed: float | None = DEFAULT_SPEED
    """Steps a second, or None for as fast as it goes."""
    history: History | None = None
    preemptions: tuple[int, ...] = ()


AppOpener = Callable[[AppRequest], None]
"""Opens the app a command asks for (given by the entry point, which sits above the app)."""
Rerun = Callable[[int], None]
"""Starts this command again under a string-hash seed (never returns), or returns when it
cannot (given by the entry point, when the process is the command)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage dump) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see 'threadlab --help')")


def fail(message: str) -> NoReturn:
    # one_line is the last guard: whatever the message quotes, it stays one short line
    print(one_line(f"threadlab: error: {message}"), file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


# Plain ASCII decimals only: float() also takes "٣", "1_000", "inf", "nan" and " 5 ".
_PLAIN_DECIMAL = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,10})?|\.[0-9]{1,10}")


def _speed(text: str) -> float | None:
    if text == "max":
        return None
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"speed {quote(text)} is not a number "
            "(valid: a positive number of steps per second such as 4 or 0.5, or max)"
        )
    value = float(text)
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError(
            f"speed {text} is out of range (valid: more than 0 up to 1000 steps per second, or max)"
        )
    return value


def _steps(text: str) -> int:
    try:
        return parse_whole(text, "steps ", 1, MAX_TRACE_STEPS)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name",
        nargs="?",
        help="scenario name (see 'threadlab list'), or the path of your own program.py; "
        "what follows -- is its sys.argv[1:]",
    )
    parser.add_argument(
        "-m",
        dest="module",
        metavar="MODULE",
        help="run a module of the current directory as __main__, as 'python -m' does",
    )
    parser.add_argument("--variant", help="scenario variant (default: the scenario's first)")
    parser.add_argument("--seed", default="0", help="seed of the random schedule (default 0)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help="set a scenario parameter; repeat for several",
    )
    parser.add_argument(
        "--no-races",
        action="store_true",
        help="your own program: its shared reads and writes are not steps (faster; no data races)",
    )


SAVE_DIR_VARIABLE = "THREADLAB_SAVE_DIR"
"""The setting naming the save folder when ``--save-dir`` is not given."""


def _add_save_dir(
    parser: argparse.ArgumentParser,
    default: object,
    what: str = "the folder where ctrl+s and the Screenshot command save, each time in a new file",
) -> None:
    parser.add_argument(
        "--save-dir",
        default=default,
        metavar="DIR",
        help=f"{what} (default: ${SAVE_DIR_VARIABLE}, else the current folder)",
    )


def save_folder(option: str | None, environ: Mapping[str, str]) -> str:
    """The app's save folder: ``--save-dir``, else ``$THREADLAB_SAVE_DIR``, else the current
    one (''); a named one must exist and be writable.

    Raises:
        ConfigError: the folder named is missing, not a folder, or not writable (one line).
    """
    if option is not None:
        return writable_folder(option, "--save-dir")
    setting = environ.get(SAVE_DIR_VARIABLE)
    if setting:
        return writable_folder(os.path.expanduser(setting), f"{SAVE_DIR_VARIABLE}:")
    return ""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="threadlab",
        description="A terminal playground for concurrency: watch real threads contend, "
        "wait and break. With no command, opens the scenario picker.",
    )
    parser.add_argument(
        "--version", action="version", version=f"threadlab {__version__}", help="print the version"
    )
    _add_save_dir(parser, None)
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    listing = commands.add_parser("list", help="list scenarios, variants and parameters")
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")

    run = commands.add_parser("run", help="open a scenario in the app")
    _add_run_options(run)
    run.add_argument(
        "--speed",
        type=_speed,
        default=DEFAULT_SPEED,
        metavar="S|max",
        help="steps per second, or max (default 4)",
    )
    run.add_argument("--paused", action="store_true", help="start paused")
    _add_save_dir(run, argparse.SUPPRESS)  # (given before the command, it is kept)

    trace = commands.add_parser("trace", help="run headless and print events as JSON lines")
    _add_run_options(trace)
    trace.add_argument(
        "--steps",
        type=_steps,
        default=DEFAULT_TRACE_STEPS,
        help=f"stop after this many steps (default {DEFAULT_TRACE_STEPS})",
    )
    trace.add_argument(
        "--format",
        choices=FORMATS,
        default="jsonl",
        help="jsonl: one event per line (default); chrome: Trace Event Format for Perfetto; "
        "run: a run file for 'threadlab replay'",
    )
    trace.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of stdout (- is stdout)"
    )

    explore = commands.add_parser(
        "explore",
        help="search the schedules for one that breaks it; save and tell the one found",
        description="Runs schedules headless until one ends in a deadlock, a lost wakeup, a "
        "broken invariant or a failure, or is paused by a blocked event loop or a starved "
        "thread, or the budget runs out. A find is shrunk, saved as a run file for "
        "'threadlab replay', told as a story, and exits 1; without one, it says what it "
        "covered and exits 0.",
    )
    _add_run_options(explore)
    add_explore_arguments(explore)
    _add_save_dir(
        explore,
        argparse.SUPPRESS,
        "the folder where a find is saved without -o, each time in a new file",
    )

    replay = commands.add_parser("replay", help="open a saved run at its last step")
    replay.add_argument("file", metavar="FILE", help="a run file (saved with ctrl+s)")
    replay.add_argument(
        "--check",
        action="store_true",
        help="re-execute without the app: exit 0 when the events match, 1 when they differ",
    )
    replay.add_argument(
        "--trust",
        action="store_true",
        help="run the program the file names even when it is not the one the run was "
        "recorded with (without it, replay asks, or refuses when it cannot ask)",
    )
    _add_save_dir(replay, argparse.SUPPRESS)

    serve = commands.add_parser(
        "serve",
        help="serve the app to web browsers (each tab runs its own app)",
        description="Serves the app on http://HOST:PORT with textual-serve: each browser tab "
        "that opens it runs its own app, with the APP ARGS given here (nothing: the picker). "
        "Saves from every tab go to the save folder on this machine. Ctrl+C stops.",
    )
    add_serve_arguments(serve)
    _add_save_dir(serve, argparse.SUPPRESS)
    return parser


def _config(args: argparse.Namespace, program_args: Sequence[str] = ()) -> RunConfig:
    from ..scenarios import get_scenario

    params: dict[str, str] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--param {quote(item)} is not of the form K=V (e.g. --param capacity=2)")
        params[key] = value  # not stripped: " 5 " is not a plain number
    if (args.name is None) == (args.module is None):
        fail("give a scenario name, a program.py, or -m MODULE (one of them)")
    if args.module is not None:
        scenario = dataclasses.replace(module_scenario(args.module), races=not args.no_races)
    elif looks_like_a_program(args.name):
        scenario = program_scenario(args.name, races=not args.no_races)
    else:
        scenario = get_scenario(args.name)
    return resolve_config(scenario, args.variant, params, args.seed, tuple(program_args))


def variant_list(scenario: Scenario) -> str:
    """A scenario's variants for ``list``, its default one marked (unless it is named so)."""
    return ", ".join(
        f"{v.name}{' (default)' if v.name == scenario.default_variant != 'default' else ''}"
        for v in scenario.variants
    )


def _list(as_json: bool) -> None:
    from ..scenarios import SCENARIOS

    if as_json:
        print(json.dumps([s.describe() for s in SCENARIOS.values()], indent=2))
        return
    for scenario in SCENARIOS.values():
        print(f"{scenario.name:<20} {scenario.summary}")
        if len(scenario.variants) > 1:  # a scenario of one variant has nothing to choose
            print(f"{'':<20} variants: {variant_list(scenario)}")
        for p in scenario.params:
            print(f"{'':<20} --param {p.name}={p.default}  ({p.minimum}..{p.maximum}) {p.help}")
        print()


def _trace(config: RunConfig, steps: int, fmt: str, output: str | None) -> None:
    if fmt == "run":
        runfile.check_steps(steps)  # before anything runs, or any file is opened
    try:
        if output is None or output == "-":  # "-o -" is stdout, as for every Unix tool
            try:
                write_trace(config, steps, sys.stdout.write, fmt)
            finally:
                sys.stdout.flush()  # what was traced before a thread got stuck stays
            return
        # a regular file all or nothing; a FIFO, a device or a descriptor written into
        with output_file(output) as stream:
            write_trace(config, steps, stream.write, fmt)
    except RunStuck as stuck:
        raise ConfigError(
            stuck_text(Stuck(stuck.thread, stuck.line, stuck.seconds), "trace")
        ) from None
    except HistoryLost as lost:
        raise ConfigError(str(lost)) from None


def _replay(
    path: str, check: bool, trust: bool, save_dir: str, open_app: AppOpener, rerun: Rerun | None
) -> int:
    from ..scenarios import get_scenario

    run = runfile.load(path, get_scenario)
    _under_recorded_hash_seed(run, path, rerun)
    if not trust:
        _refuse_an_unknown_program(run, path, ask=not check)
    if check:
        matches, summary = runfile.check(run)
        print(summary)
        return 0 if matches else EXIT_DIFFERS
    open_app(
        AppRequest(
            save_dir,
            run.config,
            paused=True,
            history=run.history,
            preemptions=run.preemptions,
        )
    )
    return 0


def untrusted_program(run: runfile.RunRecord, path: str) -> str | None:
    """Why the program the run file ``path`` would run needs the user's consent, in words
    (None when it does not: a shipped lesson, or the recorded program where the user works):
    a run file is data, and running whatever program it names is running code someone
    else chose. The program must be the one recorded (path and contents, and its own
    modules), in the current folder or the run file's (or below): a file from elsewhere
    may name any script of this machine, with its true hash and any arguments."""
    if run.config.scenario.entry is not None:
        return None  # a shipped lesson: threadlab's own code
    changed = run.changed_file
    program = run.config.scenario.program
    if changed is None:
        real = os.path.realpath(program)
        places = {os.path.realpath(os.getcwd()), os.path.dirname(os.path.realpath(path))}
        if any(os.path.commonpath([place, real]) == place for place in places):
            return None
        return f"{run.shown} would run {program}, which is outside this folder and the run file's"
    if not os.path.exists(changed):
        what = "it is gone" if changed == program else f"its module {changed} is gone"
    elif changed == program:
        what = "its contents are not those the run was recorded with"
    else:
        what = f"its module {changed} is not the one the run was recorded with"
    return f"{run.shown} would run {program}, but {what}"


def _refuse_an_unknown_program(run: runfile.RunRecord, path: str, *, ask: bool) -> None:
    """Run a program other than the recorded one only with the user's consent: asked on
    the terminal when there is one to ask on, else refused in one line."""
    problem = untrusted_program(run, path)
    if problem is None:
        return
    if ask and sys.stdin.isatty() and sys.stdout.isatty():
        print(f"{problem}.", file=sys.stderr)
        try:
            answer = input("Run it anyway? Run only programs you trust. [y/N] ")
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip().lower() in ("y", "yes"):
            return
        raise SystemExit(EXIT_BAD_INPUT)
    fail(f"{problem}; replay it only if you trust that program (add --trust)")


def _under_recorded_hash_seed(run: runfile.RunRecord, path: str, rerun: Rerun | None) -> None:
    """Replay under the string-hash seed the run was recorded under: start again under it
    when this process has another, or say in one line that values may differ."""
    recorded = run.hash_seed
    current = process_hash_seed()
    if recorded is None or recorded == current:
        return
    if rerun is not None:
        rerun(recorded)  # returns only when it cannot
    this = "an unknown one" if current is None else str(current)
    print(
        f"note: {run.shown} was recorded under string-hash seed {recorded} and this process "
        f"runs under {this}, so what depends on hash() (the order of a set of strings) may "
        f"differ; to replay it exactly: PYTHONHASHSEED={recorded} threadlab replay "
        f"{shlex.quote(path)}",
        file=sys.stderr,
    )


SERVED_COMMANDS = (None, "run", "replay")


def _served_app(app_args: Sequence[str], save_dir: str | None) -> str:
    """Check what ``serve`` gives each tab's app as the app itself would (one line and exit 2
    now, not in every tab), and return the save folder: the app's own ``--save-dir``, else
    serve's, else ``$THREADLAB_SAVE_DIR``, else the current folder ('')."""
    words = list(app_args)
    program_args: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, program_args = words[:cut], words[cut + 1 :]
    args = build_parser().parse_args(words)
    if args.command not in SERVED_COMMANDS or (args.command == "replay" and args.check):
        fail(
            f"serve opens the app, not {quote(args.command)} (valid after serve's options: "
            "nothing for the picker, run NAME|FILE.py [...], or replay FILE)"
        )
    if program_args and args.command != "run":
        fail("arguments after -- are for 'run' of a program file")
    if args.save_dir is not None and save_dir is not None:
        fail("--save-dir is given twice (give it once)")
    folder = save_folder(args.save_dir if save_dir is None else save_dir, os.environ)
    if args.command == "run":
        _config(args, program_args)
    elif args.command == "replay":
        from ..scenarios import get_scenario

        problem = untrusted_program(runfile.load(args.file, get_scenario), args.file)
        if problem is not None and not args.trust:
            # every tab would run it: the one who serves decides, once, here
            fail(f"{problem}; serve it only if you trust that program: add --trust after replay")
    return folder


def main(argv: Sequence[str] | None, open_app: AppOpener, rerun: Rerun | None = None) -> int:
    """Run the command ``argv`` names (``sys.argv[1:]`` when None); ``open_app`` opens the
    app for the commands that show it; ``rerun``, when the process is the command, starts it
    again under the string-hash seed a replayed run was recorded under. Returns the exit
    status."""
    words = list(sys.argv[1:] if argv is None else argv)
    # Everything after the first "--" is the program's own arguments (its sys.argv[1:]).
    program_args: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, program_args = words[:cut], words[cut + 1 :]
    args = build_parser().parse_args(words)
    if args.command == "serve" and program_args:  # the served program's own arguments
        args.app_args = [*args.app_args, "--", *program_args]
    elif program_args and args.command not in ("run", "trace", "explore"):
        fail("arguments after -- are for 'run', 'trace' or 'explore' of a program file")
    if args.command in ("list", "trace", "explore", "replay"):  # the app has its own
        end_cleanly_on_termination()
    try:
        if args.command == "list":
            _list(args.json)
        elif args.command == "trace":
            _trace(_config(args, program_args), args.steps, args.format, args.output)
        elif args.command == "explore":
            # Checked before a long search; a folder -o names makes it needless.
            save_dir = save_folder(args.save_dir, os.environ) if args.output is None else ""
            return run_explore(_config(args, program_args), args, save_dir)
        elif args.command == "replay":
            save_dir = save_folder(args.save_dir, os.environ) if not args.check else ""
            return _replay(args.file, args.check, args.trust, save_dir, open_app, rerun)
        elif args.command == "serve":
            save_dir = _served_app(args.app_args, args.save_dir)
            return run_serve(args, save_dir)
        elif args.command == "run":
            save_dir = save_folder(args.save_dir, os.environ)
            config = _config(args, program_args)
            open_app(AppRequest(save_dir, config, paused=args.paused, speed=args.speed))
        else:
            open_app(AppRequest(save_folder(args.save_dir, os.environ)))
    except ConfigError as error:
        fail(str(error))
    except KeyboardInterrupt as interrupt:
        return exit_status(interrupt)
    except BrokenPipeError:
        # The reader went away (`threadlab trace ... | head`): end quietly, with the status
        # a Unix tool killed by SIGPIPE has (Python ignores the signal itself).
        import signal

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    return 0
