"""Newline-delimited JSON export lines as BigQuery writes them (EXPORT DATA, extract jobs and the
local warehouse's export, which stands for EXPORT DATA): a field whose value is NULL is left out
of its row, at every level of nesting (`{"id":1}` for a row whose `name` is NULL; BigQuery's
backend does it, googleapis/nodejs-bigquery#1134, and readers of its exports add the missing
keys themselves), and `<`, `>`, `&` are written `\\u003c`, `\\u003e`, `\\u0026` ("Export table
data": "the symbols <, >, and & are converted by using the unicode notation \\uNNNN ... to avoid
security vulnerabilities"). DuckDB's COPY (FORMAT json) wrote `"name":null` and the symbols
as they are.

Each line is written by DuckDB: the row's fields in order, each `"name":value` left out where the
value is NULL (concat_ws skips NULLs), a STRUCT's or ARRAY's value without its NULL fields
(json_strip_nulls, which keeps an array's NULL elements: BigQuery arrays hold none), a JSON
column's value as its own JSON text (its own nulls are data, not fields), its members sorted by
key as BigQuery keeps them (`jsonorder.SORTED_JSON_UDF`); then the three symbols
replaced, which in JSON text appear only inside strings. The lines are copied as one
unquoted text column (the CSV writer with no quote and a U+0001 delimiter: to_json escapes every
control character, so no line holds one)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from .jsonorder import SORTED_JSON_UDF

# COPY options writing one VARCHAR column as bare lines
LINE_OPTIONS = "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01'"
_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _nested(duckdb_type: str) -> bool:
    text = duckdb_type.upper()
    return text.startswith(("STRUCT", "MAP", "UNION")) or text.endswith("]")


def line_sql(columns: Sequence[str], types: Sequence[str], json_columns: Iterable[str] = ()) -> str:
    """The DuckDB expression of one row's export line over `columns` of DuckDB `types` (a JSON
    column's values given as its text)."""
    raw = set(json_columns)
    parts = []
    for name, kind in zip(columns, types, strict=True):
        column = _ident(name)
        if name in raw:
            value = f"{SORTED_JSON_UDF}(CAST(CAST({column} AS JSON) AS VARCHAR))"
        elif _nested(kind):  # a STRUCT's NULL fields, at any depth, are left out too
            value = f"CAST(json_strip_nulls(to_json({column})) AS VARCHAR)"
        else:
            value = f"CAST(to_json({column}) AS VARCHAR)"
        key = _literal(json.dumps(name, ensure_ascii=False) + ":")
        parts.append(f"CASE WHEN {column} IS NULL THEN NULL ELSE {key} || {value} END")
    line = f"'{{' || concat_ws(',', {', '.join(parts)}) || '}}'" if parts else "'{}'"
    # once over the whole line: cheaper than testing or replacing in each value (measured)
    for symbol, escape in _ESCAPES:
        line = f"replace({line}, {_literal(symbol)}, {_literal(escape)})"
    return line
