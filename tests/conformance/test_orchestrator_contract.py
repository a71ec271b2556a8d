"""The Orchestrator contract, for every registered orchestrator: a compiled two-step kfp pipeline
runs to SUCCEEDED with task states and outputs, a failing step ends the run FAILED naming the
task, bad parameters are one-line ConfigErrors before anything runs, and runs are listed.

One successful and one failing run per orchestrator, submitted together and shared by the
module. (No `from __future__ import annotations`: kfp reads the components' annotations.)"""

import uuid

import pytest
from kfp import dsl

from llmops.core.errors import ConfigError
from llmops.core.pipeline import compile_pipeline
from llmops.core.types import PipelineRun

BREAKS = {
    ("kubeflow", "task-outputs"): "the finished run's tasks carry no outputs (empty dicts)",
    ("kubeflow", "run-outputs"): "the finished run's outputs are empty (the pipeline's own output is missing)",
}
"""(backend, case) -> how the orchestrator differs from the contract; each a strict xfail."""

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


@dsl.component(base_image="python:3.11")
def conformance_add(a: int, b: int) -> int:
    return a + b


@dsl.component(base_image="python:3.11")
def conformance_check(value: int) -> str:
    if value < 0:
        raise ValueError(f"negative total {value}")
    return f"ok {value}"


@dsl.pipeline
def conformance_pipeline(a: int, b: int = 1) -> str:
    total = conformance_add(a=a, b=b)
    return conformance_check(value=total.output).output


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """The pipeline compiled once by llmops' compiler (kfp's, after llmops' checks): every
    orchestrator runs the same package."""
    path = compile_pipeline(conformance_pipeline, tmp_path_factory.mktemp("pkg") / "conf.yaml")
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def runs(orchestrator_backend, package) -> dict[str, PipelineRun]:
    """A good and a failing run, submitted before either is awaited, then waited to the end."""
    orch = orchestrator_backend.backend
    tag = uuid.uuid4().hex[:6]
    submitted = {
        "good": orch.submit(package, {"a": 2, "b": 3}, run_name=f"conf-good-{tag}", enable_caching=False),
        "bad": orch.submit(package, {"a": -5}, run_name=f"conf-bad-{tag}", enable_caching=False),
    }
    for run in submitted.values():
        assert isinstance(run, PipelineRun) and run.run_id and run.state in ("PENDING", "RUNNING", *TERMINAL)
    return {k: orch.wait(r.run_id, timeout=120) for k, r in submitted.items()}


def test_runs_end_with_their_states_tasks_and_errors(orchestrator_backend, runs):
    """The good run SUCCEEDED with both tasks and its parameters; the failing run FAILED with
    the failing task named in a one-line error; `get` and `list_runs` see both. (One test, so
    that a parallel run does not split the shared runs across workers.)"""
    orch = orchestrator_backend.backend
    good, bad = runs["good"], runs["bad"]
    assert good.state == "SUCCEEDED", good.error
    assert {t.name: t.state for t in good.tasks} == {"conformance-add": "SUCCEEDED", "conformance-check": "SUCCEEDED"}
    assert good.parameters == {"a": 2, "b": 3}
    assert bad.state == "FAILED"
    assert "conformance-check" in (bad.error or "") and "negative total -4" in (bad.error or "")
    assert "\n" not in (bad.error or "").strip()
    assert {t.name: t.state for t in bad.tasks} == {"conformance-add": "SUCCEEDED", "conformance-check": "FAILED"}
    assert [orch.get(r.run_id).state for r in (good, bad)] == ["SUCCEEDED", "FAILED"]
    listed = [r.run_id for r in orch.list_runs()]
    assert good.run_id in listed and bad.run_id in listed


def test_task_outputs_are_on_the_run(known_break, orchestrator_backend, runs):
    known_break(BREAKS, orchestrator_backend.name, "task-outputs")
    outputs = {t.name: t.outputs for t in runs["good"].tasks}
    assert outputs == {"conformance-add": {"Output": 5}, "conformance-check": {"Output": "ok 5"}}


def test_the_pipeline_output_is_on_the_run(known_break, orchestrator_backend, runs):
    known_break(BREAKS, orchestrator_backend.name, "run-outputs")
    assert runs["good"].outputs == {"Output": "ok 5"}


@pytest.mark.parametrize(
    ("params", "message"),
    [({"a": 1, "c": 2}, "has no parameter 'c'"), ({}, "needs parameter 'a'"), ({"a": "two"}, "'a'")],
    ids=["unknown", "missing", "wrong-type"],
)
def test_bad_parameters_are_one_line_config_errors_before_anything_runs(orchestrator_backend, package, params, message):
    orch = orchestrator_backend.backend
    before = {r.run_id for r in orch.list_runs()}
    with pytest.raises(ConfigError, match=message) as info:
        orch.submit(package, params, run_name=f"conf-never-{uuid.uuid4().hex[:6]}")
    assert "\n" not in str(info.value)
    assert {r.run_id for r in orch.list_runs()} == before
