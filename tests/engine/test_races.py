"""Data races in a program of the user's own: its shared reads and writes are steps, so a
``counter += 1`` from two threads loses an update when stepped so, and the panel's shared
variable names the update that was lost."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from threadlab.engine import EventKind, RunState, Runtime, resolve_config
from threadlab.engine.lesson.own_program import program_scenario
from threadlab.engine.snapshot.model import AccessKind, Event, SharedView, ThreadState

Launch = Callable[..., Runtime]

COUNTER = '''"""Two threads add to one counter, with no lock."""
import threading

counter = 0


def work(times):
    global counter
    for _ in range(times):
        counter += 1


def main():
    a = threading.Thread(target=work, args=(2,), name="A")
    b = threading.Thread(target=work, args=(2,), name="B")
    a.start()
    b.start()
    a.join()
    b.join()
    assert counter == 4, f"an update was lost: counter is {counter}"


main()
'''
INCREMENT_LINE = 10

SHAPES = """import threading

lock = threading.Lock()
hits = [0, 0]
LIMIT = 3


class Counter:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def add(self):
        with self.lock:
            self.count += 1


def make():
    total = 0

    def bump():
        nonlocal total
        total += 1

    return bump, lambda: total


shared = Counter()
bump, read_total = make()


def work():
    mine = 0
    for _ in range(LIMIT):
        mine += 1
        shared.add()
        hits[0] += 1
        bump()
    with lock:
        hits[1] = mine


