"""Vertex AI's OpenAI-compatible Chat Completions endpoint on the emulated model:
`POST /v1[beta1]/projects/{p}/locations/{l}/endpoints/openapi/chat/completions`, the URL the
`openai` SDK calls with `base_url=".../locations/{l}/endpoints/openapi"`.

As Google documents it for Gemini: `model` is `publisher/model` (`google/gemini-2.0-flash-001`);
`messages` are system (or developer), user and assistant turns whose content is a string or
text parts; `temperature`, `top_p`, `max_tokens` (or its alias `max_completion_tokens`), `n`
(1 to 8), `stop`, `seed` and `stream` (server-sent `chat.completion.chunk` events, then
`data: [DONE]`; `stream_options.include_usage` adds a last chunk with the usage) are honoured;
`frequency_penalty`, `presence_penalty`, `user` and the like are accepted and have no effect.
Usage comes back in OpenAI's shape. Gemini's safety ratings and citations are not part of the
OpenAI response, so they are not sent; a blocked answer has no content and finish reason
`content_filter`. Errors are Google's error objects in a one-element list, as this endpoint
answers them: `[{"error": {"code": 400, "message": ..., "status": "INVALID_ARGUMENT"}}]`.

The emulator reads text only: image, audio and file parts, tools and JSON response formats are
refused with 400 naming the emulator.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ...core.types import GenerationConfig, Prediction
from ..server.errors import ApiError, bad_request, from_exception, not_found
from ..server.http import read_json
from .engine.base_model import canonical_base, count_tokens

MAX_CHOICES = 8
DEFAULT_MAX_TOKENS = 256
_ROLES = {"system", "developer", "user", "assistant"}
_IGNORED = {
    "frequency_penalty",
    "presence_penalty",
    "user",
    "metadata",
    "store",
    "service_tier",
    "logit_bias",
    "parallel_tool_calls",
    "reasoning_effort",
    "extra_body",
}
_UNSUPPORTED = {
    "tools": "tools",
    "tool_choice": "tools",
    "functions": "function calling",
    "function_call": "function calling",
    "logprobs": "log probabilities",
    "top_logprobs": "log probabilities",
    "audio": "audio output",
    "modalities": "audio output",
    "prediction": "predicted outputs",
}
_KNOWN = {"model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stop", "seed"}
_KNOWN |= {"stream", "stream_options", "response_format"} | _IGNORED | set(_UNSUPPORTED)
_FINISH = {"STOP": "stop", "MAX_TOKENS": "length"}


@dataclass(frozen=True)
class ChatRequest:
    """What a chat completion request asks of the emulated model."""

    model: str
    """As sent (`google/gemini-2.0-flash-001`), echoed in the response."""
    target: str
    """The emulated model it names (`publishers/google/models/gemini-2.0-flash-001`)."""
    prompt: str
    generation: GenerationConfig
    n: int
    stop: tuple[str, ...]
    stream: bool
    include_usage: bool


def _number(body: Mapping[str, Any], field: str, *, integer: bool = False) -> Any:
    value = body.get(field)
    if value is None:
        return None
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if ok and integer and isinstance(value, float) and not value.is_integer():
        ok = False
    if not ok:
        kind = "an integer" if integer else "a number"
        raise bad_request(f"Invalid value for '{field}': {value!r} is not {kind}", location=field)
    return int(value) if integer else float(value)


def _text(content: Any, where: str) -> str:
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if not isinstance(content, list):
        raise bad_request(f"Invalid value for '{where}.content': expected a string or a list of content parts")
    texts = []
    for i, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif kind is None:
            raise bad_request(f"Invalid value for '{where}.content[{i}]': a content part needs a type")
        else:
            raise bad_request(
                f"Unsupported content part type {kind!r} at '{where}.content[{i}]': the emulated models read text only"
            )
    return "".join(texts)


def _model(value: Any, project: str, location: str) -> tuple[str, str]:
    if not isinstance(value, str) or not value.strip():
        raise bad_request("Required parameter is missing: model (e.g. google/gemini-2.0-flash-001)", location="model")
    publisher, sep, name = value.partition("/")
    if not sep or not name or "/" in name:
        raise bad_request(
            f"Invalid model {value!r}: expected publisher/model, e.g. google/gemini-2.0-flash-001", location="model"
        )
    if publisher != "google" or canonical_base(name) is None:
        raise not_found(
            f"Publisher Model `projects/{project}/locations/{location}/publishers/{publisher}/models/{name}` "
            "was not found or your project does not have access to it."
        )
    return value, f"publishers/google/models/{name}"


def _messages(value: Any) -> tuple[str, str | None]:
    """The prompt (user and assistant turns, as `generateContent` reads contents) and the
    system instruction."""
    if not isinstance(value, list) or not value:
        raise bad_request("Required parameter is missing or empty: messages", location="messages")
    turns: list[str] = []
    system: list[str] = []
    last_role = None
    for i, msg in enumerate(value):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise bad_request(f"Invalid value for '{where}': expected a message object", location="messages")
        role = msg.get("role")
        if role in ("tool", "function"):
            raise bad_request(f"Unsupported role {role!r} at '{where}': the emulator does not call tools")
        if role not in _ROLES:
            raise bad_request(
                f"Invalid role {role!r} at '{where}': expected system, developer, user or assistant",
                location="messages",
            )
        text = _text(msg.get("content"), where)
        if role in ("system", "developer"):
            system.append(text)
            continue
        last_role = role
        if text:
            turns.append(text if role == "user" else f"[model] {text}")
    if last_role is None or not any(t.strip() for t in turns):
        raise bad_request("Unable to submit request because the messages have no user text", location="messages")
    if last_role == "assistant":
        raise bad_request("Requests ending with a model turn are not supported.", location="messages")
    return "\n\n".join(turns), ("\n\n".join(s for s in system if s) or None)


def _stop(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
        raise bad_request("Invalid value for 'stop': expected a string or a list of non-empty strings", location="stop")
    return tuple(stops)


def chat_request(body: Mapping[str, Any], project: str, location: str) -> ChatRequest:
    """The request's model, prompt, generation settings and options; 400/404 when malformed."""
    unknown = sorted(set(body) - _KNOWN)
    if unknown:
        raise bad_request(f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.')
    for key, what in _UNSUPPORTED.items():
        if body.get(key) not in (None, False, [], {}):
            raise bad_request(f"Unsupported parameter {key!r}: the emulator does not support {what}", location=key)
    fmt = body.get("response_format")
    if fmt is not None and not (isinstance(fmt, dict) and fmt.get("type") == "text"):
        raise bad_request(
            "Unsupported response_format: the emulated models write text only", location="response_format"
        )
    model, target = _model(body.get("model"), project, location)
    prompt, system = _messages(body.get("messages"))
    n = _number(body, "n", integer=True)
    n = 1 if n is None else n
    if not 1 <= n <= MAX_CHOICES:
        raise bad_request(f"Invalid value of n: should be between 1 and {MAX_CHOICES}, got {n}", location="n")
    max_tokens = _number(body, "max_tokens", integer=True)
    if max_tokens is None:
        max_tokens = _number(body, "max_completion_tokens", integer=True)
    temperature = _number(body, "temperature")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise bad_request(f"Invalid value for 'stream': {stream!r} is not a boolean", location="stream")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise bad_request("Invalid value for 'stream_options': expected an object", location="stream_options")
    gen = GenerationConfig(
        temperature=1.0 if temperature is None else temperature,
        max_output_tokens=DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens,
        top_p=_number(body, "top_p"),
        seed=_number(body, "seed", integer=True),
        system_instruction=system,
    )
    return ChatRequest(
        model=model,
        target=target,
        prompt=prompt,
        generation=gen,
        n=n,
        stop=_stop(body.get("stop")),
        stream=bool(stream),
        include_usage=bool(options.get("include_usage")),
    )


def _finish(pred: Prediction) -> str:
    if pred.blocked:
        return "content_filter"
    return _FINISH.get(pred.finish_reason, "content_filter" if pred.finish_reason == "SAFETY" else "stop")


def _cut(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    at = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return (text[:at], True) if at >= 0 else (text, False)


@dataclass(frozen=True)
class _Choice:
    text: str | None
    finish_reason: str
    output_tokens: int


def _choices(preds: list[Prediction], stops: tuple[str, ...]) -> list[_Choice]:
    out = []
    for p in preds:
        if p.blocked:
            out.append(_Choice(None, "content_filter", 0))
            continue
        text, stopped = _cut(p.text, stops)
        finish = "stop" if stopped else _finish(p)
        out.append(_Choice(text, finish, count_tokens(text) if stopped else p.usage.output_tokens))
    return out


def _usage(preds: list[Prediction], choices: list[_Choice]) -> dict[str, int]:
    prompt = preds[0].usage.prompt_tokens
    completion = sum(c.output_tokens for c in choices)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion_response(req: ChatRequest, preds: list[Prediction]) -> dict[str, Any]:
    """A `chat.completion` object for the predictions of one request."""
    choices = _choices(preds, req.stop)
    return {
        "id": f"chatcmpl-{preds[0].request_id or ''}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": req.model,
        "choices": [
            {
                "index": i,
                "message": {"role": "assistant", "content": c.text},
                "finish_reason": c.finish_reason,
                "logprobs": None,
            }
            for i, c in enumerate(choices)
        ],
        "usage": _usage(preds, choices),
    }


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    step = max(1, len(words) // 4)
    return [" ".join(words[i : i + step]) + (" " if i + step < len(words) else "") for i in range(0, len(words), step)]


def completion_chunks(req: ChatRequest, preds: list[Prediction]) -> Iterator[dict[str, Any]]:
    """The same answer as `chat.completion.chunk` objects: each choice's text in word-sized
    deltas, its finish reason on its last chunk, then the usage if the request asked for it."""
    choices = _choices(preds, req.stop)
    base: dict[str, Any] = {"id": f"chatcmpl-{preds[0].request_id or ''}", "object": "chat.completion.chunk"}
    base |= {"created": int(time.time()), "model": req.model}
    for i, c in enumerate(choices):
        pieces = _pieces(c.text) if c.text else [""]
        for j, piece in enumerate(pieces):
            delta: dict[str, Any] = {"role": "assistant"} if j == 0 else {}
            if c.text is not None:
                delta["content"] = piece
            last = j == len(pieces) - 1
            choice = {"index": i, "delta": delta, "finish_reason": c.finish_reason if last else None, "logprobs": None}
            yield {**base, "choices": [choice]}
    if req.include_usage:
        yield {**base, "choices": [], "usage": _usage(preds, choices)}


def error_response(err: ApiError) -> JSONResponse:
    """The endpoint's error shape: Google's error object in a one-element list."""
    body = [{"error": {"code": err.code, "message": err.message, "status": err.status}}]
    return JSONResponse(body, status_code=err.code, headers=err.headers)


class ChatCompletions:
    """The chat completions route over the emulated model service `service()` returns."""

    def __init__(self, service: Callable[[], Any]):
        self.service = service

    def _predict(self, req: ChatRequest) -> list[Prediction]:
        service = self.service()
        gen = req.generation
        return [
            service.predict(
                req.prompt, model=req.target, generation=gen if i == 0 else replace(gen, seed=(gen.seed or 0) + i)
            )
            for i in range(req.n)
        ]

    async def handle(self, request: Request, project: str, location: str) -> Response:
        try:
            req = chat_request(await read_json(request), project, location)
            preds = await run_in_threadpool(self._predict, req)
        except Exception as exc:  # every failure answers in this endpoint's own shape
            err = from_exception(exc)
            if err.code >= 500:
                raise
            return error_response(err)
        if not req.stream:
            return JSONResponse(completion_response(req, preds))

        async def events() -> Any:
            for chunk in completion_chunks(req, preds):
                yield f"data: {json.dumps(chunk)}\n\n".encode()
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")
