"""The plugin module named by the `llmops` entry point: registers the `openai` model provider
and its settings section. The provider (and the openai SDK) is imported only when used."""

from __future__ import annotations

from typing import Any

from llmops.core.hookspecs import hookimpl

from .settings import SECTION, OpenAISettings


@hookimpl
def register_model_providers(register: Any) -> None:
    from .provider import OpenAIModelProvider

    register("openai", OpenAIModelProvider)


@hookimpl
def register_settings(register: Any) -> None:
    """The `[profiles.NAME.openai]` table (read once llmops has the `register_settings` hook;
    until then pluggy keeps this implementation without calling it)."""
    register(SECTION, OpenAISettings)
