"""BigQuery's scalar generative AI functions on the emulated model: AI.GENERATE,
AI.GENERATE_BOOL, AI.GENERATE_INT and AI.GENERATE_DOUBLE.

Each call becomes one engine-registered UDF (`AI_UDF`, on the sandbox allowlist by name) that
sends the prompt to the Vertex emulator's model as a `generateContent` request, with the
response schema the function implies (structured output), and answers a JSON object that
DuckDB's `from_json` turns into the function's STRUCT: `result` (or the fields of
`output_schema`), `full_response` (the GenerateContentResponse, JSON) and `status` (empty on
success). sqlglot cannot parse named arguments of every AI.* call, so `protect` spells the
served names as plain function names (`AI_GENERATE_BOOL`) before parsing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.tokens import TokenType

from .googlesql import BigQueryError, BigQueryInvalid

AI_UDF = "__llmops_ai_generate"
DEFAULT_ENDPOINT = "gemini-2.5-flash"
"""The model BigQuery uses when a call names no endpoint."""
RESULT_TYPES = {"GENERATE": None, "GENERATE_BOOL": "BOOL", "GENERATE_INT": "INT64", "GENERATE_DOUBLE": "FLOAT64"}
"""The functions served, and the type of their `result` (None: STRING text, or `output_schema`)."""
_MARKS = {f"AI_{name}": name for name in RESULT_TYPES}
_ARGUMENTS = ("prompt", "endpoint", "model_params", "output_schema", "connection_id", "request_type")
_REQUEST_TYPES = ("DEDICATED", "SHARED", "UNSPECIFIED")
_REQUEST_FIELDS = {
    "generation_config": "generationConfig",
    "safety_settings": "safetySettings",
    "system_instruction": "systemInstruction",
    "labels": "labels",
}
"""The generateContent request fields model_params may set (either spelling)."""
_UNSERVED_FIELDS = {"tools", "tool_config", "cached_content"}
_SCHEMA_TYPES: dict[Any, tuple[str, str]] = {
    exp.DataType.Type.TEXT: ("STRING", "VARCHAR"),
    exp.DataType.Type.VARCHAR: ("STRING", "VARCHAR"),
    exp.DataType.Type.BIGINT: ("INTEGER", "BIGINT"),
    exp.DataType.Type.DOUBLE: ("NUMBER", "DOUBLE"),
    exp.DataType.Type.BOOLEAN: ("BOOLEAN", "BOOLEAN"),
}
"""output_schema's scalar types: the Vertex schema type and the DuckDB type of each."""
_SCHEMA_FIX = (
    "write output_schema as 'name STRING, age INT64' (types STRING, INT64, FLOAT64, BOOL, ARRAY<...>, STRUCT<...>)"
)
_CANDIDATE = re.compile(r"\bai`?\s*\.\s*generate", re.IGNORECASE)
"""Text that may call a served function (the tokens decide)."""
_NULL_PROMPT = "The prompt is NULL; no request was sent to the model"


def protect(sql: str) -> str:
    """`sql` with each served `AI.GENERATE...(` call spelled `AI_GENERATE...(` (same length)."""
    if not _CANDIDATE.search(sql):
        return sql
    from sqlglot.dialects.bigquery import BigQuery
    from sqlglot.errors import TokenError

    try:
        tokens = BigQuery().tokenize(sql)
    except TokenError:
        return sql  # the parser reports the problem
    names = (TokenType.VAR, TokenType.IDENTIFIER)
    if any(t.token_type in names and t.text.upper() in _MARKS for t in tokens):
        return sql  # a function of the user's own is named like a mark: leave the text alone
    edits: list[tuple[int, int, str]] = []
    for ai, dot, name, paren in zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False):
        if (
            ai.token_type in names
            and ai.text.upper() == "AI"
            and dot.token_type == TokenType.DOT
            and name.token_type == TokenType.VAR
            and name.text.upper() in RESULT_TYPES
            and paren.token_type == TokenType.L_PAREN
        ):
            mark = f"AI_{name.text.upper()}"
            edits.append((ai.start, name.end, mark.ljust(name.end - ai.start + 1)))
    for start, end, text in reversed(edits):
        sql = f"{sql[:start]}{text}{sql[end + 1 :]}"
    return sql


def served(name: str) -> bool:
    """Whether `AI.<name>` is one of the functions served here."""
    return name.upper() in RESULT_TYPES


