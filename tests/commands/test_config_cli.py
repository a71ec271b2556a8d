"""`llmops config show`, and a pip-installed plugin whose own settings section a profile sets."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmops.core.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_config_show_json_names_sources_backends_and_workspace(cli, workspace, tmp_path, monkeypatch):
    (Path.cwd() / "llmops.toml").write_text(
        '[profiles.mine]\nextends = "emulated"\n[profiles.mine.gcp]\nlocation = "eu"\n'
    )
    monkeypatch.setenv("LLMOPS_GCP_ENDPOINT", "http://127.0.0.1:9999")
    res = cli("--profile", "mine", "config", "show", "--json")
    assert res.code == 0, res.err
    data = json.loads(res.out)  # stdout is only JSON
    assert data["profile"] == "mine" and data["profile_source"] == "flag --profile"
    assert data["config_file"] == str(Path.cwd() / "llmops.toml")
    assert data["workspace"] == str(workspace.resolve())
    assert data["backends"]["warehouse"] == {"name": "bigquery", "plugin": "llmops.backends.gcp.plugin"}
    values = data["settings"]
    assert values["gcp.endpoint"] == {
        "value": "http://127.0.0.1:9999",
        "source": "env LLMOPS_GCP_ENDPOINT",
        "plugin": "llmops.backends.gcp.plugin",
    }
    assert values["gcp.location"]["value"] == "eu"
    assert values["gcp.location"]["source"] == f"{Path.cwd() / 'llmops.toml'} [profiles.mine]"
    assert values["gcp.project"]["source"] == "embedded profile 'emulated'"
    assert values["warehouse"]["source"] == "embedded profile 'gcp'"
    assert values["workspace"]["source"] == "flag --workspace"
    assert values["base_model"] == {"value": "text-bison@001", "source": "default", "plugin": "llmops core"}


def test_config_show_human_table(cli, monkeypatch):
    monkeypatch.setenv("LLMOPS_PROFILE", "emulated")
    res = cli("config", "show")
    assert res.code == 0, res.err
    assert "emulated (env LLMOPS_PROFILE)" in res.out and "(none: embedded profiles only)" in res.out
    line = next(x for x in res.out.splitlines() if "gcp.endpoint" in x)
    assert "http://127.0.0.1:9050" in line and "embedded profile" in line
    assert "llmops.backends.gcp.plugin" in res.out


def test_config_show_with_a_bad_value_is_one_line(cli):
    (Path.cwd() / "llmops.toml").write_text("[profiles.x.gcp]\nbucket = ['a']\n")
    res = cli("--profile", "x", "config", "show", "--json")
    assert res.code == 1 and res.out == ""
    assert "invalid value for 'gcp.bucket' (plugin 'llmops.backends.gcp.plugin'): expected a string" in res.err
    assert len(res.err.strip().splitlines()) == 1


def test_legacy_env_endpoint_still_works_with_a_note_on_stderr_only(cli, monkeypatch):
    from llmops.core import config

    config._NOTED.discard("env:LLMOPS_ENDPOINT")
    monkeypatch.setenv("LLMOPS_ENDPOINT", "http://127.0.0.1:9876")
    res = cli("--profile", "emulated", "config", "show", "--json")
    assert res.code == 0
    assert json.loads(res.out)["settings"]["gcp.endpoint"]["value"] == "http://127.0.0.1:9876"
    assert "LLMOPS_ENDPOINT is deprecated; use LLMOPS_GCP_ENDPOINT" in res.err


def _llmops(site, cwd, *args, **env):
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    environ.update(PYTHONPATH=path, **env)
    return subprocess.run([sys.executable, "-m", "llmops", *args], env=environ, capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def with_hello(hello_plugin, monkeypatch, fresh_registry):
    """The installed plugin on sys.path, found through its entry point by a fresh registry."""
    monkeypatch.syspath_prepend(str(hello_plugin))
    fresh_registry.reset()
    yield
    sys.modules.pop("llmops_hello", None)


def test_a_plugin_reads_its_own_section_from_a_profile(with_hello, cli, monkeypatch):
    (Path.cwd() / "llmops.toml").write_text(
        '[profiles.x]\nwarehouse = "hello"\n[profiles.x.hello]\ngreeting = "hi"\n[profiles.plain]\nwarehouse = "hello"\n'
    )
    res = cli("--profile", "x", "sql", "SELECT 1", "--json")
    assert res.code == 0, res.err
    assert res.json() == [{"greeting": "hi"}]
    assert cli("--profile", "plain", "sql", "SELECT 1", "--json").json() == [{"greeting": "hello from a plugin"}]
    monkeypatch.setenv("LLMOPS_HELLO_GREETING", "hey")
    assert cli("--profile", "x", "sql", "SELECT 1", "--json").json() == [{"greeting": "hey"}]
    shown = cli("--profile", "x", "config", "show", "--json").json()
    assert shown["settings"]["hello.greeting"] == {
        "value": "hey",
        "source": "env LLMOPS_HELLO_GREETING",
        "plugin": "hello",
    }
    assert shown["backends"]["warehouse"] == {"name": "hello", "plugin": "hello"}


def test_a_third_party_provider_reads_its_key_and_lacks_tuning_in_one_line(with_hello, cli):
    (Path.cwd() / "llmops.toml").write_text('[profiles.x]\nmodel = "hello"\n[profiles.x.hello]\ngreeting = "hi"\n')
    res = cli("--profile", "x", "predict", "How do I sort a list?", "--json", "--no-log")
    assert res.code == 0, res.err
    assert "hi: How do I sort a list?" in res.out
    tuned = cli("--profile", "x", "tune")
    assert tuned.code == 1 and "model provider 'hello' cannot tune" in tuned.err
    assert len(tuned.err.strip().splitlines()) == 1
    backends = cli("backends", "--json").json()
    assert backends["model"]["hello"]["capabilities"] == ["predict"]


def test_a_wrong_type_for_a_plugin_key_is_one_line(hello_plugin, tmp_path):
    (tmp_path / "llmops.toml").write_text('[profiles.x]\nwarehouse = "hello"\n[profiles.x.hello]\ngreeting = 5\n')
    out = _llmops(hello_plugin, tmp_path, "--profile", "x", "sql", "SELECT 1", "--json")
    assert out.returncode == 1 and out.stdout == ""
    assert "invalid value for 'hello.greeting' (plugin 'hello'): expected a string, got 5" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_emulator_start_and_the_testing_fixture_use_the_section_spelling(llmops_emulator):
    from llmops.commands.emulator import resolve_address

    both = {"LLMOPS_GCP_ENDPOINT": "http://127.0.0.1:9123", "LLMOPS_ENDPOINT": "http://127.0.0.1:1"}
    assert resolve_address(None, None, both) == ("127.0.0.1", 9123)
    env = llmops_emulator.env()
    assert env["LLMOPS_GCP_ENDPOINT"] == llmops_emulator.endpoint and "LLMOPS_ENDPOINT" not in env
    settings = load_settings("emulated", environ=env)
    assert settings.section("gcp").endpoint == llmops_emulator.endpoint
