"""CONTAINS_SUBSTR: a normalized (NFKC), case-folded substring search of a value of any type.

A STRING (or another scalar, cast to STRING) is searched in DuckDB SQL, ASCII text folded by
lower(); a STRUCT, ARRAY, table row or JSON value goes to a Python UDF as its JSON text and is
searched field by field, as GoogleSQL's cross-field search: TRUE if any field holds the search
value, else NULL if a field is NULL, else FALSE. sqlglot reads CONTAINS_SUBSTR(x, s) as
CONTAINS(LOWER(x), LOWER(s)), which missed `'Ⅸ'` for `'IX'` and failed on a STRUCT or ARRAY.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from sqlglot import exp

CONTAINS_SUBSTR_UDF = "__bq_contains_substr"
_JSON_SCOPES = ("JSON_VALUES", "JSON_KEYS", "JSON_KEYS_AND_VALUES")
_COMPOSITE = "typeof(_A) = 'JSON' OR typeof(_A) LIKE 'STRUCT(%' OR typeof(_A) LIKE 'TUPLE(%' OR typeof(_A) LIKE '%]'"


def casefold(text: str) -> str:
    """NFKC normalization, then full case folding (NORMALIZE_AND_CASEFOLD(text, NFKC))."""
    return unicodedata.normalize("NFKC", text).casefold()


def _number_text(text: str) -> str:
    # a NUMERIC's JSON keeps its scale (1.500000000) and a FLOAT64's a trailing .0 (10.0);
    # CAST(... AS STRING) writes 1.5 and 10
    if "." in text and "e" not in text.lower():
        return text.rstrip("0").rstrip(".")
    return text


def _leaves(value: Any, *, keys: bool, values: bool) -> Iterator[str | None]:
    """The searched texts of a parsed JSON value; None for a NULL field."""
    if isinstance(value, dict):
        for key, item in value.items():
            if keys:
                yield key
            yield from _leaves(item, keys=keys, values=values)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, keys=keys, values=values)
    elif values:
        if value is None:
            yield None
        elif isinstance(value, bool):
            yield "true" if value else "false"
        else:
            yield str(value)


def contains_substr_value(data: str | None, duck_type: str, needle: str | None, scope: str) -> bool | None:
    """CONTAINS_SUBSTR of one STRUCT, ARRAY or JSON value given as its JSON text; `needle`
    is already folded."""
    if data is None or needle is None:
        return None
    parsed = json.loads(data, parse_float=_number_text, parse_int=str)
    if duck_type == "JSON":
        keys, values = scope != "JSON_VALUES", scope != "JSON_KEYS"
    elif scope != "JSON_VALUES" and "JSON" in duck_type:
        # the keys of a JSON field cannot be told from the STRUCT's own field names here
        raise ValueError(
            "CONTAINS_SUBSTR's json_scope on a STRUCT or ARRAY holding JSON is not supported by the local warehouse"
        )
    else:
        keys, values = False, True
    saw_null = False
    for text in _leaves(parsed, keys=keys, values=values):
        if text is None:
            saw_null = True
        elif needle in casefold(text):
            return True
    return None if saw_null else False


def contains_substr_batch(data: pa.Array, types: pa.Array, needles: pa.Array, scopes: pa.Array) -> pa.Array:
    rows = zip(data.to_pylist(), types.to_pylist(), needles.to_pylist(), scopes.to_pylist(), strict=True)
    return pa.array([contains_substr_value(*row) for row in rows], type=pa.bool_())


def rewrite_contains_substr(node: exp.Contains) -> exp.Expression | None:
    """CONTAINS_SUBSTR(expression, search_value [, json_scope => ...]) as DuckDB SQL; None for
    a CONTAINS that is not one."""
    from .coltypes import known_type
    from .functions import _is_bytes
    from .googlesql import BigQueryError

    if not (isinstance(node.this, exp.Lower) and isinstance(node.expression, exp.Lower)):
        return None
    data, needle = node.this.this, node.expression.this
    scope = "JSON_VALUES"
    kwarg = node.args.get("json_scope")
    if kwarg is not None:
        value = kwarg.expression if isinstance(kwarg, exp.Kwarg) else kwarg
        if not (isinstance(value, exp.Literal) and value.is_string and value.name.upper() in _JSON_SCOPES):
            raise BigQueryError(
                f"CONTAINS_SUBSTR's json_scope must be one of {', '.join(_JSON_SCOPES)}",
                fix="write json_scope => 'JSON_VALUES'",
            )
        scope = value.name.upper()
    if _is_bytes(data) or known_type(data) == "BYTES":
        raise BigQueryError(
            "No matching signature for function CONTAINS_SUBSTR for argument types: BYTES, STRING",
            fix="search a STRING: CONTAINS_SUBSTR(SAFE_CONVERT_BYTES_TO_STRING(b), 'text')",
        )
    if isinstance(needle, exp.Null) or (isinstance(needle, exp.Literal) and not needle.is_string):
        raise BigQueryError(
            "CONTAINS_SUBSTR's search value must be a non-NULL STRING literal",
            fix="write CONTAINS_SUBSTR(expression, 'text')",
        )
    if needle.find(exp.Column, exp.Subquery, exp.Select) is not None:
        raise BigQueryError(
            "CONTAINS_SUBSTR's search value must be a STRING literal or a constant expression, not a column",
            fix="write the text to search for, or a query parameter",
        )
    folded = exp.Literal.string(casefold(needle.name)) if isinstance(needle, exp.Literal) else _folded(needle)
    return _searched(data, folded, scope)


def _folded(text: exp.Expression) -> exp.Expression:
    """NORMALIZE_AND_CASEFOLD(text, NFKC) as functions.py writes it."""
    from .functions import _normalize

    return _normalize(exp.Normalize(this=text.copy(), form=exp.Var(this="NFKC"), is_casefold=True))


def _searched(data: exp.Expression, folded: exp.Expression, scope: str) -> exp.Expression:
    """The search of `data` for the folded search value. The fields of a STRUCT written out,
    `(a, b)` or `STRUCT(a, b)`, are searched one by one and joined by OR, whose TRUE / NULL /
    FALSE is the cross-field search's (a UDF call per row costs ~80x DuckDB's contains)."""
    from .functions import _t
    from .semantics import string_cast

    if isinstance(data, (exp.Tuple, exp.Struct)) and data.expressions:
        fields = [_struct_field(e) for e in data.expressions]
        return exp.paren(exp.or_(*(_searched(f, folded, scope) for f in fields)), copy=False)
    text = string_cast(exp.Cast(this=data.copy(), to=exp.DataType.build("VARCHAR")))  # BigQuery's text
    udf = _t(f"{CONTAINS_SUBSTR_UDF}(CAST(to_json(_A) AS VARCHAR), typeof(_A), _B, '{scope}')", data, folded)
    return _t(f"CASE WHEN {_COMPOSITE} THEN _B ELSE contains(_C, _D) END", data, udf, _folded(text), folded)


def _struct_field(node: exp.Expression) -> exp.Expression:
    """A STRUCT constructor's field value, without its name."""
    if isinstance(node, exp.PropertyEQ):
        return node.expression
    return node.this if isinstance(node, exp.Alias) else node
