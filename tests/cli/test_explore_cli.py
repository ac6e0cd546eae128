"""``threadlab explore`` from the command line: a find saved under a new name and told as a
story (exit 1), what was covered otherwise (exit 0), one JSON object with ``--json``, and
bad input as one line (exit 2) with nothing written."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "threadlab"]

LOCK_ORDER = """
    import threading

    a = threading.Lock()
    b = threading.Lock()


    def one():
        with a:
            with b:
                pass


    def two():
        with b:
            with a:
                pass


    t1 = threading.Thread(target=one, name="one")
    t2 = threading.Thread(target=two, name="two")
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    """

ONE_LOCK = """
    import threading

    lock = threading.Lock()


    def work():
        with lock:
            pass


    a = threading.Thread(target=work, name="A")
    a.start()
    work()
    a.join()
    """

STRICT = """
    import sys
    import threading

    counter = 0


    def bump():
        global counter
        counter += 1


    threads = [threading.Thread(target=bump) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if sys.argv[1:] == ["--strict"]:
        assert counter == 2, f"lost an update: counter is {counter}"
    """

IF_WAIT = """
    import threading

    cond = threading.Condition()
    ready = False


    def waiter():
        with cond:
            if not ready:
                cond.wait()
            assert ready, "woke up before ready"


    def notifier():
        global ready
        with cond:
            ready = True
            cond.notify()


    w = threading.Thread(target=waiter, name="waiter")
    n = threading.Thread(target=notifier, name="notifier")
    w.start()
    n.start()
    w.join()
    n.join()
    """

SPIN = """
    import threading


    def spin():
        seen = False
        while not seen:  # a local: no threading call, no shared read
            pass


    t = threading.Thread(target=spin, name="spinner")
    t.start()
    t.join()
    """

NO_FIND = re.compile(
    r"no failure in (?P<count>[0-9,]+) schedules \(random, PCT and DFS, [0-9.]+ s\); "
    r"not exhaustive"
)


def explore(
    *args: str, cwd: Path, timeout: float = 60, save_dir: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``threadlab explore ARGS`` in ``cwd``, with ``THREADLAB_SAVE_DIR`` set to ``save_dir``
    (unset by default, whatever the caller's environment says)."""
    env = {k: v for k, v in os.environ.items() if k != "THREADLAB_SAVE_DIR"}
    if save_dir is not None:
        env["THREADLAB_SAVE_DIR"] = save_dir
    return subprocess.run(
        [*CLI, "explore", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env
    )


def replay_check(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "replay", "--check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def write(folder: Path, source: str, name: str = "prog.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def saved_path(stdout: str) -> Path:
    (line,) = [line for line in stdout.splitlines() if line.startswith("Saved: ")]
    return Path(line.removeprefix("Saved: "))


def contents(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"/"
        for p in sorted(folder.rglob("*"))
    }


def test_a_find_is_told_saved_under_a_new_name_each_time_and_replays(tmp_path: Path) -> None:
    done = explore("mutex", "--variant", "unlocked", "--budget", "50", "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Found a broken invariant in schedule ")
    assert "How it happens" in done.stdout
    assert "at most one thread in the critical section" in done.stdout
    first = tmp_path / "threadlab-explore-mutex-unlocked.json"
    assert saved_path(done.stdout) == first and first.is_file()
    assert "Watch it: threadlab replay threadlab-explore-mutex-unlocked.json" in lines
    checked = replay_check(first, tmp_path)
    assert checked.returncode == 0 and checked.stdout.startswith("the run matches"), checked

    first.write_text("not to be overwritten")
    again = explore("mutex", "--variant", "unlocked", "--budget", "50", "--jobs", "1", cwd=tmp_path)
    assert again.returncode == 1, again.stderr
    second = tmp_path / "threadlab-explore-mutex-unlocked-2.json"
    assert saved_path(again.stdout) == second and second.is_file()
    assert first.read_text() == "not to be overwritten"
    assert replay_check(second, tmp_path).returncode == 0


@pytest.mark.parametrize("where", ["prog.py", "./prog.py", "sub/prog.py"])
def test_a_program_given_by_a_relative_path_is_explored(where: str, tmp_path: Path) -> None:
    write(tmp_path / Path(where).parent, LOCK_ORDER)
    done = explore(where, "--budget", "100", "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("Found a deadlock in schedule ")
    assert "shrunk from " in done.stdout.splitlines()[0]
    assert "to 1 and " in done.stdout.splitlines()[0]  # one preemption, the fewest
    assert "Cycle: one → two → one" in done.stdout
    assert re.search(r"← preempts (one|two)", done.stdout)
    saved = tmp_path / "threadlab-explore-prog.json"  # a program has no variant in the name
    assert saved_path(done.stdout) == saved
    document = json.loads(saved.read_text())
    assert document["final"]["state"] == "DEADLOCK"
    assert len(document["preemptions"]) == 1
    assert replay_check(saved, tmp_path).returncode == 0


def test_the_lock_order_example_is_found_as_a_new_user_would_run_it(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    done = explore("examples/lock_order.py", "--budget", "200", "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("Found a deadlock in schedule ")
    assert "Cycle: alice-pays → bob-pays → alice-pays" in done.stdout
    saved = saved_path(done.stdout)
    assert saved == tmp_path / "threadlab-explore-lock_order.json"
    assert replay_check(saved, tmp_path).returncode == 0


def test_output_goes_where_o_says(tmp_path: Path) -> None:
    write(tmp_path, LOCK_ORDER)
    (tmp_path / "out").mkdir()
    done = explore(
        "prog.py", "--budget", "100", "--jobs", "1", "-o", "out/found.json", cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    assert saved_path(done.stdout) == tmp_path / "out" / "found.json"
    assert "Watch it: threadlab replay out/found.json" in done.stdout.splitlines()
    assert sorted(contents(tmp_path)) == ["out", "out/found.json", "prog.py"]
    assert replay_check(tmp_path / "out" / "found.json", tmp_path).returncode == 0


def test_a_find_goes_to_the_save_folder_with_its_whole_path_said(tmp_path: Path) -> None:
    write(tmp_path, LOCK_ORDER)
    (tmp_path / "saves").mkdir()
    args = ("prog.py", "--budget", "100", "--jobs", "1")
    done = explore(*args, "--save-dir", "saves", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    saved = tmp_path / "saves" / "threadlab-explore-prog.json"
    assert f"Saved: {saved}" in done.stdout.splitlines()  # the whole path
    assert saved.is_file()
    assert "Watch it: threadlab replay saves/threadlab-explore-prog.json" in done.stdout
    assert replay_check(saved, tmp_path).returncode == 0
    # Given before the command, as for run; never overwriting the first.
    again = subprocess.run(
        [*CLI, "--save-dir", "saves", "explore", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "THREADLAB_SAVE_DIR"},
    )
    assert again.returncode == 1, again.stderr
    assert saved_path(again.stdout) == tmp_path / "saves" / "threadlab-explore-prog-2.json"
    assert sorted(contents(tmp_path)) == [
        "prog.py",
        "saves",
        "saves/threadlab-explore-prog-2.json",
        "saves/threadlab-explore-prog.json",
    ]


def test_the_save_folder_setting_is_used_and_the_option_wins(tmp_path: Path) -> None:
    write(tmp_path, LOCK_ORDER)
    setting, option = tmp_path / "setting", tmp_path / "option"
    setting.mkdir()
    option.mkdir()
    args = ("prog.py", "--budget", "100", "--jobs", "1")
    done = explore(*args, cwd=tmp_path, save_dir=str(setting))
    assert done.returncode == 1, done.stderr
    assert saved_path(done.stdout) == setting / "threadlab-explore-prog.json"
    done = explore(*args, "--save-dir", str(option), cwd=tmp_path, save_dir=str(setting))
    assert saved_path(done.stdout) == option / "threadlab-explore-prog.json"
    # -o names the file itself: the save folder plays no part, even a bad one.
    done = explore(*args, "-o", "here.json", cwd=tmp_path, save_dir=str(tmp_path / "missing"))
    assert done.returncode == 1, done.stderr
    assert saved_path(done.stdout) == tmp_path / "here.json"


def test_a_bad_save_folder_is_one_line_before_any_search(tmp_path: Path) -> None:
    write(tmp_path, LOCK_ORDER)
    done = explore("prog.py", "--budget", "100", "--save-dir", "missing", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "--save-dir" in done.stderr and "does not exist" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(contents(tmp_path)) == ["prog.py"]


def _without_timings(document: dict[str, Any]) -> dict[str, Any]:
    document = dict(document)
    for key in ("found_after_seconds", "file"):
        document.pop(key, None)
    document["coverage"] = {k: v for k, v in document["coverage"].items() if k != "seconds"}
    return document


def test_json_prints_one_object_for_a_find_the_same_with_two_jobs(tmp_path: Path) -> None:
    write(tmp_path, LOCK_ORDER)
    documents = []
    for jobs, name in (("1", "one.json"), ("2", "two.json")):
        done = explore(
            "prog.py", "--budget", "100", "--jobs", jobs, "--json", "-o", name, cwd=tmp_path
        )
        assert done.returncode == 1, done.stderr
        assert done.stderr == ""  # no progress with --json
        assert len(done.stdout.splitlines()) == 1
        document = json.loads(done.stdout)
        assert document["found"] is True
        assert document["verdict"]["kind"] == "DEADLOCK"
        assert "Cycle: one → two → one" in document["verdict"]["text"]
        assert document["verdict"]["step"] == document["steps"]
        assert document["file"] == str(tmp_path / name) and Path(document["file"]).is_file()
        assert document["preemptions"] == 1
        assert document["preemptions"] <= document["before_shrinking"]["preemptions"]
        story = document["story"]
        assert story and all(
            set(row) == {"steps", "thread", "place", "did", "code", "why"} for row in story
        )
        assert any(row["why"] in ("preempts one", "preempts two") for row in story)
        assert document["coverage"]["exhaustive"] is False
        documents.append(_without_timings(document))
    assert documents[0] == documents[1]


def test_json_prints_one_object_when_nothing_is_found(tmp_path: Path) -> None:
    done = explore("mutex", "--budget", "30", "--jobs", "1", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1
    document = json.loads(done.stdout)
    assert document["found"] is False
    coverage = document["coverage"]
    assert 0 < coverage["schedules"] <= 30 and coverage["exhaustive"] is False
    assert NO_FIND.match(document["summary"])
    assert list(tmp_path.iterdir()) == []


def test_nothing_found_in_a_count_budget_says_what_was_covered(tmp_path: Path) -> None:
    done = explore("mutex", "--variant", "locked", "--budget", "40", "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    match = NO_FIND.match(lines[0])
    assert match is not None, lines
    assert 0 < int(match["count"]) <= 40
    assert list(tmp_path.iterdir()) == []  # nothing saved


def test_nothing_found_in_a_time_budget_says_what_was_covered(tmp_path: Path) -> None:
    done = explore("producer-consumer", "--budget", "1s", "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # not exhaustive and no budget in schedules: the search ended because its second was up
    match = NO_FIND.fullmatch(done.stdout.strip())
    assert match is not None, done.stdout
    assert int(match["count"].replace(",", "")) > 0


def test_an_exhaustive_search_says_all_schedules_pass(tmp_path: Path) -> None:
    """18 schedules: counted in tests/explore/test_explore_coverage.py."""
    write(tmp_path, ONE_LOCK)
    for jobs in ("1", "2"):
        done = explore("prog.py", "--budget", "1000", "--jobs", jobs, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == (
            "all 18 schedules pass: the search is exhaustive "
            "(steps on different objects tried in one order)"
        )


def test_arguments_after_two_dashes_reach_the_program(tmp_path: Path) -> None:
    write(tmp_path, STRICT, "argprog.py")
    relaxed = explore("argprog.py", "--budget", "100", "--jobs", "1", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    strict = explore("argprog.py", "--budget", "100", "--jobs", "1", "--", "--strict", cwd=tmp_path)
    assert strict.returncode == 1, strict.stderr
    assert "lost an update: counter is 1" in strict.stdout
    saved = saved_path(strict.stdout)
    assert json.loads(saved.read_text())["argv"] == ["--strict"]
    assert replay_check(saved, tmp_path).returncode == 0


def test_a_module_is_explored_with_m(tmp_path: Path) -> None:
    write(tmp_path, STRICT, "argprog.py")
    done = explore(
        "-m", "argprog", "--budget", "100", "--jobs", "2", "--", "--strict", cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    assert "lost an update" in done.stdout
    saved = saved_path(done.stdout)
    assert saved == tmp_path / "threadlab-explore-argprog.json"
    assert replay_check(saved, tmp_path).returncode == 0


def test_spurious_lets_a_waiter_wake_with_no_signal(tmp_path: Path) -> None:
    write(tmp_path, IF_WAIT)
    honest = explore("prog.py", "--budget", "100", "--jobs", "1", cwd=tmp_path)
    assert honest.returncode == 0, honest.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "prog.py"]
    done = explore("prog.py", "--budget", "300", "--jobs", "1", "--spurious", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "woke up before ready" in done.stdout
    assert "re-acquire cond.lock (spurious wakeup)" in done.stdout
    saved = saved_path(done.stdout)
    assert any(
        action[1] == "spurious" for action in json.loads(saved.read_text())["schedule"]["actions"]
    )
    assert replay_check(saved, tmp_path).returncode == 0
    told = explore(
        "prog.py", "--budget", "300", "--jobs", "1", "--spurious", "--json", cwd=tmp_path
    )
    story = json.loads(told.stdout)["story"]
    woken = [row for row in story if "woke with no signal" in row["why"]]
    assert [(row["thread"], row["why"]) for row in woken] == [
        ("waiter", "a waiter of cond woke with no signal")
    ]
    assert woken[0]["did"].startswith("re-acquire cond.lock (spurious wakeup)")


@pytest.mark.main_python_only
def test_a_thread_busy_outside_the_schedule_cannot_be_explored(tmp_path: Path) -> None:
    """It waits for the explorer's patience (10 s), once."""
    write(tmp_path, SPIN)
    done = explore("prog.py", "--budget", "20", "--jobs", "1", cwd=tmp_path, timeout=90)
    assert done.returncode == 2
    assert done.stdout == ""
    errors = [line for line in done.stderr.splitlines() if not line.startswith("exploring: ")]
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith("threadlab: error: spinner ran outside the schedule for 10 s")
    assert "busy loop" in errors[0]
    assert list(tmp_path.iterdir()) == [tmp_path / "prog.py"]


BAD = {
    "budget-zero": (["mutex", "--budget", "0"], "budget 0 is out of range"),
    "budget-zero-seconds": (["mutex", "--budget", "0s"], "budget 0s is out of range"),
    "budget-word": (["mutex", "--budget", "abc"], "budget 'abc' is not a time or a count"),
    "budget-unit": (["mutex", "--budget", "10x"], "budget '10x' is not a time or a count"),
    "budget-negative": (["mutex", "--budget", "-5"], "budget '-5' is not a time or a count"),
    "jobs-zero": (["mutex", "--jobs", "0"], "jobs '0' is not a number of processes"),
    "jobs-many": (["mutex", "--jobs", "999"], "jobs '999' is not a number of processes"),
    "jobs-word": (["mutex", "--jobs", "two"], "jobs 'two' is not a number of processes"),
    "strategy": (["mutex", "--strategy", "foo"], "invalid choice: 'foo'"),
    "scenario": (["nosuch"], "unknown scenario 'nosuch'"),
    "variant": (["mutex", "--variant", "nope"], "unknown variant 'nope' for mutex"),
    "param": (["mutex", "--param", "threads=99"], "parameter threads=99 is out of range"),
    "seed": (["mutex", "--seed", "x"], "seed 'x' is not a whole number"),
    "o-missing-folder": (
        ["mutex", "--variant", "unlocked", "-o", "missing/x.json"],
        "folder missing does not exist",
    ),
    "o-directory": (["mutex", "--variant", "unlocked", "-o", "adir"], "adir: it is a directory"),
    "no-program": (["nofile.py"], "nofile.py: no such file"),
    "syntax-error": (["broken.py"], "broken.py:1: syntax error"),
    "no-module": (["-m", "nomod"], "no module named 'nomod'"),
    "name-and-module": (["mutex", "-m", "nomod"], "give a scenario name, a program.py, or -m"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_exit_2_and_nothing_written(case: str, tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def (:\n")
    (tmp_path / "adir").mkdir()
    before = contents(tmp_path)
    args, words = BAD[case]
    # a small search, should the input be taken
    for option, value in (("--jobs", "1"), ("--budget", "20")):
        if option not in args:
            args = [*args, option, value]
    done = explore(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("threadlab: error: ")
    assert words in lines[0]
    assert contents(tmp_path) == before


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux: read from /proc)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[1]) == pid:
                children.add(int(entry.name))
    return children


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("ending", ["SIGTERM", "SIGHUP"])
def test_explore_ended_by_a_signal_ends_its_workers(tmp_path: Path, ending: str) -> None:
    """SIGTERM (a service manager, kill) or SIGHUP (a closed terminal) ends the search as
    Ctrl+C does: its worker processes end with it, and the status is 128 + the signal."""
    import signal
    import time

    env = {k: v for k, v in os.environ.items() if k != "THREADLAB_SAVE_DIR"}
    search = subprocess.Popen(
        [*CLI, "explore", "producer-consumer", "--jobs", "2", "--budget", "60s"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = {p for p in _children(search.pid) if _alive(p)}
        assert len(workers) >= 2, "the search started no workers"
        time.sleep(1.0)  # under way
        search.send_signal(getattr(signal, ending))
        _, errors = search.communicate(timeout=60)
    finally:
        if search.poll() is None:
            search.kill()
    assert search.returncode == 128 + getattr(signal, ending)
    assert "threadlab: explore: interrupted" in errors
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)], "workers left running"


@pytest.mark.main_python_only
def test_a_stalled_machine_is_not_a_stuck_thread(tmp_path: Path) -> None:
    """Stopped for longer than explore's patience (Ctrl+Z, a laptop asleep), then resumed,
    explore goes on and reports what it covered: the stall is nobody's step."""
    program = write(
        tmp_path,
        """
        import threading

        lock = threading.Lock()
        total = 0


        def work():
            global total
            for _ in range(300):
                with lock:
                    total += 1


        threads = [threading.Thread(target=work) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert total == 900
        """,
    )
    child = subprocess.Popen(
        [*CLI, "explore", str(program), "--budget", "8s", "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,  # its own process group: the worker stops with it
    )
    try:
        time.sleep(2.0)
        os.killpg(child.pid, signal.SIGSTOP)
        time.sleep(12.0)  # longer than the 10 s a thread may stay outside the schedule
        os.killpg(child.pid, signal.SIGCONT)
        stdout, stderr = child.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 0, stderr
    assert "outside the schedule" not in stderr
    assert "no failure in" in stdout


SLOW_RACY = """
import sys
import threading

sys.modules["time"].sleep(0.3)  # the process's own sleep: every run takes real time
counter = 0


def work():
    global counter
    for _ in range(3):
        counter += 1


threads = [threading.Thread(target=work) for _ in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert counter == 9, counter
"""


def test_a_find_is_said_at_once_and_ctrl_c_while_it_is_shrunk_keeps_the_smallest_so_far(
    tmp_path: Path,
) -> None:
    """Exists because the find came only after its shrinking (1 to 27 s), with nothing on
    screen meanwhile, and Ctrl+C then lost it."""
    program = tmp_path / "slow_racy.py"
    program.write_text(SLOW_RACY, encoding="utf-8")
    search = subprocess.Popen(
        [*CLI, "explore", str(program), "--jobs", "1", "--save-dir", str(tmp_path)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a suite run in the background has Ctrl+C ignored, and its
        # children would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert search.stderr is not None
        first = ""
        while not first.startswith("Found"):
            first = search.stderr.readline()
            assert first, "the search ended before it said it found something"
        assert "in schedule" in first and "steps" in first  # said before shrinking
        search.send_signal(signal.SIGINT)  # (its shrinking takes many runs of 0.3 s)
        output, errors = search.communicate(timeout=60)
    finally:
        if search.poll() is None:
            search.kill()
    assert search.returncode == 1, errors
    assert "shrinking cut short: the smallest found by then" in output, output
    saved = list(tmp_path.glob("threadlab-explore-*.json"))
    assert len(saved) == 1
    assert "interrupted" not in errors
