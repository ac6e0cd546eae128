"""Naive stress: run a program on real threads over and over until it fails or time runs out.

This is the baseline ``threadlab explore`` is measured against: what a stress test does,
honestly done. The program runs under plain CPython in a child process (``sys.executable
-I`` and a small driver, never importing threadlab), with ``sys.setswitchinterval(1e-6)``
so that threads switch as often as CPython lets them, and fresh threads and fresh module
globals on every run. A run fails when any thread raises (``threading.excepthook``), when
the program's main raises (a failed assert, ``sys.exit`` with a nonzero status) or, with
``check``, when a final condition is false; it hangs when it has not ended within
``hang_after`` seconds of real time (two threads waiting for each other's lock: a deadlock),
and the child, whose threads are stuck, is killed. The program's prints are discarded.

- A shipped scenario (``scenarios/<name>.py``, with ``def main(..., variant=...)``): pass
  ``kwargs={"variant": "if", ...}``; each run executes the module as ``__stress__`` in a new
  namespace, then calls ``main(**kwargs)``.
- An example program: ``kwargs=None``; each run executes it as ``__main__`` with
  ``sys.argv = [program, *argv]``, as ``python program ...`` would.

From another bench script (``bench/`` is on ``sys.path``)::

    from naive_stress import stress
    result = stress("scenarios/producer_consumer.py", kwargs={"variant": "if"}, budget=10)

Or try it: ``python bench/naive_stress.py scenarios/cas.py --variant counter-racy
--check "counter == 9"``, ``python bench/naive_stress.py examples/lock_order.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

HANG_AFTER = 2.0
"""Seconds of real time after which a run that has not ended counts as a hang."""

GRACE = 1.0
"""Seconds the parent waits beyond ``hang_after`` for the child's own watchdog to answer
before it calls the run a hang itself (a thread holding the GIL in C never lets it)."""


@dataclass(frozen=True)
class StressResult:
    found: bool
    """Whether some run failed or hung within the budget."""
    runs: int
    """Runs ended: every one that finished, and the failing one when there was one (a run
    still going when the budget ran out is not counted)."""
    seconds: float
    """Real time from the call until the first failure was seen, or the whole time spent."""
    what: str
    """One line: 'IndexError: pop from empty list (thread C1, producer_consumer.py:37)',
    'failed assert: ...', 'hang (deadlock?) after 2 s: ...'; '' when nothing was found."""


# The child: plain CPython, standard library only. argv[1] is the JSON configuration. It
# writes JSON lines to its original stdout: {"run": n} as run n starts, {"failed": what}
# once (then it exits), or {"error": why} when the program cannot even be compiled.
DRIVER = r"""
import builtins, io, json, os, sys, threading, time, traceback, types

config = json.loads(sys.argv[1])
path, kwargs, argv = config["program"], config["kwargs"], config["argv"]
check, hang_after = config["check"], config["hang_after"]
directory = os.path.dirname(os.path.abspath(path))

report = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)  # stray writes to file descriptor 1 must not mix with the reports


class Sink(io.TextIOBase):
    # the program's prints: discarded
    def writable(self):
        return True

    def write(self, text):
        return len(text)


sys.stdout = sys.stderr = Sink()


def driver_failed(kind, error, tb):
    # a fault of this driver, not of the program: the parent shows it
    traceback.print_exception(kind, error, tb, file=sys.__stderr__)
    sys.__stderr__.flush()
    os._exit(3)


sys.excepthook = driver_failed
report_lock = threading.Lock()


def send(**fields):
    with report_lock:
        report.write(json.dumps(fields) + "\n")
        report.flush()


def fail(what):
    report_lock.acquire()  # the first failure is the one reported; nothing else is written
    report.write(json.dumps({"failed": what}) + "\n")
    report.flush()
    os._exit(1)


