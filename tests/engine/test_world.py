"""A world that replays: a program's ``random``, ``uuid4``, ``os.urandom`` and ``secrets``
draw from its run's seed, so rewinds and replays are exact; an explicit seed behaves as in
CPython; a value that still differs between executions (an ``id()``) is a note of a replay,
not a divergence; a replay whose enabled threads differ from the record says so."""

from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from threadlab.engine import ControlRefused, ReplayDiverged, Runtime, Snapshot, resolve_config
from threadlab.engine.core.history import History
from threadlab.engine.formats import runfile
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.program import world
from threadlab.scenarios import get_scenario

IDLE = 30.0

RANDOM_WORLD = """\
import os
import os.path
import random
import secrets
import threading
import time
import uuid
from random import Random, randint

words = {"apple", "banana", "cherry", "damson", "elder", "fig", "grape"}
print("set order:", list(words))
results = []
lock = threading.Lock()


class Session:
    def __init__(self, n):
        self.token = secrets.token_hex(4)
        self.n = n


def worker(n):
    time.sleep(random.random())  # the common idiom: a random pause
    mine = Random()
    session = Session(n)
    value = (
        randint(1, 1000),
        round(mine.random(), 6),
        uuid.uuid4().hex[:8],
        os.urandom(3).hex(),
        session.token,
        secrets.token_urlsafe(3),
        secrets.choice("abcdef"),
        secrets.randbelow(100),
        random.SystemRandom().randrange(1000),
    )
    with lock:
        results.append((n, value))


threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for n, value in results:
    print(n, value)
"""

SEEDED = """\
import random

random.seed(42)
print(random.random(), random.randint(1, 10**6), random.choice("abcdefgh"))
print(random.gauss(0, 1), random.getrandbits(80), random.sample(range(100), 4))
r = random.Random(7)
items = list(range(12))
r.shuffle(items)
print(items, r.uniform(1, 2), r.randbytes(5).hex(), r.choices("xyz", k=6))
random.seed("text")
print(random.random())
random.setstate(r.getstate())
print(random.random() == r.random())
"""

