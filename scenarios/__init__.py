"""The scenario catalogue: one module per scenario, listed here in the picker's order."""

from __future__ import annotations

from engine import ConfigError, Scenario
from scenarios import condition, mutex, producer_consumer

SCENARIOS: dict[str, Scenario] = {
    module.SCENARIO.name: module.SCENARIO for module in (mutex, condition, producer_consumer)
}


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``.

    Raises:
        ConfigError: unknown name; the message lists the valid ones.
    """
    try:
        return SCENARIOS[name]
    except KeyError:
        valid = ", ".join(SCENARIOS)
        raise ConfigError(f"unknown scenario {name!r} (valid: {valid})") from None
