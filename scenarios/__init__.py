"""The scenario catalogue: one module per scenario, listed here in the picker's order."""

from __future__ import annotations

from ..engine import ConfigError, Scenario
from ..engine.core.oneline import quote
from .lessons import (
    async_io,
    barrier,
    cas,
    condition,
    coroutines,
    event_loop,
    futures,
    mutex,
    philosophers,
    producer_consumer,
    readers_writers,
    semaphore,
)

_MODULES = (
    mutex,
    condition,
    producer_consumer,
    cas,
    semaphore,
    readers_writers,
    futures,
    philosophers,
    barrier,
    event_loop,
    async_io,
    coroutines,
)


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``.

    Raises:
        ConfigError: unknown name; the message lists the valid ones.
    """
    try:
        return SCENARIOS[name]
    except KeyError:
        valid = ", ".join(SCENARIOS)
        raise ConfigError(f"unknown scenario {quote(name)} (valid: {valid})") from None


def _catalogued(scenario: Scenario) -> Scenario:
    """``scenario``, found by its name in another process (``Scenario.catalogue``)."""
    object.__setattr__(scenario, "catalogue", get_scenario)
    return scenario


SCENARIOS: dict[str, Scenario] = {
    module.SCENARIO.name: _catalogued(module.SCENARIO) for module in _MODULES
}
