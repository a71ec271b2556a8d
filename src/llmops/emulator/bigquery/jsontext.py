"""JSON extractors given text that is not JSON answer NULL.

`JSON_QUERY`, `JSON_VALUE`, `JSON_QUERY_ARRAY`, `JSON_VALUE_ARRAY` and the legacy `JSON_EXTRACT*`
functions of a JSON-formatted STRING answer SQL NULL where the text fails to parse (ZetaSQL's
`JsonPathEvaluator`: "Null cases: `json` is malformed and fails to parse"; its compliance tests
expect NULL for `'{"a": '`); DuckDB's extractors fail the query instead. A JSON-typed argument
is valid by construction, and `PARSE_JSON` of bad text stays an error.
"""

from __future__ import annotations

import json
from typing import Any

from sqlglot import exp

from .census import find_all
from .coltypes import known_type

_EXTRACTORS = (exp.JSONExtract, exp.JSONExtractScalar, exp.JSONExtractArray, exp.JSONValueArray)


def _parses(text: str) -> bool:
    """Whether `text` is one JSON value (NaN and Infinity are not JSON)."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError:
        return False
    return True


def _only_valid(arg: exp.Expression) -> exp.Expression | None:
    """`arg`, or NULL where its text is not JSON; None where it needs no guard."""
    if isinstance(arg, exp.Literal) and arg.is_string:
        return None if _parses(arg.name) else exp.cast(exp.Null(), "VARCHAR")
    if isinstance(arg, exp.Null) or known_type(arg) == "JSON":
        return None
    if isinstance(arg, (exp.Cast, exp.ParseJSON)) and (isinstance(arg, exp.ParseJSON) or arg.is_type("json")):
        return None
    if any(p.name in ("", "?") for p in arg.find_all(exp.Placeholder)):
        return None  # a positional parameter must not be copied
    guard = exp.Case(ifs=[exp.If(this=exp.Anonymous(this="json_valid", expressions=[arg.copy()]), true=arg.copy())])
    guard._meta = dict(arg.meta)  # keeps the inferred type the later rewrites read
    return guard


def null_invalid_json(stmt: exp.Expression) -> None:
    """Make each string JSON extractor in `stmt` read NULL for text that is not JSON."""
    for node in find_all(stmt, *_EXTRACTORS):
        arg = node.this
        if isinstance(arg, exp.Expression):
            new = _only_valid(arg)
            if new is not None:
                arg.replace(new)
