"""Fixtures for scenario tests: ``driver``, built on the shared ``launch`` fixture
(``tests/conftest.py``), which stops every runtime it started after the test."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from scenario_driver import Driver

from threadlab.engine import Runtime


@pytest.fixture
def driver(launch: Callable[..., Runtime]) -> Driver:
    """Opens real scenarios paused, as a learner does; ``launch`` stops each one afterwards."""
    return Driver(launch)
