"""Rewind, replay and run files: re-executing the recorded history gives the same run."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import pytest

from threadlab.engine import ControlRefused, RunState, Runtime, Snapshot, resolve_config
from threadlab.engine.core.history import History
from threadlab.engine.formats import runfile
from threadlab.engine.formats.chrome_trace import SLICE_STATES
from threadlab.engine.formats.trace import write_trace
from threadlab.scenarios import get_scenario


@pytest.fixture
def launch():
    """Start runtimes from a config (and a history), paused; stop them all afterwards."""
    started: list[Runtime] = []

    def _launch(config, history: History | None = None) -> Runtime:
        runtime = Runtime(config, paused=True, speed=None, history=history)
        started.append(runtime)
        runtime.start()
        return runtime

    yield _launch
    for runtime in started:
        assert runtime.stop()


def comparable(snapshot: Snapshot) -> Snapshot:
    """What the screen shows of a step, minus counters that only say 'redraw now'."""
    return dataclasses.replace(snapshot, revision=0, history_length=0)


def play_by_hand(launch) -> tuple[Runtime, list[Snapshot]]:
    """producer-consumer 'if': chosen steps and a spurious wakeup, snapshot after every
    step."""
    rt = launch(resolve_config(get_scenario("producer-consumer"), "if", seed=2))
    snapshots = [rt.snapshot()]

    def step(thread: str | None = None) -> None:
        if thread is None:
            rt.step()
        else:
            rt.step_thread(thread)
        assert rt.wait_idle(10)
        snapshots.append(rt.snapshot())

    while len(rt.snapshot().threads) < 5:
        step("MainThread")  # starts P1, P2, C1 and C2
    step("P1")  # starts, then stops at acquire mutex
    step("P2")
    while rt.snapshot().thread("C1").waits_on != "not_empty":
        step("C1")  # takes the mutex, finds the buffer empty, waits (releasing it)
    rt.spurious_wakeup("not_empty", "C1")
    snapshots[-1] = rt.snapshot()  # the action belongs to the step it followed
    while rt.snapshot().verdict is None:
        step("C1")  # re-acquires the free mutex, then takes from the empty buffer
    return rt, snapshots


def test_goto_shows_exactly_each_recorded_step(launch) -> None:
    rt, snapshots = play_by_hand(launch)
    assert snapshots[-1].run_state is RunState.FAILED
    end = len(snapshots) - 1
    assert rt.history_length == end
    for step in (0, 3, end // 2, end - 1, end):
        rt.goto(step)
        now = rt.snapshot()
        assert now.history_length == end
        expected = snapshots[step]
        if step < end:  # rewound: paused there instead of running
            expected = dataclasses.replace(expected, run_state=now.run_state)
            assert now.run_state is RunState.PAUSED
        assert comparable(now) == comparable(expected), f"step {step}"


def test_back_n_then_forward_n_returns_to_the_same_snapshot(launch) -> None:
    rt = launch(resolve_config(get_scenario("readers-writers"), seed=5))
    rt.step(40)
    assert rt.wait_idle(10)
    before = rt.snapshot()
    rt.step_back(15)
    assert rt.snapshot().step == before.step - 15
    rt.step(15)  # the policy draws again from the same state: the same 15 steps
    assert rt.wait_idle(10)
    assert comparable(rt.snapshot()) == comparable(dataclasses.replace(before))


def test_a_new_step_after_a_rewind_starts_a_new_history(launch) -> None:
    rt = launch(resolve_config(get_scenario("mutex"), seed=1))
    rt.step(20)
    assert rt.wait_idle(10)
    rt.goto(10)
    assert rt.history_length == 20
    runnable = [t.name for t in rt.snapshot().threads if t.state.can_run]
    rt.step_thread(runnable[-1])
    assert rt.wait_idle(10)
    assert rt.history_length == 11
    assert History.decode(rt.history().steps[10])[1]  # recorded as the user's choice


def test_goto_outside_the_history_is_refused(launch) -> None:
    rt = launch(resolve_config(get_scenario("mutex")))
    rt.step(5)
    assert rt.wait_idle(10)
    with pytest.raises(ControlRefused, match=r"step 9 is not in this run \(valid: 0..5\)"):
        rt.goto(9)
    rt.goto(0)
    with pytest.raises(ControlRefused, match="already at step 0"):
        rt.step_back()


def test_save_then_replay_gives_identical_snapshots_at_every_step(launch, tmp_path: Path) -> None:
    rt, snapshots = play_by_hand(launch)
    path = tmp_path / "run.json"
    runfile.save(str(path), runfile.record(rt.config, rt.history()))
    loaded = runfile.load(str(path), get_scenario)
    assert loaded.config == rt.config
    replayed = launch(loaded.config, history=loaded.history)
    for step, original in enumerate(snapshots):
        replayed.goto(step)
        now = replayed.snapshot()
        expected = dataclasses.replace(original, run_state=now.run_state)
        assert comparable(now) == comparable(expected), f"step {step}"
    assert replayed.snapshot().run_state is RunState.FAILED
    matches, summary = runfile.check(loaded)
    assert matches, summary


@pytest.mark.parametrize("field", ["primitive", "kind", "thread", "line"])
def test_check_names_the_step_where_a_tampered_file_differs(
    launch, tmp_path: Path, field: str
) -> None:
    """A re-execution must repeat the schedule: an event's step, thread, kind, primitive
    and line."""
    rt, _ = play_by_hand(launch)
    path = tmp_path / "run.json"
    runfile.save(str(path), runfile.record(rt.config, rt.history()))
    document = json.loads(path.read_text())
    other = {"primitive": "something else", "kind": "shutdown", "thread": "T9", "line": 999}
    document["events"][7][field] = other[field]
    path.write_text(json.dumps(document))
    matches, summary = runfile.check(runfile.load(str(path), get_scenario))
    assert not matches
    assert f"differs at step {document['events'][7]['step']}" in summary


def test_check_notes_a_value_that_differs_and_names_its_step(launch, tmp_path: Path) -> None:
    """An event's detail holds values (an item, a value written), which may differ between
    executions (``id()``): with the same schedule, the run matches, with a note."""
    rt, _ = play_by_hand(launch)
    path = tmp_path / "run.json"
    runfile.save(str(path), runfile.record(rt.config, rt.history()))
    document = json.loads(path.read_text())
    document["events"][7]["detail"] = "something else"
    path.write_text(json.dumps(document))
    matches, summary = runfile.check(runfile.load(str(path), get_scenario))
    assert matches, summary
    assert "note: a value differs from the recording" in summary
    assert f"first at step {document['events'][7]['step']}: saved" in summary
    assert "(something else)" in summary


def test_chrome_trace_has_one_track_per_thread_and_well_formed_slices() -> None:
    config = resolve_config(get_scenario("philosophers"), seed=3)
    chunks: list[str] = []
    final = write_trace(config, 500, chunks.append, "chrome")
    trace = json.loads("".join(chunks))
    events = trace["traceEvents"]
    names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert names == {t.name for t in final.threads}
    slices = [e for e in events if e["ph"] == "X"]
    assert slices
    for event in events:
        assert {"ph", "pid", "tid", "name"} <= event.keys()
        if event["ph"] in ("X", "i"):
            assert isinstance(event["ts"], int)
    for piece in slices:
        assert piece["dur"] > 0, piece  # every slice begins before it ends
        assert piece["name"] in {s.value for s in SLICE_STATES}
    by_thread: dict[int, list[dict]] = {}
    for piece in slices:
        by_thread.setdefault(piece["tid"], []).append(piece)
    for pieces in by_thread.values():  # a thread's slices never overlap
        pieces.sort(key=lambda p: p["ts"])
        for first, second in itertools.pairwise(pieces):
            assert first["ts"] + first["dur"] <= second["ts"]
    if final.run_state is RunState.DEADLOCK:
        assert any(e["ph"] == "i" and e["name"] == "deadlock" for e in events)


def test_run_trace_format_is_a_run_file_that_checks(tmp_path: Path) -> None:
    config = resolve_config(get_scenario("cas"), "counter-racy", seed=4)
    chunks: list[str] = []
    write_trace(config, 300, chunks.append, "run")
    path = tmp_path / "run.json"
    path.write_text("".join(chunks))
    matches, summary = runfile.check(runfile.load(str(path), get_scenario))
    assert matches, summary


def _diverging_history() -> History:
    history = History()
    for _ in range(3):
        history.record_step(1, True)
    history.record_step(99, True)  # no such thread
    history.record_step(1, True)
    return history


def test_a_diverging_replay_stays_usable_at_the_last_step_that_matched() -> None:
    config = resolve_config(get_scenario("mutex"))
    runtime = Runtime(config, paused=True, speed=None, history=_diverging_history())
    try:
        with pytest.raises(Exception, match="at step 4: thread 99 was recorded"):
            runtime.start(at_step=5)
        assert runtime.snapshot().step == 3
        assert runtime.history_length == 3
        runtime.step_thread("T2")  # the scheduler runs: this must not hang
        assert runtime.wait_idle(5)
        assert runtime.snapshot().step == 4
    finally:
        assert runtime.stop()


def test_replaying_past_a_verdict_is_a_divergence() -> None:
    config = resolve_config(get_scenario("cas"), "counter-racy", {"threads": 2, "rounds": 1})
    history = History()
    # MainThread (1) starts T1 (2) and T2 (3) and waits; then T1 reads, T2 reads, T1
    # writes, T2 writes: the violation comes at step 7.
    for number in (1, 1, 1, 2, 3, 2, 3, 2, 3):
        history.record_step(number, True)
    runtime = Runtime(config, paused=True, speed=None, history=history)
    try:
        with pytest.raises(Exception, match="at step 8: the run had already ended"):
            runtime.start(at_step=9)
        assert runtime.snapshot().run_state is RunState.VIOLATION
    finally:
        assert runtime.stop()


def test_stop_before_start_and_stop_during_goto_end_quietly() -> None:
    import threading

    config = resolve_config(get_scenario("mutex"), params={"threads": 9, "rounds": 50})
    early = Runtime(config, paused=True, speed=None)
    assert early.stop()
    early.start()  # returns at once: nothing to run
    runtime = Runtime(config, paused=True, speed=None)
    runtime.start()
    runtime.step(2000)
    assert runtime.wait_idle(30)
    errors: list[BaseException] = []

    def travel() -> None:
        try:
            runtime.goto(1900)
        except BaseException as error:
            errors.append(error)

    worker = threading.Thread(target=travel)
    worker.start()
    assert runtime.stop()
    worker.join(10)
    assert not worker.is_alive()
    assert runtime.stop()
    # stop() is final: a rewind it cut short says so in one clear refusal, nothing else
    assert all(isinstance(error, ControlRefused) for error in errors), errors


def test_signals_made_by_threads_are_marked_on_the_timeline(launch) -> None:
    rt = launch(resolve_config(get_scenario("producer-consumer"), seed=1))
    rt.step(60)
    assert rt.wait_idle(10)
    snap = rt.snapshot()
    signalled = {e.step for e in snap.events if e.kind == "signal"}
    marked = {c.step for c in snap.timeline if "s" in c.marks}
    assert signalled and signalled <= marked


def test_a_rewind_whose_start_is_held_up_still_shows_the_step_asked(
    launch, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exists because on a loaded machine a rewind's first step can take longer than the
    # start waits for (START_PATIENCE): goto then returned showing step 0.
    rt = launch(resolve_config(get_scenario("mutex"), seed=1))
    rt.step(12)
    assert rt.wait_idle(10)
    monkeypatch.setattr("threadlab.engine.runtime.START_PATIENCE", 0.0)  # every start is late
    for step in (9, 3, 12):
        rt.goto(step)
        assert rt.snapshot().step == step
