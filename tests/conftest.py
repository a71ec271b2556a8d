"""Shared fixtures: an isolated workspace and settings per test, a CLI runner, and no
third-party plugins or user config leaking in from the machine."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from llmops.core import registry
from llmops.core.config import Settings


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """Every test starts from the embedded defaults: no LLMOPS_* variables, no config file."""
    for key in list(os.environ):
        if key.startswith("LLMOPS_"):
            monkeypatch.delenv(key)
    home = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(home)
    yield


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    return ws


@pytest.fixture
def settings(workspace: Path) -> Settings:
    return Settings(workspace=workspace)


@pytest.fixture
def session(settings):
    from llmops.core.session import Session

    with Session(settings) as s:
        yield s


@pytest.fixture
def fresh_registry():
    """Rebuild the plugin manager before and after a test that changes plugins."""
    registry.reset()
    yield registry
    registry.reset()


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys, workspace):
    """Run `llmops ARGS` in process against the test workspace; returns code, out, err."""
    from llmops.cli import main

    def run(*args: str, use_workspace: bool = True) -> CliResult:
        argv = (["--workspace", str(workspace)] if use_workspace else []) + list(args)
        capsys.readouterr()
        code = main(argv)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
