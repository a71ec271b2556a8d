"""Vertex AI models and endpoints through aiplatform and google-genai: publisher models list,
model update, version aliases, and endpoints created, deployed to, undeployed and deleted as
long-running operations."""

from __future__ import annotations

import json
import warnings

import httpx
import pytest
from google.api_core import exceptions
from google.genai import types

V1 = "/v1/projects/llmops-test/locations/us-central1"


@pytest.fixture(scope="module")
def tuned_model(storage_client, genai_client):
    bucket = storage_client.create_bucket("vertex-endpoints-train")
    bucket.blob("t.jsonl").upload_from_string(
        json.dumps({"input_text": "What is the capital of Peru?", "output_text": "Lima is the capital."})
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = genai_client.tunings.tune(
            base_model="text-bison@001",
            training_dataset=types.TuningDataset(gcs_uri="gs://vertex-endpoints-train/t.jsonl"),
        )
    job = genai_client.tunings.get(name=job.name)
    assert job.has_succeeded
    return job.tuned_model.model.split("@")[0]


@pytest.fixture(scope="module")
def http(llmops_emulator):
    with httpx.Client(base_url=llmops_emulator.endpoint, timeout=30) as client:
        yield client


def test_publisher_models_list_without_project(genai_client, http):
    names = [m.name for m in genai_client.models.list()]
    assert "publishers/google/models/gemini-2.5-flash" in names
    assert "publishers/google/models/text-embedding-005" in names
    page = http.get("/v1beta1/publishers/google/models", params={"pageSize": 2}).json()
    assert len(page["publisherModels"]) == 2 and page["nextPageToken"]
    assert http.get("/v1beta1/publishers/meta/models").status_code == 404
    bad = http.get("/v1beta1/publishers/google/models", params={"filter": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_model_update_through_genai_and_aiplatform(genai_client, aiplatform_init, tuned_model, http):
    from google.cloud import aiplatform

    updated = genai_client.models.update(
        model=tuned_model, config=types.UpdateModelConfig(display_name="peru-qa", description="capitals")
    )
    assert updated.display_name == "peru-qa" and updated.description == "capitals"
    model = aiplatform.Model(tuned_model)
    model.update(labels={"team": "geo"})
    again = aiplatform.Model(tuned_model)
    assert again.labels["team"] == "geo"
    assert again.labels["google-vertex-llm-tuning-base-model-id"] == "text-bison-001"  # tuning labels stay
    assert again.display_name == "peru-qa" and again.description == "capitals"
    ident = tuned_model.rsplit("/", 1)[-1]
    bad = http.patch(f"{V1}/models/{ident}", params={"updateMask": "versionId"}, json={"versionId": "2"})
    assert bad.status_code == 400 and "versionId" in bad.json()["error"]["message"]
    bad = http.patch(f"{V1}/models/{ident}", params={"updateMask": "labels"}, json={"labels": {"Bad Key": "x"}})
    assert bad.status_code == 400
    assert http.patch(f"{V1}/models/999", json={"displayName": "x"}).status_code == 404


def test_version_aliases(aiplatform_init, tuned_model, http):
    from google.cloud import aiplatform

    registry = aiplatform.models.ModelRegistry(tuned_model)
    registry.add_version_aliases(["prod", "blue"], version="1")
    assert {"default", "prod", "blue"} <= set(aiplatform.Model(tuned_model).version_aliases)
    registry.remove_version_aliases(["blue"], version="1")
    assert "blue" not in aiplatform.Model(tuned_model).version_aliases
    ident = tuned_model.rsplit("/", 1)[-1]
    bad = http.post(f"{V1}/models/{ident}:mergeVersionAliases", json={"versionAliases": ["Prod!"]})
    assert bad.status_code == 400 and "Prod!" in bad.json()["error"]["message"]
    bad = http.post(f"{V1}/models/{ident}:mergeVersionAliases", json={"versionAliases": ["-default"]})
    assert bad.status_code == 400


def test_endpoint_lifecycle(aiplatform_init, tuned_model, http):
    from google.cloud import aiplatform

    endpoint = aiplatform.Endpoint.create(display_name="capitals")
    assert endpoint.display_name == "capitals" and not endpoint.list_models()
    empty = http.post(f"/v1/{endpoint.resource_name}:predict", json={"instances": [{"content": "hi"}]})
    assert empty.status_code == 400 and empty.json()["error"]["status"] == "FAILED_PRECONDITION"

    aiplatform.Model(tuned_model).deploy(endpoint=endpoint)
    (deployed,) = endpoint.list_models()
    assert deployed.model == tuned_model
    answer = endpoint.predict(instances=[{"content": "What is the capital of Peru?"}])
    assert answer.predictions[0]["content"] == "Lima is the capital." and answer.deployed_model_id == deployed.id

    refused = http.delete(f"/v1/{endpoint.resource_name}")
    assert refused.status_code == 400 and refused.json()["error"]["status"] == "FAILED_PRECONDITION"
    endpoint.undeploy_all()
    assert not endpoint.list_models()
    endpoint.delete()
    assert http.get(f"/v1/{endpoint.resource_name}").status_code == 404
    with pytest.raises(exceptions.NotFound):
        aiplatform.Endpoint(endpoint.resource_name).list_models()


def test_operations_and_bad_requests(http, tuned_model):
    op = http.post(f"{V1}/endpoints", json={"displayName": "ops"}).json()
    assert op["done"] and op["response"]["@type"].endswith("v1.Endpoint")
    assert http.get(f"/ui/{op['name']}").json() == op
    assert http.get(f"/v1/{op['name']}").json() == op
    assert http.get(f"{V1}/operations/123").status_code == 404
    assert http.post(f"{V1}/endpoints", json={}).status_code == 400
    ident = op["response"]["name"].rsplit("/", 1)[-1]
    dup = http.post(f"{V1}/endpoints", params={"endpointId": ident}, json={"displayName": "again"})
    assert dup.status_code == 409
    missing = http.post(f"{V1}/endpoints/{ident}:deployModel", json={"deployedModel": {"model": f"{V1}/models/999"}})
    assert missing.status_code == 404
    split = http.post(
        f"{V1}/endpoints/{ident}:deployModel",
        json={"deployedModel": {"model": tuned_model}, "trafficSplit": {"0": 50}},
    )
    assert split.status_code == 400 and "100" in split.json()["error"]["message"]
    assert http.post(f"{V1}/endpoints/{ident}:undeployModel", json={"deployedModelId": "1"}).status_code == 400
    assert http.delete(f"{V1}/endpoints/{ident}").json()["done"]
    assert http.get(f"{V1}/endpoints/{ident}").status_code == 404


def test_vertex_provider_aliases_and_deploy_are_vertex_calls(llmops_emulator, tmp_path, tuned_model):
    from google.cloud import aiplatform

    from llmops.core.config import load_settings
    from llmops.core.registry import create_backend

    settings = load_settings(
        "emulated",
        overrides={"workspace": str(tmp_path / "ws")},
        environ={"LLMOPS_GCP_ENDPOINT": llmops_emulator.endpoint},
    )
    provider = create_backend("model", settings)
    # The tuning job deployed the model; take it off its endpoint so deploy has work to do.
    tuned = provider.get_tuned_model(tuned_model.replace("llmops-test", "llmops-emulated"))
    old = aiplatform.Endpoint(tuned.endpoint)
    old.undeploy_all()
    assert provider.get_tuned_model(tuned.name).endpoint is None
    endpoint = provider.deploy(tuned.name)
    assert endpoint.name != tuned.endpoint
    assert [d.model for d in aiplatform.Endpoint(endpoint.name).list_models()] == [tuned.name]
    assert provider.predict("What is the capital of Peru?", model=tuned.name).text == "Lima is the capital."

    assert "canary" in provider.set_alias(tuned.name, "canary").aliases
    assert "canary" in aiplatform.Model(tuned.name).version_aliases  # a real Vertex alias
    assert provider.predict("What is the capital of Peru?", model="canary").text == "Lima is the capital."
    with pytest.raises(Exception, match="alias"):
        provider.set_alias(tuned.name, "default")
