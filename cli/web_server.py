"""textual-serve's server as ``threadlab serve`` runs it: one app process per browser tab,
threadlab's own words on the console, and a stop that leaves no app process behind.

On Ctrl+C (SIGINT) or SIGTERM every tab's websocket is closed, which asks its app to quit;
an app that has not ended after ``STOP_SECONDS`` is killed, and each one is waited for.

Who may open a tab is ``Access``: every request must name this server in its Host header (an
IP address, or a name of this machine: a page of another site whose name was made to point
here, DNS rebinding, is refused); the page and each tab's websocket must carry the secret
token of the printed link; a websocket opened from a page of another origin is refused; and
one client address may keep at most ``max_tabs`` tabs open. The page is threadlab's own
(``serve_page.html``), with nothing from another host: its font is textual-serve's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import ipaddress
import logging
import re
import signal
import string
import urllib.parse
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import WSCloseCode, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

STOP_SECONDS = 3.0
"""How long a tab's app may take to quit when asked, before it is killed."""

PAGE = Path(__file__).with_name("serve_page.html")
"""The page each tab opens (a ``string.Template``): textual-serve's terminal, our font."""

NO_TOKEN = (
    "threadlab serve: open the link threadlab serve printed when it started (this address "
    "has no token, or a wrong one).\n"
)
UNKNOWN_HOST = (
    "threadlab serve: open the link threadlab serve printed when it started (this server does "
    "not answer to the host name in this address; to add one: --allow-host NAME).\n"
)
OTHER_ORIGIN = (
    "threadlab serve: a page of another site may not open the app; open the link threadlab "
    "serve printed when it started.\n"
)
NOT_A_WEBSOCKET = "threadlab serve: this address is the app's websocket, for its page only.\n"
REFUSAL_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
PAGE_HEADERS = {
    **REFUSAL_HEADERS,
    "Referrer-Policy": "no-referrer",  # (its address holds the token)
    "Content-Security-Policy": "frame-ancestors 'none'",  # no page may frame it to click it
}

log = logging.getLogger("threadlab.serve")

_HOST_HEADER = re.compile(r"(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")


@dataclass(frozen=True)
class Access:
    """Who the server answers, and how many tabs each client may keep open."""

    token: str
    """The secret of the printed link: the page and every tab's websocket must carry it."""
    port: int
    """The port served on: a Host header names it (or none, meaning 80)."""
    names: frozenset[str]
    """The host names answered (lower case, no final dot); any IP address is answered too."""
    max_tabs: int
    """The most tabs one client address may keep open at once."""

    def knows_host(self, host: str | None) -> bool:
        """Whether a request's Host header names this server: an IP address or one of
        ``names``, with this server's port."""
        match = _HOST_HEADER.fullmatch(host or "")
        if match is None or int(match["port"] or 80) != self.port:
            return False
        name: str = match["name"]
        if name.startswith("["):
            return _is_address(name[1:-1], ipaddress.IPv6Address)
        return _is_address(name, ipaddress.IPv4Address) or name.lower().rstrip(".") in self.names

    def has_token(self, given: str | None) -> bool:
        """Whether ``given`` is the token (compared in constant time)."""
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())


def _is_address(text: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(text)
    except ValueError:
        return False
    return True


def same_origin(origin: str | None, scheme: str, host: str) -> bool:
    """Whether a request's Origin header, when it has one, is the origin of the page served
    at ``scheme``://``host``: a browser sends it with every websocket a page opens."""
    return origin is None or origin.lower() == f"{scheme}://{host}".lower()


def _bad_requests_in_one_line(record: logging.LogRecord) -> bool:
    """A request that is not HTTP as it should be (no Host header) is the client's error,
    answered 400: aiohttp logs it with a traceback; one line says it."""
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, HttpProcessingError):
        record.msg = f"{record.getMessage()}: {' '.join(str(error).split())}"
        record.args, record.exc_info, record.exc_text = None, None, None
    return True


def _refusal(text: str) -> web.HTTPForbidden:
    return web.HTTPForbidden(text=text, headers=REFUSAL_HEADERS)


class TabApp(AppService):
    """The app process of one browser tab; stopping it waits until the process has ended."""

    async def run(self) -> None:
        await super().run()
        # The app has ended, even without saying so (it failed to start, or crashed): close
        # the tab's connection, so the page says "Session ended" rather than stay blank.
        await self.remote_close()

    async def stop(self) -> None:
        process = self._process  # (textual-serve's own; pinned in constraints.txt)
        with contextlib.suppress(TimeoutError):  # (a stuck app is killed below)
            await asyncio.wait_for(super().stop(), STOP_SECONDS)
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            log.warning("an app did not quit in %s s: killed", STOP_SECONDS)
            process.kill()
            await process.wait()


