"""Fixtures of the app's tests."""

from __future__ import annotations

import pytest

from threadlab.tui import app as app_module


@pytest.fixture(autouse=True)
def programs_in_the_test_process(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run each program in the test's own process, unless the test is marked ``own_process``.

    Exists because a process per run made the screen tests a third slower (about 45 s of the
    suite), while a screen draws the same snapshots either way. The tests marked
    ``own_process`` run the app as its users get it: travel, saving, exploring, and programs
    that act on their own process."""
    if request.node.get_closest_marker("own_process") is None:
        monkeypatch.setattr(app_module, "RUN_IN_ITS_OWN_PROCESS", False)
