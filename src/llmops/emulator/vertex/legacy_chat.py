"""The PaLM-era calls beyond `:predict` on a text model: `ChatModel` (`chat-bison`) `:predict`
with `instances[{context, examples, messages}]`, and `TextGenerationModel.predict_streaming`'s
`:serverStreamingPredict` with Tensor-encoded inputs and outputs.

A chat turn is answered by the emulated model on the conversation so far (context as the system
instruction, examples and earlier messages before the last user message), so the same history
gets the same answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.types import Prediction
from ..server.errors import bad_request
from ..server.http import read_json
from .generate import palm_prediction, palm_request, palm_response

if TYPE_CHECKING:
    from .routes import VertexHandlers


def is_chat_request(body: dict[str, Any]) -> bool:
    instances = body.get("instances")
    return (
        isinstance(instances, list)
        and bool(instances)
        and isinstance(instances[0], dict)
        and "messages" in instances[0]
    )


def _text(value: Any, where: str) -> str:
    content = value.get("content") if isinstance(value, dict) else None
    if not isinstance(content, str):
        raise bad_request(f"Invalid {where}: expected an object with a 'content' string", location="instances")
    return content


def chat_prompt(instance: Any, i: int) -> tuple[str, str | None]:
    """The last user message of a chat instance, and what the model reads before it (context,
    examples and the earlier messages) as the system instruction."""
    if not isinstance(instance, dict):
        raise bad_request(f"Invalid instance {i}: expected an object", location="instances")
    messages = instance.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request(f"Invalid instance {i}: 'messages' must be a non-empty list", location="instances")
    context = instance.get("context")
    if context is not None and not isinstance(context, str):
        raise bad_request(f"Invalid instance {i}: 'context' must be a string", location="instances")
    lines = [context] if context else []
    for j, ex in enumerate(instance.get("examples") or []):
        if not isinstance(ex, dict):
            raise bad_request(f"Invalid instance {i}: example {j} must be an object", location="instances")
        lines.append(f"Example input: {_text(ex.get('input'), f'examples[{j}].input')}")
        lines.append(f"Example output: {_text(ex.get('output'), f'examples[{j}].output')}")
    texts = [_text(m, f"messages[{j}]") for j, m in enumerate(messages)]
    for j, m in enumerate(messages[:-1]):
        lines.append(f"{m.get('author') or ('user' if j % 2 == 0 else 'bot')}: {texts[j]}")
    if isinstance(messages[-1], dict) and messages[-1].get("author") == "bot":
        raise bad_request("The last message must be the user's, not the bot's", location="instances")
    return texts[-1], "\n".join(lines) or None


async def chat_predict(handlers: VertexHandlers, request: Request, model: str, body: dict[str, Any]) -> Response:
    """A `chat-bison` `:predict`: one prediction per instance with `candidates`,
    `safetyAttributes` and `citationMetadata` lists (one entry per candidate)."""
    instances = body["instances"]
    asked = [chat_prompt(inst, i) for i, inst in enumerate(instances)]
    _, gen, count = palm_request({**body, "instances": [{"content": p} for p, _ in asked]})

    def run() -> list[list[Prediction]]:
        return [
            handlers._predict_n(prompt, model, replace(gen, system_instruction=context), {}, count)
            for prompt, context in asked
        ]

    answers = await run_in_threadpool(run)
    flat = [p for group in answers for p in group]
    out = palm_response(flat)
    out["predictions"] = []
    for group in answers:
        parts = [palm_prediction(p) for p in group]
        out["predictions"].append(
            {
                "candidates": [{"author": "bot", "content": part["content"]} for part in parts],
                "safetyAttributes": [part["safetyAttributes"] for part in parts],
                "citationMetadata": [part["citationMetadata"] for part in parts],
            }
        )
    return JSONResponse(out)


# --- Tensor encoding of serverStreamingPredict ------------------------------------------------


def tensor_to_value(tensor: Any) -> Any:
    """A `Tensor` JSON value as plain JSON (one-element lists become scalars)."""
    if not isinstance(tensor, dict):
        raise bad_request("Invalid tensor: expected an object", location="inputs")
    if "structVal" in tensor:
        return {k: tensor_to_value(v) for k, v in (tensor["structVal"] or {}).items()}
    if "listVal" in tensor:
        return [tensor_to_value(v) for v in tensor["listVal"] or []]
    for key in ("stringVal", "boolVal", "intVal", "floatVal", "doubleVal", "int64Val", "uintVal", "uint64Val"):
        if key in tensor:
            values = tensor[key] or []
            if key in ("int64Val", "uint64Val"):
                values = [int(v) for v in values]
            return values[0] if len(values) == 1 else values
    raise bad_request("Invalid tensor: no value field (structVal, stringVal, floatVal, ...)", location="inputs")


def value_to_tensor(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"structVal": {k: value_to_tensor(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"listVal": [value_to_tensor(v) for v in value]}
    if isinstance(value, bool):
        return {"boolVal": [value]}
    if isinstance(value, int):
        return {"intVal": [value]}
    if isinstance(value, float):
        return {"floatVal": [value]}
    return {"stringVal": [str(value)]}


async def stream_predict(handlers: VertexHandlers, request: Request, model: str) -> Response:
    """`:serverStreamingPredict`: the text model's answer as a JSON array of
    `StreamingPredictResponse`s, the text in word-sized pieces, the last one with the safety
    attributes and citations."""
    body = await read_json(request)
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise bad_request("Invalid request: 'inputs' must be a non-empty list of tensors", location="inputs")
    instances = [tensor_to_value(t) for t in inputs]
    params = tensor_to_value(body["parameters"]) if body.get("parameters") else {}
    if not isinstance(params, dict):
        raise bad_request("Invalid request: 'parameters' must be a struct tensor", location="parameters")
    prompts, gen, _ = palm_request({"instances": instances, "parameters": params})

    def run() -> list[Prediction]:
        return [handlers._predict_n(p, model, gen, {}, 1)[0] for p in prompts]

    preds = await run_in_threadpool(run)
    chunks: list[dict[str, Any]] = []
    for pred in preds:
        full = palm_prediction(pred)
        words = full["content"].split(" ") if full["content"] else [""]
        step = max(1, len(words) // 4)
        pieces = [
            " ".join(words[i : i + step]) + (" " if i + step < len(words) else "") for i in range(0, len(words), step)
        ]
        for n, piece in enumerate(pieces):
            out: dict[str, Any] = {"content": piece}
            if n == len(pieces) - 1:
                out["safetyAttributes"] = full["safetyAttributes"]
                out["citationMetadata"] = full["citationMetadata"]
            else:
                out["safetyAttributes"] = {"blocked": False}
            chunks.append({"outputs": [value_to_tensor(out)]})
    return JSONResponse(chunks)
