"""How the asyncio loop's typed view reads: its callbacks, what a task awaits, each task's
state with the threads panel's glyphs, and virtual times."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from ...engine.snapshot.model import (
    Awaiting,
    AwaitsCallback,
    AwaitsFuture,
    AwaitsGather,
    AwaitsNothing,
    AwaitsSleep,
    AwaitsTask,
    AwaitsThreadCall,
    CallbackKind,
    LoopCallback,
    NeverAwaited,
    TaskState,
    TaskView,
    ThreadState,
    TimerView,
)
from .palette import STATE_GLYPHS


def virtual_time(seconds: float) -> str:
    """A virtual time for people: 't=1.5', 't=0.3' (never 't=0.30000000000000004')."""
    return f"t={round(seconds, 6):g}"


def callback_text(callback: LoopCallback) -> str:
    """A callback in the ready queue or a timer, in a few words: 'wake fetch#3'."""
    subject = callback.subject
    match callback.kind:
        case CallbackKind.TASK_STEP:
            return f"{subject}"
        case CallbackKind.THREAD_RESULT:
            return f"result of {subject}"
        case CallbackKind.WAKE:
            return f"wake {subject}"
        case CallbackKind.END_SLEEP:
            return "end a sleep"
        case CallbackKind.CHILD_DONE:
            return f"gather: {subject or 'a child'} done"
        case CallbackKind.RUN_UNTIL_COMPLETE:
            return f"run_until_complete: {subject or 'it'} done"
        case CallbackKind.OTHER:
            return f"callback {subject}"


def timer_text(timer: TimerView) -> str:
    """'t=1.5 wake fetch#4'."""
    return f"{virtual_time(timer.due)} {callback_text(timer.callback)}"


def never_awaited_text(dropped: NeverAwaited, *, bad: Style) -> Text:
    """A coroutine made and dropped unawaited: 'to_thread(crunch, 4) at line 43 never ran
    (coroutine 'to_thread' was never awaited)'."""
    where = f" at line {dropped.line}" if dropped.line is not None else ""
    return Text.assemble(
        (f"{dropped.call}{where} never ran", bad),
        (f" (coroutine '{dropped.coroutine}' was never awaited)", "dim"),
    )


def awaiting_text(awaiting: Awaiting) -> str:
    """What a paused task waits for, in words: 'sleep until t=1', 'gather: 1 of 3 done'."""
    match awaiting:
        case AwaitsTask(task):
            return f"task {task}"
        case AwaitsGather(done, total):
            return f"gather: {done} of {total} done"
        case AwaitsSleep(until, fired):
            if fired:
                return f"slept until {virtual_time(until)}: timer in the ready queue"
            return f"sleep until {virtual_time(until)}"
        case AwaitsCallback(callback):
            return f"{callback_text(callback)} in the ready queue"
        case AwaitsThreadCall(call, worker):
            return f"{call} on {worker or 'a worker thread'}"
        case AwaitsFuture():
            return "a future"
        case AwaitsNothing():
            return "ready to go on"


def task_state_text(task: TaskView, *, good: Style, bad: Style) -> Text:
    """A task's state with the threads panel's glyphs: ▶ running, ▷ ready, ◇ waiting,
    ✓ done, ✗ failed; the line it is at, and what it waits for."""
    if not task.started and task.state in (TaskState.READY, TaskState.WAITING):
        glyph = STATE_GLYPHS[ThreadState.RUNNABLE] if task.state is TaskState.READY else " "
        return Text(f"{glyph} not started", style="dim")
    match task.state:
        case TaskState.RUNNING:
            glyph = STATE_GLYPHS[ThreadState.RUNNING]
            return Text.assemble((f"{glyph} running", "bold"), f", line {task.line}")
        case TaskState.READY:
            glyph = STATE_GLYPHS[ThreadState.RUNNABLE]
            return Text.assemble((f"{glyph} ready", "bold"), f", line {task.line}")
        case TaskState.WAITING:
            glyph = STATE_GLYPHS[ThreadState.WAITING]
            what = awaiting_text(task.awaiting) if task.awaiting is not None else ""
            return Text.assemble(f"{glyph} ", (f"line {task.line}: ", "dim"), what)
        case TaskState.DONE:
            glyph = STATE_GLYPHS[ThreadState.DONE]
            return Text.assemble((f"{glyph} ", good), ("→ ", "dim"), f"{task.result}")
        case TaskState.FAILED:
            glyph = STATE_GLYPHS[ThreadState.FAILED]
            error = task.error
            raised = f"{error.type_name}: {error.message}" if error is not None else ""
            return Text.assemble((f"{glyph} raised ", bad), raised)
        case TaskState.CANCELLED:
            return Text(f"{STATE_GLYPHS[ThreadState.FAILED]} cancelled", style="dim")
