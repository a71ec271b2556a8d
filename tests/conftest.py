"""Shared fixtures: an isolated workspace and settings per test, a CLI runner, and no
third-party plugins or user config leaking in from the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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


FIXTURES = Path(__file__).parent / "fixtures"


def pip_install(source: Path, target: Path, build: Path, *, isolated: bool = True) -> Path:
    """`source` (a plugin project) installed with pip into `target`, as a user would: from a copy
    (pip writes build files next to the sources), without dependencies. `isolated=False` builds
    with the backend already installed (hatchling comes with the test extra), needing no index."""
    shutil.copytree(source, build / "pkg")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
        + ([] if isolated else ["--no-build-isolation"])
        + ["--target", str(target), str(build / "pkg")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return target


@pytest.fixture(scope="session")
def install_plugin(tmp_path_factory):
    """`install_plugin(source, isolated=True)`: `pip_install` into fresh folders of this session."""

    def install(source: Path, *, isolated: bool = True) -> Path:
        return pip_install(source, tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("build"), isolated=isolated)

    return install


@pytest.fixture(scope="session")
def hello_plugin(tmp_path_factory) -> Path:
    """The fixture plugin (llmops_hello: a warehouse, a model provider, a settings section and a
    command) pip-installed once per session into its own folder."""
    return pip_install(
        FIXTURES / "thirdparty_plugin", tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("build")
    )
