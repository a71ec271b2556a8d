"""A chain over a dataset version's eval split, as a Kubeflow pipeline on the local orchestrator."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_chain_runs_over_a_dataset_version_as_a_pipeline(cli, workspace, tmp_path):
    version = cli("data", "prepare", "--json").json()["version"]
    chain = tmp_path / "brief.toml"
    chain.write_text(
        'name = "brief"\n[[steps]]\nuse = "clean"\n'
        '[[steps]]\nuse = "generate"\nmodel = "text-bison@001"\nmax_output_tokens = 32\n'
    )
    r = cli("chain", "run", "--file", str(chain), "--dataset", version, "--limit", "2", "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert out["state"] == "SUCCEEDED" and out["dataset_version"] == version
    assert (out["chain"], out["examples"], out["ok"], out["errors"]) == ("brief", 2, 2, 0)
    spans = cli("logs", "--trace", out["trace_ids"][0], "--json").json()
    assert [s["step"] for s in spans] == ["brief", "clean", "generate"]
    assert not spans[1]["input"].startswith("Please answer"), "the dataset's template is taken off the question"


def test_batch_bad_dataset_version(cli):
    r = cli("chain", "run", "draft-critique", "--dataset", "ffffffffffff")
    assert r.code == 1 and "ffffffffffff" in r.err
