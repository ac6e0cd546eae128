"""Run files: a versioned JSON document from which a run can be replayed exactly.

It holds the scenario, variant, parameters and seed, the schedule of choices and user
actions, and every event. ``threadlab replay FILE`` re-executes the schedule to show the
run at its last step; ``--check`` compares the re-executed events with the saved ones: their
schedule (step, thread, kind, primitive, line) must be the same, and values that differ (as
``id()`` values do between executions) are noted. The file also records the string-hash seed
the run was made under, and the threads that could run before each step.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.errors import NoSuchThread, ReplayDiverged
from ..core.history import History
from ..core.oneline import quote, shorten_path
from ..debuggee.host import ProcessRuntime
from ..lesson.own_program import program_digest, program_scenario
from ..lesson.scenario import ConfigError, RunConfig, Scenario, resolve_config
from ..program.world import MAX_HASH_SEED, process_hash_seed
from ..snapshot.model import Event, EventKind, Snapshot
from .files import kind_of, output_file

FORMAT = "threadlab-run"
VERSION = 2
"""2: scenarios are plain Python programs (threads are started by MainThread, so a
version 1 file's thread numbers mean other threads)."""
MAX_BYTES = 256 * 1024 * 1024
"""The largest run file threadlab writes or reads. A run of about a million steps, the
longest the app is used for, saves to roughly 100 MB; a file larger than this is not a run
file, and reading one is refused before it is read into memory."""


class RunFileError(ConfigError):
    """A run file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class RunRecord:
    config: RunConfig
    history: History
    events: tuple[Event, ...]
    final: Snapshot | None = None
    program_files: tuple[str, ...] = ()
    """A program of the user's own: its file and its own modules' files, as recorded."""
    changed_file: str | None = None
    """The first of the program's files that differs from the one the run was recorded
    with (or is gone), if any."""
    preemptions: tuple[int, ...] = ()
    """For a schedule the explorer found: the steps where it switched away from a thread
    that could have gone on (marked on the timeline)."""
    shown: str = "the run file"
    """The file's path as errors show it."""
    hash_seed: int | None = None
    """The string-hash seed (``PYTHONHASHSEED``) the run was recorded under, when known: a
    program's ``hash()`` of a string, and the order of a set of strings, depend on it."""

    @property
    def program_changed(self) -> bool:
        return self.changed_file is not None


REPLAY_PATIENCE = 60.0
"""Seconds a re-execution waits for the program to reach its first checkpoint (it did when
the run was recorded); past them it is compared as far as it got."""


def replay(
    config: RunConfig, history: History, steps: int | None = None
) -> tuple[tuple[Event, ...], Snapshot]:
    """Re-execute ``history`` (up to ``steps``) headless; all its events and the snapshot.

    Raises:
        ReplayDiverged: the scenario no longer follows the recorded schedule.
    """
    events, final, _files = _replay(config, history, steps)
    return events, final


def _replay(
    config: RunConfig, history: History, steps: int | None
) -> tuple[tuple[Event, ...], Snapshot, tuple[str, ...]]:
    """``replay``, and the program's files the run used."""
    events: list[Event] = []
    # in a process of its own: what the program does to its process stays there
    runtime = ProcessRuntime(
        config, paused=True, speed=None, event_sink=events.append, history=history
    )
    try:
        runtime.start(at_step=len(history) if steps is None else steps)
        # a program slow to reach its first checkpoint (a loaded machine) starts late: the
        # events are those of the whole re-execution only once that start has ended
        runtime.wait_started(REPLAY_PATIENCE)
        return tuple(events), runtime.snapshot(), runtime.program_files()
    finally:
        runtime.stop()


def record(config: RunConfig, history: History, preemptions: tuple[int, ...] = ()) -> RunRecord:
    """Everything a run file holds, by re-executing the history once."""
    events, final, files = _replay(config, history, None)
    return RunRecord(
        config,
        history,
        events,
        final,
        program_files=files,
        preemptions=preemptions,
        hash_seed=process_hash_seed(),
    )


def record_and_save(
    config: RunConfig, history: History, preemptions: tuple[int, ...], path: str
) -> None:
    """``record`` the run, then ``save`` it to ``path``: the whole of a save, which the app
    has done in a process of its own (``debuggee.elsewhere``), away from its screen."""
    save(path, record(config, history, preemptions))


def to_document(run: RunRecord) -> dict[str, Any]:
    final = run.final
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": run.config.scenario.name,
        "variant": run.config.variant,
        "params": dict(run.config.params),
        "seed": run.config.seed,
        **({"hash_seed": run.hash_seed} if run.hash_seed is not None else {}),
        **_program_entry(run.config.scenario, run.program_files),
        **({"argv": list(run.config.argv)} if run.config.argv else {}),
        "schedule": run.history.to_json(),
        **({"preemptions": list(run.preemptions)} if run.preemptions else {}),
        "events": [event.as_dict() for event in run.events],
        "final": _final_entry(final),
    }


