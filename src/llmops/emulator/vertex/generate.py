"""Vertex AI request and response shapes for predictions: Gemini's `generateContent` /
`streamGenerateContent` and the legacy PaLM text models' `:predict`.

Pure translation between Google's JSON and the model service's `Prediction`: the routes call
`gemini_request` / `palm_request` to get a prompt, a `GenerationConfig` and safety thresholds,
and `gemini_response` / `palm_response` to shape the answer. Nothing is dropped: every
prediction carries its four safety ratings, its citations and its token counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, overload

from ...core.types import Citation, GenerationConfig, Prediction, SafetyRating
from ..server.errors import ApiError, bad_request

MAX_CANDIDATES = 8


@overload
def _number(value: Any, field: str, *, integer: Literal[True]) -> int | None: ...
@overload
def _number(value: Any, field: str, *, integer: Literal[False] = ...) -> float | None: ...
def _number(value: Any, field: str, *, integer: bool = False) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise bad_request(f"Invalid value at '{field}': {value!r} is not a number", location=field)
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise bad_request(f"Invalid value at '{field}': {value!r} is not an integer", location=field)
        return int(value)
    return float(value)


def _text_parts(content: Any, field: str) -> str:
    if not isinstance(content, dict):
        raise bad_request(f"Invalid value at '{field}': expected a Content object", location=field)
    parts = content.get("parts")
    if not isinstance(parts, list) or not parts:
        raise bad_request(
            f"Invalid value at '{field}.parts': a content needs at least one part", location=f"{field}.parts"
        )
    texts = []
    for i, part in enumerate(parts):
        if not isinstance(part, dict):
            raise bad_request(f"Invalid value at '{field}.parts[{i}]': expected a Part object")
        if isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif part.get("thought") or part.get("thoughtSignature"):
            continue
        else:
            kinds = ", ".join(sorted(part)) or "nothing"
            raise bad_request(
                f"Unsupported part at '{field}.parts[{i}]' ({kinds}): the emulated models read text parts only"
            )
    return "".join(texts)


def _safety_settings(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise bad_request("Invalid value at 'safety_settings': expected a list", location="safetySettings")
    out: dict[str, str] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("category") or not item.get("threshold"):
            raise bad_request(
                f"Invalid value at 'safety_settings[{i}]': needs category and threshold", location="safetySettings"
            )
        out[str(item["category"])] = str(item["threshold"])
    return out


def _generation(cfg: Any, system_instruction: str | None) -> tuple[GenerationConfig, int]:
    if cfg is None:
        cfg = {}
    if not isinstance(cfg, dict):
        raise bad_request("Invalid value at 'generation_config': expected an object", location="generationConfig")
    temperature = _number(cfg.get("temperature"), "generation_config.temperature")
    max_tokens = _number(cfg.get("maxOutputTokens"), "generation_config.max_output_tokens", integer=True)
    top_p = _number(cfg.get("topP"), "generation_config.top_p")
    top_k = _number(cfg.get("topK"), "generation_config.top_k", integer=True)
    seed = _number(cfg.get("seed"), "generation_config.seed", integer=True)
    count = _number(cfg.get("candidateCount"), "generation_config.candidate_count", integer=True)
    count = 1 if count is None else count
    if not 1 <= count <= MAX_CANDIDATES:
        raise bad_request(
            f"Unable to submit request because candidateCount must be in the range [1, {MAX_CANDIDATES}]; got {count}",
            location="generationConfig.candidateCount",
        )
    gen = GenerationConfig(
        temperature=0.0 if temperature is None else temperature,
        max_output_tokens=256 if max_tokens is None else max_tokens,
        top_p=top_p,
        top_k=None if top_k in (None, 0) else top_k,
        seed=seed,
        system_instruction=system_instruction,
    )
    return gen, count


def gemini_request(body: Mapping[str, Any]) -> tuple[str, GenerationConfig, dict[str, str], int]:
    """The prompt (the user turns' text), generation config, safety thresholds and candidate
    count of a `generateContent` request; 400 in Google's words when malformed."""
    contents = body.get("contents")
    if isinstance(contents, dict):
        contents = [contents]
    if not isinstance(contents, list) or not contents:
        raise bad_request("Unable to submit request because it has an empty contents field", location="contents")
    turns = []
    for i, content in enumerate(contents):
        role = content.get("role", "user") if isinstance(content, dict) else "user"
        text = _text_parts(content, f"contents[{i}]")
        turns.append(text if role != "model" else f"[model] {text}")
    prompt = "\n\n".join(t for t in turns if t)
    if not prompt.strip():
        raise bad_request("Unable to submit request because the contents have no text", location="contents")
    system = body.get("systemInstruction") or body.get("system_instruction")
    system_text = _text_parts(system, "system_instruction") if system else None
    gen, count = _generation(body.get("generationConfig") or body.get("generation_config"), system_text)
    return prompt, gen, _safety_settings(body.get("safetySettings")), count


def _rating(r: SafetyRating) -> dict[str, Any]:
    return {
        "category": r.category,
        "probability": r.probability,
        "probabilityScore": r.probability_score,
        "severity": f"HARM_SEVERITY_{r.severity}",
        "severityScore": r.severity_score,
        "blocked": r.blocked,
    }


def _gemini_citation(c: Citation) -> dict[str, Any]:
    out = {k: v for k, v in c.to_vertex_dict().items() if v is not None}
    return out


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def gemini_candidate(pred: Prediction, index: int = 0) -> dict[str, Any]:
    cand: dict[str, Any] = {"index": index, "finishReason": pred.finish_reason}
    if not pred.blocked:
        cand["content"] = {"role": "model", "parts": [{"text": pred.text}]}
    cand["safetyRatings"] = [_rating(r) for r in pred.safety.ratings]
    if pred.citations and not pred.blocked:
        cand["citationMetadata"] = {"citations": [_gemini_citation(c) for c in pred.citations]}
    return cand


def gemini_response(preds: list[Prediction], model_version: str) -> dict[str, Any]:
    """`GenerateContentResponse` for one or more candidates of the same prompt."""
    first = preds[0]
    out: dict[str, Any] = {}
    if first.prompt_blocked:
        out["promptFeedback"] = {
            "blockReason": "SAFETY",
            "blockReasonMessage": "The prompt was blocked by the emulator's safety filters.",
            "safetyRatings": [_rating(r) for r in first.safety.ratings],
        }
    else:
        out["candidates"] = [gemini_candidate(p, i) for i, p in enumerate(preds)]
    out["usageMetadata"] = {
        "promptTokenCount": first.usage.prompt_tokens,
        "candidatesTokenCount": sum(p.usage.output_tokens for p in preds),
        "totalTokenCount": first.usage.prompt_tokens + sum(p.usage.output_tokens for p in preds),
        "trafficType": "ON_DEMAND",
    }
    out["modelVersion"] = model_version
    out["createTime"] = now_rfc3339()
    out["responseId"] = first.request_id or ""
    return out


def gemini_stream_chunks(preds: list[Prediction], model_version: str) -> list[dict[str, Any]]:
    """The same answer as a stream: the text in word-sized chunks, then a final chunk with the
    finish reason, ratings, citations and usage (as Vertex sends them)."""
    final = gemini_response(preds, model_version)
    first = preds[0]
    if first.prompt_blocked or first.blocked or not first.text:
        return [final]
    words = first.text.split(" ")
    step = max(1, len(words) // 4)
    pieces = [
        " ".join(words[i : i + step]) + (" " if i + step < len(words) else "") for i in range(0, len(words), step)
    ]
    chunks = [
        {
            "candidates": [{"index": 0, "content": {"role": "model", "parts": [{"text": piece}]}}],
            "modelVersion": model_version,
            "createTime": final["createTime"],
            "responseId": final["responseId"],
        }
        for piece in pieces[:-1]
    ]
    last = dict(final)
    last["candidates"] = [dict(c) for c in final["candidates"]]
    last["candidates"][0]["content"] = {"role": "model", "parts": [{"text": pieces[-1]}]}
    chunks.append(last)
    return chunks


# --- legacy PaLM text models ---------------------------------------------------------------

_PALM_PARAMS = {
    "maxDecodeSteps",
    "maxOutputTokens",
    "temperature",
    "topP",
    "topK",
    "candidateCount",
    "seed",
    "stopSequences",
    "logprobs",
    "presencePenalty",
    "frequencyPenalty",
    "logitBias",
    "groundingConfig",
    "echo",
}


def palm_request(body: Mapping[str, Any]) -> tuple[list[str], GenerationConfig, int]:
    """The prompts, generation config and candidate count of a text model `:predict`."""
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise bad_request("Invalid request: 'instances' must be a non-empty list", location="instances")
    prompts = []
    for i, inst in enumerate(instances):
        text = inst.get("content", inst.get("prompt")) if isinstance(inst, dict) else None
        if not isinstance(text, str):
            raise bad_request(f"Invalid instance {i}: expected an object with a 'content' string", location="instances")
        prompts.append(text)
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise bad_request("Invalid request: 'parameters' must be an object", location="parameters")
    unknown = sorted(set(params) - _PALM_PARAMS)
    if unknown:
        raise bad_request(f"Invalid parameter {unknown[0]!r} for a text model", location="parameters")
    max_tokens = _number(
        params.get("maxDecodeSteps", params.get("maxOutputTokens")), "parameters.maxDecodeSteps", integer=True
    )
    temperature = _number(params.get("temperature"), "parameters.temperature")
    count = _number(params.get("candidateCount"), "parameters.candidateCount", integer=True) or 1
    if not 1 <= count <= MAX_CANDIDATES:
        raise bad_request(
            f"candidateCount must be in the range [1, {MAX_CANDIDATES}]; got {count}", location="parameters"
        )
    top_k = _number(params.get("topK"), "parameters.topK", integer=True)
    gen = GenerationConfig(
        temperature=0.0 if temperature is None else temperature,
        max_output_tokens=128 if max_tokens is None else max_tokens,
        top_p=_number(params.get("topP"), "parameters.topP") or None,
        top_k=top_k or None,
        seed=_number(params.get("seed"), "parameters.seed", integer=True),
    )
    return prompts, gen, count


def _palm_citation(c: Citation) -> dict[str, Any]:
    return {
        "startIndex": c.start_index,
        "endIndex": c.end_index,
        "url": c.uri or "",
        "title": c.title or "",
        "license": c.license or "",
        "publicationDate": c.publication_date or "",
    }


def palm_prediction(pred: Prediction) -> dict[str, Any]:
    """One PaLM prediction: content, safetyAttributes (with safetyRatings) and citationMetadata."""
    ratings = [
        {
            "category": r.category.removeprefix("HARM_CATEGORY_").replace("_", " ").title(),
            "probabilityScore": r.probability_score,
            "severity": r.severity,
            "severityScore": r.severity_score,
        }
        for r in pred.safety.ratings
    ]
    attrs: dict[str, Any] = {
        "blocked": pred.blocked,
        "categories": list(pred.safety.categories),
        "scores": list(pred.safety.scores),
        "safetyRatings": ratings,
    }
    return {
        "content": "" if pred.blocked else pred.text,
        "safetyAttributes": attrs,
        "citationMetadata": {"citations": [] if pred.blocked else [_palm_citation(c) for c in pred.citations]},
    }


def palm_response(preds: list[Prediction], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`PredictResponse` for a text model: one prediction per instance and candidate."""
    prompt_tokens = sum(p.usage.prompt_tokens for p in preds)
    output_tokens = sum(p.usage.output_tokens for p in preds)
    prompt_chars = sum(len(p.prompt or "") for p in preds)
    output_chars = sum(len(p.text) for p in preds)
    out: dict[str, Any] = {
        "predictions": [palm_prediction(p) for p in preds],
        "metadata": {
            "tokenMetadata": {
                "inputTokenCount": {"totalTokens": prompt_tokens, "totalBillableCharacters": prompt_chars},
                "outputTokenCount": {"totalTokens": output_tokens, "totalBillableCharacters": output_chars},
            }
        },
    }
    out.update(extra or {})
    return out


def reject_unknown_verb(verb: str, allowed: tuple[str, ...]) -> ApiError:
    return ApiError(404, f"Method '{verb}' is not supported here; supported: {', '.join(allowed)}", "notFound")
