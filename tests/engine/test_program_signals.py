"""Signals a program sends itself (``program.signals``): its handlers run in its main
thread, as CPython runs them, at a moment that is the same in every execution of the run.

Exists because ``signal.signal`` failed in every program ("signal only works in main
thread"): the program's main thread is not the process's, and a handler installed for real
would run at a moment no schedule controls, and outlive its run.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from threadlab.engine import Runtime, resolve_config
from threadlab.engine.formats import runfile
from threadlab.engine.formats.trace import write_trace
from threadlab.engine.lesson.own_program import program_scenario

WAIT = 30.0


def _program(folder: Path, source: str) -> str:
    path = folder / "prog.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return str(path)


def _lines(path: str, seed: int = 0, **options: object) -> list[str]:
    chunks: list[str] = []
    config = resolve_config(program_scenario(path, races=False), seed=seed)
    write_trace(config, 5000, chunks.append, **options)  # type: ignore[arg-type]
    return "".join(chunks).splitlines()


def _printed(lines: list[str]) -> list[str]:
    import json

    return [json.loads(line)["text"] for line in lines if '"kind": "output"' in line]


def _cpython(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, path], capture_output=True, text=True, timeout=WAIT, check=False
    )


def test_a_handler_runs_in_the_main_thread_as_under_cpython(tmp_path: Path) -> None:
    path = _program(
        tmp_path,
        """
        import signal, threading

        def handler(signum, frame):
            print("handled", signal.Signals(signum).name, "in", threading.current_thread().name)
            print("frame is the program's:", frame.f_code.co_filename == __file__)

        print("before:", signal.getsignal(signal.SIGUSR1), signal.getsignal(signal.SIGINT))
        print("previous:", signal.signal(signal.SIGUSR1, handler))
        print("installed:", signal.getsignal(signal.SIGUSR1) is handler)
        signal.raise_signal(signal.SIGUSR1)
        print("after raise_signal")
        try:
            signal.signal(signal.SIGKILL, handler)
        except OSError as error:
            print("SIGKILL:", error)
        try:
            signal.signal(0, handler)
        except ValueError as error:
            print("0:", error)
        try:
            signal.signal(signal.SIGUSR2, 42)
        except TypeError as error:
            print("42:", error)
        errors = []
        def elsewhere():
            try:
                signal.signal(signal.SIGUSR2, handler)
            except ValueError as error:
                errors.append(str(error))
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        print("in a thread:", errors)
        """,
    )
    expected = _cpython(path)
    assert expected.returncode == 0, expected.stderr
    lines = _lines(path)
    assert _printed(lines) == expected.stdout.splitlines()
    assert '"state": "FINISHED"' in lines[-1]
    assert '"kind": "os-signal"' in "\n".join(lines)


BLOCKED_MAIN = """
    import os, signal, threading, time

    caught = []
    def on_usr1(signum, frame):
        caught.append(signum)
        print("handled while", threading.current_thread().name, "waits")

    signal.signal(signal.SIGUSR1, on_usr1)
    lock = threading.Lock()
    lock.acquire()

    def worker():
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(0.5)
        lock.release()

    thread = threading.Thread(target=worker)
    thread.start()
    lock.acquire()  # interrupted by the handler, then waits on: CPython's lock waits so
    thread.join()
    print("caught", caught)
    """


def test_a_blocked_main_thread_runs_the_handler_and_waits_on(tmp_path: Path) -> None:
    path = _program(tmp_path, BLOCKED_MAIN)
    expected = _cpython(path)
    assert expected.returncode == 0, expected.stderr
    lines = _lines(path)
    assert _printed(lines) == expected.stdout.splitlines()
    assert '"state": "FINISHED"' in lines[-1]


@pytest.mark.parametrize("seed", range(8))
def test_signals_give_the_same_run_for_a_seed_in_either_process(tmp_path: Path, seed: int) -> None:
    path = _program(
        tmp_path,
        """
        import os, signal, threading

        count = 0
        def on_usr1(signum, frame):
            global count
            count += 1

        signal.signal(signal.SIGUSR1, on_usr1)
        def sender(n):
            for _ in range(n):
                os.kill(os.getpid(), signal.SIGUSR1)
        threads = [threading.Thread(target=sender, args=(n,)) for n in (2, 3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print("handled", count)
        """,
    )
    lines = _lines(path, seed)
    assert _printed(lines) == ["handled 5"]
    assert _lines(path, seed) == lines
    assert _lines(path, seed, in_process=True) == lines


def test_a_signal_whose_default_action_ends_the_process_ends_the_run_there(
    tmp_path: Path,
) -> None:
    path = _program(
        tmp_path,
        """
        import os, signal, threading, time

        def worker():
            print("sending SIGTERM")
            os.kill(os.getpid(), signal.SIGTERM)
            print("never printed")

        threading.Thread(target=worker).start()
        time.sleep(1)
        print("never printed either")
        """,
    )
    expected = _cpython(path)
    assert expected.returncode == -signal.SIGTERM
    lines = _lines(path)
    assert _printed(lines) == expected.stdout.splitlines() == ["sending SIGTERM"]
    end = lines[-1]
    assert '"state": "FAILED"' in end and f'"exit_status": {-signal.SIGTERM}' in end
    assert "SIGTERM" in end


def test_sigint_interrupts_a_sleeping_main_thread_with_keyboard_interrupt(tmp_path: Path) -> None:
    path = _program(
        tmp_path,
        """
        import _thread, signal, threading, time

        # As Python starts when SIGINT is not ignored (a background job's is).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        started = threading.Event()
        def worker():
            started.wait()
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        threading.Thread(target=worker).start()
        try:
            started.set()
            time.sleep(60)
            print("slept")
        except KeyboardInterrupt:
            print("KeyboardInterrupt out of the sleep")
        def ignored():
            _thread.interrupt_main(signal.SIGTERM)  # no Python handler: nothing happens
        thread = threading.Thread(target=ignored)
        thread.start()
        thread.join()
        print("still here")
        """,
    )
    lines = _lines(path)
    assert _printed(lines) == ["KeyboardInterrupt out of the sleep", "still here"]
    assert '"state": "FINISHED"' in lines[-1]


def test_an_event_loops_signal_handler_runs_in_the_loop(tmp_path: Path) -> None:
    path = _program(
        tmp_path,
        """
        import asyncio, os, signal, threading

        async def main():
            loop = asyncio.get_running_loop()
            done = asyncio.Event()
            def on_usr1(name):
                print("the loop got", name)
                done.set()
            loop.add_signal_handler(signal.SIGUSR1, on_usr1, "SIGUSR1")
            threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGUSR1)).start()
            await done.wait()
            print("removed:", loop.remove_signal_handler(signal.SIGUSR1))
            print("again:", loop.remove_signal_handler(signal.SIGUSR1))

        asyncio.run(main())
        print("after the loop:", signal.getsignal(signal.SIGUSR1))
        """,
    )
    expected = _cpython(path)
    assert expected.returncode == 0, expected.stderr
    lines = _lines(path)
    assert _printed(lines) == expected.stdout.splitlines()


def test_a_run_with_signals_rewinds_and_replays_exactly(tmp_path: Path) -> None:
    path = _program(tmp_path, BLOCKED_MAIN)
    config = resolve_config(program_scenario(path, races=False), seed=4)
    chunks: list[str] = []
    write_trace(config, 5000, chunks.append, "run")
    run_file = tmp_path / "run.json"
    run_file.write_text("".join(chunks), encoding="utf-8")
    matches, summary = runfile.check(runfile.load(str(run_file), lambda name: config.scenario))
    assert matches, summary

    runtime = Runtime(config, paused=True, speed=None)
    try:
        runtime.start()
        runtime.step(40)
        assert runtime.wait_idle(WAIT)
        end = runtime.snapshot()
        runtime.goto(end.step // 2)
        runtime.goto(end.step)
        again = runtime.snapshot()
        assert (again.step, again.threads, again.output) == (end.step, end.threads, end.output)
    finally:
        assert runtime.stop()


def test_a_runs_handlers_never_reach_threadlabs_process(tmp_path: Path) -> None:
    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGUSR1)}
    timer_before = signal.getitimer(signal.ITIMER_REAL)  # (the test runner's own timeout's)
    path = _program(
        tmp_path,
        """
        import signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGUSR1, lambda *args: None)
        signal.setitimer(signal.ITIMER_REAL, 30)
        print(signal.getsignal(signal.SIGINT))
        """,
    )
    lines = _lines(path, in_process=True)
    assert _printed(lines) == [str(signal.SIG_IGN)]
    assert {number: signal.getsignal(number) for number in before} == before
    timer_after = signal.getitimer(signal.ITIMER_REAL)
    assert timer_after[0] <= timer_before[0] and timer_after[1] == timer_before[1]
    assert _lines(path, in_process=True) == lines  # a new run starts with the start-up ones


ALARMS = """
import signal, threading, time