def _final_entry(final: Snapshot | None) -> dict[str, Any] | None:
    """How the run ended: its last step, its state and its verdict's words."""
    if final is None:
        return None
    return {
        "step": final.step,
        "state": final.run_state.value,
        "verdict": final.verdict.text if final.verdict else None,
    }


def _program_entry(scenario: Scenario, files: tuple[str, ...]) -> dict[str, Any]:
    """For a program of the user's own: where it is, and a hash of its file and of each
    module of its own the run imported."""
    if scenario.entry is not None:
        return {}  # a shipped scenario: found by its name
    entry: dict[str, Any] = {
        "path": scenario.program,
        "sha256": program_digest(scenario.program),
        "races": scenario.races,
    }
    modules = [f for f in dict.fromkeys(files) if f != scenario.program]
    if modules:
        entry["modules"] = {path: program_digest(path) for path in modules}
    if scenario.package is not None:  # run as a module of its package (-m)
        entry["package"] = scenario.package
    return {"program": entry}


def _changed_file(path: str, program: dict[str, Any]) -> str | None:
    """The first of the recorded program's files whose hash is not the recorded one."""
    recorded = {path: program.get("sha256")}
    modules = program.get("modules", {})
    if not isinstance(modules, dict):
        raise ValueError("field 'modules' is not an object of file hashes")
    recorded.update(modules)
    root = _program_root(path, program.get("package"))
    for file, digest in recorded.items():
        if not _inside(root, str(file)):
            return str(file)  # a module outside the program's folder is not read
        try:
            if program_digest(str(file)) != digest:
                return str(file)
        except OSError:
            return str(file)  # gone, or no longer readable
    return None


def _program_root(path: str, package: object) -> str:
    """The folder of the program's own modules: its file's, or its package's root when it
    ran as a module of a package (``-m pkg.module``)."""
    root = os.path.dirname(os.path.realpath(path))
    if isinstance(package, str) and package:
        for _level in package.split("."):
            root = os.path.dirname(root)
    return root


def _inside(folder: str, file: str) -> bool:
    real = os.path.realpath(file)
    return os.path.commonpath([folder, real]) == folder


def dumps(run: RunRecord) -> str:
    """The run file's text.

    Raises:
        RunFileError: the run is too long to save as a run file (over MAX_BYTES).
    """
    text = json.dumps(to_document(run), ensure_ascii=False, indent=1) + "\n"
    # A character is at most 4 bytes in UTF-8: encode only when it could matter.
    if len(text) * 4 > MAX_BYTES and len(text.encode("utf-8")) > MAX_BYTES:
        raise RunFileError(
            f"the run is too long for a run file (more than {MAX_BYTES // 2**20} MB); "
            "save it at an earlier step"
        )
    return text


RUN_FILE_STEPS = 2_000_000
"""The most steps a run file is written for (``trace --format run`` checks ``--steps``
against it before it runs); ``MAX_BYTES`` bounds the file itself."""


