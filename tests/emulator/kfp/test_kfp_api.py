"""Kubeflow Pipelines v2beta1 REST through the real kfp.Client against the emulator.
No `from __future__ import annotations`: kfp reads the components' annotations."""

import httpx
import pytest
from kfp import compiler, dsl


@dsl.component(base_image="python:3.11")
def say_hello(name: str) -> str:
    return f"Hello, {name}!"


@dsl.component(base_image="python:3.11")
def how_are_you(hello_text: str) -> str:
    return f"{hello_text}. How are you?"


@dsl.pipeline
def hello_pipeline(recipient: str) -> str:
    return how_are_you(hello_text=say_hello(name=recipient).output).output


@dsl.component(base_image="python:3.11")
def explode() -> str:
    raise ValueError("kfp task exploded")


@dsl.pipeline
def failing_pipeline():
    explode()


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kfp-packages")
    compiler.Compiler().compile(hello_pipeline, str(folder / "hello.yaml"))
    compiler.Compiler().compile(failing_pipeline, str(folder / "failing.yaml"))
    return folder


@pytest.fixture(scope="module")
def kfp_client(llmops_emulator):
    import warnings

    import kfp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return kfp.Client(host=llmops_emulator.endpoint)


def test_create_run_from_pipeline_package_completes(kfp_client, packages):
    res = kfp_client.create_run_from_pipeline_package(
        str(packages / "hello.yaml"),
        arguments={"recipient": "World"},
        run_name="hello-run",
        experiment_name="exp-hello",
        enable_caching=True,
    )
    assert res.run_id
    run = res.wait_for_run_completion(timeout=60)
    assert run.state == "SUCCEEDED" and run.display_name == "hello-run"
    assert [t.display_name for t in run.run_details.task_details] == ["say-hello", "how-are-you"]
    exp = kfp_client.get_experiment(experiment_name="exp-hello")
    assert run.experiment_id == exp.experiment_id
    assert res.run_id in [r.run_id for r in kfp_client.list_runs(experiment_id=exp.experiment_id).runs]


def test_failed_run_is_returned_failed_naming_the_task(kfp_client, packages):
    res = kfp_client.create_run_from_pipeline_package(
        str(packages / "failing.yaml"), arguments={}, experiment_name="exp-fail"
    )
    run = res.wait_for_run_completion(timeout=60)
    assert run.state == "FAILED"
    assert "explode" in run.error.message and "kfp task exploded" in run.error.message


def test_upload_pipeline_and_run_it(kfp_client, packages):
    pipeline = kfp_client.upload_pipeline(str(packages / "hello.yaml"), pipeline_name="hello-uploaded")
    assert pipeline.pipeline_id
    assert "hello-uploaded" in [p.display_name for p in kfp_client.list_pipelines().pipelines]


def test_bad_kfp_requests(llmops_emulator):
    base = f"{llmops_emulator.endpoint}/apis/v2beta1"
    assert httpx.get(f"{base}/healthz").json()["multi_user"] is False
    r = httpx.get(f"{base}/runs/not-a-run")
    assert r.status_code == 404 and r.json()["error"]["status"] == "NOT_FOUND"
    assert httpx.post(f"{base}/runs", json={"display_name": "x", "pipeline_spec": {"a": 1}}).status_code == 400
    # text/plain is what a web page can send without a preflight: refused before the route.
    assert (
        httpx.post(f"{base}/pipelines/upload", content=b"nope", headers={"content-type": "text/plain"}).status_code
        == 403
    )
    assert httpx.post(f"{base}/pipelines/upload", files={"other": ("p.yaml", b"x: 1")}).status_code == 400
    assert httpx.post(f"{base}/pipelines/upload", files={"uploadfile": ("p.yaml", b"a: [")}).status_code == 400