ID_VALUES = """\
import threading


class Session:
    def __init__(self):
        self.token = id(self)


session = Session()
lock = threading.Lock()

def work():
    with lock:
        session.token = id(object())
    print("token", session.token)


threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


def write(directory: Path, source: str, name: str = "program.py") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def step_through(runtime: Runtime) -> list[Snapshot]:
    """Step the run one step at a time to its end; the snapshot after every step."""
    snapshots = [runtime.snapshot()]
    while True:
        try:
            runtime.step()
        except ControlRefused:  # the run has ended
            return snapshots
        assert runtime.wait_idle(IDLE)
        snapshots.append(runtime.snapshot())


def comparable(snapshot: Snapshot) -> Snapshot:
    return dataclasses.replace(snapshot, revision=0, history_length=0)


def output_of(snapshot: Snapshot) -> list[str]:
    return [line.text for line in snapshot.output]


@pytest.mark.parametrize("races", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_ten_rewinds_of_a_program_using_random_are_identical(
    tmp_path: Path, seed: int, races: bool
) -> None:
    path = write(tmp_path, RANDOM_WORLD)
    config = resolve_config(program_scenario(str(path), races=races), seed=seed)
    runtime = Runtime(config, paused=True, speed=None)
    try:
        runtime.start()
        snapshots = step_through(runtime)
        assert len(snapshots) > 10
        assert any("set order" in text for text in output_of(snapshots[-1]))
        picks = random.Random(seed)
        identical = 0
        for _ in range(10):
            step = picks.randrange(len(snapshots))
            runtime.goto(step)
            now = runtime.snapshot()
            expected = dataclasses.replace(snapshots[step], run_state=now.run_state)
            identical += comparable(now) == comparable(expected)
        runtime.goto(len(snapshots) - 1)
        assert output_of(runtime.snapshot()) == output_of(snapshots[-1])
        assert identical == 10
    finally:
        assert runtime.stop(5.0)


def run_to_end(path: Path, seed: int, races: bool = False) -> tuple[list[str], list[str]]:
    """A fresh run of the program to its end: its output and its events."""
    config = resolve_config(program_scenario(str(path), races=races), seed=seed)
    events: list[str] = []
    runtime = Runtime(config, paused=False, speed=None, event_sink=lambda e: events.append(repr(e)))
    try:
        runtime.start()
        assert runtime.wait_idle(IDLE)
        return output_of(runtime.snapshot()), events
    finally:
        assert runtime.stop(5.0)


def test_every_seed_gives_the_same_world_every_time_and_seeds_differ(tmp_path: Path) -> None:
    path = write(tmp_path, RANDOM_WORLD)
    outputs = []
    for seed in range(12):
        first = run_to_end(path, seed, races=seed % 2 == 1)
        again = run_to_end(path, seed, races=seed % 2 == 1)
        assert first == again, f"seed {seed}"
        outputs.append(tuple(first[0][1:]))  # the values each thread drew
    assert len(set(outputs)) == len(outputs)  # each seed its own world


def test_an_explicit_seed_gives_what_cpython_gives(tmp_path: Path) -> None:
    path = write(tmp_path, SEEDED)
    plain = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    for seed in (0, 5):
        output, _events = run_to_end(path, seed)
        assert output == plain.stdout.splitlines()


def test_a_saved_run_replays_in_a_fresh_process(tmp_path: Path) -> None:
    """Recorded in this process, checked by ``threadlab replay --check`` in another: a
    program of random values and set order (its string-hash seed fixed for both)."""
    path = write(tmp_path, RANDOM_WORLD)
    saved = tmp_path / "run.json"
    env_seed = {"PYTHONHASHSEED": "4242"}
    command = [sys.executable, "-m", "threadlab"]
    made = subprocess.run(
        [*command, "trace", str(path), "--format", "run", "-o", str(saved)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**_environment(), **env_seed},
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(saved.read_text())["hash_seed"] == 4242
    checked = subprocess.run(
        [*command, "replay", "--check", str(saved)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_environment(),  # no seed: it starts itself again under the recorded one
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("the run matches"), checked.stdout
    assert "note" not in checked.stdout + checked.stderr


def _environment() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("PYTHONHASHSEED",)}


def test_id_values_that_differ_are_a_note_not_a_divergence(tmp_path: Path) -> None:
    path = write(tmp_path, ID_VALUES)
    saved = tmp_path / "run.json"
    config = resolve_config(program_scenario(str(path), races=True), seed=3)
    runtime = Runtime(config, paused=False, speed=None)
    try:
        runtime.start()
        assert runtime.wait_idle(IDLE)
        history = runtime.history()
    finally:
        assert runtime.stop(5.0)
    runfile.save(str(saved), runfile.record(config, history))
    events = json.loads(saved.read_text())["events"]
    assert any(e["primitive"] == "Session.token" and e["detail"] for e in events)
    checked = subprocess.run(  # another process: other addresses, other id()s
        [sys.executable, "-m", "threadlab", "replay", "--check", str(saved)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("the run matches"), checked.stdout
    assert "note: " in checked.stdout and "Session.token" in checked.stdout, checked.stdout


def test_a_replay_whose_enabled_threads_differ_says_so_at_that_step(tmp_path: Path) -> None:
    config = resolve_config(get_scenario("producer-consumer"), "while", seed=4)
    runtime = Runtime(config, paused=True, speed=None)
    try:
        runtime.start()
        runtime.step(40)
        assert runtime.wait_idle(IDLE)
        history = runtime.history()
    finally:
        assert runtime.stop(5.0)
    assert len(history.enabled) == len(history) == 40
    step = 25
    tampered = history.copy()
    tampered.enabled_sets.append(history.enabled_before(step) ^ (1 << 1))  # MainThread
    tampered.enabled[step - 1] = len(tampered.enabled_sets) - 1
    replayed = Runtime(config, paused=True, speed=None, history=tampered)
    try:
        with pytest.raises(ReplayDiverged, match=f"at step {step}: the threads that could run"):
            replayed.start(at_step=40)
        assert replayed.snapshot().step == step - 1  # usable, at the last step that matched
    finally:
        assert replayed.stop(5.0)
    saved = tmp_path / "run.json"
    runfile.save(str(saved), runfile.record(config, history))
    document = json.loads(saved.read_text())
    enabled = document["schedule"]["enabled"]
    enabled["sets"].append([n for n in (1, 2, 3) if n not in enabled["sets"][0]] or [9])
    enabled["steps"][step - 1] = len(enabled["sets"]) - 1
    saved.write_text(json.dumps(document))
    matches, summary = runfile.check(runfile.load(str(saved), get_scenario))
    assert not matches
    assert f"at step {step}: the threads that could run were" in summary


def test_a_history_keeps_its_enabled_sets_through_a_run_file_and_truncation() -> None:
    history = History()
    for number, mask in [(1, 0b10), (2, 0b110), (1, 0b110), (3, 0b1010)]:
        history.record_step(number, False, mask)
    loaded = History.from_json(json.loads(json.dumps(history.to_json())))
    assert loaded == history
    assert [loaded.enabled_before(k) for k in range(1, 5)] == [0b10, 0b110, 0b110, 0b1010]
    assert loaded.enabled_before(5) is None
    loaded.truncate(2, 0)
    loaded.record_step(2, True, 0b100)
    assert loaded.enabled_before(3) == 0b100
    old = History.from_json({"steps": [1, 2], "actions": []})  # a file from before
    assert old.enabled_before(1) is None
    with pytest.raises(ValueError, match="enabled"):
        History.from_json({"steps": [1], "actions": [], "enabled": {"sets": [[1]], "steps": []}})


def test_the_hash_seed_of_this_process_is_read_back_only_when_it_took() -> None:
    assert world._secret_of(0, 24) == bytes(24)
    claimed = world.parse_hash_seed
    assert claimed("123") == 123 and claimed("random") is None and claimed("-1") is None
    assert claimed(str(2**32)) is None and claimed(None) is None
    probe = (
        "from threadlab.engine.program.world import process_hash_seed as p; import os;"
        "a = p(); os.environ['PYTHONHASHSEED'] = '99'; print(a, p())"
    )
    for environment, expected in [({"PYTHONHASHSEED": "77"}, "77 None"), ({}, "None None")]:
        shown = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            timeout=60,
            env={**_environment(), **environment},
        )
        assert shown.stdout.split() == expected.split(), shown.stderr


SET_ORDER = """\
import threading


