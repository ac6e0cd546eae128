"""``threadlab serve``: the app in a browser, one app process per tab, with textual-serve.

Each browser tab that opens the page starts its own ``threadlab`` app (the same Python, the
same arguments), so every tab has its own runs. Saves from any tab go to one folder on the
serving machine, said at start and in each save's message. Before serving, the host and port
are tried: a port taken or a host that is not this machine's is one line and exit status 2.

A tab runs programs and saves files on this machine, so only the person given the link may
open one: the URL printed at start carries a secret token (as Jupyter's does), the server
answers only to names of this machine (no DNS rebinding) and only to its own page's origin,
and each client address may keep a few tabs open (``--max-tabs``). Listening beyond this
machine is said in a warning at start.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import re
import secrets
import shlex
import socket
import sys
import urllib.parse
from collections.abc import Iterable, Sequence

from ..engine.core.oneline import quote
from ..engine.lesson.scenario import ConfigError, parse_whole

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_TABS = 3
MOST_TABS = 1000
"""The largest ``--max-tabs`` (each tab's app takes tens of megabytes)."""


def port(text: str) -> int:
    try:
        return parse_whole(text, "port ", 1, 65535)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def max_tabs(text: str) -> int:
    try:
        return parse_whole(text, "", 1, MOST_TABS)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def token(text: str) -> str:
    """A ``--token`` the user chose: any text but none (it is not quoted back: a secret)."""
    if not text:
        raise argparse.ArgumentTypeError(
            "the token is empty (give some text, or leave --token out: serve makes one)"
        )
    return text


_HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?:\.(?!-)[A-Za-z0-9_-]{1,63})*\.?")


def host_name(text: str) -> str:
    """An ``--allow-host`` name as the server compares it: lower case, no final dot."""
    if len(text) > 253 or not _HOST_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{quote(text)} is not a host name (valid: a name such as mybox.local, "
            "without scheme, port or path)"
        )
    return text.lower().rstrip(".")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default {DEFAULT_HOST}: this machine only; "
        "0.0.0.0 for every machine that can reach this one, e.g. a classroom)",
    )
    parser.add_argument(
        "--port", type=port, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--max-tabs",
        type=max_tabs,
        default=DEFAULT_MAX_TABS,
        metavar="N",
        help=f"the most tabs one client address may keep open (default {DEFAULT_MAX_TABS}; "
        "a tab beyond it is refused and its app never started)",
    )
    parser.add_argument(
        "--token",
        type=token,
        metavar="TEXT",
        help="the secret the printed link carries and every tab must show (default: a new "
        "random one each start)",
    )
    parser.add_argument(
        "--allow-host",
        type=host_name,
        action="append",
        default=[],
        metavar="NAME",
        help="one more name of this machine browsers may use in the link (repeatable; "
        "any IP address, localhost and this machine's own names are always answered)",
    )
    parser.add_argument(
        "app_args",
        nargs=argparse.REMAINDER,
        metavar="APP ARGS",
        help="what each tab opens: nothing for the picker, 'run NAME|FILE.py [...]' or "
        "'replay FILE', as after 'threadlab'",
    )


def app_command(app_args: Sequence[str], save_dir: str) -> str:
    """The shell command each tab's app runs: this Python's ``threadlab`` with the app's
    arguments, saving into ``save_dir`` (absolute)."""
    words = [sys.executable, "-m", "threadlab", "--save-dir", save_dir, *app_args]
    return "exec " + shlex.join(words)  # the tab's process is the app itself, not a shell


def url_host(host: str) -> str:
    """``host`` as it stands in a URL: an IPv6 address in brackets; for an address meaning
    every interface, this machine's name (what another machine would type)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.is_unspecified:
        return socket.gethostname()
    return f"[{host}]" if address.version == 6 else host


def check_address(host: str, port: int) -> list[str]:
    """Try to listen on ``host``:``port`` as the server will (and give the port back);
    return the addresses the server will listen on.

    Raises:
        ConfigError: the host is no address of this machine, or the port is taken (one line).
    """
    where = f"port {port} on {quote(host)}"
    if not host:
        raise ConfigError("--host is empty (valid: an address such as 127.0.0.1 or 0.0.0.0)")
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError(f"--host {quote(host)} cannot be found ({reason})") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as trial:
            # as asyncio's server does: a port left in TIME_WAIT by a closed server is free
            trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                trial.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                trial.bind(address)
                trial.listen()
            except OSError as error:
                raise ConfigError(_bind_error(error, host, port, where)) from None
    return [str(address[0]) for *_, address in addresses]


def beyond_this_machine(addresses: Iterable[str]) -> bool:
    """Whether a server listening on ``addresses`` can be reached from other machines."""
    return not all(ipaddress.ip_address(address).is_loopback for address in addresses)


def known_names(host: str, allowed: Iterable[str]) -> frozenset[str]:
    """The host names the server answers to (besides any IP address): localhost, this
    machine's own names, ``host`` when it is a name, and the ``--allow-host`` ones; lower
    case, without a final dot."""
    names = {"localhost", socket.gethostname(), socket.getfqdn(), *allowed}
    try:
        ipaddress.ip_address(host)
    except ValueError:
        names.add(host)
    return frozenset(name.lower().rstrip(".") for name in names if name)


_CANNOT_LISTEN = (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES)


def _bind_error(error: OSError, host: str, port: int, where: str) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"{where} is taken by another program (choose another with --port)"
    if error.errno == errno.EADDRNOTAVAIL:
        return (
            f"--host {quote(host)} is not an address of this machine "
            f"(valid: {DEFAULT_HOST}, 0.0.0.0, or one of its own addresses)"
        )
    if error.errno == errno.EACCES:
        return f"port {port} needs privileges to listen on (choose one from 1024 up)"
    return f"cannot listen on {where}: {error.strerror or error}"


def run_serve(args: argparse.Namespace, save_dir: str) -> int:
    """Serve the app (``args`` are serve's, parsed) until Ctrl+C (or SIGTERM); 0 when
    stopped so.

    Raises:
        ConfigError: the host or port cannot be listened on (one line).
    """
    host: str = args.host
    port: int = args.port
    save_dir = os.path.abspath(save_dir or os.curdir)
    addresses = check_address(host, port)
    secret: str = args.token or secrets.token_urlsafe()
    # (the one place the token is written out: whoever has this link may use the app)
    url = f"http://{url_host(host)}:{port}/?token={urllib.parse.quote(secret, safe='')}"
    if beyond_this_machine(addresses):
        print(
            f"threadlab: warning: serving beyond this machine on {host}: anyone who can reach "
            f"port {port} and has the link can run programs and save files on this machine",
            file=sys.stderr,
            flush=True,
        )
    from .web_server import Access, ThreadlabServer  # aiohttp and Textual: only here

    access = Access(secret, port, known_names(host, args.allow_host), args.max_tabs)
    command = app_command(args.app_args, save_dir)
    server = ThreadlabServer(command, host, port, url, save_dir, access)
    try:
        server.serve()
    except OSError as error:
        if error.errno not in _CANNOT_LISTEN:
            raise
        # taken between the check and the server's own bind
        raise ConfigError(_bind_error(error, host, port, f"port {port} on {quote(host)}")) from None
    except KeyboardInterrupt:
        pass
    print("threadlab: stopped serving", file=sys.stderr)
    return 0