def place(tb):
    # the innermost line of the traceback that belongs to the program's own files
    found = None
    for frame in traceback.extract_tb(tb):
        if os.path.abspath(frame.filename).startswith(directory + os.sep):
            found = f"{os.path.basename(frame.filename)}:{frame.lineno}"
    return found


def describe(error, thread_name):
    where = ", ".join(x for x in (f"thread {thread_name}", place(error.__traceback__)) if x)
    message = str(error)
    if isinstance(error, AssertionError):
        return f"failed assert: {message} ({where})" if message else f"failed assert ({where})"
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return f"{text} ({where})"


def thread_failed(args):
    if args.exc_type is SystemExit:
        return  # CPython ignores SystemExit in a thread
    name = args.thread.name if args.thread is not None else "?"
    fail(describe(args.exc_value, name))


threading.excepthook = thread_failed


def stuck():
    # where each thread of the program is now: its innermost line in the program's files
    names = {t.ident: t.name for t in threading.enumerate()}
    places = []
    for ident, frame in sys._current_frames().items():
        if ident == watchdog_ident:
            continue
        line = None
        while frame is not None:
            if os.path.abspath(frame.f_code.co_filename).startswith(directory + os.sep):
                line = f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"
                break
            frame = frame.f_back
        if line is not None:
            places.append(f"{names.get(ident, '?')} at {line}")
    return ", ".join(sorted(places))


# The watchdog: a run that has not ended within hang_after seconds is a hang.
watch = threading.Condition()
started = ended = 0
began = 0.0
watchdog_ident = None


def watchdog():
    global watchdog_ident
    watchdog_ident = threading.get_ident()
    with watch:
        while True:
            while ended == started:
                watch.wait()
            run, deadline = started, began + hang_after
            while ended < run:
                left = deadline - time.monotonic()
                if left <= 0:
                    fail(f"hang (deadlock?) after {hang_after:g} s: {stuck()}")
                watch.wait(left)


threading.Thread(target=watchdog, name="naive-stress-watchdog", daemon=True).start()


def end_like_cpython(current):
    # What the interpreter does when a program's main thread ends: the pools' exit hook
    # lets idle workers go, then every non-daemon thread is waited for.
    pools = sys.modules.get("concurrent.futures.thread")
    if pools is not None:
        pools._python_exit()
        pools._shutdown = False  # the next run may make pools again
    while True:
        others = [t for t in threading.enumerate() if t is not current and not t.daemon]
        if not others:
            return
        for thread in others:
            thread.join()


try:
    with open(path, "rb") as file:
        code = compile(file.read(), path, "exec")
except Exception as error:
    send(error=f"cannot compile {path}: {error}")
    sys.exit(2)
sys.path.insert(0, directory)
name = "__stress__" if kwargs is not None else "__main__"
known_modules = set(sys.modules)
sys.setswitchinterval(1e-6)
main_thread = threading.current_thread()

run = 0
while True:
    run += 1
    send(run=run)
    with watch:
        started, began = run, time.monotonic()
        watch.notify()
    module = types.ModuleType(name)
    module.__file__ = path
    module.__builtins__ = builtins
    saved = sys.modules.get(name)
    sys.modules[name] = module
    sys.argv = [path, *argv]
    try:
        exec(code, module.__dict__)
        if kwargs is not None:
            if not callable(getattr(module, "main", None)):
                send(error=f"{path} has no main() to call with {kwargs}")
                os._exit(2)
            module.main(**kwargs)
    except SystemExit as error:
        if error.code not in (None, 0):
            fail(f"SystemExit: {error.code}")
    except BaseException as error:
        fail(describe(error, main_thread.name))
    end_like_cpython(main_thread)
    if check is not None:
        try:
            holds = eval(check, module.__dict__)
        except Exception as error:
            send(error=f"the check {check!r} cannot be evaluated: {error!r}")
            os._exit(2)
        if not holds:
            fail(f"failed check: {check}")
    with watch:
        ended = run
        watch.notify()
    if saved is not None:
        sys.modules[name] = saved
    for key in [k for k in sys.modules if k not in known_modules]:
        file = getattr(sys.modules[key], "__file__", None) or ""
        if os.path.abspath(file).startswith(directory + os.sep):
            del sys.modules[key]  # the program's own modules: fresh again next run
