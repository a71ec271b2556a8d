"""`llmops run`, the main job, in a fresh workspace as a new user runs it; `llmops eval`
comparing the base and the tuned model; and a failing stage that a re-run resumes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import kfp.components
import pytest

pytestmark = pytest.mark.slow


def llmops(workspace: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "llmops", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        env=clean,
        timeout=600,
    )


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("run") / "ws"
    done = llmops(workspace, "run", "--json")
    assert done.returncode == 0, done.stderr
    return workspace, json.loads(done.stdout)


def test_run_tunes_a_model_that_beats_the_base_model(first_run):
    workspace, result = first_run
    pipeline = result["pipeline"]
    assert pipeline["state"] == "SUCCEEDED"
    # the two evaluations may run side by side, so their order is not fixed
    assert [t["name"] for t in pipeline["tasks"]][:3] == ["prepare-data", "tune-model", "deploy-model"]
    assert {t["name"] for t in pipeline["tasks"]} == {
        "prepare-data",
        "tune-model",
        "deploy-model",
        "evaluate-model",
        "evaluate-model-2",
    }
    assert all(t["state"] == "SUCCEEDED" and not t["cached"] for t in pipeline["tasks"])
    dataset = result["dataset"]
    assert dataset["train"]["rows"] > dataset["eval"]["rows"] > 0
    assert Path(dataset["train"]["uri"]).is_file()
    assert result["model"]["name"].startswith("models/")
    assert result["model"]["endpoint"]
    evaluation = result["evaluation"]
    assert evaluation["examples"] == dataset["eval"]["rows"]  # the whole held-out split
    assert evaluation["tuned"]["rougeL"] > evaluation["base"]["rougeL"]
    assert (
        set(evaluation["base"])
        == set(evaluation["tuned"])
        == {
            "rougeL",
            "bleu",
            "chrf",
            "exact_match",
            "mean_length",
            "blocked_rate",
            "citation_rate",
            "latency_p50_ms",
            "latency_p95_ms",
        }
    )
    prediction = result["sample"]["prediction"]
    assert len(prediction["safetyAttributes"]["safetyRatings"]) == 4
    assert prediction["citationMetadata"]["citations"][0]["license"] == "CC BY-SA 4.0"
    component = kfp.components.load_component_from_file(pipeline["package"])
    assert component.name == "llmops-end-to-end"


def test_a_second_run_is_served_from_the_cache(first_run):
    workspace, first = first_run
    again = llmops(workspace, "run", "--json")
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert all(t["cached"] for t in second["pipeline"]["tasks"])
    assert second["pipeline"]["run_id"] != first["pipeline"]["run_id"]
    # the timings `--json` reports: per task, the start-up before submitting, the cache lookup
    for result in (first, second):
        assert all(isinstance(t["seconds"], float) and t["seconds"] >= 0 for t in result["pipeline"]["tasks"])
        assert result["pipeline"]["startup_seconds"] > 0
    assert second["pipeline"]["cache_lookup_seconds"] >= 0
    assert second["model"] == first["model"]
    assert second["evaluation"] == first["evaluation"]


def test_run_prints_what_a_user_wants_to_see(first_run):
    workspace, first = first_run
    shown = llmops(workspace, "run")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert f"dataset   {first['dataset']['version']}" in out
    assert first["model"]["endpoint"] in out
    assert "rougeL" in out and "citation_rate" in out
    assert "sample prediction" in out and "safety:" in out and "CC BY-SA 4.0" in out
    assert "dangerous content NEGLIGIBLE 0.1" in out
    assert "5 cached" in out


def test_run_lineage_links_everything(first_run):
    workspace, first = first_run
    shown = llmops(workspace, "pipeline", "show", first["pipeline"]["run_id"], "--json")
    lineage = json.loads(shown.stdout)["lineage"]
    assert lineage["dataset_version"] == first["dataset"]["version"]
    assert lineage["tuned_model"] == first["model"]["name"]
    assert lineage["endpoint"] == first["model"]["endpoint"]
    assert lineage["tuning_job"] == first["model"]["tuning_job"]
    assert lineage["package"]["sha256"]
    assert {e["label"] for e in lineage["evaluation"]} == {"base", "tuned"}
    text = llmops(workspace, "pipeline", "show", first["pipeline"]["run_id"]).stdout
    assert "dataset_version" in text and "evaluation   tuned" in text


def test_eval_compares_two_models(first_run):
    workspace, first = first_run
    done = llmops(
        workspace, "eval", "--model", "text-bison@001", "--model", first["model"]["name"], "--limit", "20", "--json"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["dataset"]["version"] == first["dataset"]["version"]
    assert result["examples"] == 20
    base, tuned = result["models"]
    assert (base["model"], tuned["model"]) == ("text-bison@001", first["model"]["name"])
    assert tuned["metrics"]["citation_rate"] > base["metrics"]["citation_rate"]
    table = llmops(workspace, "eval", "--model", "text-bison@001", "--model", first["model"]["name"], "--limit", "5")
    assert "rougeL" in table.stdout and first["model"]["name"] in table.stdout


def test_eval_on_a_dataset_that_does_not_exist(first_run):
    workspace, _ = first_run
    done = llmops(workspace, "eval", "--model", "text-bison@001", "--dataset", "ffffffffffff")
    assert done.returncode == 1
    assert "dataset version 'ffffffffffff' does not exist" in done.stderr


def test_a_failing_stage_is_named_and_a_rerun_resumes(tmp_path):
    workspace = tmp_path / "ws"
    failed = llmops(workspace, "run", env={"LLMOPS_BASE_MODEL": "no-such-model"})
    assert failed.returncode == 1
    assert "task 'tune-model' failed" in failed.stderr
    assert "no-such-model" in failed.stderr  # the log tail says why

    package = workspace / "pipelines" / "llmops-end-to-end.yaml"
    again = llmops(workspace, "pipeline", "run", str(package), "--param", "base_model=no-such-model", "--json")
    assert again.returncode == 1
    tasks = {t["name"]: t for t in json.loads(again.stdout)["tasks"]}
    assert tasks["prepare-data"]["state"] == "SUCCEEDED"
    assert tasks["tune-model"]["state"] == "FAILED" and "no-such-model" in tasks["tune-model"]["log_tail"]
    assert tasks["evaluate-model"]["state"] == "SKIPPED"

    fixed = llmops(
        workspace,
        "pipeline",
        "run",
        str(package),
        "--param",
        "base_model=text-bison@001",
        "--param",
        "eval_limit=5",
        "--json",
    )
    assert fixed.returncode == 0, fixed.stderr
    tasks = {t["name"]: t for t in json.loads(fixed.stdout)["tasks"]}
    assert tasks["prepare-data"]["cached"] is True  # resumed after the stage that had succeeded
    assert tasks["tune-model"]["cached"] is False and tasks["tune-model"]["state"] == "SUCCEEDED"


@pytest.mark.parametrize("image", [None, "europe-docker.pkg.dev/p/r/llmops:1"])
def test_run_parameters_match_the_pipeline_modules(tmp_path, image):
    """`llmops run` builds the parameters without importing kfp; they must stay in step."""
    from llmops.commands.run import _parameters
    from llmops.core.config import Settings
    from llmops.core.pipeline import default_parameters

    settings = Settings(workspace=tmp_path, component_image=image)
    assert _parameters(settings) == default_parameters(settings)


def test_the_safety_line_names_each_bucket_or_leaves_it_out():
    from llmops.commands.run import safety_line

    bison = {"category": "Dangerous Content", "probabilityScore": 0.1, "severity": "NEGLIGIBLE"}
    gemini = {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "LOW", "probabilityScore": 0.3}
    assert safety_line({"safetyAttributes": {"safetyRatings": [bison]}}) == "not blocked · dangerous content 0.1"
    both = {"safetyAttributes": {"blocked": True, "safetyRatings": [bison]}, "gemini": {"safetyRatings": [gemini]}}
    assert safety_line(both) == "BLOCKED · dangerous content LOW 0.3"
