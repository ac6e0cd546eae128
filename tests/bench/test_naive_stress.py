"""Naive stress (``bench/naive_stress.py``), the baseline ``threadlab explore`` is measured
against: it finds a failure in a thread, a hang (and kills the child), and nothing in a
correct program, running it again and again with fresh globals."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from naive_stress import StressResult, stress


def write(tmp_path: Path, source: str, name: str = "program.py") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def test_an_exception_in_a_thread_is_found_on_the_first_run(tmp_path: Path) -> None:
    program = write(
        tmp_path,
        """
        import threading

        def work():
            raise ValueError("broken")

        t = threading.Thread(target=work, name="worker")
        t.start()
        t.join()
        """,
    )
    result = stress(program, budget=5)
    assert result.found and result.runs == 1, result
    assert result.what == "ValueError: broken (thread worker, program.py:5)"


def test_a_deadlock_is_a_hang_and_the_child_is_killed(tmp_path: Path) -> None:
    """Two locks taken in opposite orders with a sleep between: every run deadlocks."""
    program = write(
        tmp_path,
        """
        import os
        import sys
        import threading
        import time

        with open(sys.argv[1], "w") as file:
            file.write(str(os.getpid()))
        a = threading.Lock()
        b = threading.Lock()

        def one():
            with a:
                time.sleep(0.05)
                with b:
                    pass

        def two():
            with b:
                time.sleep(0.05)
                with a:
                    pass

        threads = [threading.Thread(target=f, name=f.__name__) for f in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        """,
    )
    pid_file = tmp_path / "pid"
    result = stress(program, argv=[str(pid_file)], budget=5, hang_after=0.5)
    assert result.found and result.runs == 1, result
    assert result.what.startswith("hang (deadlock?) after 0.5 s: "), result
    assert "one at program.py:15" in result.what and "two at program.py:21" in result.what
    with pytest.raises(ProcessLookupError):  # killed, and waited for: not even a zombie
        os.kill(int(pid_file.read_text()), 0)


def test_a_correct_program_runs_again_and_again_until_the_budget_ends(tmp_path: Path) -> None:
    program = write(
        tmp_path,
        """
        import threading

        count = 0
        lock = threading.Lock()

        def work():
            global count
            for _ in range(50):
                with lock:
                    count += 1
            print("done")  # discarded; never mixed with the driver's reports

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert count == 150, count
        print(count)
        """,
    )
    result = stress(program, budget=1.5)
    assert result == StressResult(False, result.runs, result.seconds, "")
    assert result.runs > 1  # not found: each run ended, and another began until the budget


def test_a_scenario_gets_fresh_globals_and_its_main_is_called_with_kwargs(
    tmp_path: Path,
) -> None:
    """A module-level list that each run appends to once: fresh every run, never two."""
    program = write(
        tmp_path,
        """
        import threading

        calls = []

        def main(times=1, variant="good"):
            calls.append(variant)
            worker = threading.Thread(target=calls.extend, args=([variant] * times,))
            worker.start()
            worker.join()
            assert len(calls) == times + 1, calls
            if variant == "bad":
                raise RuntimeError("the bad variant")

        if __name__ == "__main__":
            raise SystemExit("run as __main__: the scenario must not be")
        """,
    )
    good = stress(program, kwargs={"variant": "good", "times": 2}, budget=0.5)
    assert not good.found and good.runs > 1, good
    bad = stress(program, kwargs={"variant": "bad"}, budget=5)
    assert bad.found and bad.runs == 1
    assert bad.what == "RuntimeError: the bad variant (thread MainThread, program.py:13)"


def test_failed_asserts_exit_statuses_and_checks_are_failures(tmp_path: Path) -> None:
    asserts = write(tmp_path, "assert 1 + 1 == 3, 'arithmetic'\n", "asserts.py")
    failed = "failed assert: arithmetic (thread MainThread, asserts.py:1)"
    assert stress(asserts, budget=5).what == failed
    exits = write(tmp_path, "import sys\nsys.exit(3)\n", "exits.py")
    assert stress(exits, budget=5).what == "SystemExit: 3"
    counts = write(tmp_path, "counter = 2\n", "counts.py")
    checked = stress(counts, budget=5, check="counter == 3")
    assert checked.found and checked.what == "failed check: counter == 3", checked


def test_what_cannot_be_run_is_an_error_not_a_find(tmp_path: Path) -> None:
    broken = write(tmp_path, "def (:\n", "broken.py")
    with pytest.raises(ValueError, match="cannot compile"):
        stress(broken, budget=5)
    no_main = write(tmp_path, "x = 1\n", "no_main.py")
    with pytest.raises(ValueError, match="has no main"):
        stress(no_main, kwargs={"variant": "if"}, budget=5)
    with pytest.raises(ValueError, match="cannot be evaluated"):
        stress(no_main, budget=5, check="y == 1")
