"""The course's tuning pipeline offline: the emulator serves a stand-in for Google's
`tune-large-model` v2.0.0 template; the course's L3 `PipelineJob` cell runs it (one line
changed: the template path) and L4's `list_tuned_model_names()` finds the tuned model."""

from __future__ import annotations

import json
import time
import warnings

import httpx
import pytest
import yaml

from llmops.emulator.vertex.templates import TEMPLATE_FILE

TEMPLATE = "kfp-templates/ml-pipeline/large-language-model-pipelines/tune-large-model/v2.0.0"
QA = [
    ("How do I read a csv file with pandas?", "Use pandas.read_csv('file.csv')."),
    ("How to reverse a list in python?", "Use reversed(lst) or lst[::-1]."),
    ("How do I merge two dicts?", "Use {**a, **b} or a | b."),
]


@pytest.fixture
def fresh_second():
    """The SDK names pipeline jobs `<pipeline>-<YYYYmmddHHMMSS>`; real Vertex answers 409 to a
    second job with the same name, and so does the emulator. Two tuning runs in one second
    would collide, so start each in a second no earlier run used."""
    time.sleep(1.0 - time.time() % 1.0)


@pytest.fixture(scope="module")
def data(storage_client):
    bucket = storage_client.create_bucket("template-tuning-data")
    lines = "\n".join(json.dumps({"input_text": q, "output_text": a}) for q, a in QA)
    bucket.blob("train.jsonl").upload_from_string(lines)
    bucket.blob("eval.jsonl").upload_from_string(lines)
    return "gs://template-tuning-data/train.jsonl", "gs://template-tuning-data/eval.jsonl"


def test_shipped_template_is_the_compiled_components():
    from llmops.emulator.vertex.template_components import compile_template

    assert TEMPLATE_FILE.read_text(encoding="utf-8") == compile_template()


def test_template_is_served_with_the_real_parameters(llmops_emulator):
    r = httpx.get(f"{llmops_emulator.endpoint}/{TEMPLATE}", timeout=60)
    spec = yaml.safe_load(r.text)
    assert spec["pipelineInfo"]["name"] == "tune-large-model"
    params = spec["root"]["inputDefinitions"]["parameters"]
    course = {"model_display_name", "location", "large_model_reference", "project", "train_steps"}
    assert course | {"dataset_uri", "evaluation_interval", "evaluation_data_uri"} <= set(params)
    assert params["train_steps"]["parameterType"] == "NUMBER_INTEGER"
    assert r.text == TEMPLATE_FILE.read_text(encoding="utf-8")
    assert httpx.get(f"{llmops_emulator.endpoint}/kfp-templates/nope/v1", timeout=30).status_code == 404


def test_course_l3_cell_then_l4_finds_the_tuned_model(aiplatform_init, data, llmops_emulator, fresh_second):
    from google.cloud import aiplatform
    from vertexai.language_models import TextGenerationModel

    train_uri, eval_uri = data
    # L3, as in the course; only template_path changes (to the emulator's Cloud Storage copy).
    template_path = "gs://ml-pipeline/large-language-model-pipelines/tune-large-model/v2.0.0.yaml"
    pipeline_arguments = {
        "model_display_name": "tuned-python-qa",
        "location": "us-central1",
        "large_model_reference": "text-bison@001",
        "project": aiplatform_init.project,
        "train_steps": 1,
        "dataset_uri": train_uri,
        "evaluation_interval": 1,
        "evaluation_data_uri": eval_uri,
    }
    job = aiplatform.PipelineJob(
        template_path=template_path,
        display_name="tune-python-qa",
        parameter_values=pipeline_arguments,
        location="us-central1",
        pipeline_root="gs://template-tuning-data/pipeline-root",
        enable_caching=False,
    )
    job.submit(service_account=aiplatform_init.service_account)
    job.wait()
    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_SUCCEEDED
    tasks = {t.task_name: t for t in job.task_details}
    model_name = tasks["upload-llm-model"].execution.metadata["output:model_resource_name"]

    # L4, as in the course.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = TextGenerationModel.from_pretrained("text-bison@001")
        names = model.list_tuned_model_names()
        assert model_name in names
        tuned = TextGenerationModel.get_tuned_model(model_name)
    assert tuned.predict(QA[1][0]).text == QA[1][1]


def test_tune_model_runs_the_template(aiplatform_init, data, monkeypatch, fresh_second):
    from vertexai._model_garden import _model_garden_models
    from vertexai.language_models import TextGenerationModel

    # tune_model downloads its template from us-kfp.pkg.dev: point it at the emulator's copy.
    monkeypatch.setitem(
        _model_garden_models._SHORT_MODEL_ID_TO_TUNING_PIPELINE_MAP,
        "text-bison",
        "gs://ml-pipeline/large-language-model-pipelines/tune-large-model/v2.0.0.yaml",
    )
    train_uri, eval_uri = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = TextGenerationModel.from_pretrained("text-bison@001")
        job = model.tune_model(
            training_data=train_uri,
            train_steps=2,
            tuning_job_location="us-central1",
            tuned_model_location="us-central1",
        )
        tuned = job.get_tuned_model()
    assert tuned.predict(QA[0][0]).text == QA[0][1]
