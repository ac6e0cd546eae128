"""``threadlab serve``: its arguments, the checks before serving, and a real server started
and stopped with Ctrl+C (no browser here: tests/browser opens the page in Chromium)."""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shlex
import signal
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from served_app import free_port, start_serve

from threadlab import __main__ as cli
from threadlab.cli import main as cli_main
from threadlab.cli import serve as serve_cli
from threadlab.engine.core.history import History
from threadlab.engine.formats import runfile
from threadlab.engine.lesson.scenario import resolve_config
from threadlab.scenarios import get_scenario


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    """What the command line would serve (not served), from tmp_path as current folder."""
    calls: list[dict[str, Any]] = []

    def record(args: argparse.Namespace, save_dir: str) -> int:
        calls.append(
            {"host": args.host, "port": args.port, "app_args": args.app_args, "save_dir": save_dir}
        )
        calls[-1].update(token=args.token, allow_host=args.allow_host, max_tabs=args.max_tabs)
        return 0

    monkeypatch.setattr(cli_main, "run_serve", record)
    monkeypatch.delenv("THREADLAB_SAVE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    return calls


def test_the_defaults_and_the_app_arguments(served: list[dict[str, Any]]) -> None:
    assert cli.main(["serve"]) == 0
    assert cli.main(["serve", "--port", "8123", "run", "producer-consumer", "--variant", "if"]) == 0
    assert cli.main(["serve", "--host", "0.0.0.0", "run", "mutex", "--paused"]) == 0
    safe = {"token": None, "allow_host": [], "max_tabs": 3}  # a new token each start
    assert served == [
        {"host": "127.0.0.1", "port": 8000, "app_args": [], "save_dir": "", **safe},
        {
            "host": "127.0.0.1",
            "port": 8123,
            "app_args": ["run", "producer-consumer", "--variant", "if"],
            "save_dir": "",
            **safe,
        },
        {
            "host": "0.0.0.0",
            "port": 8000,
            "app_args": ["run", "mutex", "--paused"],
            "save_dir": "",
            **safe,
        },
    ]


def test_the_token_the_names_and_the_tabs_a_client_may_keep(served: list[dict[str, Any]]) -> None:
    words = ["serve", "--max-tabs", "5", "--token", "s3cret", "--allow-host", "Box.Local."]
    assert cli.main([*words, "--allow-host", "other-box", "run", "mutex"]) == 0
    assert served[0]["token"] == "s3cret"
    assert served[0]["allow_host"] == ["box.local", "other-box"]
    assert served[0]["max_tabs"] == 5
    assert served[0]["app_args"] == ["run", "mutex"]


def test_a_program_and_its_own_arguments_are_served(
    served: list[dict[str, Any]], tmp_path: Path
) -> None:
    (tmp_path / "prog.py").write_text("import sys\nprint(sys.argv)\n")
    assert cli.main(["serve", "run", "prog.py", "--", "a", "--b"]) == 0
    assert served[0]["app_args"] == ["run", "prog.py", "--", "a", "--b"]


def test_the_save_folder_is_serves_the_apps_or_the_setting(
    served: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("mine", "apps", "setting"):
        (tmp_path / name).mkdir()
    assert cli.main(["serve", "--save-dir", "mine"]) == 0
    assert cli.main(["--save-dir", "mine", "serve"]) == 0
    assert cli.main(["serve", "run", "mutex", "--save-dir", "apps"]) == 0
    monkeypatch.setenv("THREADLAB_SAVE_DIR", str(tmp_path / "setting"))
    assert cli.main(["serve"]) == 0
    assert [call["save_dir"] for call in served] == [
        "mine",
        "mine",
        "apps",
        str(tmp_path / "setting"),
    ]


def test_a_run_file_is_served_for_replay(served: list[dict[str, Any]], tmp_path: Path) -> None:
    path = str(tmp_path / "run.json")
    runfile.save(path, runfile.record(resolve_config(get_scenario("mutex"), seed=1), History()))
    assert cli.main(["serve", "replay", path]) == 0
    assert served[0]["app_args"] == ["replay", path]


@pytest.mark.parametrize(
    ("words", "says"),
    [
        (["serve", "--port", "0"], "port 0 is out of range (valid: 1..65535)"),
        (["serve", "--port", "http"], "port 'http' is not a whole number"),
        (["serve", "--bogus"], "unrecognized arguments: --bogus"),
        (["serve", "list"], "serve opens the app, not 'list'"),
        (["serve", "serve"], "serve opens the app, not 'serve'"),
        (["serve", "replay", "x.json", "--check"], "serve opens the app, not 'replay'"),
        (["serve", "run", "nosuch"], "unknown scenario 'nosuch'"),
        (["serve", "run", "mutex", "--variant", "zz"], "unknown variant 'zz' for mutex"),
        (["serve", "replay", "missing.json"], "missing.json"),
        (["serve", "--save-dir", "a", "run", "mutex", "--save-dir", "b"], "given twice"),
        (["serve", "--save-dir", "nowhere"], "nowhere"),
        (["serve", "--", "x"], "arguments after -- are for 'run'"),
        (["serve", "--host", ""], "--host is empty"),
        (["serve", "--max-tabs", "0"], "argument --max-tabs: 0 is out of range (valid: 1..1000)"),
        (["serve", "--max-tabs", "1001"], "out of range (valid: 1..1000)"),
        (["serve", "--max-tabs", "two"], "argument --max-tabs: 'two' is not a whole number"),
        (["serve", "--max-tabs", "1.5"], "'1.5' is not a whole number (valid: 1..1000)"),
        (["serve", "--token", ""], "argument --token: the token is empty"),
        (["serve", "--allow-host", ""], "'' is not a host name"),
        (["serve", "--allow-host", "http://box"], "'http://box' is not a host name"),
        (["serve", "--allow-host", "box:8000"], "'box:8000' is not a host name"),
        (["serve", "--allow-host=-box"], "'-box' is not a host name"),
        (["serve", "--host", "no-such-host.invalid"], "cannot be found"),
        # TEST-NET-1 (RFC 5737): never an address of this machine
        (["serve", "--host", "192.0.2.1"], "is not an address of this machine"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    words: list[str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("THREADLAB_SAVE_DIR", raising=False)
    with pytest.raises(SystemExit) as leaving:
        cli.main(words)
    assert leaving.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("threadlab: error: ") and err.count("\n") == 1, err
    assert says in err


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port of 127.0.0.1 another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_port_taken_is_one_line_and_exit_2(
    taken_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as leaving:
        cli.main(["serve", "--port", str(taken_port)])
    assert leaving.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        f"threadlab: error: port {taken_port} on '127.0.0.1' is taken by another program "
        "(choose another with --port)\n"
    )


def test_each_tab_runs_this_pythons_app_with_the_arguments_and_save_folder() -> None:
    command = serve_cli.app_command(["run", "my prog.py", "--", "a b"], "/saves/here")
    assert command.startswith("exec ")
    assert shlex.split(command[len("exec ") :]) == [
        sys.executable,
        "-m",
        "threadlab",
        "--save-dir",
        "/saves/here",
        "run",
        "my prog.py",
        "--",
        "a b",
    ]


def test_the_url_names_a_host_a_browser_can_open() -> None:
    assert serve_cli.url_host("127.0.0.1") == "127.0.0.1"
    assert serve_cli.url_host("::1") == "[::1]"
    assert serve_cli.url_host("localhost") == "localhost"
    assert serve_cli.url_host("0.0.0.0") == socket.gethostname()


def test_a_real_server_says_where_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    server, port, saves = start_serve(tmp_path)
    try:
        assert server.stdout is not None
        said = server.stdout.readline()
        link = re.fullmatch(
            rf"threadlab: serving the app on (http://127\.0\.0\.1:{port}/\?token=([\w-]{{43}})) "
            rf"\(open it in a browser; each tab runs its own app; saves go to "
            rf"{re.escape(str(saves))}\)\. Ctrl\+C stops\.\n",
            said,
        )
        assert link is not None, said
        url, token = link[1], link[2]
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode()
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws/{token}"' in page
        with pytest.raises(urllib.error.HTTPError) as refusal:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        assert refusal.value.code == 403
        no_host = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        no_host.putrequest("GET", "/", skip_host=True)  # not HTTP/1.1: a client's error
        no_host.endheaders()
        assert no_host.getresponse().status == 400
        no_host.close()
        os.killpg(server.pid, signal.SIGINT)  # as Ctrl+C in a terminal does
        out, err = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert server.returncode == 0
    assert "Traceback" not in out + err
    assert err == (
        "threadlab: Error handling request from 127.0.0.1: 400, message: Missing 'Host' "
        "header in request.\n"  # one line, not aiohttp's traceback
        "threadlab: stopped serving\n"
    )
    assert (said + out + err).count(token) == 1  # written nowhere but in the link


@pytest.fixture
def says_where_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The server says where it serves, then ends at once: what serve prints at start,
    without serving."""
    from threadlab.cli import web_server

    def say_where(server: web_server.ThreadlabServer, debug: bool = False) -> None:
        server._say_where()

    monkeypatch.setattr(web_server.ThreadlabServer, "serve", say_where)
    monkeypatch.chdir(tmp_path)


def test_serving_beyond_this_machine_is_a_warning_at_start(
    says_where_only: None, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    assert cli.main(["serve", "--port", str(port)]) == 0
    assert capsys.readouterr().err == "threadlab: stopped serving\n"  # this machine only
    assert cli.main(["serve", "--host", "0.0.0.0", "--port", str(port)]) == 0
    out, err = capsys.readouterr()
    assert err == (
        "threadlab: warning: serving beyond this machine on 0.0.0.0: anyone who can reach "
        f"port {port} and has the link can run programs and save files on this machine\n"
        "threadlab: stopped serving\n"
    )
    assert f" on http://{socket.gethostname()}:{port}/?token=" in out


def test_each_start_makes_a_new_token_unless_one_is_chosen(
    says_where_only: None, capsys: pytest.CaptureFixture[str]
) -> None:
    port = str(free_port())
    tokens = []
    for _ in range(2):
        assert cli.main(["serve", "--port", port]) == 0
        tokens += re.findall(r"/\?token=(\S+) ", capsys.readouterr().out)
    assert len(set(tokens)) == 2
    assert cli.main(["serve", "--port", port, "--token", "my token/ü"]) == 0
    assert f"http://127.0.0.1:{port}/?token=my%20token%2F%C3%BC " in capsys.readouterr().out


def test_the_names_answered_are_this_machines_the_hosts_and_the_allowed() -> None:
    names = serve_cli.known_names("Box.Example.", ["extra"])
    assert {"localhost", "box.example", "extra", socket.gethostname().lower()} <= names
    assert socket.getfqdn().lower().rstrip(".") in names
    assert "127.0.0.1" not in serve_cli.known_names("127.0.0.1", [])  # (an address: any is)
