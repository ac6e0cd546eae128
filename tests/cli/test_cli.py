"""The command line as a user meets it: listings, traces, and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from threadlab.__main__ import main
from threadlab.scenarios import SCENARIOS

CLI = [sys.executable, "-m", "threadlab"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)


def test_list_shows_every_scenario_with_variants_and_parameters(capsys) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for scenario in SCENARIOS.values():
        assert scenario.name in out
        for variant in scenario.variants:
            assert variant.name in out
        for param in scenario.params:
            assert f"--param {param.name}={param.default}" in out


def test_list_names_variants_only_where_there_is_a_choice(capsys) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "default (default)" not in out  # a variant named default is not marked again
    blocks = {block.split()[0]: block for block in out.strip().split("\n\n")}
    for scenario in SCENARIOS.values():
        block = blocks[scenario.name]
        assert ("variants:" in block) == (len(scenario.variants) > 1), block
    assert "variants: while (default), if" in blocks["producer-consumer"]
    assert "variants: default, lesson" in blocks["futures"]


def test_list_json_is_machine_readable(capsys) -> None:
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [item["name"] for item in listed] == list(SCENARIOS)
    pc = next(item for item in listed if item["name"] == "producer-consumer")
    assert [v["name"] for v in pc["variants"]] == ["while", "if"]
    assert {p["name"] for p in pc["params"]} == {"producers", "consumers", "capacity", "items"}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_trace_is_byte_identical_on_repeat_runs(name: str) -> None:
    first = run_cli("trace", name, "--seed", "7", "--steps", "300")
    second = run_cli("trace", name, "--seed", "7", "--steps", "300")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert len(lines) > 5
    for event in lines[:-1]:
        assert {"step", "thread", "kind", "primitive"} <= event.keys()
    assert lines[-1]["kind"] == "end"
    ended = {"FINISHED", "DEADLOCK", "LOST WAKEUP", "VIOLATION"}
    paused_by_a_verdict = {"FAILED", "LOOP BLOCKED", "STARVATION"}
    assert lines[-1]["state"] in {"RUNNING", "PAUSED"} | ended | paused_by_a_verdict


def test_trace_seeds_give_different_interleavings() -> None:
    outputs = {
        run_cli("trace", "mutex", "--seed", str(seed), "--steps", "40").stdout for seed in range(4)
    }
    assert len(outputs) > 1


def test_trace_end_line_carries_the_verdict(tmp_path: Path) -> None:
    # Search a few seeds for the unlocked mutex's violation; the end line must name it.
    for seed in range(50):
        result = run_cli("trace", "mutex", "--variant", "unlocked", "--seed", str(seed))
        end = json.loads(result.stdout.splitlines()[-1])
        if end["state"] == "VIOLATION":
            assert "critical section" in end["verdict"]
            assert end["threads"]
            return
    pytest.fail("no seed in 0..49 broke the unlocked mutex")


def test_trace_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "run.jsonl"
    result = run_cli("trace", "producer-consumer", "--steps", "50", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    direct = run_cli("trace", "producer-consumer", "--steps", "50").stdout
    assert target.read_text(encoding="utf-8") == direct
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".threadlab-")]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "nope"], "unknown scenario 'nope' (valid: mutex, condition, producer-consumer, "),
        (["trace", "mutex", "--variant", "x"], "unknown variant 'x' for mutex (valid: locked"),
        (["trace", "mutex", "--param", "threads=99"], "threads=99 is out of range (valid: 1..9)"),
        (["trace", "mutex", "--param", "threads=lots"], "is not a whole number (valid: 1..9)"),
        (["trace", "mutex", "--param", "colour=1"], "unknown parameter 'colour' for mutex"),
        (["trace", "mutex", "--param", "threads"], "is not of the form K=V"),
        (["trace", "mutex", "--seed", "-1"], "seed -1 is out of range"),
        (["trace", "mutex", "--steps", "0"], "out of range (valid: 1..10000000)"),
        (["run", "mutex", "--speed", "fast"], "is not a number"),
        (["run", "mutex", "--speed", "0"], "out of range"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (
            ["trace", "mutex", "-o", "/no/such/folder/x.jsonl"],
            "folder /no/such/folder does not exist",
        ),
    ],
)
def test_bad_input_gets_one_line_and_exit_status_2(args: list[str], expected: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("threadlab: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_trace_to_a_directory_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    result = run_cli("trace", "mutex", "-o", str(tmp_path))
    assert result.returncode == 2
    assert "is a directory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_trace_formats_and_replay_check(tmp_path: Path) -> None:
    run_file = tmp_path / "run.json"
    result = run_cli("trace", "philosophers", "--seed", "3", "--format", "run", "-o", str(run_file))
    assert result.returncode == 0, result.stderr
    check = run_cli("replay", str(run_file), "--check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("the run matches")
    chrome = run_cli("trace", "philosophers", "--seed", "3", "--format", "chrome")
    assert json.loads(chrome.stdout)["traceEvents"]
    assert (
        chrome.stdout
        == run_cli("trace", "philosophers", "--seed", "3", "--format", "chrome").stdout
    )


def test_replay_check_fails_on_a_tampered_file_and_says_where(tmp_path: Path) -> None:
    run_file = tmp_path / "run.json"
    run_cli("trace", "mutex", "--format", "run", "-o", str(run_file))
    document = json.loads(run_file.read_text())
    document["schedule"]["steps"][4] = 3 if document["schedule"]["steps"][4] != 3 else 1
    run_file.write_text(json.dumps(document))
    result = run_cli("replay", str(run_file), "--check")
    assert result.returncode == 1
    assert "differs" in result.stdout and "step" in result.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ('{"format": "threadlab-run", "version": 2, "scen', "truncated or corrupt"),
        ("[1, 2, 3]", "is not a threadlab run file"),
        ('{"format": "threadlab-run", "version": 99}', "is a version 99 run file"),
        (
            '{"format": "threadlab-run", "version": 2, "scenario": "nope", "variant": "x",'
            ' "params": {}, "seed": 0, "schedule": {"steps": [], "actions": []}, "events": []}',
            "unknown scenario 'nope'",
        ),
        (
            '{"format": "threadlab-run", "version": 2, "scenario": "mutex", "variant": "locked",'
            ' "params": {}, "seed": 0, "schedule": {"steps": ["x"], "actions": []}, "events": []}',
            "is not a thread number",
        ),
    ],
)
def test_bad_run_files_get_one_line_and_exit_status_2(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content)
    for args in (["replay", str(path), "--check"], ["replay", str(path)]):
        result = run_cli(*args)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr


def test_hostile_run_files_get_one_line_not_a_traceback(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    huge.write_text('{"format": "threadlab-run", "version": 2, "seed": ' + "9" * 5000 + "}")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for path in (huge, deep):
        result = run_cli("replay", str(path), "--check")
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_a_run_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    run_file = tmp_path / "run.json"
    run_cli("trace", "mutex", "--steps", "20", "--format", "run", "-o", str(run_file))
    run_file.write_bytes(b"\xef\xbb\xbf" + run_file.read_bytes())
    assert run_cli("replay", str(run_file), "--check").returncode == 0


def test_trace_into_a_pipe_closed_after_one_line_ends_at_once_and_quietly() -> None:
    """`threadlab trace ... | head -1`: the writer finds the pipe closed; the run stops."""
    command = [*CLI, "trace", "cas", "--param", "threads=9", "--param", "rounds=50"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as head does after its line
    try:
        status = process.wait(timeout=60)
    finally:
        process.kill()
    errors = process.stderr.read().decode()
    assert first.startswith(b"{")
    assert status == 128 + signal.SIGPIPE
    assert "Traceback" not in errors and errors == ""
