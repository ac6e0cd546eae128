"""A run starts as many threads as CPython would let the program start: a history records
any thread's number, not only the first 127."""

from __future__ import annotations

from pathlib import Path

from threadlab.engine import RunState, Runtime
from threadlab.engine.lesson.own_program import program_scenario

MANY = """import threading

results = []
lock = threading.Lock()


def work(i):
    with lock:
        results.append(i)


threads = [threading.Thread(target=work, args=(i,)) for i in range(300)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(results), sum(results))
"""


def test_a_program_starts_300_threads_and_its_run_replays(tmp_path: Path, launch) -> None:
    (tmp_path / "many.py").write_text(MANY)
    # Round robin: under a random policy, 300 threads barging for one lock can make one
    # wait long enough for a STARVATION pause, which is not what this test is about.
    runtime: Runtime = launch(program_scenario(str(tmp_path / "many.py")), policy="round-robin")
    runtime.step(100_000)
    assert runtime.wait_idle(60)
    snapshot = runtime.snapshot()
    assert snapshot.run_state is RunState.FINISHED
    assert [line.text for line in snapshot.output] == ["300 44850"]
    assert (
        max(runtime.history_record.decode(entry)[0] for entry in runtime.history_record.steps) > 127
    )
    final_step = snapshot.step
    runtime.goto(final_step // 2)  # a rewind re-executes the history, thread numbers > 127 too
    assert runtime.wait_idle(60)
    assert runtime.snapshot().step == final_step // 2
