"""``trace --format run`` writes its run file as the run goes (memory that does not grow
with the run's length): the file holds what a saved run holds, replays, and a ``--steps``
beyond what a run file holds is refused before anything runs or any file is touched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from threadlab.engine import resolve_config
from threadlab.engine.core.history import History
from threadlab.engine.formats import runfile
from threadlab.scenarios import get_scenario

CLI = [sys.executable, "-m", "threadlab"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_a_streamed_run_file_holds_what_a_saved_one_holds(tmp_path: Path) -> None:
    done = cli(
        "trace", "producer-consumer", "--seed", "3", "--format", "run", "-o", "a.json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    streamed = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    config = resolve_config(get_scenario("producer-consumer"), seed=3)
    saved = json.loads(
        runfile.dumps(runfile.record(config, History.from_json(streamed["schedule"])))
    )
    streamed.pop("hash_seed", None)  # the command runs under a string-hash seed of its own
    saved.pop("hash_seed", None)
    assert streamed == saved  # the same fields and values, whatever their order
    assert len(streamed["events"]) > 10
    check = cli("replay", "--check", "a.json", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_too_many_steps_for_a_run_file_are_refused_before_the_run(tmp_path: Path) -> None:
    target = tmp_path / "kept.json"
    target.write_text("what was there", encoding="utf-8")
    steps = str(runfile.RUN_FILE_STEPS + 1)
    done = cli(
        "trace", "mutex", "--steps", steps, "--format", "run", "-o", str(target), cwd=tmp_path
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "more than a run file holds" in lines[0], done.stderr
    assert target.read_text(encoding="utf-8") == "what was there"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json"]
