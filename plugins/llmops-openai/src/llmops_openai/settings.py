"""The provider's settings: where the server is, which model, which environment variable holds
the API key (its name only: the key itself is never stored or logged), and the timeout."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from llmops.core.errors import ConfigError

SECTION = "openai"
"""The profile table the settings live in: `[profiles.NAME.openai]`."""

ENV_VARS = {
    "base_url": "LLMOPS_OPENAI_BASE_URL",
    "model": "LLMOPS_OPENAI_MODEL",
    "api_key_env": "LLMOPS_OPENAI_API_KEY_ENV",
    "timeout": "LLMOPS_OPENAI_TIMEOUT",
    "max_retries": "LLMOPS_OPENAI_MAX_RETRIES",
}
"""Environment variables read when llmops has no plugin settings sections yet."""


class OpenAISettings(BaseModel):
    """Settings of the `openai` model provider. Frozen; unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = "http://127.0.0.1:11434/v1"
    """The server's OpenAI API root (the default is Ollama's)."""
    model: str | None = None
    """The model asked when a prediction names none, e.g. `llama3.2` or `google/gemini-2.0-flash-001`."""
    api_key_env: str | None = None
    """Name of the environment variable holding the API key; None for servers that need none."""
    timeout: float = Field(60.0, gt=0)
    """Seconds to wait for one answer."""
    max_retries: int = Field(2, ge=0)
    """Retries of connection errors, 429 and 5xx answers (the openai SDK's own policy)."""

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")


def _validate(values: Mapping[str, Any], where: str) -> OpenAISettings:
    try:
        return OpenAISettings.model_validate(dict(values))
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "?"
        env = ENV_VARS.get(key)
        raise ConfigError(
            f"plugin 'openai': invalid value for {key!r} in {where}: {err['msg']}",
            fix=f"fix {key} in [profiles.NAME.openai]" + (f" or {env}" if env else ""),
        ) from None


def read_settings(settings: Any, environ: Mapping[str, str] | None = None) -> OpenAISettings:
    """The provider's settings for a resolved llmops `Settings`: its `openai` section where
    llmops has plugin sections, else the `LLMOPS_OPENAI_*` environment variables."""
    section = getattr(settings, "section", None)
    if callable(section):
        found = section(SECTION)
        if isinstance(found, OpenAISettings):
            return found
        return _validate(found or {}, "[profiles.NAME.openai]")
    env = os.environ if environ is None else environ
    return _validate({k: env[v] for k, v in ENV_VARS.items() if env.get(v)}, "the environment")
