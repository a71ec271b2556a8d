"""Conversation stores by name (the `register_conversation_stores` hook) and the profile's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import ConfigError
from .base import ConversationStore

if TYPE_CHECKING:
    from ..core.session import Session


def store_classes() -> dict[str, type[ConversationStore]]:
    """Every registered conversation store, by name; a registration that is not a
    `ConversationStore` subclass is a one-line error naming its plugin."""
    from ..core import registry

    found = {}
    for name, reg in registry.registrations("register_conversation_stores").items():
        if not (isinstance(reg.obj, type) and issubclass(reg.obj, ConversationStore)):
            raise ConfigError(
                f"plugin {reg.plugin!r} registered {name!r} as a conversation store, but it is not "
                "a subclass of ConversationStore",
                fix="subclass llmops.conversations.ConversationStore",
            )
        found[name] = reg.obj
    return found


def open_store(session: Session) -> ConversationStore:
    """The conversation store the session's profile names (`conversations.store`)."""
    from .plugin import ConversationSettings

    name = session.settings.section(ConversationSettings).store
    found = store_classes()
    if name not in found:
        raise ConfigError(
            f"unknown conversation store {name!r}",
            fix=f"set [profiles.{session.settings.profile}.conversations] store to one of: {', '.join(sorted(found))}",
        )
    return found[name].open(session)