"""


def stress(
    program: str,
    *,
    kwargs: dict[str, object] | None = None,
    argv: list[str] | None = None,
    budget: float = 10.0,
    hang_after: float = HANG_AFTER,
    check: str | None = None,
) -> StressResult:
    """Run ``program`` on real threads, again and again, until a run fails or ``budget``
    seconds have passed; see the module's docstring.

    ``check``: a Python expression evaluated in the program's namespace after each run
    (main returned, its threads ended); false is a failure, as a stress test's final assert
    would be (e.g. ``"counter == 9"`` for a program that never checks its own count).

    A run still going when the budget runs out is cut short, not called a hang: a deadlock
    that begins in the last ``hang_after`` seconds of the budget is not seen (the watchdog
    is what a stress test pays to tell a hang from a slow run).
    """
    config = {
        "program": str(program),
        "kwargs": kwargs,
        "argv": list(argv or []),
        "check": check,
        "hang_after": hang_after,
    }
    start = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-I", "-c", DRIVER, json.dumps(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            return _watch(child, start, budget, hang_after, errors)
        finally:
            if child.poll() is None:
                child.kill()  # stuck threads, or the budget ran out mid-run
            child.wait()
            assert child.stdout is not None
            child.stdout.close()


def _watch(
    child: subprocess.Popen[bytes],
    start: float,
    budget: float,
    hang_after: float,
    errors: IO[bytes],
) -> StressResult:
    """Read the child's reports until a failure, a hang or the end of the budget."""
    assert child.stdout is not None
    stream = child.stdout.fileno()
    end = start + budget
    started = 0  # the run going now (0: the child has not started one yet)
    began = start
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            give_up = began + hang_after + GRACE if started else end
            if now >= min(end, give_up):
                if started and now >= give_up:
                    what = f"hang (deadlock?) after {hang_after:g} s (the child did not answer)"
                    return StressResult(True, started, now - start, what)
                return StressResult(False, max(started - 1, 0), now - start, "")
            if not selector.select(min(end, give_up) - now):
                continue
            chunk = os.read(stream, 65536)
            seen = time.monotonic()
            if not chunk:
                child.wait()
                errors.seek(0)
                stderr = errors.read().decode(errors="replace").strip()
                raise RuntimeError(
                    f"the stress driver ended without a report (exit {child.returncode}): {stderr}"
                )
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                report = json.loads(line)
                if "failed" in report:
                    return StressResult(True, started, seen - start, str(report["failed"]))
                if "error" in report:
                    raise ValueError(str(report["error"]))
                started, began = int(report["run"]), seen


def _value(text: str) -> object:
    """A ``--param`` value: an int when it reads as one, else the text."""
    try:
        return int(text)
    except ValueError:
        return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("program", help="a .py file; what follows -- is its sys.argv[1:]")
    parser.add_argument("--variant", help="a shipped scenario: call main(variant=...)")
    parser.add_argument("--param", action="append", default=[], metavar="K=V")
    parser.add_argument("--budget", type=float, default=10.0, metavar="SECONDS")
    parser.add_argument("--hang-after", type=float, default=HANG_AFTER, metavar="SECONDS")
    parser.add_argument("--check", help="an expression that must hold after each run")
    parser.add_argument("argv", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    kwargs: dict[str, object] | None = None
    if args.variant is not None or args.param:
        kwargs = dict(_parse_param(p) for p in args.param)
        if args.variant is not None:
            kwargs["variant"] = args.variant
    result = stress(
        str(Path(args.program)),
        kwargs=kwargs,
        argv=args.argv,
        budget=args.budget,
        hang_after=args.hang_after,
        check=args.check,
    )
    print(result)


def _parse_param(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    return key, _value(value)


if __name__ == "__main__":
    main()