class Timeout(Exception):
    pass

def on_alarm(signum, frame):
    raise Timeout(signal.Signals(signum).name)

signal.signal(signal.SIGALRM, on_alarm)
print("first:", signal.alarm(2), "again:", signal.alarm(2))
lock = threading.Lock()
lock.acquire()
try:
    lock.acquire()  # never released: the alarm breaks the wait, as a real one does
except Timeout as error:
    print("timed out:", error, "left:", signal.alarm(0))
ticks = []
signal.signal(signal.SIGALRM, lambda signum, frame: ticks.append(threading.current_thread().name))
def worker():
    print("from a worker:", signal.setitimer(signal.ITIMER_REAL, 0.25, 0.25))
threading.Thread(target=worker).start()
while len(ticks) < 3:
    time.sleep(0.1)
print("ticks:", ticks, "interval:", signal.getitimer(signal.ITIMER_REAL)[1])
print("cleared:", signal.setitimer(signal.ITIMER_REAL, 0)[1], signal.getitimer(signal.ITIMER_REAL))
for call in (
    lambda: signal.alarm("x"),
    lambda: signal.alarm(1.5),
    lambda: signal.alarm(2**40),
    lambda: signal.setitimer(99, 1),
    lambda: signal.setitimer(signal.ITIMER_REAL, -1),
    lambda: signal.setitimer(signal.ITIMER_REAL, 1, -1),
):
    try:
        call()
    except Exception as error:
        print(type(error).__name__, error)