def work():
    pass


for name in {"north", "south", "east", "west", "up", "down"}:  # the order: the hash seed's
    threading.Thread(target=work, name=name).start()
"""


def test_replay_starts_again_under_the_recorded_hash_seed(tmp_path: Path) -> None:
    """Which thread starts first depends on the string-hash seed: a run recorded under one
    replays under it, whatever seed ``threadlab replay`` was started under; where it cannot
    start again (``python -E``), one line says so."""
    path = write(tmp_path, SET_ORDER)
    command = [sys.executable, "-m", "threadlab"]
    schedules = []
    for seed in ("11", "22"):
        saved = tmp_path / f"run-{seed}.json"
        made = subprocess.run(
            [*command, "trace", str(path), "--format", "run", "-o", str(saved)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**_environment(), "PYTHONHASHSEED": seed},
        )
        assert made.returncode == 0, made.stderr
        document = json.loads(saved.read_text())
        assert document["hash_seed"] == int(seed)
        schedules.append([e["detail"] for e in document["events"]])
    assert schedules[0] != schedules[1]  # the seed matters to this program
    checked = subprocess.run(
        [*command, "replay", "--check", str(tmp_path / "run-11.json")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**_environment(), "PYTHONHASHSEED": "22"},
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stderr == ""
    ignored = subprocess.run(
        [
            sys.executable,
            "-E",
            "-m",
            "threadlab",
            "replay",
            "--check",
            str(tmp_path / "run-11.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**_environment(), "PYTHONHASHSEED": "22"},
    )
    note = ignored.stderr.splitlines()
    assert len(note) == 1, ignored.stderr
    assert note[0].startswith("note: ")
    assert "run-11.json was recorded under string-hash seed 11" in note[0]
    assert "PYTHONHASHSEED=11 threadlab replay" in note[0]


def test_a_run_file_without_a_hash_seed_still_loads_and_a_bad_one_is_one_line(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, SET_ORDER)
    saved = tmp_path / "run.json"
    config = resolve_config(program_scenario(str(path)), seed=1)
    record = dataclasses.replace(runfile.record(config, History()), hash_seed=None)
    runfile.save(str(saved), record)
    document = json.loads(saved.read_text())
    assert "hash_seed" not in document
    assert runfile.load(str(saved), get_scenario).hash_seed is None
    document["hash_seed"] = "12"
    saved.write_text(json.dumps(document))
    bad = subprocess.run(
        [sys.executable, "-m", "threadlab", "replay", "--check", str(saved)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "hash_seed" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr


def test_the_runs_modules_are_the_real_ones_but_for_what_draws_entropy() -> None:
    import os
    import secrets
    import uuid

    class Kernel:  # a stand-in: the modules only need somewhere to keep their world
        def __init__(self) -> None:
            self.attached: dict[str, object] = {}

    kernel = Kernel()
    world.begin_world(kernel, 5)
    modules = world.world_modules(kernel)
    mine = modules["random"]
    mine.chosen = "by the program"  # set before the module is first read: it stays
    assert "shuffle" in dir(mine) and mine.chosen == "by the program"
    assert mine.Random is not random.Random and issubclass(mine.Random, random.Random)
    assert repr(mine.Random()).startswith("<random.Random object")
    assert mine.BPF == random.BPF and mine.__name__ == "random"
    assert modules["os"].getcwd is os.getcwd and modules["os"].environ is os.environ
    assert modules["os"].urandom is not os.urandom
    assert modules["uuid"].UUID is uuid.UUID and modules["secrets"].compare_digest is (
        secrets.compare_digest
    )
    again = world.world_modules(kernel)  # the same world: the same values
    world.begin_world(kernel, 5)
    fresh = world.world_modules(kernel)
    assert fresh["random"].random() == world.world_modules(kernel)["random"].random()
    assert again["os"].urandom(8) != b"" and len(fresh["secrets"].token_hex(4)) == 8
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = fresh["uuid"].nothing
