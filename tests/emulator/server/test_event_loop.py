"""The emulator serves on uvloop where it is installed; LLMOPS_EMULATOR_LOOP picks asyncio's loop
(the benchmark's baseline), and a loop it does not know is a one-line error before any port is bound."""

import asyncio
import importlib.util

import httpx
import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from llmops.core.errors import ConfigError
from llmops.emulator.server.api import EmulatorConfig
from llmops.emulator.server.loops import LOOP_ENV, loop_name
from llmops.emulator.server.runner import EmulatorServer
from llmops.testing import start_emulator

HAVE_UVLOOP = importlib.util.find_spec("uvloop") is not None


def _serving_loop(running):
    return {type(s.get_loop()) for s in running.server.server.servers}


@pytest.mark.skipif(not HAVE_UVLOOP, reason="uvloop is not installed (Windows has none)")
def test_the_emulator_serves_on_uvloop_where_installed(llmops_emulator):
    import uvloop

    assert _serving_loop(llmops_emulator) == {uvloop.Loop}


@pytest.mark.parametrize("name", ["asyncio", "uvloop"])
def test_either_loop_answers_the_bigquery_client(tmp_path, monkeypatch, name):
    if name == "uvloop" and not HAVE_UVLOOP:
        pytest.skip("uvloop is not installed (Windows has none)")
    monkeypatch.setenv(LOOP_ENV, name)
    running = start_emulator(tmp_path)
    try:
        if name == "asyncio":
            assert _serving_loop(running) == {asyncio.SelectorEventLoop}
        client = bigquery.Client(
            project="p", credentials=AnonymousCredentials(), client_options={"api_endpoint": running.endpoint}
        )
        config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("x", "INT64", 41)])
        assert [tuple(r) for r in client.query_and_wait("SELECT @x + 1 AS y", job_config=config)] == [(42,)]
        assert httpx.get(f"{running.endpoint}/").status_code == 200
    finally:
        running.server.stop()


def test_an_unknown_loop_is_a_config_error_before_any_port_is_bound(tmp_path, monkeypatch):
    monkeypatch.setenv(LOOP_ENV, "trio")
    with pytest.raises(ConfigError, match=LOOP_ENV) as err:
        EmulatorServer(EmulatorConfig(data_dir=tmp_path), port=0)
    assert "uvloop or asyncio" in err.value.fix


def test_auto_is_uvloop_when_installed_and_asyncio_otherwise(monkeypatch):
    monkeypatch.delenv(LOOP_ENV, raising=False)
    assert loop_name() == ("uvloop" if HAVE_UVLOOP else "asyncio")
    assert loop_name("ASYNCIO") == "asyncio"


def test_asking_for_uvloop_without_it_names_the_extra(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "uvloop" else object())
    with pytest.raises(ConfigError, match="uvloop") as err:
        loop_name("uvloop")
    assert "llmops[emulator]" in err.value.fix
    assert loop_name("auto") == "asyncio"
