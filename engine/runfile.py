"""Run files: a versioned JSON document from which a run can be replayed exactly.

It holds the scenario, variant, parameters and seed, the schedule of choices and user
actions, and every event. ``threadlab replay FILE`` re-executes the schedule to show the
run at its last step; ``--check`` compares the re-executed events with the saved ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from threadlab.engine.files import output_file
from threadlab.engine.history import History
from threadlab.engine.model import Event, Snapshot
from threadlab.engine.runtime import ReplayDiverged, Runtime
from threadlab.engine.scenario import ConfigError, RunConfig, Scenario, resolve_config

FORMAT = "threadlab-run"
VERSION = 1


class RunFileError(ConfigError):
    """A run file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class RunRecord:
    config: RunConfig
    history: History
    events: tuple[Event, ...]
    final: Snapshot | None = None


def replay(
    config: RunConfig, history: History, steps: int | None = None
) -> tuple[tuple[Event, ...], Snapshot]:
    """Re-execute ``history`` (up to ``steps``) headless; all its events and the snapshot.

    Raises:
        ReplayDiverged: the scenario no longer follows the recorded schedule.
    """
    events: list[Event] = []
    runtime = Runtime(config, paused=True, speed=None, event_sink=events.append, history=history)
    try:
        runtime.start(at_step=len(history) if steps is None else steps)
        return tuple(events), runtime.snapshot()
    finally:
        runtime.stop()


def record(config: RunConfig, history: History) -> RunRecord:
    """Everything a run file holds, by re-executing the history once."""
    events, final = replay(config, history)
    return RunRecord(config, history, events, final)


def to_document(run: RunRecord) -> dict[str, Any]:
    final = run.final
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": run.config.scenario.name,
        "variant": run.config.variant,
        "params": dict(run.config.params),
        "seed": run.config.seed,
        "schedule": run.history.to_json(),
        "events": [event.as_dict() for event in run.events],
        "final": None
        if final is None
        else {
            "step": final.step,
            "state": final.run_state.value,
            "verdict": final.verdict.text if final.verdict else None,
        },
    }


def dumps(run: RunRecord) -> str:
    return json.dumps(to_document(run), ensure_ascii=False, indent=1) + "\n"


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
    try:
        with open(path, encoding="utf-8-sig") as stream:
            text = stream.read()
    except FileNotFoundError:
        raise RunFileError(f"cannot read run file {path}: no such file") from None
    except IsADirectoryError:
        raise RunFileError(f"cannot read run file {path}: it is a directory") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise RunFileError(f"cannot read run file {path}: {reason}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RunFileError(
            f"{path} is truncated or corrupt (invalid JSON at line {error.lineno}, "
            f"column {error.colno})"
        ) from None
    except (ValueError, RecursionError):  # a number too long to read, nesting too deep
        raise RunFileError(f"{path} is corrupt (not a JSON document threadlab can read)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RunFileError(f'{path} is not a threadlab run file (no "format": "{FORMAT}")')
    version = document.get("version")
    if version != VERSION:
        raise RunFileError(
            f"{path} is a version {version!r} run file; this threadlab reads version {VERSION}"
        )
    try:
        scenario = find_scenario(_field(document, "scenario", str))
        params = _field(document, "params", dict)
        config = resolve_config(
            scenario,
            _field(document, "variant", str),
            {str(k): v for k, v in params.items()},
            _field(document, "seed", int),
        )
        history = History.from_json(document.get("schedule"))
        events = tuple(_event(item) for item in _field(document, "events", list))
    except (ConfigError, ValueError, TypeError) as error:
        raise RunFileError(f"{path}: {error}") from None
    return RunRecord(config, history, events)


def check(run: RunRecord) -> tuple[bool, str]:
    """Re-execute a loaded run and compare its events with the saved ones.

    Returns:
        (True, summary) when they match; (False, where and how they differ) otherwise.
    """
    try:
        events, final = replay(run.config, run.history)
    except ReplayDiverged as diverged:
        return False, f"the run differs: {diverged}"
    for index, (saved, now) in enumerate(zip(run.events, events, strict=False)):
        if saved != now:
            return False, (
                f"the run differs at step {saved.step} (event {index + 1}): saved "
                f"{_describe(saved)}, re-executed {_describe(now)}"
            )
    if len(run.events) != len(events):
        shorter = min(len(run.events), len(events))
        step = (run.events if len(run.events) > shorter else events)[shorter].step
        return False, (
            f"the run differs at step {step}: {len(run.events)} events saved, "
            f"{len(events)} re-executed"
        )
    return True, f"the run matches: {len(events)} events over {final.step} steps"


def _field(document: dict[str, Any], name: str, kind: type) -> Any:
    value = document.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"field {name!r} is missing or not a {kind.__name__}")
    return value


def _event(item: object) -> Event:
    if not isinstance(item, dict):
        raise ValueError(f"event {item!r} is not an object")
    try:
        return Event(
            step=item["step"],
            thread=item["thread"],
            kind=item["kind"],
            primitive=item["primitive"],
            detail=item.get("detail", ""),
            line=item.get("line"),
        )
    except KeyError as missing:
        raise ValueError(f"an event has no {missing}") from None


def _describe(event: Event) -> str:
    who = event.thread or "you"
    target = f" {event.primitive}" if event.primitive else ""
    detail = f" ({event.detail})" if event.detail else ""
    return f"{who} {event.kind}{target}{detail}"
