"""Data preparation on the `bigquery` + `gcs` backends writes the same rows, to gs://."""

from __future__ import annotations

from llmops.core import data
from llmops.core.session import Session


def _lines(store, uri: str) -> list[bytes]:
    with store.open(uri, "rb") as f:
        return f.read().splitlines()


def test_prepare_on_emulated_profile_matches_local(emulated, settings):
    remote = data.prepare(emulated)
    assert remote.train.uri.startswith("gs://llmops-emulated/llmops/datasets/")
    assert remote.eval.uri.startswith("gs://")
    assert remote.train.rows + remote.eval.rows == 500
    with Session(settings) as local_session:
        local = data.prepare(local_session)
        assert remote.version == local.version  # same content hashes: the same rows, byte for byte
        assert _lines(emulated.artifacts, remote.train.uri) == _lines(local_session.artifacts, local.train.uri)
        assert _lines(emulated.artifacts, remote.eval.uri) == _lines(local_session.artifacts, local.eval.uri)
    assert data.get_version(emulated, remote.version).train.uri == remote.train.uri
    assert not [u for u in emulated.artifacts.list(emulated.artifacts.uri_for("datasets")) if ".staging-" in u]


def test_cli_prepare_with_profile_emulated(cli, llmops_emulator, monkeypatch):
    monkeypatch.setenv("LLMOPS_GCP_ENDPOINT", llmops_emulator.endpoint)
    result = cli("--profile", "emulated", "data", "prepare", "--json")
    assert result.code == 0, result.err
    out = result.json()
    assert out["train"]["uri"].startswith("gs://llmops-emulated/") and out["train"]["rows"] + out["eval"]["rows"] == 500