def check_steps(steps: int) -> None:
    """Refuse, before a run, to write a run file of more than ``RUN_FILE_STEPS`` steps.

    Raises:
        RunFileError: one line with the valid range.
    """
    if steps > RUN_FILE_STEPS:
        raise RunFileError(
            f"--steps {steps:,} is more than a run file holds (valid with --format run: "
            f"1..{RUN_FILE_STEPS:,})"
        )


class RunFileWriter:
    """Writes a run file as the run goes, in memory that does not grow with its length:
    the events as they come, the schedule, the program's files and the end once it has
    ended. The file holds what ``dumps`` writes, in another order of its fields.

    Raises (from ``event`` and ``finish``):
        RunFileError: the file would be larger than ``MAX_BYTES``.
    """

    def __init__(self, write: Callable[[str], object], config: RunConfig) -> None:
        self._write = write
        self._config = config
        self._bytes = 0
        self._events = 0
        header = {
            "format": FORMAT,
            "version": VERSION,
            "scenario": config.scenario.name,
            "variant": config.variant,
            "params": dict(config.params),
            "seed": config.seed,
            **({"hash_seed": seed} if (seed := process_hash_seed()) is not None else {}),
            **({"argv": list(config.argv)} if config.argv else {}),
        }
        text = json.dumps(header, ensure_ascii=False, indent=1)
        self._emit(text.removesuffix("\n}") + ',\n "events": [')

    def event(self, event: Event) -> None:
        text = json.dumps(event.as_dict(), ensure_ascii=False, indent=1).replace("\n", "\n  ")
        self._emit(("\n  " if self._events == 0 else ",\n  ") + text)
        self._events += 1

    def finish(
        self, history: History, final: Snapshot | None, program_files: tuple[str, ...]
    ) -> None:
        rest = {
            **_program_entry(self._config.scenario, program_files),
            "schedule": history.to_json(),
            "final": _final_entry(final),
        }
        text = json.dumps(rest, ensure_ascii=False, indent=1).removeprefix("{\n")
        self._emit(("\n ]" if self._events else "]") + ",\n" + text + "\n")

    def _emit(self, text: str) -> None:
        # A character is at most 4 bytes in UTF-8: encode only when it could matter.
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
        self._bytes += size
        if self._bytes > MAX_BYTES:
            raise RunFileError(
                f"the run is too long for a run file (more than {MAX_BYTES // 2**20} MB); "
                "write fewer steps"
            )
        self._write(text)


def save(path: str, run: RunRecord) -> None:
    """Write the run file whole, or not at all (see ``files.output_file``)."""
    text = dumps(run)
    with output_file(path) as stream:
        stream.write(text)


