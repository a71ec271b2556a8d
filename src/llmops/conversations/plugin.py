"""Default plugin: the `conversations` settings section and the `local` conversation store."""

from __future__ import annotations

from ..core.config import PluginSettings
from ..core.hookspecs import hookimpl


class ConversationSettings(PluginSettings):
    """`[profiles.NAME.conversations]`: where `llmops chat` keeps history (LLMOPS_CONVERSATIONS_STORE)."""

    store: str = "local"
    """A registered conversation store: `local` (SQLite in the workspace) or `agent-engine`
    (Vertex AI Agent Engine sessions; the `gcp` profiles)."""


@hookimpl
def register_settings(register):
    register("conversations", ConversationSettings)


@hookimpl
def register_conversation_stores(register):
    from .store import LocalConversationStore

    register("local", LocalConversationStore)
