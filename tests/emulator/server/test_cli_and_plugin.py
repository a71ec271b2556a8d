"""`llmops emulator start` (address rules, clean stop) and the pytest plugin as a user gets it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from llmops.commands.emulator import resolve_address
from llmops.core.errors import ConfigError


def test_resolve_address_defaults_and_endpoint_port():
    assert resolve_address(None, None, {}) == ("127.0.0.1", 9050)
    assert resolve_address(None, None, {"LLMOPS_ENDPOINT": "http://127.0.0.1:9123"}) == ("127.0.0.1", 9123)
    assert resolve_address("0.0.0.0", 9, {"LLMOPS_ENDPOINT": "http://10.0.0.5:9123"}) == ("0.0.0.0", 9)


def test_non_loopback_host_only_from_an_explicit_flag():
    with pytest.raises(ConfigError, match="--host"):
        resolve_address(None, None, {"LLMOPS_ENDPOINT": "http://10.0.0.5:9050"})
    with pytest.raises(ConfigError):
        resolve_address(None, None, {"LLMOPS_ENDPOINT": "http://example.com:9050"})
    assert resolve_address("::1", 1, {}) == ("::1", 1)


def test_cli_refuses_env_host_and_busy_port(cli, monkeypatch):
    monkeypatch.setenv("LLMOPS_ENDPOINT", "http://192.168.1.9:9050")
    result = cli("emulator", "start", "--port", "0")
    assert result.code == 1 and "--host" in result.err and "Traceback" not in result.err
    monkeypatch.delenv("LLMOPS_ENDPOINT")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = cli("emulator", "start", "--port", str(busy.getsockname()[1]))
    assert result.code == 1 and "already in use" in result.err and len(result.err.strip().splitlines()) == 1


def _start(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmops", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("}"):
            break
    return proc, json.loads("".join(lines))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_start_serves_and_stops_cleanly_on_signals(tmp_path, sig):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    proc, info = _start(["emulator", "start", "--port", "0", "--json"], env)
    try:
        data = Path(info["data"])
        assert info["temporary"] and data.is_dir() and info["endpoint"].startswith("http://127.0.0.1:")
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        client = bigquery.Client(
            project="p", credentials=AnonymousCredentials(), client_options={"api_endpoint": info["endpoint"]}
        )
        assert list(client.query_and_wait("SELECT 40 + 2 AS x"))[0]["x"] == 42
        client.close()
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "POST /bigquery/v2/projects/p/queries" in err  # one log line per request
    assert "authorization" not in err.lower()
    assert not data.exists()  # the temporary data folder is removed at exit


def test_start_keeps_state_in_data_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    data = tmp_path / "state"
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    for round_ in range(2):
        proc, info = _start(["emulator", "start", "--port", "0", "--data", str(data), "--json"], env)
        try:
            client = storage.Client(
                project="p", credentials=AnonymousCredentials(), client_options={"api_endpoint": info["endpoint"]}
            )
            if round_ == 0:
                client.create_bucket("kept").blob("x.txt").upload_from_string("persisted")
            else:
                assert client.bucket("kept").blob("x.txt").download_as_text() == "persisted"
            client.close()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)
        assert proc.returncode == 0
    assert (data / "storage" / "kept" / "x.txt").read_text() == "persisted"


def test_pytest_plugin_fixtures_for_a_user_project(tmp_path):
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent("""
        def test_user_code(llmops_emulator, bigquery_client, storage_client):
            assert llmops_emulator.endpoint.startswith("http://127.0.0.1:")
            assert llmops_emulator.data_dir.is_dir()
            assert list(bigquery_client.query_and_wait("SELECT 1 AS one"))[0]["one"] == 1
            bucket = storage_client.create_bucket("user-bucket")
            bucket.blob("a.txt").upload_from_string("hi")
            assert [b.name for b in storage_client.list_blobs("user-bucket")] == ["a.txt"]
            assert llmops_emulator.env()["STORAGE_EMULATOR_HOST"] == llmops_emulator.endpoint
    """)
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMOPS_", "PYTEST_"))}
    # no `-p llmops.testing`: the installed pytest11 entry point loads the fixtures, as for a user
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_emulator_apis_lists_every_api(cli):
    human = cli("emulator", "apis")
    assert human.code == 0
    for name, prefix in (("storage", "/storage/v1"), ("bigquery", "/bigquery/v2"), ("kfp", "/apis/v2beta1")):
        assert name in human.out and prefix in human.out
    as_json = cli("emulator", "apis", "--json")
    assert as_json.code == 0
    apis = {a["name"]: a for a in json.loads(as_json.out)}
    assert {"storage", "bigquery", "vertex", "kfp"} <= set(apis)
    assert "/upload/storage/v1" in apis["storage"]["prefixes"]
    assert apis["bigquery"]["plugin"] == "llmops.emulator.bigquery.plugin" and apis["bigquery"]["description"]
