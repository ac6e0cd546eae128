"""``--save-dir`` and ``THREADLAB_SAVE_DIR``: where the app saves, checked before it opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadlab import __main__ as cli
from threadlab.engine.core.history import History
from threadlab.engine.formats import runfile
from threadlab.engine.lesson.scenario import resolve_config
from threadlab.scenarios import get_scenario
from threadlab.tui import launch
from threadlab.tui.app import ThreadlabApp


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[ThreadlabApp]:
    """The apps the command line would open (not run)."""
    apps: list[ThreadlabApp] = []
    monkeypatch.setattr(launch, "run_app", apps.append)
    monkeypatch.delenv("THREADLAB_SAVE_DIR", raising=False)
    return apps


def _run_file(tmp_path: Path) -> str:
    config = resolve_config(get_scenario("mutex"), seed=1)
    path = str(tmp_path / "run.json")
    runfile.save(path, runfile.record(config, History()))
    return path


def test_save_dir_reaches_the_app_for_run_replay_and_the_picker(
    tmp_path: Path, opened: list[ThreadlabApp]
) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    assert cli.main(["run", "mutex", "--save-dir", str(folder)]) == 0
    assert cli.main(["--save-dir", str(folder), "run", "mutex"]) == 0
    assert cli.main(["replay", _run_file(tmp_path), "--save-dir", str(folder)]) == 0
    assert cli.main(["--save-dir", str(folder)]) == 0
    assert cli.main(["run", "mutex"]) == 0  # the default: the current folder
    assert [app.save_dir for app in opened] == [str(folder)] * 4 + [""]


def test_the_setting_names_the_folder_and_the_option_wins(
    tmp_path: Path, opened: list[ThreadlabApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    setting, option = tmp_path / "setting", tmp_path / "option"
    setting.mkdir()
    option.mkdir()
    monkeypatch.setenv("THREADLAB_SAVE_DIR", str(setting))
    assert cli.main(["run", "mutex"]) == 0
    assert cli.main(["run", "mutex", "--save-dir", str(option)]) == 0
    assert [app.save_dir for app in opened] == [str(setting), str(option)]


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("missing", "does not exist"),
        ("a-file", "is a regular file, not a folder"),
        ("", "is empty"),
    ],
)
@pytest.mark.parametrize("command", [["run", "mutex"], ["replay", "RUN"], []])
def test_a_bad_save_dir_is_one_line_and_exit_2(
    tmp_path: Path,
    opened: list[ThreadlabApp],
    capsys: pytest.CaptureFixture[str],
    where: str,
    words: str,
    command: list[str],
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    folder = str(tmp_path / where) if where else ""
    command = [_run_file(tmp_path) if word == "RUN" else word for word in command]
    with pytest.raises(SystemExit) as exited:
        cli.main([*command, "--save-dir", folder])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("threadlab: error: --save-dir ")
    assert words in err
    assert not opened


def test_a_bad_setting_is_one_line_and_exit_2(
    tmp_path: Path,
    opened: list[ThreadlabApp],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THREADLAB_SAVE_DIR", str(tmp_path / "missing"))
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", "mutex"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "THREADLAB_SAVE_DIR: " in err
    assert "does not exist" in err
    assert not opened
