"""The go-to prompt (g): digits only, a bounded length, and no regular expression that can
backtrack (Textual's integer input froze the app on 24 digits and a letter)."""

from __future__ import annotations

from textual.widgets import Label
from tui_testing import make_app, run, runtime_of, settle

from threadlab.tui.screens.goto import (
    MAX_STEP_DIGITS,
    GotoScreen,
    StepInput,
    is_digits,
    parse_step,
    step_digits,
)

SIZE = (120, 40)


def test_step_digits_is_enough_for_the_last_step_and_bounded() -> None:
    assert step_digits(0) == 1
    assert step_digits(9) == 1
    assert step_digits(10) == 2
    assert step_digits(999) == 3
    assert step_digits(1000) == 4
    assert step_digits(-1) == 1
    assert step_digits(10**30) == MAX_STEP_DIGITS == 12


def test_only_plain_ascii_digits_are_digits() -> None:
    assert is_digits("0123456789")
    assert is_digits("")
    for text in ("٣", "²", "５", "+5", "-5", "5_000", " 5", "5 ", "1e3", "0x10", "5.0"):
        assert not is_digits(text), text


def test_parse_step_takes_plain_digits_in_range_and_explains_the_rest() -> None:
    assert parse_step("0", 10) == 0
    assert parse_step("10", 10) == 10
    assert parse_step("007", 10) == 7
    assert parse_step("000", 0) == 0
    assert parse_step("11", 10) == "step 11 is not in this run (valid: 0..10)"
    assert parse_step("", 10) == "type a step number (valid: 0..10)"
    for text in ("٣", "+5", "5_000", " 5 ", "-1", "abc"):
        assert parse_step(text, 10) == f"{text!r} is not a step number (valid: 0..10)"


def test_parse_step_refuses_a_huge_entry_in_one_short_line() -> None:
    # More digits than int() takes by default (4300); refused without converting it.
    message = parse_step("9" * 100_000, 10)
    assert isinstance(message, str)
    assert message.startswith("step 999") and message.endswith("(valid: 0..10)")
    assert len(message) < 80 and "\n" not in message
    message = parse_step("x" * 100_000, 10)
    assert isinstance(message, str) and len(message) < 80
    assert parse_step("0" * 50 + "3", 10) == 3


def _error(screen: GotoScreen) -> str:
    return str(screen.query_one("#goto-error", Label).content)


def test_forty_digits_and_a_letter_keep_the_prompt_responsive_then_a_step_is_reached() -> None:
    async def body() -> None:
        app = make_app("mutex", seed=2)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(12)
            assert runtime.wait_idle(60)
            last = runtime.snapshot().history_length
            assert 10 <= last < 100  # two digits fit, a third does not

            await pilot.press("g")
            screen = app.screen
            assert isinstance(screen, GotoScreen)
            step_input = screen.query_one(StepInput)
            assert step_input.has_focus
            await pilot.press(*("9" * 40))
            assert step_input.value == "99"  # the bound held
            await pilot.press("a")  # the key that froze Textual's integer input
            assert step_input.value == "99"  # no letter got in
            assert _error(screen) == f"digits only (valid: 0..{last})"

            await pilot.press("escape")  # the app still answers the next key
            await pilot.pause()
            assert not isinstance(app.screen, GotoScreen)
            assert runtime.snapshot().step == 12

            await pilot.press("g")
            screen = app.screen
            assert isinstance(screen, GotoScreen)
            step_input = screen.query_one(StepInput)
            await pilot.press("x", "+", "-", "_", " ", "٣")
            assert step_input.value == ""
            await pilot.press("5", "0", "0")
            assert step_input.value == "50"
            assert _error(screen) == f"at most 2 digits (valid: 0..{last})"
            await pilot.press("enter")  # out of range: the prompt stays and says why
            assert isinstance(app.screen, GotoScreen)
            assert _error(screen) == f"step 50 is not in this run (valid: 0..{last})"
            await pilot.press("backspace")  # an edit clears the error
            assert _error(screen) == ""
            await pilot.press("backspace", "enter")  # empty: the prompt closes, run stays
            await pilot.pause()
            assert not isinstance(app.screen, GotoScreen)
            assert runtime.snapshot().step == 12

            await pilot.press("g")
            assert isinstance(app.screen, GotoScreen)

            await pilot.press("7", "enter")
            await settle(pilot)
            assert not isinstance(app.screen, GotoScreen)
            assert runtime.snapshot().step == 7

    run(body)


def test_a_pasted_entry_is_held_to_the_same_rules() -> None:
    async def body() -> None:
        app = make_app("mutex", seed=2)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(12)
            assert runtime.wait_idle(60)
            await pilot.press("g")
            screen = app.screen
            assert isinstance(screen, GotoScreen)
            step_input = screen.query_one(StepInput)
            step_input.insert_text_at_cursor("1" * 40 + "a")
            step_input.insert_text_at_cursor("1" * 40)
            step_input.insert_text_at_cursor("3a")
            await pilot.pause()
            assert step_input.value == ""
            step_input.insert_text_at_cursor("03")
            await pilot.press("enter")
            await settle(pilot)
            assert not isinstance(app.screen, GotoScreen)
            assert runtime.snapshot().step == 3

    run(body)