threads = [threading.Thread(target=work, name=f"W{i}") for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(shared.count, hits, read_total())
"""


def _program(tmp_path: Path, text: str, name: str = "mine.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _step_until(runtime: Runtime, thread: str, operation: str) -> None:
    """Step ``thread`` until the operation it is at starts with ``operation``."""
    for _ in range(50):
        assert runtime.wait_idle(10)
        if runtime.snapshot().thread(thread).operation.startswith(operation):
            return
        runtime.step_thread(thread)
    raise AssertionError(f"{thread} never reached {operation!r}")


def _run_all(runtime: Runtime) -> None:
    runtime.resume()
    assert runtime.wait_idle(30)


def _accesses(events: list[Event] | tuple[Event, ...]) -> list[Event]:
    return [e for e in events if e.kind in (EventKind.READ, EventKind.WRITE)]


def test_stepped_by_hand_two_increments_lose_an_update(tmp_path: Path, launch: Launch) -> None:
    events: list[Event] = []
    runtime = launch(program_scenario(str(_program(tmp_path, COUNTER))), sink=events.append)
    while runtime.snapshot().thread("MainThread").state.can_run:  # it starts A and B
        runtime.step_thread("MainThread")
        assert runtime.wait_idle(10)
    _step_until(runtime, "A", "read counter")
    _step_until(runtime, "B", "read counter")
    # A reads 0 and is about to write 1; B reads 0 too before A writes
    _step_until(runtime, "A", "write counter = 1")
    _step_until(runtime, "B", "write counter = 1")
    runtime.step_thread("A")  # A writes 1
    _step_until(runtime, "A", "read counter")
    runtime.step_thread("B")  # B writes 1 over A's 1: A's update is lost
    assert runtime.wait_idle(10)
    snap = runtime.snapshot()
    counter = snap.primitive("counter")
    assert isinstance(counter, SharedView)
    last = counter.accesses[-1]
    assert (last.thread, last.kind, last.value, last.old) == ("B", AccessKind.WRITE, 1, 1)
    assert last.lost is not None
    assert (last.lost.writer, last.lost.value, last.lost.read) == ("A", 1, 0)

    _run_all(runtime)
    snap = runtime.snapshot()
    assert snap.run_state is RunState.VIOLATION  # the program's own assert is its invariant
    assert snap.verdict is not None and "counter is 3" in snap.verdict.text
    assert snap.thread("MainThread").state is ThreadState.FAILED
    for event in _accesses(events):  # the program's own line, not the engine's
        assert event.line == INCREMENT_LINE
        assert event.primitive == "counter"
    assert len(_accesses(events)) == 8  # two reads and two writes for each thread


def test_without_races_the_same_program_has_no_such_steps(tmp_path: Path, launch: Launch) -> None:
    path = _program(tmp_path, COUNTER)
    for seed in range(20):
        events: list[Event] = []
        runtime = launch(program_scenario(str(path), races=False), seed=seed, sink=events.append)
        _run_all(runtime)
        assert runtime.snapshot().run_state is RunState.FINISHED
        assert not _accesses(events)
        assert not any(isinstance(p, SharedView) for p in runtime.snapshot().primitives)


def test_some_seeds_lose_an_update_and_the_same_seed_gives_the_same_events(
    tmp_path: Path,
) -> None:
    path = _program(tmp_path, COUNTER)
    outcomes: set[RunState] = set()
    for seed in range(40):
        runs = []
        for _ in range(2):
            events: list[Event] = []
            config = resolve_config(program_scenario(str(path)), seed=seed)
            runtime = Runtime(config, paused=False, speed=None, event_sink=events.append)
            try:
                runtime.start()
                assert runtime.wait_idle(30)
                runs.append((events, runtime.snapshot().run_state))
            finally:
                assert runtime.stop()
        assert runs[0] == runs[1], f"seed {seed} is not deterministic"
        outcomes.add(runs[0][1])
    assert outcomes == {RunState.FINISHED, RunState.VIOLATION}


def test_locals_methods_locks_and_constants_are_not_steps(tmp_path: Path, launch: Launch) -> None:
    events: list[Event] = []
    runtime = launch(program_scenario(str(_program(tmp_path, SHAPES))), sink=events.append)
    _run_all(runtime)
    snap = runtime.snapshot()
    assert snap.run_state is RunState.FINISHED, snap.verdict
    touched = {e.primitive for e in _accesses(events)}
    # an attribute, an item of a list, a closure variable; never `mine`, `lock`, `LIMIT`,
    # `self.lock`, `shared` (whose attribute is the step) or `hits` (whose item is)
    assert touched == {"Counter.count", "hits[0]", "hits[1]", "total"}
    shown = {p.name for p in snap.primitives if isinstance(p, SharedView)}
    assert shown == touched
    # each of the 3 rounds, in each of 2 threads: a read and a write of each shared variable
    for name in ("Counter.count", "hits[0]", "total"):
        reads = [e for e in events if e.primitive == name and e.kind is EventKind.READ]
        writes = [e for e in events if e.primitive == name and e.kind is EventKind.WRITE]
        assert len(reads) == len(writes) == 6, name
    # the lock serialises Counter.add, so its count is exact; the output says so
    assert runtime.output()[-1].startswith("6 [")


def test_a_failure_inside_a_rewritten_access_is_at_the_programs_line(
    tmp_path: Path, launch: Launch
) -> None:
    program = """import threading

slots = [0, 0]


def work(i):
    slots[i] += 1


a = threading.Thread(target=work, args=(0,), name="A")
b = threading.Thread(target=work, args=(5,), name="B")
a.start()
b.start()
a.join()
b.join()
"""
    runtime = launch(program_scenario(str(_program(tmp_path, program))))
    _run_all(runtime)
    failed = runtime.snapshot().thread("B")
    assert failed.state is ThreadState.FAILED
    assert failed.line == 7
    assert failed.traceback is not None
    assert "IndexError: list index out of range" in failed.traceback
    assert "races.py" not in failed.traceback


def test_trace_accepts_no_races(tmp_path: Path) -> None:
    path = _program(tmp_path, COUNTER)
    command = [sys.executable, "-m", "threadlab", "trace", str(path)]
    with_races = subprocess.run(command, capture_output=True, text=True, timeout=60)
    without = subprocess.run([*command, "--no-races"], capture_output=True, text=True, timeout=60)
    assert with_races.returncode == without.returncode == 0, without.stderr
    assert '"kind": "write"' in with_races.stdout
    assert '"kind": "write"' not in without.stdout
    assert '"state": "FINISHED"' in without.stdout


SEMANTICS = """import threading
from collections import Counter as Tally, defaultdict

log = []
words = defaultdict(int)
tally = Tally()
grid = [[0, 0], [0, 0]]
flag = False
flag = True


class Box:
    shared = 0
    __slots__ = ("a", "_b")

    def __init__(self):
        self.a = [1]
        self._b = 0

    @property
    def b(self):
        return self._b

    @b.setter
    def b(self, value):
        self._b = value * 2


class Plain:
    total = 0


def outer():
    seen = []
    count = 0

    def inner(x):
        nonlocal count
        count += x
        seen.append(count)
        return count

    squares = [inner(i) * k for i in range(3) for k in (1, 2) if (j := i) >= 0]
    return squares, seen, count, j


def work(name):
    global flag
    box = Box()
    box.a += [2]
    box.b = 3
    box.b += 1
    Plain.total += 1
    plain = Plain()
    plain.total += 10
    words[name] += 1
    tally[name] += 2
    grid[1][0] += 5
    grid[-1][-1] -= 1
    log.append((box.a, box.b, plain.total))
    flag = not flag
    text = "x"
    text *= 3
    generated = list(n for n in range(3) if flag or not flag)
    return text, generated


def main():
    results = []
    threads = [threading.Thread(target=lambda n=n: results.append(work(n))) for n in "ab"]
    for t in threads:  # one after the other: the program has races, its output does not
        t.start()
        t.join()
    print(sorted(log), dict(words), dict(tally), grid, flag, Plain.total, sorted(results))
    print(outer())


main()
"""


def test_rewritten_programs_compute_what_cpython_computes(tmp_path: Path, launch: Launch) -> None:
    path = _program(tmp_path, SEMANTICS)
    real = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert real.returncode == 0, real.stderr
    for seed in range(5):
        events: list[Event] = []
        runtime = launch(program_scenario(str(path)), seed=seed, sink=events.append)
        _run_all(runtime)
        assert runtime.snapshot().run_state is RunState.FINISHED, runtime.snapshot().verdict
        assert "\n".join(runtime.output()) + "\n" == real.stdout
        touched = {e.primitive for e in _accesses(events)}
        assert {"grid[1][0]", "words['a']", "Plain.total", "flag"} <= touched, touched


def test_a_run_file_remembers_whether_races_were_steps(tmp_path: Path) -> None:
    from threadlab.engine.formats import runfile
    from threadlab.scenarios import get_scenario

    path = _program(tmp_path, COUNTER)
    for races in (True, False):
        config = resolve_config(program_scenario(str(path), races=races), seed=2)
        runtime = Runtime(config, paused=True, speed=None)
        try:
            runtime.start()
            runtime.step(12)
            assert runtime.wait_idle(10)
            history = runtime.history()
        finally:
            assert runtime.stop()
        saved = tmp_path / f"run-{races}.json"
        runfile.save(str(saved), runfile.record(config, history))
        loaded = runfile.load(str(saved), get_scenario)
        assert loaded.config.scenario.races is races
        matches, summary = runfile.check(loaded)
        assert matches, summary
        assert any(e.kind is EventKind.WRITE for e in loaded.events) is races
