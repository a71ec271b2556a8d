"""Embeddings through google-genai and vertexai's TextEmbeddingModel, on the real WordLlama encoder."""

from __future__ import annotations

import warnings

import httpx
import numpy as np
import pytest
from google.genai import types

pytest.importorskip("wordllama")

SKY = "Why is the sky blue?"
PARAPHRASE = "What makes the sky look blue?"
UNRELATED = "How do I read a csv file with pandas?"


def _cos(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.mark.parametrize("model", ["text-embedding-005", "gemini-embedding-001"])
def test_embed_content_ranks_a_paraphrase_above_an_unrelated_sentence(genai_client, model):
    r = genai_client.models.embed_content(model=model, contents=[SKY, PARAPHRASE, UNRELATED])
    sky, para, other = (e.values for e in r.embeddings)
    assert len(sky) == {"text-embedding-005": 768, "gemini-embedding-001": 3072}[model]
    assert _cos(sky, para) > _cos(sky, other) + 0.2
    stats = r.embeddings[0].statistics
    assert stats.token_count > 0 and stats.truncated is False
    assert r.metadata.billable_character_count == len(SKY) + len(PARAPHRASE) + len(UNRELATED)


def test_output_dimensionality_task_type_and_title(genai_client):
    r = genai_client.models.embed_content(
        model="text-embedding-005",
        contents=[SKY],
        config=types.EmbedContentConfig(output_dimensionality=16, task_type="RETRIEVAL_DOCUMENT", title="Physics"),
    )
    values = r.embeddings[0].values
    assert len(values) == 16 and abs(np.linalg.norm(values) - 1) < 1e-5
    again = genai_client.models.embed_content(
        model="text-embedding-005",
        contents=[SKY],
        config=types.EmbedContentConfig(output_dimensionality=16, task_type="RETRIEVAL_DOCUMENT", title="Physics"),
    )
    assert again.embeddings[0].values == values


def test_long_input_is_truncated_or_refused(genai_client, llmops_emulator):
    long = "word " * 3000
    r = genai_client.models.embed_content(model="text-embedding-005", contents=[long])
    assert r.embeddings[0].statistics.truncated is True and r.embeddings[0].statistics.token_count == 2048
    url = f"{llmops_emulator.endpoint}/v1/projects/p/locations/l/publishers/google/models/text-embedding-005:predict"
    bad = httpx.post(url, json={"instances": [{"content": long}], "parameters": {"autoTruncate": False}})
    assert bad.status_code == 400 and "autoTruncate" in bad.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"instances": [{"content": "a"}], "parameters": {"outputDimensionality": 5000}}, "1 to 768"),
        ({"instances": [{"content": "a", "task_type": "GUESSING"}]}, "GUESSING"),
        ({"instances": [{"content": "a", "title": "t"}]}, "RETRIEVAL_DOCUMENT"),
        ({"instances": [{"text": "a"}]}, "content"),
        ({"instances": []}, "instances"),
    ],
)
def test_bad_embedding_requests_are_400(llmops_emulator, body, needle):
    url = f"{llmops_emulator.endpoint}/v1/projects/p/locations/l/publishers/google/models/text-embedding-005:predict"
    r = httpx.post(url, json=body)
    assert r.status_code == 400 and needle in r.json()["error"]["message"]


def test_legacy_text_embedding_model(aiplatform_init):
    from vertexai.language_models import TextEmbeddingInput, TextEmbeddingModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = TextEmbeddingModel.from_pretrained("text-embedding-005")
    out = model.get_embeddings(
        [TextEmbeddingInput(SKY, task_type="RETRIEVAL_DOCUMENT", title="t"), PARAPHRASE, UNRELATED],
        output_dimensionality=64,
        auto_truncate=False,
    )
    assert [len(e.values) for e in out] == [64, 64, 64]
    assert out[1].statistics.token_count > 0 and out[1].statistics.truncated is False
    assert _cos(out[1].values, model.get_embeddings([SKY])[0].values[:64]) > _cos(out[1].values, out[2].values)
