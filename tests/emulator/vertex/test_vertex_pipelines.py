"""Vertex AI pipelineJobs through aiplatform's PipelineJob against the emulator (kfp's local
runner underneath). No `from __future__ import annotations`: kfp reads the annotations."""

import time
import uuid

import httpx
import pytest
import yaml
from google.api_core import exceptions as gexc
from kfp import compiler, dsl


@dsl.component(base_image="python:3.11")
def say_hello(name: str) -> str:
    hello_text = f"Hello, {name}!"
    print(hello_text)
    return hello_text


@dsl.component(base_image="python:3.11")
def how_are_you(hello_text: str) -> str:
    how_are_you = f"{hello_text}. How are you?"
    print(how_are_you)
    return how_are_you


@dsl.pipeline
def hello_pipeline(recipient: str) -> str:
    """The course's hello pipeline (L3)."""
    hello_task = say_hello(name=recipient)
    how_task = how_are_you(hello_text=hello_task.output)
    return how_task.output


@dsl.component(base_image="python:3.11")
def explode(times: int) -> str:
    raise ValueError(f"exploded {times} times")


@dsl.pipeline
def failing_pipeline(times: int = 2):
    first = say_hello(name="x")
    explode(times=times).after(first)


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("packages")
    compiler.Compiler().compile(hello_pipeline, str(folder / "hello.yaml"))
    compiler.Compiler().compile(failing_pipeline, str(folder / "failing.yaml"))
    return folder


def test_course_hello_pipeline_reaches_succeeded_in_seconds(aiplatform_init, packages):
    from google.cloud import aiplatform

    started = time.perf_counter()
    job = aiplatform.PipelineJob(
        display_name="hello",
        template_path=str(packages / "hello.yaml"),
        parameter_values={"recipient": "World"},
        pipeline_root=f"gs://pipeline-root-{uuid.uuid4().hex[:8]}/root",
        enable_caching=False,
    )
    job.submit()
    job.wait()
    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_SUCCEEDED
    assert time.perf_counter() - started < 30  # the first poll after the run ends is terminal: no 5 s sleeps
    details = {t.task_name: t for t in job.gca_resource.job_detail.task_details}
    # The pipeline's own DAG is listed first, named after it and holding the pipeline's output.
    assert set(details) == {"hello-pipeline", "say-hello", "how-are-you"}
    assert details["how-are-you"].execution.metadata["output:Output"] == "Hello, World!. How are you?"
    assert details["hello-pipeline"].execution.metadata["output:Output"] == "Hello, World!. How are you?"
    assert details["say-hello"].parent_task_id == details["hello-pipeline"].task_id
    assert job.gca_resource.runtime_config.parameter_values["recipient"] == "World"


def test_failing_task_makes_the_job_failed_naming_it(aiplatform_init, packages):
    from google.cloud import aiplatform

    job = aiplatform.PipelineJob(
        display_name="boom",
        template_path=str(packages / "failing.yaml"),
        parameter_values={"times": 3},
        pipeline_root="gs://llmops-test-root/root",
    )
    job.submit()
    with pytest.raises(RuntimeError, match="explode"):
        job.wait()
    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_FAILED
    states = {t.task_name: t.state.name for t in job.gca_resource.job_detail.task_details}
    assert states["explode"] == "FAILED" and states["say-hello"] == "SUCCEEDED"
    assert "exploded 3 times" in job.gca_resource.error.message
    listed = [j.resource_name for j in aiplatform.PipelineJob.list()]
    assert job.resource_name in listed


def test_bad_pipeline_requests(llmops_emulator, aiplatform_init, packages):
    from google.cloud import aiplatform

    base = f"{llmops_emulator.endpoint}/v1/projects/p/locations/us-central1/pipelineJobs"
    r = httpx.post(base, json={"pipelineSpec": {"not": "a pipeline"}})
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert httpx.post(base, json={}).status_code == 400
    with pytest.raises(gexc.NotFound):
        aiplatform.PipelineJob.get("projects/llmops-test/locations/us-central1/pipelineJobs/never-ran")
    spec = yaml.safe_load((packages / "hello.yaml").read_text())
    r = httpx.post(
        base, json={"pipelineSpec": spec, "runtimeConfig": {"parameterValues": {"recipient": "a", "typo": 1}}}
    )
    assert r.status_code == 400 and "typo" in r.json()["error"]["message"]
    r = httpx.post(base, json={"pipelineSpec": spec, "runtimeConfig": {"parameterValues": {}}})
    assert r.status_code == 400 and "recipient" in r.json()["error"]["message"]
    assert httpx.get(f"{llmops_emulator.endpoint}/v1/pipelineJobs").status_code == 404


@dsl.component(base_image="python:3.11")
def nap(seconds: int) -> str:
    import time

    time.sleep(seconds)
    return "rested"


@dsl.pipeline
def slow_pipeline(seconds: int = 60):
    nap(seconds=seconds)


def test_cancel_a_running_job(aiplatform_init, tmp_path):
    from google.cloud import aiplatform

    compiler.Compiler().compile(slow_pipeline, str(tmp_path / "slow.yaml"))
    job = aiplatform.PipelineJob(
        display_name="slow",
        template_path=str(tmp_path / "slow.yaml"),
        pipeline_root="gs://llmops-test-root/slow",
        enable_caching=False,
    )
    job.submit()
    job.cancel()
    job.wait()  # CANCELLED is terminal and does not raise
    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_CANCELLED
