"""llmops-openai: an llmops model provider, `openai`, for any OpenAI-compatible
chat-completions server (Ollama, vLLM, llama.cpp server, LM Studio, Vertex AI's
`endpoints/openapi`)."""

from __future__ import annotations

from .settings import OpenAISettings

__version__ = "0.1.0"

__all__ = ["OpenAISettings", "__version__"]
