"""Every verdict and run state has its words in the app: the banner's next step, the
status glyph and the explorer's name for a find."""

from __future__ import annotations

from threadlab.cli.explore_text import VERDICT_WORDS
from threadlab.engine import RunState, VerdictKind
from threadlab.tui.widgets.status import RUN_STATE_GLYPHS
from threadlab.tui.widgets.verdict import NEXT_STEP


def test_every_verdict_kind_has_a_next_step_and_a_name_in_explore() -> None:
    assert set(NEXT_STEP) == set(VerdictKind)
    assert set(VERDICT_WORDS) == set(VerdictKind)
    assert VERDICT_WORDS[VerdictKind.LOST_WAKEUP] == "a lost wakeup"


def test_every_run_state_has_a_glyph_and_every_verdict_a_run_state() -> None:
    assert set(RUN_STATE_GLYPHS) == set(RunState)
    assert {kind.value for kind in VerdictKind} <= {state.value for state in RunState}


def test_a_blocked_loop_speaks_of_tasks_and_events_alike() -> None:
    """LOOP BLOCKED is an asyncio loop held by a task or a thread-based event loop held by
    one handler while events wait: the next step says both wait."""
    words = NEXT_STEP[VerdictKind.LOOP_BLOCKED]
    assert "task or event waited" in words
    assert "space to resume" in words
