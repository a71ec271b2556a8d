"""Structured output through google-genai: JSON conforming to the schema, built from the prompt."""

from __future__ import annotations

import enum
import json

import httpx
import pytest
from google.genai import types
from pydantic import BaseModel, Field

PROMPT = 'Describe the library "llmops": stars: 42, kind lib, homepage: https://example.org. Tags python and mlops.'


class Kind(enum.Enum):
    LIB = "lib"
    APP = "app"


class Library(BaseModel):
    name: str
    stars: int
    tags: list[str] = Field(min_length=1, max_length=3)
    kind: Kind
    homepage: str | None = None


def _json(client, prompt, **config):
    return client.models.generate_content(
        model="gemini-2.0-flash",
        contents=prompt,
        config=types.GenerateContentConfig(response_mime_type="application/json", **config),
    )


def test_pydantic_schema_gives_parsed_model_from_the_prompt(genai_client):
    r = _json(genai_client, PROMPT, response_schema=Library)
    lib = r.parsed
    assert isinstance(lib, Library)
    assert lib.name == "llmops" and lib.stars == 42 and lib.kind is Kind.LIB
    assert lib.homepage == "https://example.org" and 1 <= len(lib.tags) <= 3
    assert list(json.loads(r.text)) == ["name", "stars", "tags", "kind", "homepage"]
    other = _json(genai_client, 'Describe the app "viewer": stars: 7, kind app.', response_schema=Library).parsed
    assert (other.name, other.stars, other.kind) == ("viewer", 7, Kind.APP)


def test_dict_schema_with_property_ordering(genai_client):
    schema = {
        "type": "object",
        "properties": {"b": {"type": "integer"}, "a": {"type": "STRING"}},
        "property_ordering": ["a", "b"],
    }
    r = _json(genai_client, "a is hello, b is 5", response_schema=schema)
    assert list(json.loads(r.text).items()) == [("a", "hello"), ("b", 5)] and r.parsed == {"a": "hello", "b": 5}


def test_list_of_models_and_response_json_schema(genai_client):
    items = _json(genai_client, "List libraries: pandas, numpy", response_schema=list[Library]).parsed
    assert items and all(isinstance(x, Library) for x in items)
    js = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "zip": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
        "required": ["city"],
        "$defs": {},
    }
    r = _json(genai_client, "Where is it? city: Boston", response_json_schema=js)
    assert r.parsed["city"] == "Boston"


def test_enum_mime_type(genai_client):
    r = genai_client.models.generate_content(
        model="gemini-2.0-flash",
        contents="Is pandas an app or a lib? It is a lib.",
        config=types.GenerateContentConfig(response_mime_type="text/x.enum", response_schema=Kind),
    )
    assert r.text == "lib" and r.parsed is Kind.LIB


def _raw(emulator, body):
    url = (
        f"{emulator.endpoint}/v1beta1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:generateContent"
    )
    return httpx.post(url, json={"contents": [{"role": "user", "parts": [{"text": "hi"}]}], **body})


def test_aiplatform_numeric_types_and_camel_ordering(llmops_emulator):
    schema = {"type": 6, "properties": {"b": {"type": 3}, "a": {"type": 1}}, "propertyOrdering": ["a", "b"]}
    r = _raw(llmops_emulator, {"generationConfig": {"responseMimeType": "application/json", "responseSchema": schema}})
    text = r.json()["candidates"][0]["content"]["parts"][0]["text"]
    assert list(json.loads(text)) == ["a", "b"] and isinstance(json.loads(text)["b"], int)


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({"responseMimeType": "application/json", "responseSchema": {"type": "OBJECT", "oneOf": []}}, '"oneOf"'),
        ({"responseMimeType": "application/json", "responseSchema": {"type": "WIDGET"}}, "WIDGET"),
        ({"responseMimeType": "application/json", "responseSchema": {"type": "ARRAY"}}, "items"),
        (
            {
                "responseMimeType": "application/json",
                "responseSchema": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}, "required": ["b"]},
            },
            "'b'",
        ),
        (
            {
                "responseMimeType": "application/json",
                "responseSchema": {
                    "type": "OBJECT",
                    "properties": {"a": {"type": "STRING"}},
                    "propertyOrdering": ["z"],
                },
            },
            "property_ordering",
        ),
        ({"responseMimeType": "text/csv"}, "text/csv"),
        ({"responseSchema": {"type": "STRING"}}, "response_mime_type"),
        ({"responseMimeType": "text/x.enum", "responseSchema": {"type": "STRING"}}, "enum"),
        (
            {"responseMimeType": "application/json", "responseSchema": {"type": "STRING"}, "responseJsonSchema": {}},
            "both",
        ),
    ],
)
def test_bad_schemas_are_400_and_the_server_keeps_serving(llmops_emulator, genai_client, config, needle):
    r = _raw(llmops_emulator, {"generationConfig": config})
    err = r.json()["error"]
    assert r.status_code == 400 and err["status"] == "INVALID_ARGUMENT" and needle in err["message"], err
    assert genai_client.models.generate_content(model="gemini-2.0-flash", contents="still there?").text


def test_vertexai_generative_model_numeric_enums(aiplatform_init):
    from vertexai.generative_models import GenerationConfig, GenerativeModel, HarmBlockThreshold, HarmCategory

    model = GenerativeModel("gemini-2.0-flash")
    r = model.generate_content(
        "Pick one: a is hello, b is 5",
        generation_config=GenerationConfig(
            response_mime_type="application/json",
            response_schema={"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
        ),
        safety_settings={HarmCategory.HARM_CATEGORY_HARASSMENT: HarmBlockThreshold.BLOCK_NONE},
    )
    assert json.loads(r.text) == {"a": "hello", "b": 5}
    assert model.count_tokens("why is the sky blue?").total_tokens == 5
    info = model.compute_tokens("why is the sky blue?").tokens_info
    assert len(info[0].token_ids) == 5
