"""The `generateContent` features layered over the emulated model's text: structured output
(`responseMimeType` + `responseSchema` / `responseJsonSchema`, `text/x.enum`), function calling,
stop sequences, thinking, cached contents, and the numeric enums aiplatform's REST transport
sends.

`prepare` reads them from the request (400 in Vertex's words when malformed) and rewrites the
request into the text-only form `generate.gemini_request` reads; `Features.response` and
`Features.stream` shape the answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ...core.types import Prediction, Usage
from ..server.errors import bad_request
from .engine.base_model import count_tokens, key_terms, truncate_tokens
from .generate import gemini_response, gemini_stream_chunks
from .schema import Schema, json_schema, openapi_schema
from .structured import Source, fill, pick_enum
from .tools import ToolUse, answer_from_responses, choose_call, flatten_contents, last_user_text, parse_tools

MIME_TYPES = ("text/plain", "application/json", "text/x.enum")
MAX_STOP_SEQUENCES = 5
_HARM = {1: "HARM_CATEGORY_HATE_SPEECH", 2: "HARM_CATEGORY_DANGEROUS_CONTENT", 3: "HARM_CATEGORY_HARASSMENT"}
_HARM |= {4: "HARM_CATEGORY_SEXUALLY_EXPLICIT", 5: "HARM_CATEGORY_CIVIC_INTEGRITY", 6: "HARM_CATEGORY_JAILBREAK"}
_THRESHOLD = {1: "BLOCK_LOW_AND_ABOVE", 2: "BLOCK_MEDIUM_AND_ABOVE", 3: "BLOCK_ONLY_HIGH", 4: "BLOCK_NONE", 5: "OFF"}
_LEVELS = {0: None, 1: "LOW", 2: "MEDIUM", 3: "HIGH", 4: "MINIMAL"}
_THINKING = re.compile(r"^gemini-(?:2\.5|[3-9](?:\.\d+)?)-")
_BUDGET_MAX = 32768


@dataclass
class Thinking:
    """`thinkingConfig` for a thinking model: token budget (-1 automatic) and whether thoughts
    are returned."""

    budget: int = -1
    include: bool = False
    level: str | None = None


@dataclass
class Features:
    """What a `generateContent` request asks for beyond plain text."""

    model: str
    mime_type: str = "text/plain"
    schema: Schema | None = None
    stop: list[str] = field(default_factory=list)
    thinking: Thinking | None = None
    tools: ToolUse = field(default_factory=ToolUse)
    last_user: str = ""
    cached_tokens: int = 0

    # --- answer ------------------------------------------------------------------------------
    def _candidate(self, pred: Prediction, prompt: str, max_tokens: int) -> tuple[Prediction, list[dict[str, Any]]]:
        if pred.blocked or pred.prompt_blocked:
            return pred, []
        call = choose_call(self.tools, self.last_user)
        if call is not None:
            name, args = call
            part = {"functionCall": {"name": name, "args": args}}
            tokens = count_tokens(json.dumps(part))
            return replace(pred, text="", finish_reason="STOP", usage=Usage(pred.usage.prompt_tokens, tokens)), [part]
        text, finish, own = pred.text, pred.finish_reason, True
        if self.tools.responses:
            text = answer_from_responses(self.tools.responses, self.model)
        elif self.schema is not None and self.mime_type == "text/x.enum":
            text = str(pick_enum(self.schema.enum, prompt))
        elif self.schema is not None:
            text = json.dumps(fill(self.schema, Source.of(prompt)), ensure_ascii=False)
        else:
            own = False
        if own:
            text, cut = truncate_tokens(text, max_tokens)
            finish = "MAX_TOKENS" if cut else "STOP"
        for seq in self.stop:
            at = text.find(seq)
            if at >= 0:
                text, finish = text[:at], "STOP"
        return replace(
            pred, text=text, finish_reason=finish, usage=Usage(pred.usage.prompt_tokens, count_tokens(text))
        ), []

    def _thought(self, prompt: str) -> str:
        if self.thinking is None or self.thinking.budget == 0:
            return ""
        terms = key_terms(prompt, limit=6)
        steps = [
            f"The user asks about {', '.join(terms) or 'something without content words'}.",
            "I recall what the documentation says about each of these and how they fit together.",
            "I check the plan against the question and write a short, direct answer.",
        ]
        if self.tools.functions:
            steps.insert(1, f"Declared functions: {', '.join(self.tools.functions)}; I decide whether one fits.")
        if self.schema is not None:
            steps.insert(1, "The answer must follow the response schema, so I fill each field from the prompt.")
        if self.thinking.level in ("LOW", "MINIMAL"):
            steps = steps[:1]
        text = "**Thinking (emulated)** " + " ".join(steps)
        if self.thinking.budget > 0:
            text, _ = truncate_tokens(text, self.thinking.budget)
        return text

    def shape(
        self, preds: list[Prediction], max_tokens: int
    ) -> tuple[list[Prediction], list[list[dict[str, Any]]], str]:
        """Each candidate's final text and its non-text parts, and the thought text."""
        prompt = preds[0].prompt or ""
        shaped = [self._candidate(p, prompt, max_tokens) for p in preds]
        return [s[0] for s in shaped], [s[1] for s in shaped], self._thought(prompt)

    def _patch(self, out: dict[str, Any], preds: list[Prediction], calls: list[list[dict[str, Any]]], thought: str):
        for cand, parts in zip(out.get("candidates") or [], calls):
            if parts and "content" in cand:
                cand["content"] = {"role": "model", "parts": parts}
        usage = out["usageMetadata"]
        if self.cached_tokens:
            usage["cachedContentTokenCount"] = self.cached_tokens
            usage["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": self.cached_tokens}]
        if thought and not preds[0].prompt_blocked:
            usage["thoughtsTokenCount"] = count_tokens(thought)
            usage["totalTokenCount"] += usage["thoughtsTokenCount"]
        return out

    def response(self, preds: list[Prediction], version: str, max_tokens: int) -> dict[str, Any]:
        """The `GenerateContentResponse`."""
        preds, calls, thought = self.shape(preds, max_tokens)
        out = self._patch(gemini_response(preds, version), preds, calls, thought)
        if thought and self.thinking and self.thinking.include:
            for cand in out.get("candidates") or []:
                if "content" in cand:
                    cand["content"]["parts"].insert(0, {"text": thought, "thought": True})
        return out

    def stream(self, preds: list[Prediction], version: str, max_tokens: int) -> list[dict[str, Any]]:
        """The same answer as `streamGenerateContent` chunks: thoughts first, a function call
        in one chunk."""
        preds, calls, thought = self.shape(preds, max_tokens)
        if any(calls):
            chunks = [gemini_response(preds, version)]
        else:
            chunks = gemini_stream_chunks(preds, version)
        self._patch(chunks[-1], preds, calls, thought)
        if thought and self.thinking and self.thinking.include and not preds[0].prompt_blocked:
            first = {k: v for k, v in chunks[0].items() if k in ("modelVersion", "createTime", "responseId")}
            first["candidates"] = [
                {"index": 0, "content": {"role": "model", "parts": [{"text": thought, "thought": True}]}}
            ]
            chunks.insert(0, first)
        return chunks


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake))


