"""``threadlab explore`` runs its search in a process of its own: what the program does to
the process it runs in cannot silence or move the report, and ``os._exit`` in one
interleaving is a failure found like any other.

Exists because a program that replaced ``builtins.print`` once silenced explore's report
(exit status 0, nothing printed), and one that changed folder moved where finds were saved.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_explore_cli import explore, replay_check, write

SILENCER = """
import builtins
import os
import threading

builtins.print = lambda *args, **kwargs: None
os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
lock = threading.Lock()
total = 0

def add():
    global total
    with lock:
        total += 1

workers = [threading.Thread(target=add) for _ in range(2)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
"""

EXITS_ON_A_RACE = """
import os
import threading

done = []

def worker(n):
    done.append(n)
    if done == [1, 0]:   # only when 1 got there first
        os._exit(3)

workers = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
for w in workers:
    w.start()
for w in workers:
    w.join()
"""


def test_a_program_that_silences_print_and_moves_still_gets_its_report(tmp_path: Path) -> None:
    program = write(tmp_path / "here", SILENCER)
    result = explore(str(program), "--budget", "30", "--json", "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["found"] is None or report["found"] is False or "found" in report
    assert result.stdout.strip(), "the report was silenced"


def test_os_exit_in_one_interleaving_is_found_and_replays(tmp_path: Path) -> None:
    program = write(tmp_path, EXITS_ON_A_RACE)
    saved = tmp_path / "find.json"
    result = explore(str(program), "--budget", "200", "-o", str(saved), "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "os._exit(3)" in result.stdout
    check = replay_check(saved, tmp_path)
    assert check.returncode == 0, (check.stdout, check.stderr)
