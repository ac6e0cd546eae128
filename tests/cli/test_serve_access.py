"""Who ``threadlab serve`` lets in: the real aiohttp server (``ThreadlabServer``) on a free
port of 127.0.0.1, in this process, asked with aiohttp's own client.

The page and each tab's websocket need the token; a request naming another host (DNS
rebinding) and a websocket from another origin are refused; one client keeps at most
``max_tabs`` tabs; the page fetches nothing from another host. Each tab's app is a stub (a
few lines of Python speaking textual-serve's protocol) that notes its start in a folder, so
a test sees which tabs started an app, in milliseconds rather than a real app's second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shlex
import socket
import sys
import urllib.parse
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSCloseCode, WSMsgType, web

from threadlab.cli.web_server import Access, ThreadlabServer, same_origin

TOKEN = "the-secret-of-this-test"

STUB_APP = r"""
import os, sys
from pathlib import Path

Path(sys.argv[1], str(os.getpid())).touch()  # this tab started an app
out = sys.stdout.buffer
out.write(b"__GANGLION__\n")  # what a Textual app says first
out.write(b"D" + (11).to_bytes(4, "big") + b"stub is on\n")
out.flush()
stdin = sys.stdin.buffer
while len(head := stdin.read(5)) == 5:  # until textual-serve asks it to quit
    body = stdin.read(int.from_bytes(head[1:], "big"))
    if head[:1] == b"M" and b'"quit"' in body:
        break
"""


@dataclass
class Serving:
    """A ``ThreadlabServer`` listening on ``port``; ``started`` holds a file per app run."""

    server: ThreadlabServer
    port: int
    started: Path
    session: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def apps_started(self) -> int:
        return len(list(self.started.iterdir()))

    def tab(self, token: str = TOKEN, **options: Any) -> Any:
        """Open a tab's websocket, as the page does (an async context manager)."""
        path = "/ws/" + urllib.parse.quote(token, safe="")
        return self.session.ws_connect(f"{self.base}{path}?width=80&height=24", **options)


@contextlib.asynccontextmanager
async def serving(
    folder: Path, max_tabs: int = 3, names: frozenset[str] = frozenset({"localhost"})
) -> AsyncIterator[Serving]:
    stub, started = folder / "stub_app.py", folder / "started"
    stub.write_text(STUB_APP)
    started.mkdir()
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    port = listening.getsockname()[1]
    command = "exec " + shlex.join([sys.executable, "-I", "-S", str(stub), str(started)])
    access = Access(TOKEN, port, names, max_tabs)
    server = ThreadlabServer(command, "127.0.0.1", port, "(printed)", str(folder), access)
    runner = web.AppRunner(await server._make_app(), access_log=None)
    await runner.setup()
    await web.SockSite(runner, listening).start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Serving(server, port, started, session)
    finally:
        await runner.cleanup()  # closes every tab, which stops its app


def run(test: Callable[[Serving], Coroutine[Any, Any, None]], folder: Path, **kw: Any) -> None:
    async def serve_and_test() -> None:
        async with serving(folder, **kw) as served:
            await test(served)

    asyncio.run(serve_and_test())


async def first_bytes(tab: aiohttp.ClientWebSocketResponse) -> bytes:
    """What the tab's app drew first (the stub's line): its app has started."""
    message = await tab.receive(timeout=20)
    assert message.type == WSMsgType.BINARY, message
    data: bytes = message.data
    return data


