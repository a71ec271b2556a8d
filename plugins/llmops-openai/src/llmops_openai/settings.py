"""The provider's settings: where the server is, which model, which environment variable holds
the API key (its name only: the key itself is never stored or logged), and the timeout."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

SECTION = "openai"
"""The profile table the settings live in: `[profiles.NAME.openai]`."""


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


def read_settings(settings: Any) -> OpenAISettings:
    """The provider's validated `[profiles.NAME.openai]` section (environment:
    `LLMOPS_OPENAI_<KEY>`, e.g. `LLMOPS_OPENAI_BASE_URL`)."""
    found = settings.section(OpenAISettings)
    assert isinstance(found, OpenAISettings)
    return found