def _enum(value: Any, names: dict[int, str] | dict[int, str | None]) -> Any:
    return names.get(value, value) if isinstance(value, int) and not isinstance(value, bool) else value


def _thinking(raw: Any, model: str) -> Thinking | None:
    short = model.rsplit("/", 1)[-1]
    if not _THINKING.match(short):
        return None
    if raw is None:
        return Thinking()
    if not isinstance(raw, dict):
        raise bad_request("Invalid value at 'generation_config.thinking_config': expected an object")
    budget = _get(raw, "thinkingBudget", "thinking_budget")
    if budget is None:
        budget = -1
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or int(budget) != budget:
        raise bad_request(f"Invalid value at 'thinking_config.thinking_budget': {budget!r} is not an integer")
    budget = int(budget)
    if budget < -1 or budget > _BUDGET_MAX:
        raise bad_request(
            f"Unable to submit request because the thinking budget {budget} is out of range; "
            f"use -1 (automatic), 0 (off) or 1 to {_BUDGET_MAX}",
            location="generationConfig.thinkingConfig.thinkingBudget",
        )
    if budget == 0 and "-pro" in short:
        raise bad_request(
            f"Unable to submit request because thinking_budget 0 is invalid: {short} only works in thinking mode",
            location="generationConfig.thinkingConfig.thinkingBudget",
        )
    level = _enum(_get(raw, "thinkingLevel", "thinking_level"), _LEVELS)
    if level is not None and level not in _LEVELS.values():
        raise bad_request(f"Invalid value at 'thinking_config.thinking_level': {level!r}")
    include = bool(_get(raw, "includeThoughts", "include_thoughts"))
    return Thinking(budget, include, level)


