"""The app served by ``threadlab serve``, used in a real browser (headless Chromium): the
picker appears, producer-consumer opens, the keys n, space and ? do what they do in a
terminal, ctrl+s saves on the serving machine, and a second tab gets an app of its own.

The page draws the terminal with xterm.js on a canvas, so its text is not in the DOM. The
page's script keeps its xterm.js ``Terminal`` to itself; a hook installed before the page
loads catches it (the object that sets its ``webglAddon`` is textual-serve's terminal
wrapper, which has just made its ``terminal``), and the screen's text is read through
xterm.js's public buffer API.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from served_app import Served

pytestmark = pytest.mark.browser

CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "webglAddon", {
  configurable: true,
  set(addon) {
    window.threadlabTerminal = this.terminal;
    Object.defineProperty(this, "webglAddon", {
      value: addon, writable: true, configurable: true, enumerable: true,
    });
  },
});
"""

READ_SCREEN = """
const terminal = window.threadlabTerminal;
if (!terminal) return null;
const buffer = terminal.buffer.active, rows = [];
for (let y = 0; y < terminal.rows; y++) {
  rows.push(buffer.getLine(buffer.viewportY + y).translateToString(true));
}
return rows.join("\\n");
"""

WAIT = 20.0
"""Seconds a screen may take to show what a key does (an app starting on a loaded machine)."""


class Page:
    """One browser tab showing the served app."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def open(self, url: str) -> None:
        # (each tab its own: a script to run before a page's own is the tab's setting)
        self.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL}
        )
        self.driver.get(url)

    def screen(self) -> str:
        text: str | None = self.driver.execute_script(READ_SCREEN)
        return text or ""

    def wait_for(self, *texts: str, pattern: str | None = None) -> str:
        """The screen once it shows every one of ``texts`` (and matches ``pattern``)."""
        deadline = time.monotonic() + WAIT
        while True:
            screen = self.screen()
            if all(text in screen for text in texts) and (
                pattern is None or re.search(pattern, screen)
            ):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen: {texts} {pattern or ''}\n{screen}")
            time.sleep(0.05)

    def wait_gone(self, text: str) -> str:
        """The screen once ``text`` is no longer on it."""
        deadline = time.monotonic() + WAIT
        while text in (screen := self.screen()):
            if time.monotonic() > deadline:
                raise AssertionError(f"still on screen: {text}\n{screen}")
            time.sleep(0.05)
        return screen

    def press(self, *keys: str) -> None:
        """Type ``keys`` into the terminal, as a person at the keyboard does."""
        from selenium.webdriver.common.action_chains import ActionChains

        self.driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
        ActionChains(self.driver).send_keys(*keys).perform()

    def press_ctrl(self, key: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        self.driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
        ActionChains(self.driver).key_down(Keys.CONTROL).send_keys(key).key_up(
            Keys.CONTROL
        ).perform()


def status(screen: str) -> str:
    """The status line: the one naming the variant, seed and step."""
    return next(line for line in screen.splitlines() if "│  seed " in line)


def test_the_served_app_in_a_browser(
    chromium: Any, served: Served, artifacts: Callable[[str], Path]
) -> None:
    # (chromium first: skipped before a server starts; the server stops with the tab still
    # open, as when a lecturer presses Ctrl+C, and must close it and end its app)
    from selenium.webdriver.common.keys import Keys

    page = Page(chromium)
    page.open(served.url)
    page.wait_for("a terminal playground for concurrency", "producer-consumer", "variant if")
    assert len(served.apps()) == 1, served.group()  # this tab's own app

    # The picker lists each variant as an option: down to producer-consumer's 'if'.
    page.press(Keys.DOWN * 5)
    page.wait_for("Producer-consumer: a bounded buffer", pattern=r"▸ if\s+buggy")
    page.press(Keys.ENTER)
    screen = page.wait_for("variant if", "step 0", "‖ PAUSED")
    assert "not_empty" in screen  # the source and the primitives are drawn

    page.press("n")  # one step: the step counter moves, still paused
    screen = page.wait_for("step 1 ", "‖ PAUSED")
    assert re.search(r"│\s+1\s+MainThread\s+start", screen), screen  # the first event

    page.press(" ")  # run at 4 steps a second
    page.wait_for("▶ RUNNING", pattern=r"step ([2-9]|\d\d)")
    page.press(" ")  # and pause again
    paused = status(page.wait_for("‖ PAUSED", pattern=r"step ([2-9]|\d\d)"))

    page.press("?")
    screen = page.wait_for("Help", "Keys", "esc or ? to close")
    assert "Spurious" in screen
    chromium.save_screenshot(str(artifacts("help.png")))
    page.press(Keys.ESCAPE)
    assert status(page.wait_gone("esc or ? to close")) == paused  # back on the run

    # ctrl+s saves on the serving machine, into the save folder, and says where
    page.press_ctrl("s")
    screen = page.wait_for(str(served.saves))
    saved = list(served.saves.glob("*.json"))
    assert len(saved) == 1 and saved[0].name in screen.replace("\n", ""), screen
    chromium.save_screenshot(str(artifacts("producer-consumer.png")))

    # a second tab gets an app of its own, at the picker
    chromium.switch_to.new_window("tab")
    second = Page(chromium)
    second.open(served.url)
    second.wait_for("a terminal playground for concurrency", "producer-consumer")
    assert len(served.apps()) == 2, served.group()
    chromium.close()  # the tab closes: its app ends
    chromium.switch_to.window(chromium.window_handles[0])
    deadline = time.monotonic() + WAIT
    while len(served.apps()) != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(served.apps()) == 1, served.group()
    assert "variant if" in page.screen()  # the first tab's run goes on
