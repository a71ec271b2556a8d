"""Every conversation store (`local` SQLite, `agent-engine` on the emulator's Agent Engine
sessions) keeps the same history with the same content-addressed ids; `llmops --profile
emulated chat` stores its turns as session events."""

from __future__ import annotations

import pytest

from llmops.conversations import ConversationStore, LocalConversationStore, store_classes
from llmops.conversations.base import message_id
from llmops.core import registry
from llmops.core.config import Settings, load_settings
from llmops.core.errors import ConfigError, NotFoundError
from llmops.core.hookspecs import hookimpl
from llmops.core.session import Session


@pytest.fixture(params=sorted(store_classes()))
def store(request, tmp_path, llmops_emulator):
    if request.param == "local":
        s = LocalConversationStore(tmp_path / "c.db")
    else:
        settings = load_settings(
            "emulated",
            overrides={"workspace": str(tmp_path / "ws")},
            environ={"LLMOPS_GCP_ENDPOINT": llmops_emulator.endpoint},
        )
        with Session(settings) as session:
            s = store_classes()[request.param].open(session)
    yield s
    s.close()


def test_every_store_keeps_history_forks_and_deletes_alike(store):
    a = store.create(model="gemini-2.0-flash", system="Be brief.")
    ids = [
        store.append(a, "user", "q0"),
        store.append(a, "model", "a0", "gemini-2.0-flash"),
        store.append(a, "user", "q1"),
    ]
    msgs = store.messages(a)
    assert [(m.role, m.text) for m in msgs] == [("user", "q0"), ("model", "a0"), ("user", "q1")]
    assert [m.id for m in msgs] == ids and ids[0] == message_id(None, "user", "q0")
    assert [m.parent for m in msgs] == [None, ids[0], ids[1]] and msgs[1].model == "gemini-2.0-flash"
    assert store.get(a)["system"] == "Be brief." and store.latest() == a

    b = store.fork(a, at=ids[1][:8])
    store.append(b, "user", "another q1")
    assert [m.id for m in store.messages(b)][:2] == ids[:2]
    row = store.get(b)
    assert (row["forked_from"], row["model"]) == (a, "gemini-2.0-flash") and store.latest() == b
    listed = {r["id"]: r for r in store.all()}
    assert (listed[a]["messages"], listed[b]["messages"], listed[b]["first"]) == (3, 3, "q0")

    with pytest.raises(NotFoundError, match="message 'ffffffff'"):
        store.fork(a, at="ffffffff")
    assert store.delete(a) == [a]
    with pytest.raises(NotFoundError, match=f"no conversation '{a}'"):
        store.messages(a)
    assert len(store.messages(b)) == 3
    with pytest.raises(NotFoundError, match="no conversation '12345'"):
        store.get("12345")
    store.delete(b)


def test_chat_on_emulated_agent_engine_sessions(cli, llmops_emulator, monkeypatch):
    """Continue, fork and truncate with the history on the emulator's sessions, read back
    through the real `vertexai` sessions client."""
    import google.oauth2.credentials
    import vertexai
    from google.genai import types

    monkeypatch.setenv("LLMOPS_GCP_ENDPOINT", llmops_emulator.endpoint)
    em = ("--profile", "emulated")
    r = cli(*em, "chat", "How do I parse JSON in Python?", "--system", "Be concise.", "--json")
    assert r.code == 0, r.err
    cid = r.json()["conversation"]
    r = cli(*em, "chat", "-c", "And how do I write it back?", "--json")
    assert r.code == 0, r.err
    assert r.json()["conversation"] == cid and r.json()["history_turns_left_out"] == 0

    client = vertexai.Client(
        project="llmops-emulated",
        location="us-central1",
        credentials=google.oauth2.credentials.Credentials(token="emulator"),
        http_options=types.HttpOptions(base_url=llmops_emulator.endpoint),
    )
    name = f"projects/llmops-emulated/locations/us-central1/reasoningEngines/1/sessions/{cid}"
    events = list(client.agent_engines.sessions.events.list(name=name))
    assert [(e.author, e.content.parts[0].text) for e in events][::2] == [
        ("user", "How do I parse JSON in Python?"),
        ("user", "And how do I write it back?"),
    ]
    assert client.agent_engines.sessions.get(name=name).session_state["system"] == "Be concise."

    shown = cli(*em, "conversations", "show", cid, "--json").json()
    assert [m["role"] for m in shown["messages"]] == ["user", "model", "user", "model"]
    fork = cli(*em, "conversations", "fork", cid, "--at", shown["messages"][1]["id"][:8], "--json")
    assert fork.code == 0, fork.err
    new = fork.json()["conversation"]
    r = cli(*em, "chat", "--cid", new, "What about YAML?", "--history", "last", "--turns", "0", "--json")
    assert r.code == 0 and r.json()["history_turns_left_out"] == 1
    forked = cli(*em, "conversations", "show", new, "--json").json()
    assert [m["id"] for m in forked["messages"][:2]] == [m["id"] for m in shown["messages"][:2]]
    assert forked["forked_from"] == cid and len(forked["messages"]) == 4
    assert cli(*em, "conversations", "list", "--json").json()[0]["id"] == new

    r = cli(*em, "chat", "--cid", "999", "hi")
    assert r.code == 1 and r.err.strip() == "error: no conversation '999' (see `llmops conversations list`)"
    assert cli(*em, "conversations", "delete", cid).code == 0
    assert len(cli(*em, "conversations", "show", new, "--json").json()["messages"]) == 4


def test_store_configuration_errors(cli, tmp_path, monkeypatch):
    from llmops.backends.gcp.agent_engine import engine_name

    with pytest.raises(ConfigError, match="names no Agent Engine"):
        engine_name(load_settings("gcp", overrides={"workspace": str(tmp_path)}, environ={}))
    monkeypatch.setenv("LLMOPS_CONVERSATIONS_STORE", "nope")
    r = cli("chat", "hi")
    assert r.code == 1 and "unknown conversation store 'nope'" in r.err and "agent-engine, local" in r.err
    assert not (tmp_path / "ws" / "conversations.db").exists()


def test_hook_register_conversation_stores(fresh_registry, tmp_path):
    class MemoryStore(LocalConversationStore):
        @classmethod
        def open(cls, session):
            return cls(":memory:")

    class Plugin:
        @hookimpl
        def register_conversation_stores(self, register):
            register("memory", MemoryStore)

    registry.get_plugin_manager().register(Plugin(), name="memory-plugin")
    assert {"local", "agent-engine", "memory"} <= set(store_classes())
    from llmops.conversations import chat

    settings = Settings(workspace=tmp_path / "ws", sections={"conversations": {"store": "memory"}})
    with Session(settings) as session:
        assert chat(session, "hello there").model_message

    class Broken:
        @hookimpl
        def register_conversation_stores(self, register):
            register("broken", dict)

    registry.reset()
    registry.get_plugin_manager().register(Broken(), name="broken-plugin")
    with pytest.raises(ConfigError, match="'broken-plugin' registered 'broken' as a conversation store"):
        store_classes()
    assert issubclass(MemoryStore, ConversationStore)
