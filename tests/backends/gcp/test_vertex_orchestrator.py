"""The `vertex` orchestrator (aiplatform PipelineJob) against the emulator, and the whole
workflow on the Google backends: `llmops run --profile emulated`.
No `from __future__ import annotations`: kfp reads the components' annotations."""

import pytest
from kfp import dsl

from llmops.core.errors import ConfigError
from llmops.core.pipeline import compile_pipeline
from llmops.core.registry import create_backend


@dsl.component(base_image="python:3.11")
def add(a: int, b: int) -> int:
    return a + b


@dsl.component(base_image="python:3.11")
def check_positive(value: int) -> str:
    if value < 0:
        raise ValueError(f"negative total {value}")
    return "ok"


@dsl.pipeline
def sum_pipeline(a: int, b: int = 1) -> str:
    total = add(a=a, b=b)
    return check_positive(value=total.output).output


@pytest.fixture
def orchestrator(emulated_settings):
    return create_backend("orchestrator", emulated_settings)


def test_submit_wait_tasks_and_outputs(orchestrator, tmp_path):
    package = compile_pipeline(sum_pipeline, tmp_path / "sum.yaml")
    run = orchestrator.submit(package, {"a": 2, "b": 3}, run_name="sum-run")
    assert run.run_id == "sum-run" and run.state in ("PENDING", "RUNNING", "SUCCEEDED")
    done = orchestrator.wait(run.run_id, timeout=60)
    assert done.state == "SUCCEEDED", done.error
    tasks = {t.name: t for t in done.tasks}
    assert tasks["add"].outputs["Output"] == 5 and tasks["check-positive"].outputs["Output"] == "ok"
    assert done.parameters == {"a": 2, "b": 3}
    assert "sum-run" in [r.run_id for r in orchestrator.list_runs()]


def test_failed_task_is_named(orchestrator, tmp_path):
    package = compile_pipeline(sum_pipeline, tmp_path / "sum.yaml")
    done = orchestrator.wait(orchestrator.submit(package, {"a": -5}).run_id, timeout=60)
    assert done.state == "FAILED"
    assert "check-positive" in done.error and "negative total -4" in done.error
    assert {t.name: t.state for t in done.tasks} == {"add": "SUCCEEDED", "check-positive": "FAILED"}


def test_bad_inputs(orchestrator, tmp_path, emulated_settings):
    package = compile_pipeline(sum_pipeline, tmp_path / "sum.yaml")
    with pytest.raises(ConfigError, match="has no parameter 'c'"):
        orchestrator.submit(package, {"a": 1, "c": 2})
    with pytest.raises(ConfigError, match="needs parameter 'a'"):
        orchestrator.submit(package, {})
    no_bucket = {"sections": {"gcp": {**emulated_settings.sections["gcp"], "bucket": None}}}
    with pytest.raises(ConfigError, match="needs 'gcp.bucket'"):
        create_backend("orchestrator", emulated_settings.model_copy(update=no_bucket)).submit(package, {"a": 1})


@pytest.mark.slow
def test_llmops_run_on_the_emulated_profile(cli, llmops_emulator, monkeypatch):
    monkeypatch.setenv("LLMOPS_GCP_ENDPOINT", llmops_emulator.endpoint)
    result = cli("--profile", "emulated", "run", "--json")
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["pipeline"]["state"] == "SUCCEEDED"
    assert [t["name"] for t in summary["pipeline"]["tasks"]]
    assert summary["model"]["name"].startswith("projects/llmops-emulated/locations/us-central1/models/")
    assert summary["model"]["endpoint"].startswith("projects/llmops-emulated/locations/us-central1/endpoints/")
    ev = summary["evaluation"]
    assert ev["examples"] > 0 and ev["tuned"]["rougeL"] > ev["base"]["rougeL"]
    assert ev["tuned"]["citation_rate"] > 0
    sample = summary["sample"]["prediction"]
    assert sample["content"] and len(sample["safetyAttributes"]["safetyRatings"]) == 4
    assert sample["citationMetadata"]["citations"]
