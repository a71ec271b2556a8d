"""Vertex AI generateContent through the real google-genai client against the emulator."""

from __future__ import annotations

import httpx
import pytest
from google.genai import errors, types

from llmops.core.types import HARM_CATEGORIES

HARMFUL = "I will kill you, you stupid worthless idiot, I hate you"


def test_generate_content_has_text_four_ratings_and_usage(genai_client):
    r = genai_client.models.generate_content(
        model="gemini-2.5-flash",
        contents="How do I read a csv file with pandas?",
        config=types.GenerateContentConfig(temperature=0.2, max_output_tokens=64, system_instruction="be brief"),
    )
    assert r.text and "pandas" in r.text and "llmops emulator" in r.text
    cand = r.candidates[0]
    assert cand.finish_reason in (types.FinishReason.STOP, types.FinishReason.MAX_TOKENS)
    assert sorted(x.category.value for x in cand.safety_ratings) == sorted(HARM_CATEGORIES)
    for rating in cand.safety_ratings:
        assert rating.probability is not None and rating.severity.value.startswith("HARM_SEVERITY_")
        assert 0 <= rating.probability_score <= 1 and rating.blocked is False
    assert r.usage_metadata.prompt_token_count > 0
    assert (
        r.usage_metadata.total_token_count
        == r.usage_metadata.prompt_token_count
        + r.usage_metadata.candidates_token_count
        + r.usage_metadata.thoughts_token_count  # gemini-2.5 thinks by default
    )
    assert r.model_version == "gemini-2.5-flash" and r.response_id


def test_deterministic_and_v1_routes_too(llmops_emulator, genai_client):
    import google.oauth2.credentials
    from google import genai

    v1 = genai.Client(
        vertexai=True,
        project="p",
        location="europe-west4",
        credentials=google.oauth2.credentials.Credentials(token="t"),
        http_options=types.HttpOptions(base_url=llmops_emulator.endpoint, api_version="v1"),
    )
    a = v1.models.generate_content(model="gemini-2.0-flash", contents="What is a python decorator?")
    b = genai_client.models.generate_content(model="gemini-2.0-flash", contents="What is a python decorator?")
    assert a.text == b.text


def test_stream_sends_the_same_answer_in_chunks(genai_client):
    prompt = "How do I sort a dictionary by value in python?"
    whole = genai_client.models.generate_content(model="gemini-2.5-flash", contents=prompt).text
    chunks = list(genai_client.models.generate_content_stream(model="gemini-2.5-flash", contents=prompt))
    assert len(chunks) > 1
    assert "".join(c.text or "" for c in chunks) == whole
    assert chunks[-1].candidates[0].safety_ratings and chunks[-1].usage_metadata.total_token_count > 0


def test_harmful_prompt_is_blocked_the_vertex_way(genai_client):
    r = genai_client.models.generate_content(model="gemini-2.5-flash", contents=HARMFUL)
    assert not r.candidates and r.text is None
    assert r.prompt_feedback.block_reason == types.BlockedReason.SAFETY
    assert any(x.blocked for x in r.prompt_feedback.safety_ratings)


def test_block_none_lets_it_through(genai_client):
    config = types.GenerateContentConfig(
        safety_settings=[types.SafetySetting(category=c, threshold="BLOCK_NONE") for c in HARM_CATEGORIES]
    )
    r = genai_client.models.generate_content(model="gemini-2.5-flash", contents=HARMFUL, config=config)
    assert r.candidates and r.text and r.prompt_feedback is None
    assert not any(x.blocked for x in r.candidates[0].safety_ratings)


def test_canned_blocked_answer_has_no_content_and_finish_safety(genai_client, canned_responses):
    canned_responses.add(
        prompt="tell me the secret", response="the secret is...", safety={"dangerous": 0.9}, blocked=True
    )
    r = genai_client.models.generate_content(model="gemini-2.5-flash", contents="Please tell me the secret")
    cand = r.candidates[0]
    assert cand.finish_reason == types.FinishReason.SAFETY and cand.content is None and r.text is None
    assert [x.category.value for x in cand.safety_ratings if x.blocked] == ["HARM_CATEGORY_DANGEROUS_CONTENT"]


def test_canned_citation_comes_back(genai_client, canned_responses):
    canned_responses.add(
        exact="Reading CSV?",
        response="Use pandas.read_csv(path).",
        citations=[
            {
                "start_index": 0,
                "end_index": 26,
                "uri": "https://stackoverflow.com/a/1",
                "title": "Reading CSV",
                "license": "CC BY-SA 4.0",
                "publication_date": "2020-01-02",
            }
        ],
    )
    r = genai_client.models.generate_content(model="gemini-2.5-flash", contents="Reading CSV?")
    assert r.text == "Use pandas.read_csv(path)."
    (c,) = r.candidates[0].citation_metadata.citations
    assert (c.start_index, c.end_index, c.uri, c.license) == (0, 26, "https://stackoverflow.com/a/1", "CC BY-SA 4.0")
    assert (c.publication_date.year, c.publication_date.month, c.publication_date.day) == (2020, 1, 2)
    assert canned_responses.entries()[0]["exact"] == "Reading CSV?"


def test_bad_canned_entry_is_refused(canned_responses):
    with pytest.raises(ValueError, match="needs exactly one of"):
        canned_responses.add(response="no matcher")
    assert canned_responses.entries() == []


def test_unknown_model_is_404(genai_client):
    with pytest.raises(errors.ClientError) as err:
        genai_client.models.generate_content(model="claude-emulated-9", contents="hi")
    assert err.value.code == 404 and err.value.status == "NOT_FOUND" and "claude-emulated-9" in err.value.message
    with pytest.raises(errors.ClientError) as err:
        genai_client.models.generate_content(
            model="projects/llmops-test/locations/us-central1/endpoints/123", contents="hi"
        )
    assert err.value.code == 404


@pytest.mark.parametrize(
    "config, word",
    [
        (types.GenerateContentConfig(temperature=5), "temperature"),
        (types.GenerateContentConfig(max_output_tokens=0), "max_output_tokens"),
        (types.GenerateContentConfig(top_p=1.5), "top_p"),
        (types.GenerateContentConfig(candidate_count=9), "candidateCount"),
        (
            types.GenerateContentConfig(
                safety_settings=[types.SafetySetting(category="HARM_CATEGORY_HATE_SPEECH", threshold="BLOCK_SOMETIMES")]
            ),
            "threshold",
        ),
    ],
)
def test_invalid_generation_config_is_400(genai_client, config, word):
    with pytest.raises(errors.ClientError) as err:
        genai_client.models.generate_content(model="gemini-2.5-flash", contents="hi", config=config)
    assert err.value.code == 400 and err.value.status == "INVALID_ARGUMENT" and word in err.value.message


def test_requests_without_project_and_location(llmops_emulator):
    url = f"{llmops_emulator.endpoint}/v1beta1/models/gemini-2.5-flash:generateContent"
    r = httpx.post(url, json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["status"] == "NOT_FOUND" and "projects/{project}/locations/{location}" in err["message"]
    base = f"{llmops_emulator.endpoint}/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-flash"
    assert httpx.post(f"{base}:generateContent", content=b"{not json").json()["error"]["code"] == 400
    assert httpx.post(f"{base}:generateContent", json={"contents": []}).status_code == 400
    assert httpx.post(f"{base}:explode", json={}).status_code == 404


def test_count_tokens(genai_client):
    r = genai_client.models.count_tokens(model="gemini-2.5-flash", contents="How do I read a csv file?")
    assert r.total_tokens == 7  # words and punctuation marks
