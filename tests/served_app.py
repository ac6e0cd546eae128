"""``threadlab serve`` started by a test, and the processes it leaves: the server's group, a
browser's profile, a free port (for the browser test and the serve command's own tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def processes_where(keep: Callable[[int, str, int], bool]) -> list[str]:
    """The live processes (``pid state command``) for which ``keep(pid, command, pgid)``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # it ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, pgid = fields[0], int(fields[2])
        if keep(int(entry), command, pgid):
            found.append(f"{entry} {state} {command.strip()}")
    return found


def wait_until_none(find: Callable[[], list[str]], seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := find()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    saves: Path

    def group(self) -> list[str]:
        """The server's process group: the server and every tab's app."""
        return processes_where(lambda _pid, _command, pgid: pgid == self.process.pid)

    def apps(self) -> list[str]:
        """The tabs' app processes."""
        return [line for line in self.group() if "-m threadlab --save-dir" in line]


def start_serve(folder: Path) -> tuple[subprocess.Popen[str], int, Path]:
    """``threadlab serve`` on a free port of 127.0.0.1, run in ``folder`` in a process group
    of its own, saving into ``folder/saves``: the server, its port and that save folder."""
    port = free_port()
    saves = folder / "saves"
    saves.mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "threadlab", "serve", "--port", str(port)],
        cwd=folder,
        env={**os.environ, "THREADLAB_SAVE_DIR": str(saves)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    return server, port, saves
