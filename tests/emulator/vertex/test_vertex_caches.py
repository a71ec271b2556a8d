"""Context caches through google-genai."""

from __future__ import annotations

import datetime

import pytest
from google.genai import errors, types

DOC = "The llmops emulator answers Vertex AI requests offline. " * 20


def test_cache_crud_and_cached_tokens_in_usage(genai_client):
    cache = genai_client.caches.create(
        model="gemini-2.0-flash",
        config=types.CreateCachedContentConfig(
            contents=[types.Content(role="user", parts=[types.Part(text=DOC)])],
            system_instruction="Answer from the document.",
            ttl="600s",
            display_name="doc",
        ),
    )
    assert cache.name.endswith(cache.name.rsplit("/", 1)[-1]) and cache.usage_metadata.total_token_count > 100
    assert genai_client.caches.get(name=cache.name).display_name == "doc"
    assert cache.name in [c.name for c in genai_client.caches.list()]
    r = genai_client.models.generate_content(
        model="gemini-2.0-flash",
        contents="What does the emulator answer?",
        config=types.GenerateContentConfig(cached_content=cache.name),
    )
    u = r.usage_metadata
    assert u.cached_content_token_count == cache.usage_metadata.total_token_count
    assert u.prompt_token_count > u.cached_content_token_count
    later = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    updated = genai_client.caches.update(name=cache.name, config=types.UpdateCachedContentConfig(expire_time=later))
    assert updated.expire_time.year == 2030
    genai_client.caches.delete(name=cache.name)
    with pytest.raises(errors.ClientError) as info:
        genai_client.caches.get(name=cache.name)
    assert info.value.code == 404
    with pytest.raises(errors.ClientError) as info:
        genai_client.models.generate_content(
            model="gemini-2.0-flash", contents="hi", config=types.GenerateContentConfig(cached_content=cache.name)
        )
    assert info.value.code == 404


def test_expired_cache_and_bad_ttl(genai_client):
    cache = genai_client.caches.create(
        model="gemini-2.0-flash",
        config=types.CreateCachedContentConfig(contents=[DOC], ttl="0.2s"),
    )
    import time

    time.sleep(0.3)
    with pytest.raises(errors.ClientError) as info:
        genai_client.models.generate_content(
            model="gemini-2.0-flash", contents="hi", config=types.GenerateContentConfig(cached_content=cache.name)
        )
    assert info.value.code == 400 and "expired" in info.value.message
    with pytest.raises(errors.ClientError) as info:
        genai_client.caches.create(
            model="gemini-2.0-flash", config=types.CreateCachedContentConfig(contents=[DOC], ttl="soon")
        )
    assert info.value.code == 400 and "soon" in info.value.message
