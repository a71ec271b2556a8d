"""Habits of other CLIs: global options before or after the command, `--version`, plain help,
one-line errors for missing extras, and error messages printed as written."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import typer

from llmops import __version__
from llmops.cli import build_app, hoist_global_options, main
from llmops.core.errors import ConfigError
from llmops.core.extras import MissingExtraError, explain, require_extra

ROOT = typer.main.get_command(build_app())


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--profile", "emulated"], ["--profile", "emulated", "run"]),
        (["sql", "--profile", "x", "SELECT 1"], ["--profile", "x", "sql", "SELECT 1"]),
        (["data", "list", "--json", "-q", "-w", "ws"], ["-q", "-w", "ws", "data", "list", "--json"]),
        (["data", "--profile=x", "list"], ["--profile=x", "data", "list"]),
        # the command's own -q (rag create --query) and an option value that looks like a flag stay put
        (["rag", "create", "c", "-q", "SELECT 1", "-p", "e"], ["-p", "e", "rag", "create", "c", "-q", "SELECT 1"]),
        (["predict", "--model", "--profile", "hi"], ["predict", "--model", "--profile", "hi"]),
        (["sql", "--", "--profile"], ["sql", "--", "--profile"]),
        (["--profile", "local", "backends"], ["--profile", "local", "backends"]),
    ],
)
def test_global_options_are_lifted_to_the_front(argv, expected):
    assert hoist_global_options(argv, ROOT) == expected


def test_profile_after_the_command_is_used(cli):
    res = cli("data", "list", "--profile", "nope")
    assert res.code == 1 and "unknown profile 'nope'" in res.err
    res = cli("config", "show", "--json", "--profile", "emulated")
    assert res.code == 0 and res.json()["profile"] == "emulated"


def test_global_json_before_the_command(cli):
    res = cli("--json", "backends")
    assert res.code == 0 and "model" in res.json()


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"llmops {__version__}\n"


def test_help_has_no_bool_metavars_and_keeps_brackets(capsys):
    assert main(["backends", "--help"]) == 0
    out = capsys.readouterr().out
    assert "<bool>" not in out and "[predict, tune, deploy," in out
    assert main(["--help"]) == 0
    assert "--install-completion" in capsys.readouterr().out


def test_error_text_in_brackets_is_printed(cli, monkeypatch):
    from llmops.commands import config as config_cmd

    def broken(*args, **kwargs):
        raise ConfigError("bad key [profiles.x]", fix="see [tool.llmops]")

    monkeypatch.setattr(config_cmd, "resolve_settings", broken)
    res = cli("config", "show")
    assert res.code == 1
    assert res.err.strip() == "error: bad key [profiles.x] (see [tool.llmops])"


def test_explain_maps_import_errors_to_extras():
    err = ImportError("cannot import name 'aiplatform' from 'google.cloud' (unknown location)", name="google.cloud")
    found = explain(err)
    assert isinstance(found, MissingExtraError) and found.extra == "gcp"
    assert "pip install 'llmops[gcp]'" in str(found)
    assert explain(ModuleNotFoundError("No module named 'starlette'", name="starlette")).extra == "emulator"
    assert explain(ModuleNotFoundError("No module named 'nothing_known'", name="nothing_known")) is None
    with pytest.raises(MissingExtraError, match=r"needs the 'embeddings' extra \(no_such_mod is not installed\)"):
        require_extra("no_such_mod", "embeddings", "embedding texts")


BLOCKER = textwrap.dedent(
    """
    import os, sys
    BLOCKED = tuple(m for m in os.environ.get("BLOCK_MODULES", "").split(",") if m)
    class _Blocker:
        def find_spec(self, name, path=None, target=None):
            if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, _Blocker())
    """
)


@pytest.mark.parametrize(
    ("blocked", "args", "expected"),
    [
        (
            "starlette",
            ["emulator", "start"],
            "error: the emulator needs the 'emulator' extra (starlette is not installed) (pip install 'llmops[emulator]')",
        ),
        (
            "google.cloud.bigquery,google.cloud.aiplatform",
            ["sql", "--profile", "emulated", "SELECT 1"],
            "need the 'gcp' extra (google.cloud.bigquery is not installed) (pip install 'llmops[gcp]')",
        ),
    ],
)
def test_missing_extra_is_one_line(tmp_path: Path, blocked, args, expected):
    (tmp_path / "sitecustomize.py").write_text(BLOCKER)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    env.update(PYTHONPATH=os.pathsep.join([str(tmp_path), src]), BLOCK_MODULES=blocked)
    done = subprocess.run(
        [sys.executable, "-m", "llmops", "--workspace", str(tmp_path / "ws"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and expected in done.stderr


@pytest.mark.parametrize("args", [("--profile", "nope", "backends"), ("plugins", "--profile", "nope")])
def test_an_unknown_profile_is_refused_by_commands_that_read_no_settings(cli, args):
    r = cli(*args)
    assert r.code == 1 and "unknown profile 'nope'" in r.err and "emulated" in r.err