def rewrite_calls(stmt: exp.Expression) -> bool:
    """Replace each protected AI.GENERATE* call in `stmt` by its UDF call; whether there was one."""
    calls = [n for n in stmt.find_all(exp.Anonymous, exp.AIGenerate) if _marked(n)]
    for node in reversed(calls):  # find_all is breadth first: deepest last
        node.replace(_call(_marked(node), node))
    return bool(calls)


def _marked(node: exp.Expr) -> str:
    """The served function a protected call names ("GENERATE_BOOL"), else ""."""
    if isinstance(node, exp.AIGenerate):  # sqlglot's own name for AI_GENERATE
        return "GENERATE"
    return _MARKS.get(str(node.this).upper(), "")


def _call(name: str, node: exp.Expr) -> exp.Expression:
    what = f"AI.{name}"
    args = _arguments(what, node.expressions)
    if "prompt" not in args:
        raise BigQueryInvalid(f"{what} needs a prompt", fix=f"write {what}('your prompt' [, endpoint => '...'])")
    endpoint = _endpoint(what, args.get("endpoint"))
    _string(what, "connection_id", args.get("connection_id"))
    _request_type(what, _string(what, "request_type", args.get("request_type")))
    result_type = RESULT_TYPES[name]
    schema_text = _string(what, "output_schema", args.get("output_schema"))
    if schema_text is not None and result_type is not None:
        raise BigQueryInvalid(f"{what} has no output_schema argument", fix="use AI.GENERATE for a custom schema")
    if schema_text is not None:
        fields = _output_schema(schema_text, what)
        response_schema: dict[str, Any] | None = _object_schema(fields)
        shape, structure = "object", {n: d for n, (_, d) in fields.items()}
    elif result_type is not None:
        vertex, duck = _SCHEMA_TYPES[exp.DataType.build(result_type, dialect="bigquery").this]
        response_schema, shape, structure = {"type": vertex}, "value", {"result": duck}
    else:
        response_schema, shape, structure = None, "text", {"result": "VARCHAR"}
    request = _request(what, args.get("model_params"), response_schema, endpoint)
    return _generation(exp.Literal.string(endpoint), _prompt(args["prompt"]), request, shape, structure)


