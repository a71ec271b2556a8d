"""The workspace is found next to the `llmops.toml` found upward (or at the git root), and
reading commands never create it."""

from __future__ import annotations

import pytest

from llmops.cli import main


def _config_show(capsys) -> dict:
    import json

    capsys.readouterr()
    assert main(["config", "show", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_workspace_next_to_the_config_file_found_upward(tmp_path, monkeypatch, capsys):
    (tmp_path / "llmops.toml").write_text('default_profile = "local"\n')
    sub = tmp_path / "notebooks" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    data = _config_show(capsys)
    assert data["workspace"] == str(tmp_path / ".llmops")
    assert data["settings"]["workspace"]["source"] == f"default: next to llmops.toml in {tmp_path}"
    assert data["workspace_exists"] is False
    capsys.readouterr()
    assert main(["config", "show"]) == 0
    assert f"workspace    {tmp_path / '.llmops'} (default: next to llmops.toml" in capsys.readouterr().out


def test_workspace_at_the_git_root(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    data = _config_show(capsys)
    assert data["workspace"] == str(tmp_path / ".llmops")
    assert data["settings"]["workspace"]["source"] == f"default: at the git root {tmp_path}"


@pytest.mark.parametrize(
    "args",
    [
        ["data", "list"],
        ["models", "list"],
        ["logs"],
        ["pipeline", "list"],
        ["rag", "list"],
        ["chain", "list"],
        ["config", "show"],
        ["backends"],
        ["plugins"],
    ],
)
def test_reading_commands_create_no_workspace(tmp_path, monkeypatch, capsys, args):
    (tmp_path / "llmops.toml").write_text("")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert main([*args, "--json"]) == 0, capsys.readouterr().err
    assert not (tmp_path / ".llmops").exists() and not (tmp_path / "sub" / ".llmops").exists()


def test_a_missing_version_is_not_found_without_creating_the_workspace(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert main(["--workspace", str(ws), "data", "show", "abc"]) == 1
    assert "error:" in capsys.readouterr().err and not ws.exists()
