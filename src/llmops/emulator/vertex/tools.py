"""Function calling on the emulated model: `tools[].functionDeclarations`,
`toolConfig.functionCallingConfig` and the `functionCall` / `functionResponse` turns.

When the model calls: mode ANY (or VALIDATED with allowed names) always calls the declared
function whose name and description share most words with the last user turn; AUTO calls it
only when that turn names the function or shares at least two content words with its
description, and never right after a `functionResponse` (it answers with the response
instead); NONE never calls. Arguments come from the prompt through the parameter schema
(`structured.function_args`), so they conform to it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..server.errors import bad_request
from .engine.base_model import key_terms
from .schema import Schema, json_schema, openapi_schema
from .structured import _name_words, _words, function_args

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$")
_MODES = {0: "AUTO", 1: "AUTO", 2: "ANY", 3: "NONE", 5: "VALIDATED"}
_STOP = frozenset("a an the of to in on for and or is are be by with get set returns return current".split())


@dataclass
class Function:
    """One declared function."""

    name: str
    description: str
    parameters: Schema | None


@dataclass
class ToolUse:
    """The request's tools, calling mode and function-call turns."""

    functions: dict[str, Function] = field(default_factory=dict)
    mode: str = "AUTO"
    allowed: list[str] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    """The `functionResponse`s of the last turn, if it answers calls."""


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    return obj.get(camel, obj.get(snake))


def _declaration(raw: Any, where: str) -> Function:
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid value at '{where}': expected a FunctionDeclaration", location=where)
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise bad_request(
            f"Invalid function name {name!r} at '{where}.name': it must start with a letter or an underscore and "
            "contain only a-z, A-Z, 0-9, underscores, dots, colons and dashes, at most 128 characters",
            location=f"{where}.name",
        )
    params = raw.get("parameters")
    params_json = _get(raw, "parametersJsonSchema", "parameters_json_schema")
    if params is not None and params_json is not None:
        raise bad_request(
            f"Invalid value at '{where}': set either parameters or parameters_json_schema, not both", location=where
        )
    schema = None
    if params is not None:
        schema = openapi_schema(params, f"{where}.parameters")
    elif params_json is not None:
        schema = json_schema(params_json, f"{where}.parameters_json_schema")
    if schema is not None and schema.type != "object":
        raise bad_request(
            f"Invalid value at '{where}.parameters': a function's parameters must be an OBJECT schema, "
            f"got {(schema.type or 'untyped').upper()}",
            location=f"{where}.parameters",
        )
    description = raw.get("description")
    return Function(name, description if isinstance(description, str) else "", schema)


def parse_tools(body: dict[str, Any]) -> ToolUse:
    """The function declarations and calling config of a request; 400 when malformed."""
    use = ToolUse()
    tools = body.get("tools") or []
    if not isinstance(tools, list):
        raise bad_request("Invalid value at 'tools': expected a list", location="tools")
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise bad_request(f"Invalid value at 'tools[{i}]': expected a Tool object", location="tools")
        decls = _get(tool, "functionDeclarations", "function_declarations") or []
        if not isinstance(decls, list):
            raise bad_request(f"Invalid value at 'tools[{i}].function_declarations': expected a list")
        for j, raw in enumerate(decls):
            fn = _declaration(raw, f"tools[{i}].function_declarations[{j}]")
            if fn.name in use.functions:
                raise bad_request(f"Duplicate function declaration {fn.name!r} in tools", location="tools")
            use.functions[fn.name] = fn
    config = _get(body, "toolConfig", "tool_config") or {}
    calling = _get(config, "functionCallingConfig", "function_calling_config") if isinstance(config, dict) else None
    if isinstance(calling, dict):
        mode = calling.get("mode", "AUTO")
        name = _MODES.get(mode) if isinstance(mode, int) else str(mode).upper()
        if name == "MODE_UNSPECIFIED":
            name = "AUTO"
        if name not in ("AUTO", "ANY", "NONE", "VALIDATED"):
            raise bad_request(
                f"Invalid value at 'tool_config.function_calling_config.mode' ({mode!r}): "
                "expected AUTO, ANY, NONE or VALIDATED",
                location="toolConfig.functionCallingConfig.mode",
            )
        use.mode = name
        allowed = _get(calling, "allowedFunctionNames", "allowed_function_names") or []
        if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
            raise bad_request("Invalid value at 'allowed_function_names': expected a list of names")
        if allowed and use.mode not in ("ANY", "VALIDATED"):
            raise bad_request(
                "allowed_function_names may be set only when the function calling mode is ANY or VALIDATED",
                location="toolConfig.functionCallingConfig.allowedFunctionNames",
            )
        unknown = [a for a in allowed if a not in use.functions]
        if unknown:
            raise bad_request(
                f"allowed_function_names names {unknown[0]!r}, which is not a declared function",
                location="toolConfig.functionCallingConfig.allowedFunctionNames",
            )
        use.allowed = list(allowed)
    if use.mode in ("ANY", "VALIDATED") and not use.functions and calling is not None:
        raise bad_request(
            f"Function calling mode {use.mode} needs at least one function declaration in tools",
            location="toolConfig.functionCallingConfig.mode",
        )
    return use


