"""Fixtures of the browser test: ``threadlab serve`` in its own process group, and Debian's
headless Chromium driven through its ChromeDriver with Selenium.

Both are torn down after the test, and the test fails when a process of either is left: the
server's group (the server and every tab's app) and every process of the browser's profile.
Screenshots go to ``test-artifacts/browser/`` (gitignored); the end of the run says where.

Without /usr/bin/chromium and /usr/bin/chromedriver (``make test`` installs them as root
where apt-get is) the test is skipped with a message saying how to install them.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from served_app import Served, processes_where, start_serve, wait_until_none

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WINDOW = "1280,860"
"""The browser window, in pixels: the page gives the app about 120×40 cells."""

ARTIFACTS: list[Path] = []
"""Files the browser tests saved this run (said at the end)."""


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if ARTIFACTS:
        terminalreporter.write_line(f"browser test screenshots: {ARTIFACTS[0].parent}/")


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """A path for a test artifact named ``name`` under ``test-artifacts/browser/``."""
    folder = request.config.rootpath / "test-artifacts" / "browser"
    folder.mkdir(parents=True, exist_ok=True)

    def path(name: str) -> Path:
        ARTIFACTS.append(folder / name)
        return folder / name

    return path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``threadlab serve`` on a free port of 127.0.0.1, in its own process group, saving into
    tmp_path/saves, opened at the link it printed (with its token); stopped with SIGINT
    (Ctrl+C) afterwards, leaving no process behind."""
    server, port, saves = start_serve(tmp_path)
    assert server.stdout is not None
    said = server.stdout.readline()
    link = re.search(rf"serving the app on (http://127\.0\.0\.1:{port}/\?token=\S+) ", said)
    assert link is not None, said + server.stderr.read()
    serving = Served(link[1], server, saves)  # the link serve printed, with its token
    try:
        yield serving
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)  # Ctrl+C, as a terminal sends it
        try:
            out, err = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            out, err = server.communicate()
            pytest.fail(f"threadlab serve did not stop on Ctrl+C: {out}{err}")
        left = wait_until_none(serving.group, 5)
        if left:
            os.killpg(server.pid, signal.SIGKILL)
        assert not left, f"processes left behind by threadlab serve: {left}"
        assert server.returncode == 0, out + err
        assert "Traceback" not in out + err, out + err


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium (Debian's) through its ChromeDriver; quit afterwards, and no process
    of its profile left."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.skip(
            f"no {' or '.join(missing)}: the browser test needs Debian's chromium and "
            "chromium-driver ('make test' installs them when run as root with apt-get; "
            "else: apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path / "chromium-profile"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*HEADLESS_FLAGS, f"--user-data-dir={profile}", f"--window-size={WINDOW}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    service = driver.service.process
    try:
        yield driver
    finally:
        driver.quit()

        def left() -> list[str]:
            return processes_where(
                lambda pid, command, _pgid: str(profile) in command or pid == service.pid
            )

        remaining = wait_until_none(left, 10)
        assert not remaining, f"browser processes left behind: {remaining}"