async def until(condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` (a tab the client closed is stopped by the server soon)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the server did not get there")


# --- the page ---


def test_the_page_needs_the_token(tmp_path: Path) -> None:
    async def test(served: Serving) -> None:
        for query in ("", "?token=", "?token=wrong", f"?token={TOKEN}x", f"?tok={TOKEN}"):
            async with served.session.get(f"{served.base}/{query}") as response:
                assert response.status == 403, query
                text = await response.text()
                assert response.content_type == "text/plain"
                assert text.count("\n") == 1 and "open the link threadlab serve printed" in text
                assert TOKEN not in text
        async with served.session.get(f"{served.base}/?token={TOKEN}") as response:
            assert response.status == 200
            assert response.content_type == "text/html"
            assert response.headers["Cache-Control"] == "no-store"
            assert response.headers["Referrer-Policy"] == "no-referrer"
            page = await response.text()
        websocket_url = f"ws://127.0.0.1:{served.port}/ws/{TOKEN}"
        assert f'data-session-websocket-url="{websocket_url}"' in page

    run(test, tmp_path)


def test_the_page_fetches_nothing_from_another_host(tmp_path: Path) -> None:
    async def test(served: Serving) -> None:
        async with served.session.get(f"{served.base}/?token={TOKEN}") as response:
            page = await response.text()
        # the one address with a host in the page is its websocket's, back to this server
        absolute = re.findall(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s\"'<>)]*", page)
        assert absolute == [f"ws://127.0.0.1:{served.port}/ws/{TOKEN}"]
        assert "googleapis" not in page
        # its font is textual-serve's own, served here, as are its script and styles
        links = re.findall(r'(?:href|src)="([^"]+)"|url\("([^"]+)"\)', page)
        paths = {path for pair in links for path in pair if path and path != "data:,"}
        assert {
            "/static/js/textual.js",
            "/static/css/xterm.css",
            "/static/fonts/RobotoMono-VariableFont_wght.ttf",
            "/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf",
        } <= paths
        assert re.search(r'@font-face\s*{\s*font-family: "Roboto Mono"', page)
        for path in paths:
            assert path.startswith("/static/"), path
            async with served.session.get(served.base + path) as response:
                assert response.status == 200, path
                assert len(await response.read()) > 1000, path

    run(test, tmp_path)


def test_a_chosen_token_of_any_characters_is_carried_quoted(tmp_path: Path) -> None:
    odd = "a b/ü?&#\"<'"

    async def test(served: Serving) -> None:
        served.server.access = Access(odd, served.port, frozenset(), 3)
        quoted = urllib.parse.quote(odd, safe="")
        async with served.session.get(f"{served.base}/?token={quoted}") as response:
            assert response.status == 200
            page = await response.text()
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws/{quoted}"' in page
        async with served.tab(odd) as tab:
            assert await first_bytes(tab) == b"stub is on\n"

    run(test, tmp_path)


# --- the host a request names (DNS rebinding) ---


def test_a_request_naming_another_host_is_refused(tmp_path: Path) -> None:
    async def test(served: Serving) -> None:
        port = served.port

        async def status(host: str, path: str = f"/?token={TOKEN}") -> int:
            async with served.session.get(served.base + path, headers={"Host": host}) as reply:
                if reply.status == 403:
                    text = await reply.text()
                    assert "--allow-host NAME" in text and (not host or host not in text)
                return reply.status

        for refused in (
            f"evil.example:{port}",  # a name made to point at 127.0.0.1
            f"127.0.0.1.evil.example:{port}",
            f"localhost.evil.example:{port}",
            f"127.0.0.1:{port + 1}",  # the right address, another port
            "127.0.0.1",  # (port 80)
            f"mybox.example:{port}",  # not allowed here
            f"[not-an-address]:{port}",
            f"local<host>:{port}",
            "",
        ):
            assert await status(refused) == 403, refused
            assert await status(refused, "/static/css/xterm.css") == 403, refused
            assert await status(refused, "/ws") == 403, refused
        for answered in (
            f"127.0.0.1:{port}",
            f"10.1.2.3:{port}",  # any IP address: no rebinding names one
            f"[::1]:{port}",
            f"localhost:{port}",
            f"LocalHost.:{port}",
        ):
            assert await status(answered) == 200, answered

    run(test, tmp_path)


def test_this_machines_own_names_and_allowed_ones_are_answered(tmp_path: Path) -> None:
    async def test(served: Serving) -> None:
        for name in ("mybox.example", "MyBox.Example."):
            host = f"{name}:{served.port}"
            async with served.session.get(
                f"{served.base}/?token={TOKEN}", headers={"Host": host}
            ) as response:
                assert response.status == 200
                page = await response.text()
            # the page's websocket goes back to the (checked) name the browser used
            assert f'"ws://{host}/ws/{TOKEN}"' in page

    run(test, tmp_path, names=frozenset({"localhost", "mybox.example"}))


def test_access_knows_ip_addresses_and_its_names_at_its_port() -> None:
    access = Access(TOKEN, 8000, frozenset({"localhost", "box"}), 3)
    assert access.knows_host("127.0.0.1:8000")
    assert access.knows_host("[fe80::1]:8000")
    assert access.knows_host("BOX:8000")
    assert not access.knows_host(None)
    assert not access.knows_host("box:80")
    assert not access.knows_host("box")  # port 80
    assert not access.knows_host("[127.0.0.1]:8000")
    assert not access.knows_host("::1:8000")
    assert not access.knows_host("box:8000:8000")
    assert Access(TOKEN, 80, frozenset({"box"}), 3).knows_host("box")


def test_an_origin_is_the_pages_own_or_none() -> None:
    assert same_origin(None, "http", "127.0.0.1:8000")  # not a browser
    assert same_origin("http://127.0.0.1:8000", "http", "127.0.0.1:8000")
    assert same_origin("http://LOCALHOST:8000", "http", "localhost:8000")
    assert not same_origin("http://127.0.0.1:8001", "http", "127.0.0.1:8000")
    assert not same_origin("https://127.0.0.1:8000", "http", "127.0.0.1:8000")
    assert not same_origin("http://localhost:8000", "http", "127.0.0.1:8000")
    assert not same_origin("null", "http", "127.0.0.1:8000")


# --- each tab's websocket ---


def test_a_tab_without_the_token_or_from_another_origin_is_refused(tmp_path: Path) -> None:
    async def test(served: Serving) -> None:
        base, port = served.base, served.port
        for url, headers, status in (
            (f"{base}/ws", {}, 403),
            (f"{base}/ws/", {}, 404),
            (f"{base}/ws/wrong", {}, 403),
            (f"{base}/ws?token={TOKEN}", {}, 403),  # (the page's carries it in its path)
            (f"{base}/ws/{TOKEN}", {"Origin": "http://evil.example"}, 403),
            (f"{base}/ws/{TOKEN}", {"Origin": "null"}, 403),  # a sandboxed frame, a file
            (f"{base}/ws/{TOKEN}", {"Origin": f"http://localhost:{port}"}, 403),  # not its page
            (f"{base}/ws/{TOKEN}", {"Host": f"evil.example:{port}"}, 403),
            (
                f"{base}/ws/{TOKEN}",
                {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"},
                403,
            ),
        ):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refusal:
                async with served.session.ws_connect(url, headers=headers):
                    pass
            assert refusal.value.status == status, (url, headers)
        assert served.apps_started() == 0  # no app for any of them
        # the page's own origin, or none (not a browser), opens a tab with its app
        for origin in (f"http://127.0.0.1:{port}", None):
            async with served.tab(origin=origin) as tab:
                assert await first_bytes(tab) == b"stub is on\n"
        async with served.tab(
            headers={"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}
        ) as tab:
            assert await first_bytes(tab) == b"stub is on\n"
        assert served.apps_started() == 3

    run(test, tmp_path)


def test_a_tab_beyond_the_limit_is_closed_with_why_and_starts_no_app(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def test(served: Serving) -> None:
        async with served.tab() as first, served.tab() as second:
            await first_bytes(first)
            await first_bytes(second)
            assert served.apps_started() == 2
            with caplog.at_level(logging.WARNING, logger="threadlab.serve"):
                async with served.tab() as third:
                    message = await third.receive(timeout=20)
            assert message.type == WSMsgType.CLOSE
            assert message.data == WSCloseCode.TRY_AGAIN_LATER
            assert message.extra == (
                "Too many tabs are open from your address (at most 2): close one, then Restart."
            )
            assert served.apps_started() == 2  # the third never started an app
            assert [record.getMessage() for record in caplog.records] == [
                "refused a tab from 127.0.0.1: at most 2 may be open from one address (--max-tabs)"
            ]
            await second.close()
            await until(lambda: served.server.tabs_open("127.0.0.1") == 1)
            async with served.tab() as again:  # a tab closed: another may open
                await first_bytes(again)
            assert served.apps_started() == 3
        await until(lambda: served.server.tabs_open("127.0.0.1") == 0)

    run(test, tmp_path, max_tabs=2)


def test_a_plain_request_to_the_websocket_is_refused(tmp_path: Path) -> None:
    async def test(served: Serving) -> None:
        async with served.session.get(f"{served.base}/ws/{TOKEN}") as response:
            assert response.status == 400
            assert "websocket" in await response.text()
        assert served.apps_started() == 0
        assert served.server.tabs_open("127.0.0.1") == 0

    run(test, tmp_path)
