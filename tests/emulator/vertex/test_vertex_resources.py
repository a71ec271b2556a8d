"""Vertex AI models, endpoints and publisher models at the REST level, and the legacy text
models' `:predict` shape (blocked answers, numbers, candidates)."""

from __future__ import annotations

import json
import warnings

import httpx
import pytest
from google.genai import types

V1 = "/v1/projects/p/locations/us-central1"


@pytest.fixture(scope="module")
def tuned(storage_client, genai_client):
    bucket = storage_client.create_bucket("vertex-resources-train")
    bucket.blob("t.jsonl").upload_from_string(
        json.dumps({"input_text": "How to flatten a list of lists?", "output_text": "Use a comprehension."})
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = genai_client.tunings.tune(
            base_model="text-bison@001",
            training_dataset=types.TuningDataset(gcs_uri="gs://vertex-resources-train/t.jsonl"),
        )
    job = genai_client.tunings.get(name=job.name)
    assert job.has_succeeded
    return job.tuned_model.model.split("/")[-1].split("@")[0], job.tuned_model.endpoint.split("/")[-1]


@pytest.fixture(scope="module")
def http(llmops_emulator):
    with httpx.Client(base_url=llmops_emulator.endpoint, timeout=30) as client:
        yield client


def test_publisher_model_shape(http):
    r = http.get("/v1/publishers/google/models/text-bison%40001").json()
    assert r["name"] == "publishers/google/models/text-bison"  # no @version: the SDK derives the tuning id from it
    assert r["predictSchemata"]["instanceSchemaUri"].endswith("text_generation_1.0.0.yaml")
    assert r["publisherModelTemplate"].endswith("publishers/google/models/text-bison@001")
    assert http.get("/v1/publishers/google/models/nope@001").status_code == 404
    assert http.get("/v1/publishers/meta/models/llama").status_code == 404


def test_models_and_endpoints(http, tuned):
    model_id, endpoint_id = tuned
    listed = http.get(
        f"{V1}/models", params={"filter": 'labels.google-vertex-llm-tuning-base-model-id="text-bison-001"'}
    ).json()
    assert f"projects/p/locations/us-central1/models/{model_id}" in [m["name"] for m in listed["models"]]
    assert (
        "models"
        not in http.get(f"{V1}/models", params={"filter": 'labels.google-vertex-llm-tuning-base-model-id="x"'}).json()
    )
    assert http.get(f"{V1}/models", params={"filter": "displayName=x"}).status_code == 400
    model = http.get(f"{V1}/models/{model_id}@1").json()
    assert model["deployedModels"][0]["endpoint"] == f"projects/p/locations/us-central1/endpoints/{endpoint_id}"
    assert model["labels"]["tune-type"] == "supervised"
    endpoint = http.get(f"{V1}/endpoints/{endpoint_id}").json()
    assert endpoint["deployedModels"][0]["model"].endswith(f"/models/{model_id}") and endpoint["createTime"]
    assert "dedicatedEndpointEnabled" not in endpoint
    assert endpoint_id in [e["name"].rsplit("/", 1)[-1] for e in http.get(f"{V1}/endpoints").json()["endpoints"]]
    aliased = http.post(f"{V1}/models/{model_id}:mergeVersionAliases", json={"versionAliases": ["prod"]}).json()
    assert "prod" in aliased["versionAliases"]
    assert http.get(f"{V1}/models/999").status_code == 404
    assert http.get(f"{V1}/endpoints/999").status_code == 404


def test_legacy_predict_shapes(http, tuned, canned_responses):
    _, endpoint_id = tuned
    r = http.post(
        f"{V1}/endpoints/{endpoint_id}:predict",
        json={"instances": [{"content": "flatten a list of lists"}], "parameters": {"maxDecodeSteps": 128.0}},
    ).json()
    (p,) = r["predictions"]
    assert p["content"] == "Use a comprehension." and p["citationMetadata"]["citations"][0]["endIndex"] == 20
    assert r["deployedModelId"] == endpoint_id and r["metadata"]["tokenMetadata"]["outputTokenCount"]["totalTokens"] > 0
    canned_responses.add(prompt="dangerous thing", response="no", safety={"dangerous": 0.9}, blocked=True)
    base = f"{V1}/publishers/google/models/text-bison@001:predict"
    r = http.post(
        base, json={"instances": [{"content": "a dangerous thing"}], "parameters": {"candidateCount": 2.0}}
    ).json()
    assert len(r["predictions"]) == 2
    blocked = r["predictions"][0]
    assert blocked["content"] == "" and blocked["safetyAttributes"]["blocked"] is True
    assert blocked["citationMetadata"] == {"citations": []} and len(blocked["safetyAttributes"]["safetyRatings"]) == 4
    assert http.post(base, json={"instances": []}).status_code == 400
    assert http.post(base, json={"instances": [{"content": "x"}], "parameters": {"bogus": 1}}).status_code == 400
    assert (
        http.post(base, json={"instances": [{"content": "x"}], "parameters": {"temperature": 7.0}}).status_code == 400
    )
