"""A chain over a dataset version as a Kubeflow pipeline on the server-backed orchestrators,
against the emulator: Vertex AI Pipelines (the `emulated` profile: BigQuery, GCS, Vertex) and
Kubeflow Pipelines (the local profile with `orchestrator = "kubeflow"`). The span tree of a
run comes back from `llmops logs --trace`."""

from __future__ import annotations

import pytest

CHAIN = 'name = "brief"\n[[steps]]\nuse = "clean"\n[[steps]]\nuse = "generate"\nmax_output_tokens = 32\n'
"""A chain on the profile's base model: the Vertex provider lists only that one as a base model."""


@pytest.fixture(params=["vertex", "kubeflow"])
def profile(request, llmops_emulator, monkeypatch) -> tuple[str, ...]:
    """Global CLI options (and environment) that put the batch on one orchestrator."""
    if request.param == "vertex":
        monkeypatch.setenv("LLMOPS_GCP_ENDPOINT", llmops_emulator.endpoint)
        return ("--profile", "emulated")
    monkeypatch.setenv("LLMOPS_ORCHESTRATOR", "kubeflow")
    monkeypatch.setenv("LLMOPS_KUBEFLOW_HOST", llmops_emulator.endpoint)
    return ()


@pytest.mark.slow
def test_chain_batch_on_the_emulated_orchestrators(cli, profile, tmp_path):
    version = cli(*profile, "data", "prepare", "--json")
    assert version.code == 0, version.err
    chain = tmp_path / "brief.toml"
    chain.write_text(CHAIN)
    v = version.json()["version"]
    r = cli(*profile, "chain", "run", "--file", str(chain), "--dataset", v, "--limit", "2", "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert out["state"] == "SUCCEEDED" and out["dataset_version"] == v
    assert (out["chain"], out["examples"], out["ok"], out["errors"]) == ("brief", 2, 2, 0)
    spans = cli(*profile, "logs", "--trace", out["trace_ids"][0], "--json").json()
    assert [s["step"] for s in spans] == ["brief", "clean", "generate"]
    root = spans[0]
    assert root["parent_span_id"] is None and all(s["parent_span_id"] == root["span_id"] for s in spans[1:])
    assert spans[2]["model"].endswith("text-bison@001") and spans[2]["output_tokens"] > 0
