"""The `local` conversation store: content-addressed messages in SQLite
(`WORKSPACE/conversations.db`).

A message's id is the SHA-256 of its parent's id, role and text, and it points at its parent;
a conversation is a name for its newest message (its head). So a history shared by several
conversations (a fork) is stored once, a fork is explicit (a new head on an old message), and
appending a turn writes two small rows: growth is linear in the text, never quadratic.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError, NotFoundError
from .base import ConversationStore, Message, message_id

if TYPE_CHECKING:
    from ..core.session import Session

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, parent TEXT, role TEXT NOT NULL, text TEXT NOT NULL, model TEXT, created TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY, head TEXT, model TEXT, system TEXT, ground TEXT, forked_from TEXT,
  created TEXT NOT NULL, updated TEXT NOT NULL
);
"""
_LINEAGE = """
WITH RECURSIVE chain(id, parent, role, text, model, created, depth) AS (
  SELECT id, parent, role, text, model, created, 0 FROM messages WHERE id = ?
  UNION ALL
  SELECT m.id, m.parent, m.role, m.text, m.model, m.created, c.depth + 1
  FROM messages m JOIN chain c ON m.id = c.parent
)
SELECT id, parent, role, text, model, created FROM chain ORDER BY depth DESC
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class LocalConversationStore(ConversationStore):
    """Conversations and their messages in one SQLite file."""

    name = "local"
    description = "content-addressed messages in WORKSPACE/conversations.db (SQLite)"

    @classmethod
    def open(cls, session: Session) -> LocalConversationStore:
        return cls(session.workspace.path("conversations.db"))

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def create(self, *, model: str | None = None, system: str | None = None, ground: str | None = None) -> str:
        """A new, empty conversation; its id."""
        cid = uuid.uuid4().hex[:12]
        now = _now()
        self.db.execute(
            "INSERT INTO conversations VALUES (?, NULL, ?, ?, ?, NULL, ?, ?)", (cid, model, system, ground, now, now)
        )
        return cid

    def get(self, cid: str) -> dict[str, Any]:
        """A conversation's row; a one-line error for an unknown id."""
        row = self.db.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
        if row is None:
            raise NotFoundError(f"no conversation {cid!r}", fix="see `llmops conversations list`")
        cols = [d[0] for d in self.db.execute("SELECT * FROM conversations LIMIT 0").description]
        return dict(zip(cols, row, strict=True))

    def latest(self) -> str:
        """The id of the most recently updated conversation."""
        row = self.db.execute("SELECT id FROM conversations ORDER BY updated DESC LIMIT 1").fetchone()
        if row is None:
            raise NotFoundError("there is no conversation to continue", fix='start one with llmops chat "<message>"')
        return row[0]

    def append(self, cid: str, role: str, text: str, model: str | None = None) -> str:
        """Add a message after the conversation's head, move the head; the message id."""
        head = self.get(cid)["head"]
        mid = message_id(head, role, text)
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT OR IGNORE INTO messages VALUES (?, ?, ?, ?, ?, ?)", (mid, head, role, text, model, _now())
            )
            self.db.execute("UPDATE conversations SET head = ?, updated = ? WHERE id = ?", (mid, _now(), cid))
        return mid

    def messages(self, cid: str) -> list[Message]:
        """The conversation's messages, oldest first."""
        head = self.get(cid)["head"]
        return [Message(*row) for row in self.db.execute(_LINEAGE, (head,))] if head else []

    def resolve_message(self, prefix: str) -> str:
        """A full message id from a unique prefix of at least 6 hex digits."""
        rows = self.db.execute("SELECT id FROM messages WHERE id LIKE ? LIMIT 2", (prefix.lower() + "%",)).fetchall()
        if len(prefix) < 6 or len(rows) != 1:
            why = "is ambiguous" if len(rows) > 1 else "matches no message"
            raise NotFoundError(
                f"message {prefix!r} {why}", fix="pass 6 or more digits of an id from `conversations show`"
            )
        return rows[0][0]

    def fork(self, cid: str, at: str | None = None) -> str:
        """A new conversation sharing `cid`'s history up to message `at` (default: its head)."""
        src = self.get(cid)
        head = src["head"]
        if at is not None:
            head = self.resolve_message(at)
            if head not in {m.id for m in self.messages(cid)}:
                raise NotFoundError(
                    f"message {at!r} is not in conversation {cid}", fix=f"see `llmops conversations show {cid}`"
                )
        new = uuid.uuid4().hex[:12]
        now = _now()
        self.db.execute(
            "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (new, head, src["model"], src["system"], src["ground"], cid, now, now),
        )
        return new

    def all(self) -> list[dict[str, Any]]:
        """Conversations, newest first, with message counts."""
        rows = self.db.execute("SELECT id FROM conversations ORDER BY updated DESC").fetchall()
        out = []
        for (cid,) in rows:
            conv = self.get(cid)
            msgs = self.messages(cid)
            first = next((m.text for m in msgs if m.role == "user"), "")
            out.append({**conv, "messages": len(msgs), "first": first})
        return out

    def delete(self, cid: str | None = None, *, older_than: timedelta | None = None) -> list[str]:
        """Delete one conversation, or all not updated within `older_than`; messages no longer
        reachable from any conversation go too. The ids deleted."""
        if cid is not None:
            self.get(cid)
            ids = [cid]
        elif older_than is not None:
            cutoff = (datetime.now(UTC) - older_than).isoformat(timespec="microseconds")
            ids = [r[0] for r in self.db.execute("SELECT id FROM conversations WHERE updated < ?", (cutoff,))]
        else:
            raise ConfigError("nothing to delete", fix="pass a conversation id or --older-than")
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("DELETE FROM conversations WHERE id = ?", [(i,) for i in ids])
            self.db.execute(
                """DELETE FROM messages WHERE id NOT IN (
                     WITH RECURSIVE live(id, parent) AS (
                       SELECT m.id, m.parent FROM messages m JOIN conversations c ON m.id = c.head
                       UNION SELECT m.id, m.parent FROM messages m JOIN live l ON m.id = l.parent)
                     SELECT id FROM live)"""
            )
        return ids