def _response_schema(cfg: dict[str, Any], mime: str) -> Schema | None:
    schema = _get(cfg, "responseSchema", "response_schema")
    js = _get(cfg, "responseJsonSchema", "response_json_schema")
    if schema is not None and js is not None:
        raise bad_request(
            "Unable to submit request because response_schema and response_json_schema are both set; set one",
            location="generationConfig.responseSchema",
        )
    if schema is None and js is None:
        if mime == "text/x.enum":
            raise bad_request(
                "Unable to submit request because response_mime_type text/x.enum needs a response_schema with an enum",
                location="generationConfig.responseSchema",
            )
        return None
    if mime == "text/plain":
        raise bad_request(
            "Unable to submit request because response_schema is only supported with response_mime_type "
            "application/json or text/x.enum",
            location="generationConfig.responseMimeType",
        )
    out = (
        openapi_schema(schema, "generation_config.response_schema")
        if schema is not None
        else json_schema(js, "generation_config.response_json_schema")
    )
    if mime == "text/x.enum" and (out.type != "string" or not out.enum):
        raise bad_request(
            "Unable to submit request because response_mime_type text/x.enum needs a STRING schema with an enum",
            location="generationConfig.responseSchema",
        )
    return out


def prepare(body: dict[str, Any], model: str, cached: dict[str, Any] | None = None) -> tuple[dict[str, Any], Features]:
    """The request rewritten for `gemini_request` (tool turns as text, cached contents first,
    numeric safety enums as names) and the features it asks for."""
    feats = Features(model=model)
    if cached is not None:
        body = {**body, "contents": [*(cached.get("contents") or []), *(body.get("contents") or [])]}
        if cached.get("systemInstruction") and not body.get("systemInstruction"):
            body["systemInstruction"] = cached["systemInstruction"]
        if cached.get("tools") and not body.get("tools"):
            body["tools"] = cached["tools"]
        feats.cached_tokens = int(cached.get("_tokens", 0))
    feats.tools = parse_tools(body)
    body = flatten_contents(body, feats.tools)
    feats.last_user = last_user_text(body)
    cfg = _get(body, "generationConfig", "generation_config") or {}
    if isinstance(cfg, dict):
        mime = _get(cfg, "responseMimeType", "response_mime_type") or "text/plain"
        if mime not in MIME_TYPES:
            raise bad_request(
                f"Unable to submit request because response_mime_type {mime!r} is not supported; "
                f"use one of {', '.join(MIME_TYPES)}",
                location="generationConfig.responseMimeType",
            )
        feats.mime_type = mime
        feats.schema = _response_schema(cfg, mime)
        stop = _get(cfg, "stopSequences", "stop_sequences") or []
        if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop):
            raise bad_request(
                "Invalid value at 'generation_config.stop_sequences': expected a list of non-empty strings",
                location="generationConfig.stopSequences",
            )
        if len(stop) > MAX_STOP_SEQUENCES:
            raise bad_request(
                f"Unable to submit request because stop_sequences has {len(stop)} entries; at most "
                f"{MAX_STOP_SEQUENCES} are allowed",
                location="generationConfig.stopSequences",
            )
        feats.stop = stop
        feats.thinking = _thinking(_get(cfg, "thinkingConfig", "thinking_config"), model)
    settings = body.get("safetySettings")
    if isinstance(settings, list):
        body = {
            **body,
            "safetySettings": [
                {**s, "category": _enum(s.get("category"), _HARM), "threshold": _enum(s.get("threshold"), _THRESHOLD)}
                if isinstance(s, dict)
                else s
                for s in settings
            ],
        }
    return body, feats