signal.signal(signal.SIGALRM, signal.SIG_DFL)
signal.alarm(1)
time.sleep(5)
print("never printed")
"""


def test_alarms_and_interval_timers_ring_on_the_runs_clock_as_under_cpython(
    tmp_path: Path,
) -> None:
    """Exists because ``signal.alarm`` was the process's own: its real SIGALRM never
    reached the run's handler, and its default action killed threadlab's program process."""
    path = _program(tmp_path, ALARMS)
    expected = _cpython(path)
    assert expected.returncode == -signal.SIGALRM, expected.stderr
    lines = _lines(path)
    assert _printed(lines) == expected.stdout.splitlines()
    end = lines[-1]
    assert '"state": "FAILED"' in end and f'"exit_status": {-signal.SIGALRM}' in end
    assert "killed by SIGALRM" in end
    assert "SIGALRM timer rang" in "".join(lines)


@pytest.mark.parametrize("seed", range(8))
def test_a_run_with_timers_is_the_same_for_a_seed_and_rewinds_exactly(
    tmp_path: Path, seed: int
) -> None:
    path = _program(
        tmp_path,
        """
        import signal, threading, time

        rang = []
        signal.signal(signal.SIGALRM, lambda signum, frame: rang.append(len(done)))
        signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
        done = []
        def worker(n):
            for _ in range(3):
                time.sleep(0.02 * n)
                done.append(n)
        threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2, 3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        signal.setitimer(signal.ITIMER_REAL, 0)
        print(len(rang), rang)
        """,
    )
    lines = _lines(path, seed)
    assert '"state": "FINISHED"' in lines[-1]
    rang = int(_printed(lines)[0].split()[0])
    assert rang >= 3, lines  # every 0.05 s of the 0.18 s the run's clock passes
    assert _lines(path, seed) == lines
    assert _lines(path, seed, in_process=True) == lines
    runtime = Runtime(resolve_config(program_scenario(path, races=False), seed=seed), speed=None)
    try:
        runtime.start()
        assert runtime.wait_idle(WAIT)
        end = runtime.snapshot()
        runtime.goto(end.step // 2)
        runtime.goto(end.step)
        again = runtime.snapshot()
        assert (again.step, again.output) == (end.step, end.output)
    finally:
        assert runtime.stop()
