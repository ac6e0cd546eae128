"""The engine stays free of the UI, and user input is checked with one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from threadlab.engine import ConfigError, Param, resolve_config
from threadlab.engine.lesson.scenario import MAX_SEED
from threadlab.scenarios import SCENARIOS, get_scenario

ROOT = Path(__file__).resolve().parents[2]
UI_PACKAGES = ("textual", "rich")


def test_importing_engine_and_scenarios_loads_no_ui_package() -> None:
    code = (
        "import threadlab.engine, threadlab.scenarios, sys; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------ resolve_config

MUTEX = get_scenario("mutex")
PC = get_scenario("producer-consumer")


def one_line_error(call) -> str:
    with pytest.raises(ConfigError) as error:
        call()
    message = str(error.value)
    assert message and "\n" not in message
    return message


def test_defaults_are_filled_in_and_strings_parsed() -> None:
    config = resolve_config(PC, params={"items": "7"}, seed="12")
    assert config.variant == "while"
    assert config.seed == 12
    assert config.param_values == {"producers": 2, "consumers": 2, "capacity": 3, "items": 7}
    assert [name for name, _ in config.params] == [p.name for p in PC.params]


def test_unknown_variant_names_the_valid_ones() -> None:
    message = one_line_error(lambda: resolve_config(PC, "until"))
    assert "'until'" in message
    assert "while" in message and "if" in message
    assert "producer-consumer" in message


def test_unknown_parameter_names_the_valid_ones() -> None:
    message = one_line_error(lambda: resolve_config(MUTEX, params={"thread": 2}))
    assert "'thread'" in message
    assert "threads" in message and "rounds" in message


@pytest.mark.parametrize("scenario", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_every_parameter_accepts_its_bounds_and_refuses_beyond_them(scenario) -> None:
    for param in scenario.params:
        for ok in (param.minimum, param.maximum, param.default):
            config = resolve_config(scenario, params={param.name: str(ok)})
            assert config.param_values[param.name] == ok
        for bad in (param.minimum - 1, param.maximum + 1):
            message = one_line_error(
                lambda p=param, v=bad: resolve_config(scenario, params={p.name: v})
            )
            assert param.name in message and str(bad) in message
            assert f"{param.minimum}..{param.maximum}" in message


@pytest.mark.parametrize("raw", ["abc", "1.5", "", "three", "2e3"])
def test_a_non_integer_value_is_refused_with_the_valid_range(raw: str) -> None:
    message = one_line_error(lambda: resolve_config(MUTEX, params={"threads": raw}))
    assert "threads" in message and repr(raw) in message
    assert "1..9" in message


@pytest.mark.parametrize("seed", ["x", "-1", str(MAX_SEED + 1), "0.5"])
def test_a_bad_seed_is_refused(seed: str) -> None:
    message = one_line_error(lambda: resolve_config(MUTEX, seed=seed))
    assert "seed" in message and f"0..{MAX_SEED}" in message


def test_unknown_scenario_names_the_valid_ones() -> None:
    message = one_line_error(lambda: get_scenario("mutexes"))
    assert "'mutexes'" in message
    assert all(name in message for name in SCENARIOS)


def test_param_parse_alone() -> None:
    param = Param("n", 3, 1, 5, "how many")
    assert param.parse("5") == 5
    assert "out of range" in one_line_error(lambda: param.parse("6"))
    assert "not a whole number" in one_line_error(lambda: param.parse("x"))
