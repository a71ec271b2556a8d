"""Vertex AI's OpenAI-compatible Chat Completions through the real `openai` SDK against the emulator."""

from __future__ import annotations

import json

import openai
import pytest
from google.genai import types

HARMFUL = "I will kill you, you stupid worthless idiot, I hate you"
QUESTION = "How can I load a csv file using Pandas?"


def _base(endpoint: str, version: str = "v1beta1", project: str = "llmops-test", location: str = "us-central1") -> str:
    return f"{endpoint}/{version}/projects/{project}/locations/{location}/endpoints/openapi"


@pytest.fixture(scope="module")
def client(llmops_emulator):
    with openai.OpenAI(base_url=_base(llmops_emulator.endpoint), api_key="emulator", max_retries=0) as c:
        yield c


def test_completion_has_text_usage_and_finish_reason(client):
    r = client.chat.completions.create(
        model="google/gemini-2.0-flash-001",
        messages=[{"role": "user", "content": QUESTION}],
        temperature=0,
        max_tokens=200,
    )
    assert r.object == "chat.completion" and r.model == "google/gemini-2.0-flash-001" and r.id
    choice = r.choices[0]
    assert choice.message.role == "assistant" and "llmops emulator" in choice.message.content
    assert "pandas" in choice.message.content.lower()
    assert choice.finish_reason in ("stop", "length")
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_same_answer_as_generate_content_system_message_and_content_parts(client, genai_client):
    system = "Answer in capital letters."
    chat = client.chat.completions.create(
        model="google/gemini-2.5-flash",
        messages=[
            {"role": "system", "content": system},
            {
                "role": "user",
                "content": [{"type": "text", "text": "What is a python "}, {"type": "text", "text": "decorator?"}],
            },
        ],
        temperature=0.5,
        seed=7,
        max_tokens=128,
    )
    gemini = genai_client.models.generate_content(
        model="gemini-2.5-flash",
        contents="What is a python decorator?",
        config=types.GenerateContentConfig(temperature=0.5, seed=7, max_output_tokens=128, system_instruction=system),
    )
    assert chat.choices[0].message.content == gemini.text
    assert chat.choices[0].message.content.isupper()


def test_v1_path_too_and_n_choices_differ(llmops_emulator):
    with openai.OpenAI(base_url=_base(llmops_emulator.endpoint, "v1", "p", "europe-west4"), api_key="k") as c:
        r = c.chat.completions.create(
            model="google/gemini-2.0-flash",
            messages=[{"role": "user", "content": "How do I sort a list in python?"}],
            n=3,
            temperature=1.0,
        )
    assert [ch.index for ch in r.choices] == [0, 1, 2]
    assert len({ch.message.content for ch in r.choices}) > 1
    assert r.usage.completion_tokens == sum(
        len(ch.message.content) // 4 + (len(ch.message.content) % 4 > 0) for ch in r.choices
    )


def test_max_tokens_cuts_with_finish_length_and_stop_sequences_cut_with_stop(client):
    messages = [{"role": "user", "content": QUESTION}]
    short = client.chat.completions.create(model="google/gemini-2.0-flash", messages=messages, max_tokens=5)
    assert short.choices[0].finish_reason == "length" and short.usage.completion_tokens <= 5
    whole = client.chat.completions.create(model="google/gemini-2.0-flash", messages=messages, temperature=0)
    text = whole.choices[0].message.content
    word = text.split()[3]
    cut = client.chat.completions.create(model="google/gemini-2.0-flash", messages=messages, temperature=0, stop=[word])
    assert cut.choices[0].message.content == text[: text.find(word)]
    assert cut.choices[0].finish_reason == "stop"
    assert cut.usage.completion_tokens < whole.usage.completion_tokens


def test_stream_sends_the_same_answer_in_chunks_then_usage(client):
    kwargs = dict(model="google/gemini-2.0-flash", messages=[{"role": "user", "content": QUESTION}], temperature=0)
    whole = client.chat.completions.create(**kwargs)
    chunks = list(client.chat.completions.create(stream=True, stream_options={"include_usage": True}, **kwargs))
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    text_chunks = [c for c in chunks if c.choices]
    assert len(text_chunks) > 1 and text_chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in text_chunks) == whole.choices[0].message.content
    assert text_chunks[-1].choices[0].finish_reason == whole.choices[0].finish_reason
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens == whole.usage.total_tokens


def test_stream_ends_with_done(http):
    url = "/v1/projects/p/locations/us-central1/endpoints/openapi/chat/completions"
    body = {"model": "google/gemini-2.0-flash", "messages": [{"role": "user", "content": "hi there"}], "stream": True}
    r = http.post(url, json=body)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = [line.removeprefix("data: ") for line in r.text.split("\n\n") if line]
    assert events[-1] == "[DONE]"
    assert all(json.loads(e)["object"] == "chat.completion.chunk" for e in events[:-1])


def test_blocked_prompt_has_no_content_and_finish_content_filter(client):
    r = client.chat.completions.create(model="google/gemini-2.0-flash", messages=[{"role": "user", "content": HARMFUL}])
    assert r.choices[0].message.content is None and r.choices[0].finish_reason == "content_filter"


def _error(exc_info) -> dict:
    body = exc_info.value.body
    assert isinstance(body, list) and len(body) == 1
    err = body[0]["error"]
    assert err["code"] == exc_info.value.status_code and err["message"] and err["status"]
    return err


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "assistant", "content": "hello"}]}, "model turn"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}, "text only"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "role"),
        ({"n": 9}, "between 1 and 8"),
        ({"temperature": 5}, "temperature"),
        ({"model": "gemini-2.0-flash"}, "publisher/model"),
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
    ],
)
def test_bad_requests_are_400_in_the_endpoints_error_shape(client, kwargs, words):
    args = {"model": "google/gemini-2.0-flash", "messages": [{"role": "user", "content": "hi"}], **kwargs}
    with pytest.raises(openai.BadRequestError) as exc_info:
        client.chat.completions.create(**args)
    err = _error(exc_info)
    assert err["status"] == "INVALID_ARGUMENT" and words in err["message"]


def test_unknown_model_is_404(client):
    with pytest.raises(openai.NotFoundError) as exc_info:
        client.chat.completions.create(model="google/gemini-9-turbo", messages=[{"role": "user", "content": "hi"}])
    err = _error(exc_info)
    assert err["status"] == "NOT_FOUND" and "gemini-9-turbo" in err["message"]


def test_bad_json_and_unknown_field_are_400(http):
    url = "/v1beta1/projects/p/locations/us-central1/endpoints/openapi/chat/completions"
    r = http.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()[0]["error"]["status"] == "INVALID_ARGUMENT"
    r = http.post(url, json={"model": "google/gemini-2.0-flash", "messages": [], "wat": 1})
    assert r.status_code == 400 and "wat" in r.json()[0]["error"]["message"]
