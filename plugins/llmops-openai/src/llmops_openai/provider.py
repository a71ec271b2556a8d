"""The `openai` model provider: predictions from any OpenAI-compatible chat-completions server
through the official openai SDK.

What a `Prediction` gets: the first choice's text, the finish reason (stop -> STOP, length ->
MAX_TOKENS, content_filter -> SAFETY and `blocked`), token usage, latency and the response id.
OpenAI's response carries no per-category safety ratings and no citations (Vertex AI's
`endpoints/openapi` drops Gemini's), so `safety.ratings` and `citations` are empty: not rated,
not "safe". Safety thresholds and `top_k` have no OpenAI parameter and are refused.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llmops.core.errors import ConfigError, DataError, LlmopsError, NotFoundError
from llmops.core.interfaces import ModelProvider
from llmops.core.types import GenerationConfig, Prediction, SafetyAttributes, Usage

from .settings import OpenAISettings, read_settings

if TYPE_CHECKING:
    import openai

FINISH_REASONS = {"stop": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY"}
"""OpenAI finish reasons -> the Vertex names `Prediction.finish_reason` uses (others upper-cased)."""


def to_prediction(response: Any, *, prompt: str, model: str, latency_ms: float) -> Prediction:
    """A `Prediction` from a `ChatCompletion`'s first choice."""
    if not response.choices:
        raise LlmopsError(f"the server answered model {model!r} with no choices", fix="check the server's logs")
    choice = response.choices[0]
    reason = choice.finish_reason or "stop"
    blocked = reason == "content_filter"
    usage = response.usage
    return Prediction(
        text="" if blocked else (choice.message.content or ""),
        model=response.model or model,
        blocked=blocked,
        finish_reason=FINISH_REASONS.get(reason, reason.upper()),
        safety=SafetyAttributes(blocked=blocked),
        usage=Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0) if usage else Usage(),
        latency_ms=latency_ms,
        request_id=response.id or None,
        prompt=prompt,
    )


def _server_message(exc: openai.APIStatusError) -> str:
    """The server's own message from OpenAI's `{"error": {...}}` or Google's `[{"error": {...}}]`."""
    body: Any = exc.body
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0].get("error", body[0])
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return exc.message


class OpenAIModelProvider(ModelProvider):
    """Any OpenAI-compatible chat-completions server: Ollama, vLLM, llama.cpp server, LM Studio,
    Vertex AI's `endpoints/openapi` for Gemini."""

    description = "OpenAI-compatible chat completions (Ollama, vLLM, llama.cpp, LM Studio, Vertex AI openapi)"

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.config: OpenAISettings = read_settings(settings)
        self._client: openai.OpenAI | None = None
        self._lock = threading.Lock()

    def _api_key(self) -> str:
        name = self.config.api_key_env
        if not name:
            return "unused"  # local servers take any key; the SDK insists on one
        key = os.environ.get(name)
        if not key:
            raise ConfigError(
                f"plugin 'openai': the environment variable {name} named by api_key_env is not set",
                fix=f"export {name}=<your key>, or set api_key_env to the variable that holds it",
            )
        return key

    @property
    def client(self) -> openai.OpenAI:
        """The SDK client, built on first use."""
        with self._lock:
            if self._client is None:
                import openai

                self._client = openai.OpenAI(
                    base_url=self.config.base_url,
                    api_key=self._api_key(),
                    timeout=self.config.timeout,
                    max_retries=self.config.max_retries,
                )
            return self._client

    def _model(self, model: str | None) -> str:
        name = model or self.config.model
        if not name:
            raise ConfigError(
                "plugin 'openai': no model to ask",
                fix="pass --model NAME, or set model in [profiles.NAME.openai] or LLMOPS_OPENAI_MODEL",
            )
        return name

    def _request(self, prompt: str, model: str, gen: GenerationConfig, safety: Mapping[str, str] | None) -> dict:
        if safety:
            raise ConfigError(
                "the openai provider cannot apply safety thresholds: OpenAI's chat completions take none",
                fix="drop --safety, or use the emulator or vertex provider",
            )
        if gen.top_k is not None:
            raise DataError("top_k is not an OpenAI chat-completions parameter", fix="leave top_k unset")
        if not prompt or not prompt.strip():
            raise DataError("the prompt is empty", fix="pass the text to send to the model")
        messages = [{"role": "user", "content": prompt}]
        if gen.system_instruction:
            messages.insert(0, {"role": "system", "content": gen.system_instruction})
        request: dict[str, Any] = {
            "model": model,
            "messages": messages,
            "temperature": gen.temperature,
            "max_tokens": gen.max_output_tokens,
        }
        if gen.top_p is not None:
            request["top_p"] = gen.top_p
        if gen.seed is not None:
            request["seed"] = gen.seed
        return request

    def predict(
        self,
        prompt: str,
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
    ) -> Prediction:
        """One chat completion of `prompt` (after the system instruction, if any)."""
        name = self._model(model)
        request = self._request(prompt, name, generation or GenerationConfig(), safety)
        client = self.client
        import openai

        started = time.perf_counter()
        try:
            response = client.chat.completions.create(**request)
        except openai.APITimeoutError:
            raise LlmopsError(
                f"{self.config.base_url} did not answer within {self.config.timeout:g} s",
                fix="raise timeout in [profiles.NAME.openai], or check the server",
            ) from None
        except openai.APIConnectionError:
            raise ConfigError(
                f"cannot reach the OpenAI-compatible server at {self.config.base_url}",
                fix="start the server, or set base_url in [profiles.NAME.openai] or LLMOPS_OPENAI_BASE_URL",
            ) from None
        except openai.APIStatusError as exc:
            raise self._status_error(exc, name) from None
        return to_prediction(response, prompt=prompt, model=name, latency_ms=(time.perf_counter() - started) * 1000)

    def _status_error(self, exc: openai.APIStatusError, model: str) -> LlmopsError:
        message = _server_message(exc)
        where = f"{self.config.base_url} answered {exc.status_code}"
        if exc.status_code == 404:
            return NotFoundError(f"{where} for model {model!r}: {message}", fix="pass a model the server serves")
        if exc.status_code in (401, 403):
            key = self.config.api_key_env or "(none)"
            return ConfigError(f"{where}: {message}", fix=f"check the key in the environment variable {key}")
        if 400 <= exc.status_code < 500:
            return DataError(f"{where}: {message}", fix="fix the request's parameters for this server")
        return LlmopsError(f"{where}: {message}", fix="retry later or check the server")

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
