"""The `vertex` model provider (google-genai in Vertex mode) against the emulator."""

from __future__ import annotations

import json

import pytest

from llmops.core.errors import ConfigError, DataError, NotFoundError
from llmops.core.registry import create_backend
from llmops.core.types import HARM_CATEGORIES, GenerationConfig

QA = [
    ("How do I read a csv file with pandas?", "Use pandas.read_csv('file.csv')."),
    ("How to reverse a list in python?", "Use reversed(lst) or lst[::-1]."),
]


@pytest.fixture
def provider(emulated_settings):
    return create_backend("model", emulated_settings)


@pytest.fixture(scope="module")
def train_uri(storage_client):
    bucket = storage_client.create_bucket("vertex-provider-train")
    bucket.blob("train.jsonl").upload_from_string(
        "\n".join(json.dumps({"input_text_instruct": q, "output_text": a}) for q, a in QA)
    )
    return "gs://vertex-provider-train/train.jsonl"


def test_predict_keeps_ratings_usage_and_latency(provider):
    p = provider.predict("How do I read a csv file?", generation=GenerationConfig(max_output_tokens=20))
    assert p.text and not p.blocked and p.model == "text-bison@001"
    assert sorted(r.category for r in p.safety.ratings) == sorted(HARM_CATEGORIES)
    assert all(r.severity in ("NEGLIGIBLE", "LOW", "MEDIUM", "HIGH") for r in p.safety.ratings)
    assert p.usage.prompt_tokens > 0 and p.usage.output_tokens <= 20 and p.latency_ms > 0
    assert p.finish_reason == "MAX_TOKENS"
    assert p.to_vertex_dict()["safetyAttributes"]["safetyRatings"][0]["probabilityScore"] >= 0


def test_blocked_prompt_and_answer(provider, canned_responses):
    p = provider.predict("I will kill you, you stupid worthless idiot, I hate you", model="gemini-2.5-flash")
    assert p.blocked and p.prompt_blocked and p.text == "" and p.finish_reason == "SAFETY"
    assert any(r.blocked for r in p.safety.ratings)
    open_ = provider.predict(
        "I will kill you, you stupid worthless idiot, I hate you", model="gemini-2.5-flash", safety={"*": "BLOCK_NONE"}
    )
    assert not open_.blocked and open_.text
    canned_responses.add(prompt="forbidden recipe", response="step one...", safety={"dangerous": 0.9}, blocked=True)
    p = provider.predict("the forbidden recipe please")
    assert p.blocked and not p.prompt_blocked and p.finish_reason == "SAFETY" and p.text == ""


def test_citations_are_kept(provider, canned_responses):
    canned_responses.add(
        exact="cite me",
        response="Quoted answer.",
        citations=[
            {
                "start_index": 0,
                "end_index": 14,
                "uri": "https://stackoverflow.com/a/9",
                "title": "T",
                "license": "CC BY-SA 4.0",
                "publication_date": "2021-03-04",
            }
        ],
    )
    p = provider.predict("cite me")
    (c,) = p.citations
    assert (c.start_index, c.end_index, c.uri, c.title, c.license, c.publication_date) == (
        0,
        14,
        "https://stackoverflow.com/a/9",
        "T",
        "CC BY-SA 4.0",
        "2021-03-04",
    )


def test_tune_list_deploy_alias_and_predict_tuned(provider, train_uri):
    job = provider.tune("text-bison@001", train_uri, epochs=2, display_name="provider-tuned")
    assert job.state == "JOB_STATE_SUCCEEDED" and job.train_uri == train_uri
    tuned = job.tuned_model
    assert tuned.name.startswith("projects/llmops-emulated/locations/us-central1/models/") and "@" not in tuned.name
    assert tuned.endpoint and tuned.base_model == "text-bison@001"
    assert provider.get_tuning_job(job.name).state == "JOB_STATE_SUCCEEDED"
    listed = {m.name: m for m in provider.list_tuned_models()}
    assert listed[tuned.name].base_model == "text-bison@001" and listed[tuned.name].endpoint == tuned.endpoint
    assert provider.deploy(tuned).name == tuned.endpoint
    answer = provider.predict("reverse a list in python", model=tuned.name)
    assert answer.text == QA[1][1] and answer.citations and answer.citations[0].title == QA[1][0]
    assert provider.predict("reverse a list in python", model=tuned.endpoint).text == QA[1][1]
    assert provider.set_alias(tuned.name, "champion").aliases == ["champion"]
    assert provider.predict("read a csv file with pandas", model="champion").text == QA[0][1]
    batch = provider.predict_batch(["read a csv file with pandas", "reverse a list in python"], model="champion")
    assert [b.text for b in batch] == [QA[0][1], QA[1][1]]


def test_bad_inputs(provider, train_uri):
    with pytest.raises(NotFoundError):
        provider.predict("hi", model="no-such-model@001")
    with pytest.raises(DataError, match="temperature"):
        provider.predict("hi", generation=GenerationConfig(temperature=9))
    with pytest.raises(DataError, match="empty"):
        provider.predict("   ")
    with pytest.raises(ConfigError, match="Cloud Storage"):
        provider.tune("text-bison@001", "/local/train.jsonl")
    failed = provider.tune("text-bison@001", "gs://vertex-provider-train/missing.jsonl")
    assert failed.state == "JOB_STATE_FAILED" and "missing.jsonl" in failed.error
    with pytest.raises(NotFoundError):
        provider.get_tuned_model("models/12345")
    with pytest.raises(ConfigError, match="alias"):
        provider.set_alias("models/12345", "Bad Alias")


def test_base_models_are_the_publisher_models_vertex_lists(provider):
    names = provider.list_base_models()
    assert names[0] == "text-bison@001"  # the profile's base model first
    assert "gemini-2.0-flash" in names and len(names) == len(set(names))