def _call_text(part: dict[str, Any]) -> str:
    call = _get(part, "functionCall", "function_call")
    return f"[called {call.get('name')}({json.dumps(call.get('args') or {}, sort_keys=True)})]"


def flatten_contents(body: dict[str, Any], use: ToolUse) -> dict[str, Any]:
    """The request with its functionCall/functionResponse parts written as text, for the
    text-only model; records the last turn's responses on `use`. 400 for a response to a
    function that is not declared."""
    contents = body.get("contents")
    if not isinstance(contents, list):
        return body
    out = []
    last_responses: list[dict[str, Any]] = []
    for i, content in enumerate(contents):
        if not isinstance(content, dict) or not isinstance(content.get("parts"), list):
            out.append(content)
            continue
        parts = []
        responses = []
        for j, part in enumerate(content["parts"]):
            if not isinstance(part, dict):
                parts.append(part)
            elif _get(part, "functionCall", "function_call") is not None:
                parts.append({"text": _call_text(part)})
            elif (resp := _get(part, "functionResponse", "function_response")) is not None:
                name = resp.get("name") if isinstance(resp, dict) else None
                if name not in use.functions:
                    raise bad_request(
                        f"Invalid functionResponse at 'contents[{i}].parts[{j}]': function {name!r} is not declared "
                        "in tools; send the same tools as the turn that called it",
                        location=f"contents[{i}].parts[{j}].function_response.name",
                    )
                responses.append(resp)
                payload = json.dumps(resp.get("response") or {}, sort_keys=True, default=str)
                parts.append({"text": f"[{name} returned {payload}]"})
            else:
                parts.append(part)
        last_responses = responses
        out.append({**content, "parts": parts})
    use.responses = last_responses
    return {**body, "contents": out}


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last content that is not the model's."""
    for content in reversed(body.get("contents") or []):
        if isinstance(content, dict) and content.get("role") != "model":
            return " ".join(p["text"] for p in content.get("parts") or [] if isinstance(p, dict) and "text" in p)
    return ""


def _score(fn: Function, words: set[str]) -> tuple[int, int]:
    name_hits = len(set(_name_words(fn.name)) & words - _STOP)
    desc_hits = len(_words(fn.description) & words - _STOP)
    return name_hits, desc_hits


def choose_call(use: ToolUse, text: str) -> tuple[str, dict[str, Any]] | None:
    """The function to call and its arguments for the last user turn, or None (see the
    module docstring)."""
    if not use.functions or use.mode == "NONE":
        return None
    if use.mode == "AUTO" and use.responses:
        return None
    candidates = [use.functions[n] for n in use.allowed] if use.allowed else list(use.functions.values())
    words = _words(text) | set(key_terms(text, limit=20))
    ranked = sorted(candidates, key=lambda f: _score(f, words), reverse=True)
    best = ranked[0]
    name_hits, desc_hits = _score(best, words)
    must = use.mode == "ANY" or (use.mode == "VALIDATED" and use.allowed)
    if not must and name_hits == 0 and desc_hits < 2:
        return None
    return best.name, function_args(best.parameters, text)


def answer_from_responses(responses: list[dict[str, Any]], model: str) -> str:
    """The model's answer after function calls: it reports what each function returned."""
    lines = [f"[{model} · llmops emulator] Answer from the function results:"]
    for resp in responses:
        payload = resp.get("response")
        if isinstance(payload, dict) and set(payload) == {"result"}:
            payload = payload["result"]
        shown = payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True, default=str)
        lines.append(f"{resp.get('name')}: {shown}")
    return "\n".join(lines)