class ThreadlabServer(Server):
    """Serves ``command`` (the app, run once per tab) on ``host``:``port`` to those
    ``access`` lets in.

    Args:
        command: the shell command of a tab's app.
        url: the address to print (what a browser opens, with the token).
        save_dir: the save folder of every tab's app (absolute), said at start.
        access: who may open the page and its tabs, and how many.
    """

    def __init__(
        self, command: str, host: str, port: int, url: str, save_dir: str, access: Access
    ) -> None:
        super().__init__(command, host=host, port=port, title="threadlab")
        self.url = url
        self.save_dir = save_dir
        self.access = access
        self.page = string.Template(PAGE.read_text(encoding="utf-8"))
        self._websockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()
        self._tabs: Counter[str] = Counter()
        """The tabs open, by client address."""

    def tabs_open(self, client: str) -> int:
        """How many tabs are open from the address ``client``."""
        return self._tabs[client]

    def initialize_logging(self) -> None:
        """Warnings and errors only, each a plain line on stderr (and no line for each
        request: its address may hold the token)."""
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("threadlab: %(message)s"))
        handler.addFilter(_bad_requests_in_one_line)
        logging.basicConfig(level=logging.WARNING, handlers=[handler])

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT or SIGTERM (as textual-serve's own, but saying where once the
        port is listened on)."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop_signal, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            access_log=None,
            print=self._say_where,
        )

    def _say_where(self, *_: object) -> None:
        print(
            f"threadlab: serving the app on {self.url} (open it in a browser; each tab runs "
            f"its own app; saves go to {self.save_dir}). Ctrl+C stops.",
            flush=True,
        )

    async def _make_app(self) -> web.Application:
        """The routes: the page, each tab's websocket, downloads, and textual-serve's
        static files (its script, styles and fonts); every request's host checked first."""
        app = web.Application(middlewares=[self._answer_known_hosts_only])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket),  # (no token: refused)
                web.get("/ws/{token}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _answer_known_hosts_only(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not self.access.knows_host(request.headers.get(hdrs.HOST)):
            raise _refusal(UNKNOWN_HOST)
        return await handler(request)

    async def on_startup(self, app: web.Application) -> None:
        pass  # (not textual-serve's banner: the line above says where, once serving)

    async def on_shutdown(self, app: web.Application) -> None:
        # Closing a tab's websocket ends its handler, which stops the tab's app.
        for websocket in list(self._websockets):
            await websocket.close(
                code=WSCloseCode.GOING_AWAY, message=b"threadlab serve has stopped."
            )

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, for the token's holder. Its websocket goes back to the (checked) host
        the browser used, so a page served on 0.0.0.0 works from another machine too."""
        if not self.access.has_token(request.query.get("token")):
            raise _refusal(NO_TOKEN)
        host = request.headers[hdrs.HOST]  # (a known one: _answer_known_hosts_only)
        scheme = "wss" if request.scheme == "https" else "ws"
        token = urllib.parse.quote(self.access.token, safe="")
        page = self.page.substitute(
            title=html.escape(self.title),
            websocket_url=html.escape(f"{scheme}://{host}/ws/{token}"),
            font_size=to_int(request.query.get("fontsize", "16"), 16),
        )
        return web.Response(text=page, content_type="text/html", headers=PAGE_HEADERS)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: start its app, pass keys and sizes to it until the tab or the server
        closes, then stop the app (as textual-serve's own handler, but waited for). Refused
        without the token or from another origin (403), and closed at once, its app never
        started, beyond ``max_tabs`` from one client."""
        if not self.access.has_token(request.match_info.get("token")):
            raise _refusal(NO_TOKEN)
        if not same_origin(
            request.headers.get(hdrs.ORIGIN), request.scheme, request.headers[hdrs.HOST]
        ):
            raise _refusal(OTHER_ORIGIN)
        websocket = web.WebSocketResponse(heartbeat=15)
        if not websocket.can_prepare(request).ok:
            raise web.HTTPBadRequest(text=NOT_A_WEBSOCKET, headers=REFUSAL_HEADERS)
        client = request.remote or ""
        if self._tabs[client] >= self.access.max_tabs:
            return await self._refuse_tab(request, websocket, client)
        self._tabs[client] += 1
        try:
            return await self._run_tab(request, websocket)
        finally:
            self._tabs[client] -= 1
            if not self._tabs[client]:
                del self._tabs[client]

    async def _refuse_tab(
        self, request: web.Request, websocket: web.WebSocketResponse, client: str
    ) -> web.WebSocketResponse:
        """Open the websocket only to close it with the reason, which the page shows."""
        most = self.access.max_tabs
        log.warning(
            "refused a tab from %s: at most %d may be open from one address (--max-tabs)",
            client,
            most,
        )
        reason = (
            f"Too many tabs are open from your address (at most {most}): close one, then Restart."
        )
        await websocket.prepare(request)
        await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=reason.encode())
        return websocket

    async def _run_tab(
        self, request: web.Request, websocket: web.WebSocketResponse
    ) -> web.WebSocketResponse:
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)

        async def close() -> None:  # the app has quit (q): the page says "Session ended"
            await websocket.close()

        tab = TabApp(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self._websockets.add(websocket)
        try:
            await websocket.prepare(request)
            await tab.start(width, height)
            await self._process_messages(websocket, tab)
        except asyncio.CancelledError:
            pass
        except Exception as error:
            log.exception(error)
        finally:
            self._websockets.discard(websocket)
            await tab.stop()
            await websocket.close()
        return websocket