def _object_schema(fields: dict[str, tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    return {
        "type": "OBJECT",
        "properties": {n: v for n, (v, _) in fields.items()},
        "required": list(fields),
        "propertyOrdering": list(fields),
    }


def _generation(
    model: exp.Expression, prompt: exp.Expression, request: dict[str, Any], shape: str, structure: dict[str, Any]
) -> exp.Expression:
    """The UDF call, as the STRUCT of `structure`'s fields, full_response and status."""
    structure = {**structure, "full_response": "JSON", "status": "VARCHAR"}
    udf = exp.Anonymous(
        this=AI_UDF,
        expressions=[model, prompt, exp.Literal.string(json.dumps(request)), exp.Literal.string(shape)],
    )
    return exp.Anonymous(this="from_json", expressions=[udf, exp.Literal.string(json.dumps(structure))])


_TABLE_SETTINGS = {
    "temperature": ("temperature", 0.0, 2.0),
    "top_p": ("topP", 0.0, 1.0),
    "max_output_tokens": ("maxOutputTokens", 1, 8192),
}


def table_columns(
    model: exp.Expression, prompt: exp.Expression, params: exp.Expression | None
) -> tuple[exp.Expression, list[str]]:
    """AI.GENERATE_TABLE of one row: the STRUCT its settings (`STRUCT('a STRING' AS output_schema,
    0.2 AS temperature, ...)`) ask of the remote `model`, and the names of its fields."""
    what = "AI.GENERATE_TABLE"
    settings: dict[str, exp.Expression] = {}
    for e in params.expressions if isinstance(params, exp.Struct) else []:
        if not isinstance(e, exp.PropertyEQ):
            raise BigQueryInvalid(f"{what}'s settings must be named", fix="write STRUCT('a STRING' AS output_schema)")
        settings[e.name.lower()] = e.expression
    schema_text = _string(what, "output_schema", settings.pop("output_schema", None))
    if schema_text is None:
        raise BigQueryInvalid(
            f"{what} needs an output_schema", fix="write STRUCT('name STRING, age INT64' AS output_schema)"
        )
    fields = _output_schema(schema_text, what)
    config: dict[str, Any] = {}
    for key, node in settings.items():
        if key == "request_type":
            _request_type(what, _string(what, key, node))
        elif key == "stop_sequences":
            items = node.expressions if isinstance(node, exp.Array) else [node]
            strings = [i.name for i in items if isinstance(i, exp.Literal) and i.is_string]
            if len(strings) != len(items):
                raise BigQueryInvalid(
                    f"{what} stop_sequences must be an ARRAY of strings", fix="write ['\\n'] AS stop_sequences"
                )
            config["stopSequences"] = strings
        elif key in _TABLE_SETTINGS:
            name, low, high = _TABLE_SETTINGS[key]
            value = _number(node)
            if value is None or not low <= value <= high:
                raise BigQueryInvalid(f"{what} {key} must be a number in {low}..{high}", fix=f"set {key} in range")
            config[name] = int(value) if isinstance(low, int) else value
        else:
            raise BigQueryInvalid(
                f"{what} has no setting named {key}",
                fix="name output_schema, temperature, top_p, max_output_tokens, stop_sequences or request_type",
            )
    config |= {"responseMimeType": "application/json", "responseSchema": _object_schema(fields)}
    request = {"generationConfig": config}
    _check_request(what, request, DEFAULT_ENDPOINT)
    structure = {n: d for n, (_, d) in fields.items()}
    return _generation(model, prompt, request, "object", structure), [*fields, "full_response", "status"]


def _number(node: exp.Expression) -> float | None:
    if isinstance(node, exp.Neg):
        value = _number(node.this)
        return None if value is None else -value
    if isinstance(node, exp.Literal) and not node.is_string:
        return float(node.name)
    return None


def _request_type(what: str, value: str | None) -> None:
    if value is not None and value.upper() not in _REQUEST_TYPES:
        raise BigQueryInvalid(
            f"{what} request_type {value!r} is not one of {', '.join(_REQUEST_TYPES)}",
            fix="write request_type => 'UNSPECIFIED' (or DEDICATED, SHARED)",
        )


def _arguments(what: str, nodes: list[exp.Expression]) -> dict[str, exp.Expression]:
    out: dict[str, exp.Expression] = {}
    for i, node in enumerate(nodes):
        if isinstance(node, exp.Kwarg):
            key = node.this.name.lower()
            if key not in _ARGUMENTS:
                raise BigQueryInvalid(
                    f"{what} has no argument named {node.this.name}", fix=f"name one of: {', '.join(_ARGUMENTS)}"
                )
            if key in out:
                raise BigQueryInvalid(f"{what} names {key} twice", fix=f"give {key} once")
            out[key] = node.expression
        elif i == 0:
            out["prompt"] = node
        else:
            raise BigQueryInvalid(
                f"{what} takes its settings by name, not by position (argument {i + 1})",
                fix="write them as endpoint => 'gemini-2.5-flash', model_params => JSON '{...}'",
            )
    return out


def _string(what: str, key: str, node: exp.Expression | None) -> str | None:
    if node is None:
        return None
    if not isinstance(node, exp.Literal) or not node.is_string:
        raise BigQueryInvalid(f"{what} {key} must be a string literal", fix=f"write {key} => '...'")
    return node.name


def _endpoint(what: str, node: exp.Expression | None) -> str:
    from .ml import endpoint_kind, endpoint_name

    endpoint = _string(what, "endpoint", node) or DEFAULT_ENDPOINT
    if endpoint_kind(endpoint) != "text":
        raise BigQueryInvalid(
            f"{what} endpoint {endpoint!r} is not a Gemini model the local warehouse serves",
            fix=f"name a Gemini model, e.g. endpoint => '{DEFAULT_ENDPOINT}'",
        )
    return endpoint_name(endpoint)


def _prompt(node: exp.Expression) -> exp.Expression:
    """The prompt as one STRING: a tuple or STRUCT of parts is their concatenation (NULL when a
    part is NULL)."""
    if isinstance(node, exp.Paren):
        return _prompt(node.this)
    if isinstance(node, exp.Tuple | exp.Struct):
        parts = [p.expression if isinstance(p, exp.PropertyEQ | exp.Alias) else p for p in node.expressions]
        parts = [p.this if isinstance(p, exp.Alias) else p for p in parts]
        return exp.Concat(expressions=[_text(p) for p in parts], safe=False, coalesce=False)
    return node


def _text(part: exp.Expression) -> exp.Expression:
    return part if isinstance(part, exp.Literal) and part.is_string else exp.cast(part, "STRING")


def _output_schema(text: str, what: str) -> dict[str, tuple[dict[str, Any], Any]]:
    """Each field of an output_schema: its Vertex schema and its DuckDB `from_json` type."""
    try:
        struct = exp.DataType.build(f"STRUCT<{text}>", dialect="bigquery")
    except (ParseError, ValueError):
        raise BigQueryInvalid(f"output_schema {text!r} is not a list of 'name TYPE' fields", fix=_SCHEMA_FIX) from None
    fields = _fields(struct, text)
    clash = {"full_response", "status"} & {n.lower() for n in fields}
    if clash:
        raise BigQueryInvalid(
            f"output_schema field {sorted(clash)[0]} clashes with the column {what} adds",
            fix="rename that field",
        )
    return fields


def _fields(struct: exp.DataType, text: str) -> dict[str, tuple[dict[str, Any], Any]]:
    out: dict[str, tuple[dict[str, Any], Any]] = {}
    for col in struct.expressions:
        if not isinstance(col, exp.ColumnDef) or not isinstance(col.args.get("kind"), exp.DataType) or not col.name:
            raise BigQueryInvalid(f"output_schema {text!r} has a field without a name and type", fix=_SCHEMA_FIX)
        if col.name.lower() in {n.lower() for n in out}:
            raise BigQueryInvalid(f"output_schema {text!r} names field {col.name} twice", fix="name each field once")
        out[col.name] = _field_type(col.args["kind"], text)
    if not out:
        raise BigQueryInvalid(f"output_schema {text!r} is not a list of 'name TYPE' fields", fix=_SCHEMA_FIX)
    return out


def _field_type(kind: exp.DataType, text: str) -> tuple[dict[str, Any], Any]:
    if kind.this in _SCHEMA_TYPES:
        vertex, duck = _SCHEMA_TYPES[kind.this]
        return {"type": vertex}, duck
    if kind.this == exp.DataType.Type.ARRAY and len(kind.expressions) == 1:
        items, duck = _field_type(kind.expressions[0], text)
        return {"type": "ARRAY", "items": items}, [duck]
    if kind.this == exp.DataType.Type.STRUCT:
        fields = _fields(kind, text)
        schema = {"type": "OBJECT", "properties": {n: v for n, (v, _) in fields.items()}, "required": list(fields)}
        return schema, {n: d for n, (_, d) in fields.items()}
    raise BigQueryInvalid(f"output_schema type {kind.sql('bigquery')} is not supported (in {text!r})", fix=_SCHEMA_FIX)


def _request(
    what: str, node: exp.Expression | None, response_schema: dict[str, Any] | None, endpoint: str
) -> dict[str, Any]:
    """The generateContent request less its contents: model_params, and the response schema."""
    params: Any = {}
    if node is not None:
        literal = node.this if isinstance(node, exp.ParseJSON) else node
        if not isinstance(literal, exp.Literal) or not literal.is_string:
            raise BigQueryInvalid(
                f"{what} model_params must be a JSON literal", fix="write model_params => JSON '{...}'"
            )
        try:
            params = json.loads(literal.name)
        except ValueError:
            raise BigQueryInvalid(
                f"{what} model_params is not valid JSON",
                fix="write model_params => JSON '{\"generation_config\": {...}}'",
            ) from None
    if not isinstance(params, dict):
        raise BigQueryInvalid(f"{what} model_params must be a JSON object", fix="write model_params => JSON '{...}'")
    request: dict[str, Any] = {}
    for key, value in params.items():
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
        if snake in _UNSERVED_FIELDS:
            raise BigQueryError(
                f"{what} model_params field {key} is not supported by the local warehouse",
                fix="drop it, or run the query on BigQuery (profile gcp)",
            )
        if snake not in _REQUEST_FIELDS:
            raise BigQueryInvalid(
                f"{what} model_params field {key} is not a generateContent request field it may set",
                fix=f"set only {', '.join(_REQUEST_FIELDS)} (contents is the prompt)",
            )
        request[_REQUEST_FIELDS[snake]] = value
    if response_schema is not None:
        config = request.get("generationConfig")
        config = dict(config) if isinstance(config, dict) else {}
        for key in ("responseSchema", "response_schema", "responseJsonSchema", "response_json_schema"):
            if key in config:
                raise BigQueryInvalid(
                    f"{what} model_params must not set {key}: the function sets the response schema",
                    fix="drop it (use output_schema for a custom schema)",
                )
        config |= {"responseMimeType": "application/json", "responseSchema": response_schema}
        request["generationConfig"] = config
    _check_request(what, request, endpoint)
    return request


def _check_request(what: str, request: dict[str, Any], endpoint: str) -> None:
    """Refuse a request the Vertex emulator would refuse, in its words, before any row runs."""
    from ..server.errors import ApiError

    try:
        _, gen, _, count = _prepared(endpoint, json.dumps(request))
    except ApiError as exc:
        raise BigQueryInvalid(
            f"{what} model_params: {str(exc.message).splitlines()[0]}", fix="correct that field of model_params"
        ) from None
    if count != 1:
        raise BigQueryInvalid(f"{what} model_params asks for {count} candidates", fix="drop candidate_count")


@lru_cache(maxsize=256)
def _prepared(endpoint: str, request: str) -> tuple[Any, Any, dict[str, str], int]:
    """What the Vertex emulator reads from a generateContent request (`features.prepare`,
    `generate.gemini_request`): its features, generation config, safety thresholds and candidate
    count. They do not depend on the prompt, which each row adds as the request's one user turn."""
    from ..vertex.features import prepare
    from ..vertex.generate import gemini_request

    body, feats = prepare({**json.loads(request), "contents": [{"role": "user", "parts": [{"text": "-"}]}]}, endpoint)
    _, gen, safety, count = gemini_request(body)
    return feats, gen, safety, count


# ---------------------------------------------------------------------- the engine's UDF


def generate(service: Any, endpoint: str, prompt: str | None, request: str, shape: str) -> str:
    """The UDF's answer for one prompt: {result | output_schema's fields, full_response, status}
    as JSON text; `shape` is "text", "value" (a typed result) or "object" (output_schema)."""
    from ...core.errors import LlmopsError
    from ..server.errors import ApiError

    if prompt is None:
        return _failed(_NULL_PROMPT)
    if not prompt.strip():
        return _failed("Unable to submit request because the contents have no text")
    try:
        feats, gen, safety, _ = _prepared(endpoint, request)
        pred = service.predict(prompt, model=endpoint, generation=gen, safety=safety or None)
    except ApiError as exc:
        return _failed(str(exc.message))
    except LlmopsError as exc:
        return _failed(str(exc))
    response = feats.response([pred], endpoint, gen.max_output_tokens)
    answer, status = _answer(response)
    out: dict[str, Any] = {"result": None}
    if answer is not None and shape != "text":
        try:
            value = json.loads(answer)
        except ValueError:
            finish = response["candidates"][0].get("finishReason")
            value, status = None, f"The model's answer is not valid JSON for the schema (finish_reason {finish})"
        if shape == "object" and isinstance(value, dict):
            out = value
        elif shape == "value":
            out["result"] = value
    elif shape == "text":
        out["result"] = answer
    return json.dumps({**out, "full_response": response, "status": status})


def _failed(status: str) -> str:
    return json.dumps({"result": None, "full_response": None, "status": status.splitlines()[0]})


def _answer(response: dict[str, Any]) -> tuple[str | None, str]:
    """The text of the first candidate, and the status: empty, or why there is no answer."""
    if "promptFeedback" in response:
        return None, "The prompt was blocked for safety reasons (block_reason SAFETY)"
    cand = response["candidates"][0]
    parts = (cand.get("content") or {}).get("parts") or []
    if cand.get("finishReason") == "SAFETY" or not parts:
        return None, f"The response was blocked for safety reasons (finish_reason {cand.get('finishReason')})"
    return "".join(p.get("text", "") for p in parts if not p.get("thought")), ""


def register(con: Any, service: Callable[[], Any], endpoints: Mapping[str, str]) -> None:
    """Define `AI_UDF` on a connection, answering from the emulated model `service()`; its first
    argument is an endpoint, or a remote model's ref that `endpoints` maps to one."""
    from .ml import endpoint_name

    def udf(model: str, prompt: str | None, request: str, shape: str) -> str:
        return generate(service(), endpoint_name(endpoints.get(model, model)), prompt, request, shape)

    con.create_function(
        AI_UDF,
        udf,
        ["VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"],
        "VARCHAR",
        null_handling="special",
        side_effects=False,
    )
