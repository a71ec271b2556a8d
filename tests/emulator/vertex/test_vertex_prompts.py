"""Vertex AI prompt management (`vertexai.preview.prompts`) against the emulator's `datasets`
and `datasetVersions`, and the raw REST shapes behind it."""

from __future__ import annotations

import pytest
import requests

PROMPT_SCHEMA = "gs://google-cloud-aiplatform/schema/dataset/metadata/text_prompt_1.0.0.yaml"


def _prompt(text: str, name: str = "so-answer"):
    from vertexai.preview.prompts import Prompt

    return Prompt(
        prompt_data=text,
        prompt_name=name,
        model_name="gemini-2.0-flash",
        system_instruction="Be brief.",
        variables=[{"question": "How to read csv?"}],
    )


def test_prompt_create_get_versions_restore_delete(aiplatform_init):
    from google.api_core import exceptions
    from vertexai.preview import prompts

    first = prompts.create_version(prompt=_prompt("Answer: {question}"), version_name="v1")
    prompt_id = first.prompt_id
    assert first.version_id == "1" and first.version_name == "v1"

    got = prompts.get(prompt_id)
    assert got.prompt_data == "Answer: {question}" and got._dataset.display_name == "so-answer"
    assert got.system_instruction == "Be brief." and got.variables[0]["question"][0].text == "How to read csv?"
    assert got.model_name.endswith("gemini-2.0-flash")
    assert prompt_id in [p.prompt_id for p in prompts.list()]

    # A second version: the SDK's own PATCH fails client-side under REST (camelCase update mask),
    # so the dataset is updated over REST as `vertexai.Client` does, then versioned.
    base = f"{aiplatform_init.endpoint}/v1/projects/{aiplatform_init.project}/locations/{aiplatform_init.location}"
    dataset = requests.get(f"{base}/datasets/{prompt_id}", timeout=10).json()
    meta = dataset["metadata"]
    meta["promptApiSchema"]["multimodalPrompt"]["promptMessage"]["contents"][0]["parts"][0]["text"] = "Q: {question}"
    patched = requests.patch(
        f"{base}/datasets/{prompt_id}", params={"updateMask": "metadata"}, json={"metadata": meta}, timeout=10
    )
    assert patched.status_code == 200 and patched.json()["name"] == dataset["name"]
    op = requests.post(f"{base}/datasets/{prompt_id}/datasetVersions", json={"displayName": "v2"}, timeout=10).json()
    assert op["done"] and op["response"]["name"].endswith("/datasetVersions/2")
    polled = requests.get(f"{aiplatform_init.endpoint}/v1/{op['name']}", timeout=10).json()
    assert polled == op

    assert [(v.version_id, v.display_name) for v in prompts.list_versions(prompt_id)] == [("1", "v1"), ("2", "v2")]
    assert prompts.get(prompt_id, version_id="1").prompt_data == "Answer: {question}"
    assert prompts.get(prompt_id, version_id="2").prompt_data == "Q: {question}"
    assert prompts.get(prompt_id).prompt_data == "Q: {question}"

    restored = prompts.restore_version(prompt_id, "1")
    assert restored.version_id == "1" and restored.prompt_id == prompt_id
    assert prompts.get(prompt_id).prompt_data == "Answer: {question}"

    prompts.delete(prompt_id)
    assert prompt_id not in [p.prompt_id for p in prompts.list()]
    with pytest.raises(exceptions.NotFound):
        prompts.get(prompt_id)


def test_datasets_filter_and_bad_input(aiplatform_init):
    base = f"{aiplatform_init.endpoint}/v1/projects/{aiplatform_init.project}/locations/{aiplatform_init.location}"
    body = {"displayName": "filtered-one", "metadataSchemaUri": PROMPT_SCHEMA, "metadata": {"promptType": "freeform"}}
    op = requests.post(f"{base}/datasets", json=body, timeout=10).json()
    name = op["response"]["name"]
    assert op["response"]["@type"] == "type.googleapis.com/google.cloud.aiplatform.v1.Dataset"
    name_url = f"{base}/datasets/{name.rsplit('/', 1)[-1]}"
    listed = requests.get(f"{base}/datasets", params={"filter": 'display_name="filtered-one"'}, timeout=10).json()
    assert [d["name"] for d in listed["datasets"]] == [name]
    none = requests.get(f"{base}/datasets", params={"filter": 'display_name="nope"'}, timeout=10).json()
    assert none == {}

    def error(resp, code):
        assert resp.status_code == code, resp.text
        return resp.json()["error"]["message"]

    assert "display_name" in error(requests.post(f"{base}/datasets", json={"metadataSchemaUri": PROMPT_SCHEMA}), 400)
    assert "metadata" in error(requests.post(f"{base}/datasets", json={**body, "metadata": None}), 400)
    assert "metadata_schema_uri" in error(
        requests.post(f"{base}/datasets", json={**body, "metadataSchemaUri": "x"}), 400
    )
    assert "filter" in error(requests.get(f"{base}/datasets", params={"filter": "owner = me"}), 400)
    assert "cannot be updated" in error(requests.patch(f"{name_url}?updateMask=etag", json={}), 400)
    assert "not found" in error(requests.get(f"{base}/datasets/123"), 404)
    ident = name.rsplit("/", 1)[-1]
    assert "not found" in error(requests.get(f"{base}/datasets/{ident}/datasetVersions/9"), 404)
    assert "restore" in error(requests.get(f"{base}/datasets/{ident}/datasetVersions/1:undo"), 404)
