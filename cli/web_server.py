"""textual-serve's server as ``threadlab serve`` runs it: one app process per browser tab,
threadlab's own words on the console, and a stop that leaves no app process behind.

On Ctrl+C (SIGINT) or SIGTERM every tab's websocket is closed, which asks its app to quit;
an app that has not ended after ``STOP_SECONDS`` is killed, and each one is waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import weakref

from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

STOP_SECONDS = 3.0
"""How long a tab's app may take to quit when asked, before it is killed."""

log = logging.getLogger("threadlab.serve")


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
    """Serves ``command`` (the app, run once per tab) on ``host``:``port``.

    Args:
        command: the shell command of a tab's app.
        url: the address to print (what a browser opens).
        save_dir: the save folder of every tab's app (absolute), said at start.
    """

    def __init__(self, command: str, host: str, port: int, url: str, save_dir: str) -> None:
        super().__init__(command, host=host, port=port, title="threadlab")
        self.url = url
        self.save_dir = save_dir
        self._websockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger().setLevel(logging.WARNING)  # not a line for every request

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
            print=self._say_where,
        )

    def _say_where(self, *_: object) -> None:
        print(
            f"threadlab: serving the app on {self.url} (open it in a browser; each tab runs "
            f"its own app; saves go to {self.save_dir}). Ctrl+C stops.",
            flush=True,
        )

    async def on_startup(self, app: web.Application) -> None:
        pass  # (not textual-serve's banner: the line above says where, once serving)

    async def on_shutdown(self, app: web.Application) -> None:
        # Closing a tab's websocket ends its handler, which stops the tab's app.
        for websocket in list(self._websockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        # The page's websocket goes back to the address the browser used, so a page served
        # on 0.0.0.0 works from another machine too.
        self.public_url = f"{request.scheme}://{request.host}"
        response: web.StreamResponse = await super().handle_index(request)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: start its app, pass keys and sizes to it until the tab or the server
        closes, then stop the app (as textual-serve's own handler, but waited for)."""
        websocket = web.WebSocketResponse(heartbeat=15)
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
