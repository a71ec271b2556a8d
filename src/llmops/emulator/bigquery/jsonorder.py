"""JSON values leave the engine as BigQuery keeps them: object members sorted by key, the first
of a repeated key kept.

BigQuery keeps a JSON value's object members sorted by key, so `JSON '{"b": 1, "a": 2}'`,
`JSON_OBJECT('foo', 10, 'bar', TRUE)` and `TO_JSON(STRUCT(1 AS id, [10] AS coordinates))` come
back as `{"a":2,"b":1}`, `{"bar":true,"foo":10}` and `{"coordinates":[10],"id":1}` (the JSON
functions reference's examples), and "if an object has duplicate keys, the first key that's found
is preserved" (the data types page). DuckDB's JSON keeps members as written, repeats included.
A query result's JSON values, also inside STRUCTs and ARRAYs, are rewritten here as they leave
the engine; only values holding an object with two members or more go through Python's json
module (numbers are already in its form: see `jsonnumbers.py`). JSON turned into a STRING inside
a query (`TO_JSON_STRING(json)`, `FORMAT('%t', json)`, EXPORT DATA's JSON column) goes through
`SORTED_JSON_UDF`, the same rewrite over the text as a DuckDB function.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # a number only a wider type holds: leave the text as it is
        raise ValueError(text)
    return value


SORTED_JSON_UDF = "__bq_sorted_json"


def first_key_kept(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members read keeping the first of a repeated key (json's `object_pairs_hook`)."""
    return dict(reversed(pairs))


_DECODER = json.JSONDecoder(object_pairs_hook=first_key_kept, parse_float=_finite)
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# DuckDB's JSON writes a double as 100000000000000000000.0, 0.00001 or 2e22 (or keeps a literal's
# 1e20) where BigQuery's JSON writes 1e+20, 1e-05 and 2e+22 (the shortest digits; an exponent
# from 10^15 on and below 10^-4): such a value goes through Python's json, whose floats are
# written so but for [10^15, 10^16), which `_exponent` rewrites
_DUCKDB_FLOAT = r"[0-9]{16,}\.|0\.0000|[0-9][eE][0-9]"
_SIXTEEN_DIGITS = re.compile(r'"(?:[^"\\]|\\.)*"|(-?)([1-9][0-9]{15})\.([0-9]+)(?![0-9eE])')


def _exponent(match: re.Match[str]) -> str:
    if match.group(2) is None:  # a string
        return match.group(0)
    digits = (match.group(2) + match.group(3)).rstrip("0")
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{match.group(1)}{mantissa}e+15"


def sorted_json(text: str) -> str:
    """`text` (one JSON value) with every object's members sorted by key, the first of a repeated
    key kept, and its doubles written as BigQuery writes them."""
    try:
        out = _ENCODER.encode(_DECODER.decode(text))
    except (ValueError, RecursionError):
        return text
    return _SIXTEEN_DIGITS.sub(_exponent, out) if "." in out else out


def sorted_json_batch(texts: pa.Array) -> pa.Array:
    """`SORTED_JSON_UDF` over DuckDB's Arrow batch of JSON texts (VARCHAR): each sorted as
    `sorted_json` sorts it; NULLs stay NULL."""
    return _sorted_array(texts, "JSON")


def table_with_sorted_json(table: pa.Table, types: list[Any]) -> pa.Table:
    """`table` with the members of its JSON values (columns of DuckDB type `types`) sorted."""
    for i, t in enumerate(types):
        if "JSON" in str(t):
            column = table.column(i)
            chunks = [_sorted_array(chunk, t) for chunk in column.chunks]
            table = table.set_column(i, table.schema.field(i), pa.chunked_array(chunks, type=column.type))
    return table


def _sorted_array(arr: pa.Array, t: Any) -> pa.Array:
    name = str(t)
    if "JSON" not in name or len(arr) == arr.null_count:
        return arr
    if name == "JSON":
        # only a value with two members somewhere, or a double DuckDB writes its own way, can change
        needs = pc.fill_null(
            pc.or_(pc.greater_equal(pc.count_substring(arr, ":"), 2), pc.match_substring_regex(arr, _DUCKDB_FLOAT)),
            False,
        )
        if not pc.any(needs).as_py():
            return arr
        values = arr.to_pylist()
        return pa.array(
            [sorted_json(v) if need else v for v, need in zip(values, needs.to_pylist(), strict=True)], type=arr.type
        )
    kind = getattr(t, "id", "")
    if kind == "list" and pa.types.is_list(arr.type):
        values = _sorted_array(arr.values, t.children[0][1])
        return pa.ListArray.from_arrays(arr.offsets, values, type=arr.type, mask=arr.is_null())
    if kind == "struct" and pa.types.is_struct(arr.type):
        fields = [_sorted_array(arr.field(j), sub) for j, (_, sub) in enumerate(t.children)]
        return pa.StructArray.from_arrays(fields, fields=list(arr.type), mask=arr.is_null())
    return arr
