"""JSON_QUERY with a `lax` or `lax recursive` JSONPath (ZetaSQL's JSON_QUERY_LAX).

`JSON_QUERY(JSON '{"a": [{"b": 1}, {"b": 2}]}', 'lax $.a.b')` is `[1,2]`: a lax path answers a
JSON array of everything it reaches. A key step looks into an object, and into the objects
directly inside an array (`lax recursive`: inside arrays nested at any depth); an index step
takes a value that is not an array as an array of one; whatever is not found adds nothing, so a
path that reaches nothing answers `[]`. The modifiers come before `$` in any order and case,
each at most once, and `recursive` only with `lax` (ZetaSQL's errors otherwise).
DuckDB's json_extract has no such mode: it answered NULL.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlglot import exp

from .census import find_all
from .jsonedit import Token, dumps, loads, parse_path

_MODIFIERS = ("lax", "recursive")


def lax_modifiers(path: str) -> tuple[bool, str] | None:
    """(recursive, the path from `$`) of a path that starts with a modifier, else None. Raises
    ValueError with ZetaSQL's message for a repeated or unknown modifier, or `recursive` alone."""
    words = path.lstrip().split("$", 1)[0].split()
    if not words or words[0].lower() not in _MODIFIERS:
        return None
    lowered = [w.lower() for w in words]
    if "$" not in path or any(w not in _MODIFIERS for w in lowered) or len(set(lowered)) != len(lowered):
        raise ValueError("JSONPath must start with zero or more unique modifiers followed by '$'")
    if "lax" not in lowered:
        raise ValueError(
            "JSONPath has an invalid combination of modifiers. The 'lax' modifier must be included if "
            "'recursive' is specified."
        )
    return "recursive" in lowered, "$" + path.split("$", 1)[1]


def _unwrapped(value: Any, recursive: bool) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    if not recursive:
        return value
    found: list[Any] = []
    stack = [value]
    while stack:
        for element in stack.pop(0):
            if isinstance(element, list):
                stack.append(element)
            else:
                found.append(element)
    return found


def lax_query(doc: Any, tokens: tuple[Token, ...], recursive: bool) -> list[Any]:
    """Every value a lax path reaches, in document order."""
    current = [doc]
    for token in tokens:
        reached: list[Any] = []
        for value in current:
            if isinstance(token, str):
                reached.extend(c[token] for c in _unwrapped(value, recursive) if isinstance(c, dict) and token in c)
            else:
                array = value if isinstance(value, list) else [value]
                if token < len(array):
                    reached.append(array[token])
        current = reached
    return current


def json_query_lax_batch(docs: pa.Array, paths: pa.Array, recursive: pa.Array) -> pa.Array:
    """The vectorised UDF: the JSON text of each document's lax matches (NULL for a NULL or
    malformed document)."""
    out: list[str | None] = []
    for text, path, deep in zip(docs.to_pylist(), paths.to_pylist(), recursive.to_pylist(), strict=True):
        if text is None or path is None:
            out.append(None)
            continue
        try:
            doc = loads(text)
        except ValueError:
            out.append(None)
            continue
        out.append(dumps(lax_query(doc, parse_path(path), bool(deep))))
    return pa.array(out, type=pa.string())


def rewrite_lax_queries(stmt: exp.Expression, is_text: Any) -> None:
    """JSON_QUERY(x, '<modifiers> $...') with the path written in the query: the lax UDF, JSON for
    a JSON `x`, STRING for a STRING one (`is_text(x)`)."""
    from .googlesql import BigQueryError
    from .udfs import JSON_QUERY_LAX_UDF

    for node in find_all(stmt, exp.JSONExtract):
        path = node.expression
        if not (isinstance(path, exp.Literal) and path.is_string):
            continue
        try:
            found = lax_modifiers(path.this)
            if found is not None:
                parse_path(found[1])
        except ValueError as exc:
            raise BigQueryError(str(exc), fix="write the path as 'lax $.a' or 'lax recursive $.a'") from None
        if found is None:
            continue
        recursive, rest = found
        call = exp.Anonymous(
            this=JSON_QUERY_LAX_UDF,
            expressions=[exp.cast(node.this.copy(), "VARCHAR"), exp.Literal.string(rest), exp.Boolean(this=recursive)],
        )
        node.replace(call if is_text(node.this) else exp.cast(call, "JSON"))
