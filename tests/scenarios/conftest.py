"""Fixtures for scenario tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scenario_driver import Driver


@pytest.fixture
def driver() -> Iterator[Driver]:
    """Real threads must not outlive a test: every runtime is stopped and checked."""
    opened = Driver()
    yield opened
    for runtime in opened.runtimes:
        assert runtime.stop(), "a scenario thread outlived stop()"