def load(path: str, find_scenario: Callable[[str], Scenario]) -> RunRecord:
    """Read and validate a run file; ``find_scenario`` looks a scenario up by name.

    Raises:
        RunFileError: missing, unreadable, truncated, corrupt, wrong version, or naming an
            unknown scenario, variant or parameter; one line that says which.
    """
    shown = shorten_path(path)
    text = _read_text(path, shown)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RunFileError(
            f"{shown} is truncated or corrupt (invalid JSON at line {error.lineno}, "
            f"column {error.colno})"
        ) from None
    except (ValueError, RecursionError):  # a number too long to read, nesting too deep
        raise RunFileError(f"{shown} is corrupt (not a JSON document threadlab can read)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RunFileError(f'{shown} is not a threadlab run file (no "format": "{FORMAT}")')
    version = document.get("version")
    if not _is_int(version):  # true == 1 and 1.0 == 1 in Python: neither is a version
        raise RunFileError(
            f"{shown}: field 'version' is {quote(version)}, not a whole number (valid: {VERSION})"
        )
    if isinstance(version, int) and 0 < version < VERSION:
        raise RunFileError(
            f"{shown} is from an older threadlab (run file version {version}); its "
            f"scenarios have changed since, so it cannot be replayed: record the run again"
        )
    if version != VERSION:
        raise RunFileError(
            f"{shown} is a version {quote(version)} run file; this threadlab reads version "
            f"{VERSION}"
        )
    changed: str | None = None
    try:
        program = document.get("program")
        if program is not None:
            path_of_program = _field(program, "path", str) if isinstance(program, dict) else None
            if path_of_program is None:
                raise ValueError("field 'program' is not an object with a 'path'")
            races = program.get("races", True)
            if not isinstance(races, bool):
                raise ValueError(f"field 'races' is {quote(races)}, not true or false")
            scenario = program_scenario(path_of_program, races)
            package = program.get("package")
            if isinstance(package, str) and package:
                scenario = dataclasses.replace(scenario, package=package)
            changed = _changed_file(path_of_program, program)
        else:
            scenario = find_scenario(_field(document, "scenario", str))
        params = _field(document, "params", dict)
        for name, value in params.items():
            if not _is_int(value):
                raise ValueError(f"parameter {quote(name)} is {quote(value)}, not a whole number")
        config = resolve_config(
            scenario,
            _field(document, "variant", str),
            {str(k): v for k, v in params.items()},
            _field(document, "seed", int),
            _argv(document.get("argv", [])),
        )
        history = History.from_json(document.get("schedule"))
        preemptions = document.get("preemptions", [])
        if not isinstance(preemptions, list) or not all(
            _is_int(step) and 0 < step <= len(history) for step in preemptions
        ):
            raise ValueError("field 'preemptions' is not a list of step numbers of the schedule")
        events = tuple(
            _event(number, item)
            for number, item in enumerate(_field(document, "events", list), start=1)
        )
        hash_seed = _hash_seed(document.get("hash_seed"))
    except (ConfigError, ValueError, TypeError) as error:
        raise RunFileError(f"{shown}: {error}") from None
    return RunRecord(
        config,
        history,
        events,
        changed_file=changed,
        preemptions=tuple(preemptions),
        shown=shown,
        hash_seed=hash_seed,
    )


def _read_text(path: str, shown: str) -> str:
    """The file's text, refusing anything that is not a regular file of at most MAX_BYTES
    before reading it: a FIFO would block in ``open``, ``/dev/zero`` never ends."""
    prefix = f"cannot read run file {shown}"
    try:
        found = os.stat(path)
        if not stat.S_ISREG(found.st_mode):
            raise RunFileError(f"{prefix}: it is {kind_of(found.st_mode)} (valid: a run file)")
        if found.st_size > MAX_BYTES:
            raise RunFileError(_too_large(prefix))
        # Non-blocking, in case it was swapped for a FIFO since the stat; checked again below.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        with open(handle, "rb") as stream:
            opened = os.fstat(handle)
            if not stat.S_ISREG(opened.st_mode):
                raise RunFileError(f"{prefix}: it is {kind_of(opened.st_mode)} (valid: a run file)")
            data = stream.read(MAX_BYTES + 1)  # never more, even if it grew meanwhile
    except FileNotFoundError:
        raise RunFileError(f"{prefix}: no such file") from None
    except OSError as error:
        raise RunFileError(f"{prefix}: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise RunFileError(_too_large(prefix))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RunFileError(f"{prefix}: not UTF-8 text") from None


def _too_large(prefix: str) -> str:
    return f"{prefix}: larger than any run file (at most {MAX_BYTES // 2**20} MB)"


def check(run: RunRecord) -> tuple[bool, str]:
    """Re-execute a loaded run and compare its events with the saved ones.

    Returns:
        (True, summary) when they match; (False, where and how they differ) otherwise.

    Raises:
        RunFileError: the schedule chooses a thread the run does not have at that step
            (known only on re-executing, as threads start mid-run): a corrupt file.
    """
    matches, summary = _compare(run)
    if run.changed_file is not None:
        changed = shorten_path(run.changed_file)
        summary = f"{changed} has changed since this run was recorded; {summary}"
    return matches, summary


def _compare(run: RunRecord) -> tuple[bool, str]:
    try:
        events, final = replay(run.config, run.history)
    except NoSuchThread as missing:
        raise RunFileError(
            f"{run.shown} is corrupt: its schedule chooses thread {missing.number} at step "
            f"{missing.step}, but the run has no such thread there (threads 1..{missing.threads})"
        ) from None
    except ReplayDiverged as diverged:
        return False, f"the run differs: {diverged}"
    values: list[tuple[Event, Event]] = []
    for index, (saved, now) in enumerate(zip(run.events, events, strict=False)):
        if _schedule_of(saved) != _schedule_of(now):
            return False, (
                f"the run differs at step {saved.step} (event {index + 1}): saved "
                f"{_describe(saved)}, re-executed {_describe(now)}"
            )
        if saved.detail != now.detail:
            values.append((saved, now))
    if len(run.events) != len(events):
        shorter = min(len(run.events), len(events))
        step = (run.events if len(run.events) > shorter else events)[shorter].step
        return False, (
            f"the run differs at step {step}: {len(run.events)} events saved, "
            f"{len(events)} re-executed"
        )
    summary = f"the run matches: {len(events)} events over {final.step} steps"
    if values:
        saved, now = values[0]
        count = "a value differs" if len(values) == 1 else f"{len(values)} values differ"
        summary += (
            f"; note: {count} from the recording, as values such as id() do between "
            f"executions (the schedule is the same), first at step {saved.step}: saved "
            f"{_describe(saved)}, re-executed {_describe(now)}"
        )
    return True, summary


def _schedule_of(event: Event) -> tuple[object, ...]:
    """What a re-execution must repeat of an event: its step, thread, kind, primitive and
    line. Its detail holds values (an item put, a value written), which may differ between
    executions where they depend on ``id()``: a difference there is a note."""
    return event.step, event.thread, event.kind, event.primitive, event.line


def _argv(value: object) -> tuple[str, ...]:
    """The program's arguments (a field only runs given some have; older files lack it)."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"field 'argv' is {quote(value)}, not a list of strings")
    return tuple(value)


def _hash_seed(value: object) -> int | None:
    """The string-hash seed the run was recorded under (files before it was recorded, and
    runs made under an unknown seed, have none)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_HASH_SEED:
        return value
    raise ValueError(f"field 'hash_seed' is {quote(value)}, not a whole number 0..{MAX_HASH_SEED}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _field(document: dict[str, Any], name: str, kind: type) -> Any:
    value = document.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"field {name!r} is missing or not a {kind.__name__}")
    return value


def _event(number: int, item: object) -> Event:
    """Event ``number`` of the file, every field checked: a wrong type is a corrupt file,
    not a run that differs."""
    if not isinstance(item, dict):
        raise ValueError(f"event {number} is {quote(item)}, not an object")
    for name in ("step", "thread", "kind", "primitive"):
        if name not in item:
            raise ValueError(f"event {number} has no {name!r}")
    step, thread, kind = item["step"], item["thread"], item["kind"]
    primitive, detail, line = item["primitive"], item.get("detail", ""), item.get("line")
    if not _is_int(step) or step < 0:
        raise ValueError(f"event {number}: step {quote(step)} is not a whole number >= 0")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise ValueError(f"event {number}: kind {quote(kind)} is not an event kind")
    for name, value in (("thread", thread), ("primitive", primitive)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"event {number}: {name} {quote(value)} is not a name or null")
    if not isinstance(detail, str):
        raise ValueError(f"event {number}: detail {quote(detail)} is not a string")
    if line is not None and (not _is_int(line) or line < 0):
        raise ValueError(f"event {number}: line {quote(line)} is not a line number or null")
    return Event(step, thread, EventKind(kind), primitive, detail, line)


_KINDS = frozenset(kind.value for kind in EventKind)


def _describe(event: Event) -> str:
    who = event.thread or "you"
    target = f" {event.primitive}" if event.primitive else ""
    detail = f" ({event.detail})" if event.detail else ""
    return f"{who} {event.kind}{target}{detail}"
