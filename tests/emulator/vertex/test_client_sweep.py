"""Commonly used client calls, swept through aiplatform, vertexai and google-genai against the
emulator: endpoint updates and list filters, model versions, what is refused by name (model
upload, image generation), the async client, and the embedding encoder and its JSON."""

from __future__ import annotations

import asyncio
import json
import warnings

import httpx
import numpy as np
import pytest
from google.api_core import exceptions
from google.genai import errors, types

V1 = "/v1/projects/llmops-test/locations/us-central1"


@pytest.fixture(scope="module")
def tuned_model(storage_client, genai_client):
    bucket = storage_client.create_bucket("vertex-client-sweep")
    bucket.blob("t.jsonl").upload_from_string(
        json.dumps({"input_text": "What is the capital of Peru?", "output_text": "Lima is the capital."})
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = genai_client.tunings.tune(
            base_model="text-bison@001",
            training_dataset=types.TuningDataset(gcs_uri="gs://vertex-client-sweep/t.jsonl"),
        )
    job = genai_client.tunings.get(name=job.name)
    assert job.has_succeeded
    return job.tuned_model.model.split("@")[0]


@pytest.fixture(scope="module")
def http(llmops_emulator):
    with httpx.Client(base_url=llmops_emulator.endpoint, timeout=30) as client:
        yield client


# --- endpoints ---------------------------------------------------------------------------------


def test_endpoint_update_display_name_labels_and_traffic_split(aiplatform_init, tuned_model, http):
    from google.cloud import aiplatform

    endpoint = aiplatform.Endpoint.create(display_name="sweep-before")
    aiplatform.Model(tuned_model).deploy(endpoint=endpoint)
    (deployed,) = endpoint.list_models()
    endpoint.update(display_name="sweep-after", description="renamed", labels={"stage": "blue"})
    again = aiplatform.Endpoint(endpoint.resource_name)
    assert again.display_name == "sweep-after" and again.gca_resource.description == "renamed"
    assert again.labels == {"stage": "blue"}
    assert endpoint.update(traffic_split={deployed.id: 100}).traffic_split == {deployed.id: 100}
    answer = endpoint.predict(instances=[{"content": "What is the capital of Peru?"}])
    assert answer.predictions[0]["content"] == "Lima is the capital."

    path = f"/v1/{endpoint.resource_name}"
    bad = http.patch(path, params={"updateMask": "trafficSplit"}, json={"trafficSplit": {deployed.id: 60}})
    assert bad.status_code == 400 and "100" in bad.json()["error"]["message"]
    bad = http.patch(path, params={"updateMask": "network"}, json={"network": "x"})
    assert bad.status_code == 400 and "network" in bad.json()["error"]["message"]
    bad = http.patch(path, params={"updateMask": "displayName"}, json={"displayName": " "})
    assert bad.status_code == 400
    assert http.patch(f"{V1}/endpoints/424242", params={"updateMask": "displayName"}, json={}).status_code == 404
    assert aiplatform.Endpoint(endpoint.resource_name).display_name == "sweep-after"  # nothing half-applied
    endpoint.undeploy_all()
    endpoint.delete()


def test_endpoint_and_model_lists_filter_on_labels_and_display_name(aiplatform_init, tuned_model, http):
    from google.cloud import aiplatform

    kept = aiplatform.Endpoint.create(display_name="sweep-filter", labels={"team": "geo"})
    other = aiplatform.Endpoint.create(display_name="sweep-other")
    try:
        assert [e.display_name for e in aiplatform.Endpoint.list(filter='labels.team="geo"')] == ["sweep-filter"]
        assert [e.resource_name for e in aiplatform.Endpoint.list(filter='display_name="sweep-other"')] == [
            other.resource_name
        ]
        assert not aiplatform.Endpoint.list(filter='labels.team="geo" AND display_name="sweep-other"')
        bad = http.get(f"{V1}/endpoints", params={"filter": "createTime>1"})
        assert bad.status_code == 400 and "createTime>1" in bad.json()["error"]["message"]
    finally:
        kept.delete()
        other.delete()
    name = aiplatform.Model(tuned_model).display_name
    found = aiplatform.Model.list(filter=f'display_name="{name}"')
    assert tuned_model in [m.resource_name for m in found]
    assert not aiplatform.Model.list(filter='display_name="no such model"')


# --- model versions ----------------------------------------------------------------------------


def test_model_versions_listed_addressed_and_the_default_kept(aiplatform_init, tuned_model, http):
    from google.cloud import aiplatform

    registry = aiplatform.Model(tuned_model).versioning_registry
    (only,) = registry.list_versions()
    assert only.version_id == "1" and "default" in only.version_aliases
    assert aiplatform.Model(f"{tuned_model}@1").version_id == "1"
    assert aiplatform.Model(tuned_model, version="default").version_id == "1"
    with pytest.raises(exceptions.NotFound, match="@2"):
        aiplatform.Model(tuned_model, version="2")
    with pytest.raises(exceptions.NotFound):
        registry.delete_version("2")
    with pytest.raises(exceptions.BadRequest, match="default version cannot be deleted"):
        registry.delete_version("1")
    assert [v.version_id for v in registry.list_versions()] == ["1"]
    ident = tuned_model.rsplit("/", 1)[-1]
    assert http.get(f"{V1}/models/{ident}@2:generateContent").status_code == 404
    refused = http.delete(f"{V1}/models/{ident}")  # the tuning job's endpoint still serves it
    assert refused.status_code == 400 and "undeploy" in refused.json()["error"]["message"]


def test_model_upload_is_refused_by_name(aiplatform_init, tuned_model):
    from google.cloud import aiplatform

    with pytest.raises(exceptions.BadRequest, match="models:upload .* not emulated"):
        aiplatform.Model.upload(
            display_name="from-container",
            parent_model=tuned_model,
            artifact_uri="gs://vertex-client-sweep/",
            serving_container_image_uri="us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest",
        )


# --- google-genai ------------------------------------------------------------------------------


def test_image_generation_is_a_named_400(genai_client):
    with pytest.raises(errors.ClientError) as caught:
        genai_client.models.generate_images(model="imagen-3.0-generate-002", prompt="a cat")
    assert caught.value.code == 400 and "not emulated" in caught.value.message
    with pytest.raises(errors.ClientError) as caught:
        genai_client.models.generate_content(model="gemini-9.9-nonesuch", contents="hi")
    assert caught.value.code == 404


def test_async_client_generates_streams_and_chats_in_one_loop(genai_client):
    async def run() -> tuple[str, int, str, int]:
        aio = genai_client.aio
        plain = await aio.models.generate_content(model="gemini-2.0-flash", contents="What is a list?")
        chunks = [
            c.text async for c in await aio.models.generate_content_stream(model="gemini-2.0-flash", contents="x")
        ]
        chat = aio.chats.create(model="gemini-2.0-flash")
        reply = await chat.send_message("What is a tuple?")
        tokens = await aio.models.count_tokens(model="gemini-2.0-flash", contents="hello there")
        return plain.text, len(chunks), reply.text, tokens.total_tokens

    plain, chunks, reply, tokens = asyncio.run(run())
    sync = genai_client.models.generate_content(model="gemini-2.0-flash", contents="What is a list?")
    counted = genai_client.models.count_tokens(model="gemini-2.0-flash", contents="hello there").total_tokens
    assert plain == sync.text and chunks >= 1 and reply and tokens == counted


# --- embeddings --------------------------------------------------------------------------------


def test_encoder_matches_wordllama_and_counts_and_cuts_tokens():
    pytest.importorskip("wordllama")
    from llmops import embeddings

    texts = ["", "sky", "Why is the sky blue? " * 40, "héllo wörld 日本語", "word " * 300]
    model = embeddings.load_model()
    raw = model.embed(texts, norm=False)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    expected = raw / np.where(norms == 0, 1, norms)
    out = embeddings.encode(texts, 256)
    assert np.abs(out.vectors - expected).max() < 1e-5
    assert out.token_counts.tolist() == [len(ids) for ids in embeddings.token_ids(texts)]
    assert out.token_counts[0] == 0 and not out.vectors[0].any()
    cut = embeddings.encode(texts, 768, max_tokens=100)
    assert cut.truncated.tolist() == [c > 100 for c in out.token_counts]
    assert cut.vectors.shape == (5, 768) and not cut.vectors[:, 256:].any()
    assert np.abs(cut.vectors[1, :256] - out.vectors[1]).max() < 1e-6  # short texts are not cut
    assert np.abs(cut.vectors[4, :256] - out.vectors[4]).max() > 1e-4  # the long one is
    assert embeddings.embed(texts, 8).shape == (5, 8)


def test_embedding_json_carries_the_encoder_vectors(genai_client):
    pytest.importorskip("wordllama")
    from llmops.embeddings import embed

    texts = ["Why is the sky blue?", "Blue light scatters more.", "What makes the sky look blue?"]
    for model, width in (("text-embedding-005", 768), ("gemini-embedding-001", 3072)):
        got = genai_client.models.embed_content(model=model, contents=texts).embeddings
        values = np.array([e.values for e in got])
        assert values.shape == (3, width)
        assert np.abs(values - embed(texts, width)).max() <= 5e-10
    cut = genai_client.models.embed_content(
        model="text-embedding-005", contents=texts[:1], config=types.EmbedContentConfig(output_dimensionality=5)
    )
    assert np.abs(np.array(cut.embeddings[0].values) - embed(texts[:1], 5)[0]).max() <= 5e-10


def test_model_delete_refused_while_deployed_then_done(aiplatform_init, genai_client, storage_client, http):
    from google.cloud import aiplatform

    # A bucket of its own: under xdist the module's tuned_model fixture may not have run here.
    storage_client.create_bucket("vertex-client-sweep-delete").blob("d.jsonl").upload_from_string(
        json.dumps({"input_text": "Name a primary colour.", "output_text": "Red."})
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        job = genai_client.tunings.tune(
            base_model="text-bison@001",
            training_dataset=types.TuningDataset(gcs_uri="gs://vertex-client-sweep-delete/d.jsonl"),
        )
    job = genai_client.tunings.get(name=job.name)
    name = job.tuned_model.model.split("@")[0]
    aiplatform.models.ModelRegistry(name).add_version_aliases(["doomed"], version="1")
    model = aiplatform.Model(name)
    with pytest.raises(exceptions.BadRequest, match="undeploy"):
        model.delete()
    aiplatform.Endpoint(job.tuned_model.endpoint).undeploy_all()
    model.delete()
    with pytest.raises(exceptions.NotFound):
        aiplatform.Model(name)
    assert name not in [m.resource_name for m in aiplatform.Model.list()]
    assert genai_client.tunings.get(name=job.name).has_succeeded  # the job stays
    with pytest.raises(errors.ClientError) as caught:
        genai_client.models.delete(model=name)
    assert caught.value.code == 404
    answer = http.post(f"/v1/{name}:generateContent", json={"contents": [{"role": "user", "parts": [{"text": "x"}]}]})
    assert answer.status_code == 404


# --- vertexai generative models ------------------------------------------------------------------


def test_vertexai_chat_session_calls_a_declared_function_and_uses_its_result(aiplatform_init):
    from vertexai.generative_models import FunctionDeclaration, GenerativeModel, Part, Tool

    weather = FunctionDeclaration(
        name="get_weather",
        description="Weather for a city",
        parameters={"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GenerativeModel(
            "gemini-2.0-flash", system_instruction="Be terse", tools=[Tool.from_function_declarations([weather])]
        )
        chat = model.start_chat()
        first = chat.send_message("What is the weather in Lima?")
        (call,) = first.candidates[0].function_calls
        assert call.name == "get_weather" and dict(call.args) == {"location": "Lima"}
        second = chat.send_message(Part.from_function_response(name="get_weather", response={"content": "sunny"}))
        assert "sunny" in second.text and len(chat.history) == 4
        counted = model.count_tokens("What is the weather in Lima?")
        assert counted.total_tokens == first.usage_metadata.prompt_token_count > 0


def test_system_instruction_tools_and_a_json_schema_together(genai_client):
    from pydantic import BaseModel

    class City(BaseModel):
        city: str
        population: int

    def weather(location: str) -> str:
        """Returns the weather in a city."""
        return "sunny"

    answer = genai_client.models.generate_content(
        model="gemini-2.0-flash",
        contents="What is the capital of Peru?",
        config=types.GenerateContentConfig(
            system_instruction="Answer in JSON.",
            tools=[weather],
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
            response_mime_type="application/json",
            response_schema=City,
        ),
    )
    assert isinstance(answer.parsed, City) and answer.parsed.city
