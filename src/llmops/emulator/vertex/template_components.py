"""The kfp components and pipeline of the `tune-large-model` stand-in (see `templates`);
`compile_template()` writes what `tune-large-model-v2.0.0.yaml` holds."""

# No `from __future__ import annotations`: kfp reads the components' annotations as types, and
# kfp's `NamedTuple("Outputs", [...])` return annotations are not types to mypy.
# mypy: ignore-errors
import tempfile
from pathlib import Path
from typing import NamedTuple

from kfp.dsl import Metrics, Output


def tune_and_evaluate(
    api_endpoint: str,
    project: str,
    location: str,
    large_model_reference: str,
    model_display_name: str,
    dataset_uri: str,
    train_steps: int,
    evaluation_data_uri: str,
    evaluation_metrics: Output[Metrics],
) -> NamedTuple("Outputs", [("tuned_model", str), ("tuning_job", str)]):
    """Run an emulated tuning job and score the tuned model on the evaluation file."""
    import json
    import math
    import time
    import urllib.parse
    import urllib.request
    from collections import namedtuple

    def call(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{api_endpoint}{path}", data=data, method=method, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read() or b"{}")

    def read_jsonl(uri):
        bucket, _, name = uri[len("gs://") :].partition("/")
        url = f"{api_endpoint}/download/storage/v1/b/{bucket}/o/{urllib.parse.quote(name, safe='')}?alt=media"
        with urllib.request.urlopen(url, timeout=600) as r:
            return [json.loads(line) for line in r.read().decode().splitlines() if line.strip()]

    rows = read_jsonl(dataset_uri)
    # The template trains `train_steps` batches of 8 examples: as many passes over the data.
    epochs = max(1, min(100, math.ceil(int(train_steps) * 8 / max(1, len(rows)))))
    spec = {"trainingDatasetUri": dataset_uri, "hyperParameters": {"epochCount": epochs}}
    if evaluation_data_uri:
        spec["validationDatasetUri"] = evaluation_data_uri
    tuning_location = f"projects/{project}/locations/{location}"
    job = call(
        "POST",
        f"/v1/{tuning_location}/tuningJobs",
        {"baseModel": large_model_reference, "tunedModelDisplayName": model_display_name, "supervisedTuningSpec": spec},
    )
    while job.get("state") not in ("JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"):
        time.sleep(0.2)
        job = call("GET", f"/v1/{job['name']}")
    if job["state"] != "JOB_STATE_SUCCEEDED":
        raise RuntimeError(f"tuning job {job['name']} ended {job['state']}: {job.get('error', {}).get('message')}")
    model = job["tunedModel"]["model"].split("@", 1)[0]
    endpoint = job["tunedModel"]["endpoint"]

    exact = f1_sum = 0.0
    examples = read_jsonl(evaluation_data_uri)[:200] if evaluation_data_uri else []
    for ex in examples:
        question = ex.get("input_text") or ex.get("input_text_instruct") or ""
        expected = ex.get("output_text") or ""
        answer = call("POST", f"/v1/{endpoint}:predict", {"instances": [{"content": question}]})
        got = answer["predictions"][0].get("content") or ""
        exact += float(got.strip() == expected.strip())
        a, b = got.lower().split(), expected.lower().split()
        common = sum(min(a.count(w), b.count(w)) for w in set(a))
        f1_sum += 0.0 if not common else 2 * common / (len(a) + len(b))
    if examples:
        evaluation_metrics.log_metric("exact_match", exact / len(examples))
        evaluation_metrics.log_metric("token_f1", f1_sum / len(examples))
    evaluation_metrics.log_metric("evaluated_examples", len(examples))
    evaluation_metrics.log_metric("training_examples", len(rows))
    outputs = namedtuple("Outputs", ["tuned_model", "tuning_job"])
    return outputs(model, job["name"])


def upload_llm_model(api_endpoint: str, project: str, location: str, tuned_model: str) -> NamedTuple(
    "Outputs", [("model_resource_name", str), ("endpoint_resource_name", str)]
):
    """The tuned model as a Model resource in `location` (and the endpoint serving it)."""
    import json
    import urllib.request
    from collections import namedtuple

    ident = tuned_model.rsplit("/", 1)[-1]
    name = f"projects/{project}/locations/{location}/models/{ident}"
    with urllib.request.urlopen(f"{api_endpoint}/v1/{name}", timeout=60) as r:
        model = json.loads(r.read())
    endpoint = (model.get("deployedModels") or [{}])[0].get("endpoint", "")
    outputs = namedtuple("Outputs", ["model_resource_name", "endpoint_resource_name"])
    return outputs(model["name"], endpoint)


def compile_template() -> str:
    """The template compiled from the components above (what `TEMPLATE_FILE` holds)."""
    from kfp import compiler, dsl

    tune_op = dsl.component(
        tune_and_evaluate, base_image="python:3.11", install_kfp_package=False, packages_to_install=[]
    )
    upload_op = dsl.component(
        upload_llm_model, base_image="python:3.11", install_kfp_package=False, packages_to_install=[]
    )

    @dsl.pipeline(name="tune-large-model", description="Offline stand-in for Google's tune-large-model v2.0.0.")
    def tune_large_model(
        model_display_name: str,
        location: str,
        large_model_reference: str,
        project: str,
        dataset_uri: str = "",
        dataset_name: str = "",
        train_steps: int = 300,
        learning_rate_multiplier: float = 1.0,
        evaluation_data_uri: str = "",
        evaluation_interval: int = 20,
        enable_early_stopping: bool = True,
        enable_checkpoint_selection: str = "default",
        tensorboard_resource_id: str = "",
        accelerator_type: str = "GPU",
        max_context_length: str = "",
        encryption_spec_key_name: str = "",
        default_context: str = "",
        llmops_emulator_endpoint: str = "",
    ):
        tuned = tune_op(
            api_endpoint=llmops_emulator_endpoint,
            project=project,
            location=location,
            large_model_reference=large_model_reference,
            model_display_name=model_display_name,
            dataset_uri=dataset_uri,
            train_steps=train_steps,
            evaluation_data_uri=evaluation_data_uri,
        ).set_caching_options(False)
        upload_op(
            api_endpoint=llmops_emulator_endpoint,
            project=project,
            location=location,
            tuned_model=tuned.outputs["tuned_model"],
        ).set_caching_options(False)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tune-large-model.yaml"
        compiler.Compiler().compile(tune_large_model, str(path))
        return path.read_text(encoding="utf-8")
