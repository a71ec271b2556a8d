"""The conversation store contract: conversations of content-addressed messages, created,
appended to, forked, listed and deleted. Backends are registered by name through the
`register_conversation_stores` hook and chosen by `[profiles.NAME.conversations] store`."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ..core.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from ..core.session import Session


@dataclass(frozen=True)
class Message:
    """One stored message: content hash, parent hash, role (user, model, system), text."""

    id: str
    parent: str | None
    role: str
    text: str
    model: str | None
    created: str


def message_id(parent: str | None, role: str, text: str) -> str:
    """The content address of a message: it changes if anything before it changes."""
    return hashlib.sha256(f"{parent or ''}\x00{role}\x00{text}".encode()).hexdigest()


class ConversationStore(ABC):
    """Where conversations live. A conversation row (`get`, `all`) has at least `id`, `model`,
    `system`, `ground`, `forked_from`, `created` and `updated`; `all` adds `messages` (a count)
    and `first` (the first user message)."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    @classmethod
    @abstractmethod
    def open(cls, session: Session) -> ConversationStore:
        """The store for a session's profile."""

    def close(self) -> None:
        """Release connections; safe to call twice."""

    @abstractmethod
    def create(self, *, model: str | None = None, system: str | None = None, ground: str | None = None) -> str:
        """A new, empty conversation; its id."""

    @abstractmethod
    def get(self, cid: str) -> dict[str, Any]:
        """A conversation's row; a one-line NotFoundError for an unknown id."""

    @abstractmethod
    def latest(self) -> str:
        """The id of the most recently updated conversation."""

    @abstractmethod
    def append(self, cid: str, role: str, text: str, model: str | None = None) -> str:
        """Add a message after the conversation's newest; the message's id."""

    @abstractmethod
    def messages(self, cid: str) -> list[Message]:
        """The conversation's messages, oldest first."""

    @abstractmethod
    def fork(self, cid: str, at: str | None = None) -> str:
        """A new conversation with `cid`'s history up to message `at` (a unique id prefix of 6+
        digits; default: the newest message)."""

    @abstractmethod
    def all(self) -> list[dict[str, Any]]:
        """Conversations, most recently updated first, with message counts."""

    @abstractmethod
    def delete(self, cid: str | None = None, *, older_than: timedelta | None = None) -> list[str]:
        """Delete one conversation, or every one not updated within `older_than`; the ids deleted."""

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def pick_message(messages: list[Message], prefix: str, cid: str) -> Message:
    """The message of a conversation whose id starts with `prefix` (6+ hex digits)."""
    found = [m for m in messages if m.id.startswith(prefix.lower())] if len(prefix) >= 6 else []
    if len(found) != 1:
        why = "is ambiguous" if len(found) > 1 else f"matches no message of conversation {cid}"
        raise NotFoundError(f"message {prefix!r} {why}", fix="pass 6 or more digits of an id from `conversations show`")
    return found[0]


def parse_age(text: str) -> timedelta:
    """`30d`, `12h`, `45m` or `90s` to a timedelta."""
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    number, unit = text[:-1], text[-1:].lower()
    if unit not in units or not number.isdigit():
        raise ConfigError(f"age {text!r} is not understood", fix="write it as 30d, 12h, 45m or 90s")
    return timedelta(**{units[unit]: int(number)})
