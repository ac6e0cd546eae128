"""Numbers on the command line are plain ASCII: ``int()`` alone would also take "٣" (an
Arabic-Indic digit), "5_000", "+5" and " 5 ", and ``float()`` "inf" and "١.٥"."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from threadlab.cli.main import _speed, _steps
from threadlab.engine.lesson.scenario import ConfigError, parse_whole

CLI = [sys.executable, "-m", "threadlab"]
NOT_PLAIN = ["٣", "5_000", "+5", " 5 ", "5 ", "5\n", "５", "0x5", "5.0", "1e3", "", "-", "--5"]


def one_error_line(*args: str) -> str:
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert len(lines[0]) < 300, lines[0]
    return lines[0]


@pytest.mark.parametrize("raw", NOT_PLAIN)
def test_parse_whole_takes_ascii_digits_only(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"is not a whole number \(valid: 0\.\.9\)"):
        parse_whole(raw, "x ", 0, 9)


def test_parse_whole_says_why_when_python_would_have_read_it() -> None:
    with pytest.raises(ConfigError, match="plain digits 0-9"):
        parse_whole("٣", "seed ", 0, 9)
    with pytest.raises(ConfigError) as caught:
        parse_whole("lots", "seed ", 0, 9)
    assert "plain digits" not in str(caught.value)


def test_negative_numbers_only_where_the_range_allows() -> None:
    assert parse_whole("-3", "x ", -5, 5) == -3
    assert parse_whole("-0", "x ", 0, 5) == 0
    assert parse_whole("007", "x ", 0, 9) == 7
    with pytest.raises(ConfigError, match=r"x -3 is out of range \(valid: 0\.\.5\)"):
        parse_whole("-3", "x ", 0, 5)


def test_a_huge_number_is_out_of_range_and_quoted_short() -> None:
    with pytest.raises(ConfigError, match="out of range") as caught:
        parse_whole("9" * 5000, "seed ", 0, 2**63 - 1)
    assert len(str(caught.value)) < 120


@pytest.mark.parametrize("raw", ["٣", "5_000", "+5", " 5 "])
def test_seeds_and_parameters_refuse_what_is_not_plain(raw: str) -> None:
    line = one_error_line("trace", "mutex", "--seed", raw)
    assert f"seed {raw!r} is not a whole number (valid: 0..{2**63 - 1})" in line
    line = one_error_line("trace", "mutex", "--param", f"threads={raw}")
    assert f"parameter threads={raw!r} is not a whole number (valid: 1..9)" in line


def test_steps_refuse_what_is_not_plain() -> None:
    assert _steps("25") == 25
    for raw in ("٣", "1_000", "+5", " 5"):
        with pytest.raises(argparse.ArgumentTypeError, match="is not a whole number"):
            _steps(raw)
    assert "steps '٣' is not a whole number" in one_error_line("trace", "mutex", "--steps", "٣")


def test_speed_takes_plain_decimals_only() -> None:
    assert _speed("4") == 4.0
    assert _speed("0.5") == 0.5
    assert _speed(".5") == 0.5
    assert _speed("max") is None
    for raw in ("٣", "1_0", "+5", " 5", "inf", "nan", "1e3", "١.٥", "5."):
        with pytest.raises(argparse.ArgumentTypeError, match="is not a number"):
            _speed(raw)


def test_a_long_value_is_quoted_short() -> None:
    line = one_error_line("trace", "mutex", "--seed", "x" * 5000)
    assert "…" in line and "is not a whole number" in line
    line = one_error_line("trace", "mutex", "--variant", "v" * 5000)
    assert "…" in line and "(valid: locked" in line
    line = one_error_line("trace", "x" * 5000)
    assert "…" in line and "unknown scenario" in line


def test_a_control_character_does_not_break_the_line() -> None:
    line = one_error_line("trace", "mutex", "--variant", "a\nb\rc")
    assert "'a\\nb\\rc'" in line
