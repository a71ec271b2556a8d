"""Agent Engine Sessions through `vertexai.Client().agent_engines.sessions` against the emulator."""

from __future__ import annotations

import datetime

import httpx
import pytest

ENGINE = "projects/llmops-test/locations/us-central1/reasoningEngines/42"


@pytest.fixture
def client(llmops_emulator):
    import google.oauth2.credentials
    import vertexai
    from google.genai import types

    return vertexai.Client(
        project="llmops-test",
        location="us-central1",
        credentials=google.oauth2.credentials.Credentials(token="emulator"),
        http_options=types.HttpOptions(base_url=llmops_emulator.endpoint),
    )


def test_session_lifecycle_and_events(client):
    sessions = client.agent_engines.sessions
    op = sessions.create(name=ENGINE, user_id="u1", config={"display_name": "chat", "session_state": {"k": 1}})
    session = op.response
    assert session.name.startswith(f"{ENGINE}/sessions/") and session.user_id == "u1"
    assert session.display_name == "chat" and session.session_state == {"k": 1}
    other = sessions.create(name=ENGINE, user_id="u2").response

    stamp = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for n, (role, text) in enumerate([("user", "hello"), ("model", "hi there")]):
        sessions.events.append(
            name=session.name,
            author=role,
            invocation_id=f"i{n}",
            timestamp=stamp,
            config={"content": {"role": role, "parts": [{"text": text}]}, "actions": {"state_delta": {"turn": n}}},
        )
    events = list(sessions.events.list(name=session.name))
    assert [(e.author, e.content.parts[0].text) for e in events] == [("user", "hello"), ("model", "hi there")]
    assert events[0].invocation_id == "i0" and events[0].name.startswith(f"{session.name}/events/")
    assert sessions.get(name=session.name).session_state == {"k": 1, "turn": 1}

    names = {s.name for s in sessions.list(name=ENGINE)}
    assert {session.name, other.name} <= names
    sessions.delete(name=other.name)
    assert other.name not in {s.name for s in sessions.list(name=ENGINE)}


def test_bad_session_requests(client, llmops_emulator):
    from google.genai import errors

    with pytest.raises(errors.ClientError) as err:
        client.agent_engines.sessions.get(name=f"{ENGINE}/sessions/999")
    assert err.value.code == 404 and "999" in err.value.message
    base = f"{llmops_emulator.endpoint}/v1beta1/{ENGINE}/sessions"
    assert httpx.post(base, json={}).status_code == 400  # no userId
    created = httpx.post(base, json={"userId": "u"}).json()["response"]["name"]
    r = httpx.post(f"{llmops_emulator.endpoint}/v1beta1/{created}:appendEvent", json={"author": "user"})
    assert r.status_code == 400 and "invocation_id" in r.json()["error"]["message"]
    r = httpx.get(f"{base}?filter=display_name%3D%22x%22")
    assert r.status_code == 400
