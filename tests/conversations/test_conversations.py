"""Conversation history: content-addressed storage, forks, truncation, and the chat CLI."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from llmops.conversations import HistoryPolicy, LocalConversationStore, parse_age
from llmops.conversations.base import message_id
from llmops.conversations.history import select
from llmops.core.errors import ConfigError, NotFoundError


@pytest.fixture
def store(tmp_path):
    s = LocalConversationStore(tmp_path / "c.db")
    yield s
    s.close()


def _talk(store, cid, n, start=0):
    for i in range(start, start + n):
        store.append(cid, "user", f"question {i}")
        store.append(cid, "model", f"answer {i}")


def test_messages_are_content_addressed_and_forks_share_history(store):
    a = store.create()
    _talk(store, a, 3)
    msgs = store.messages(a)
    assert [m.text for m in msgs][:2] == ["question 0", "answer 0"]
    assert all(m.id == message_id(m.parent, m.role, m.text) for m in msgs)
    assert [m.parent for m in msgs[1:]] == [m.id for m in msgs[:-1]]
    b = store.fork(a, at=msgs[1].id[:8])
    store.append(b, "user", "a different question 1")
    assert [m.text for m in store.messages(b)] == ["question 0", "answer 0", "a different question 1"]
    assert len(store.messages(a)) == 6
    assert store.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 7  # shared turn stored once
    c = store.create()
    _talk(store, c, 1)
    assert store.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 7  # same content, same ids


def test_delete_collects_unreachable_messages_only(store):
    a = store.create()
    _talk(store, a, 2)
    b = store.fork(a)
    store.append(b, "user", "more")
    assert store.delete(a) == [a]
    assert len(store.messages(b)) == 5
    store.delete(b)
    assert store.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    old = store.create()
    store.db.execute("UPDATE conversations SET updated = '2000-01-01' WHERE id = ?", (old,))
    fresh = store.create()
    assert store.delete(older_than=timedelta(days=1)) == [old]
    assert [r["id"] for r in store.all()] == [fresh]


def test_bad_ids_and_ages_are_one_line_errors(store):
    with pytest.raises(NotFoundError, match="no conversation 'nope'"):
        store.messages("nope")
    a = store.create()
    _talk(store, a, 1)
    with pytest.raises(NotFoundError, match="matches no message"):
        store.fork(a, at="abcdef0123")
    with pytest.raises(ConfigError, match="not understood"):
        parse_age("soon")
    with pytest.raises(ConfigError, match="unknown history strategy"):
        HistoryPolicy("everything")


def test_history_strategies_cut_to_turns_budget_or_summary(store):
    a = store.create()
    _talk(store, a, 6)
    msgs = store.messages(a)
    text, left = select(msgs, HistoryPolicy("last", turns=2))
    assert left == 4 and text == "User: question 4\nModel: answer 4\nUser: question 5\nModel: answer 5"
    text, left = select(msgs, HistoryPolicy("budget", budget=27))
    assert left == 3 and text.startswith("User: question 3")
    seen = []
    text, left = select(msgs, HistoryPolicy("summary", budget=27), lambda old: seen.append(old) or "they talked")
    assert left == 3 and text.startswith("Summary of the earlier conversation: they talked\nUser: question 3")
    assert seen == [
        "User: question 0\nModel: answer 0\nUser: question 1\nModel: answer 1\nUser: question 2\nModel: answer 2"
    ]


def test_chat_cli_continues_forks_and_truncates(cli, workspace):
    r = cli("chat", "How do I parse JSON in Python?", "--system", "Be concise.", "--json")
    assert r.code == 0, r.err
    cid = r.json()["conversation"]
    r = cli("chat", "-c", "And how do I write it back?", "--json")
    assert r.json()["conversation"] == cid
    shown = cli("conversations", "show", cid, "--json").json()
    assert [m["role"] for m in shown["messages"]] == ["user", "model", "user", "model"]
    first_answer = shown["messages"][1]["id"]
    fork = cli("conversations", "fork", cid, "--at", first_answer[:8], "--json").json()["conversation"]
    r = cli("chat", "--cid", fork, "What about YAML?", "--history", "last", "--turns", "0", "--json")
    assert r.code == 0 and r.json()["history_turns_left_out"] == 1
    assert len(cli("conversations", "show", fork, "--json").json()["messages"]) == 4
    prompts = sqlite3.connect(workspace / "conversations.db").execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    assert prompts == 6
    listed = cli("conversations", "list", "--json").json()
    assert listed[0]["id"] == fork
    assert {r["model"] for r in listed} == {"text-bison@001"}  # no --model: the base model, named
    assert "text-bison@001" in cli("conversations", "list").out
    r = cli("chat", "--cid", "nope", "hi")
    assert r.code == 1 and r.err.strip() == "error: no conversation 'nope' (see `llmops conversations list`)"
    assert cli("conversations", "delete", cid).code == 0
    assert len(cli("conversations", "show", fork, "--json").json()["messages"]) == 4


def test_chat_sends_history_to_the_model(session):
    from llmops.conversations import chat

    first = chat(session, "Tell me about pandas dataframes")
    second = chat(session, "and numpy arrays?", cid=first.conversation)
    rows = (
        session.warehouse.query("SELECT prompt FROM llmops.predictions ORDER BY created").column("prompt").to_pylist()
    )
    assert rows[0] == "Tell me about pandas dataframes"
    assert rows[1].startswith("User: Tell me about pandas dataframes\nModel: ") and rows[1].endswith(
        "User: and numpy arrays?\nModel:"
    )
    assert second.model_message is not None
