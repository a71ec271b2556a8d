"""Prompt versions through Google's SDKs against the emulator's `datasets` and `datasetVersions`:
`vertexai.Client().prompts` (create, two more versions, list_versions, get_version, restore,
delete), and the known client-side failure of `vertexai.preview.prompts` on a second version."""

from __future__ import annotations

import pytest


def _prompt(text: str) -> dict:
    return {
        "prompt_data": {
            "contents": [{"role": "user", "parts": [{"text": text}]}],
            "model": "gemini-2.0-flash",
            "variables": [{"question": {"text": "How to read csv?"}}],
        }
    }


def _text(prompt) -> str:
    return prompt.prompt_data.contents[0].parts[0].text


def test_client_prompts_versions_restore_and_delete(llmops_emulator):
    import google.oauth2.credentials
    import vertexai
    from google.genai import types

    client = vertexai.Client(
        project="llmops-prompts",
        location="us-central1",
        credentials=google.oauth2.credentials.Credentials(token="emulator"),
        http_options=types.HttpOptions(base_url=llmops_emulator.endpoint),
    )
    first = client.prompts.create_version(
        prompt=_prompt("Answer: {question}"), config={"prompt_display_name": "so", "version_display_name": "v1"}
    )
    pid = first.prompt_id
    assert first.version_id == "1"
    second = client.prompts.update(
        prompt_id=pid, prompt=_prompt("Q: {question}"), config={"version_display_name": "v2"}
    )
    third = client.prompts.update(
        prompt_id=pid, prompt=_prompt("Q2: {question}"), config={"version_display_name": "v3"}
    )
    assert (second.prompt_id, second.version_id, third.version_id) == (pid, "2", "3")
    assert [(v.prompt_id, v.version_id) for v in client.prompts.list_versions(prompt_id=pid)] == [
        (pid, "1"),
        (pid, "2"),
        (pid, "3"),
    ]
    assert _text(client.prompts.get(prompt_id=pid)) == "Q2: {question}"
    # get_version returns the dataset's prompt with the version resource attached (as on Google)
    v1 = client.prompts.get_version(prompt_id=pid, version_id="1")
    assert v1._dataset_version.display_name == "v1"
    kept = v1._dataset_version.metadata.prompt_api_schema.multimodal_prompt.prompt_message
    assert kept.contents[0].parts[0].text == "Answer: {question}"  # the version's own copy

    client.prompts.restore_version(prompt_id=pid, version_id="1")
    assert _text(client.prompts.get(prompt_id=pid)) == "Answer: {question}"
    client.prompts.delete(prompt_id=pid)
    assert pid not in [p.prompt_id for p in client.prompts.list()]


@pytest.mark.xfail(
    strict=True,
    reason="vertexai.preview.prompts builds the update mask as camelCase paths ('modelReference'), which "
    "protobuf's JSON printer refuses under REST transport before any request is sent (the SDK's own "
    "bug; gRPC, its default on Google Cloud, accepts it). Strict: the test fails once the SDK is fixed.",
)
def test_preview_sdk_second_version_under_rest(aiplatform_init):
    from vertexai.preview import prompts
    from vertexai.preview.prompts import Prompt

    first = prompts.create_version(
        prompt=Prompt(prompt_data="Answer: {question}", prompt_name="twice", model_name="gemini-2.0-flash"),
        version_name="v1",
    )
    got = prompts.get(first.prompt_id)
    got.prompt_data = "Q: {question}"
    assert prompts.create_version(prompt=got, version_name="v2").version_id == "2"
