"""Fixtures for the app's tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """Every test must leave no scenario thread running: the app stops its runtime when the
    scenario screen goes away or the app quits, and a leak would make later tests flaky."""
    yield
    alive = [t.name for t in threading.enumerate() if t.name.startswith("threadlab-")]
    assert not alive, f"scenario threads still alive: {alive}"
