"""Newline-delimited JSON export lines as BigQuery writes them (EXPORT DATA, extract jobs and the
local warehouse's export, which stands for EXPORT DATA): a field whose value is NULL is left out
of its row, at every level of nesting (`{"id":1}` for a row whose `name` is NULL; BigQuery's
backend does it, googleapis/nodejs-bigquery#1134, and readers of its exports add the missing
keys themselves), and `<`, `>`, `&` are written `\\u003c`, `\\u003e`, `\\u0026` ("Export table
data": "the symbols <, >, and & are converted by using the unicode notation \\uNNNN ... to avoid
security vulnerabilities"). DuckDB's COPY (FORMAT json) wrote `"name":null` and the symbols
as they are. INT64 values, also inside STRUCTs and ARRAYs, are JSON strings (`"id":"42"`: "INT64
data types are encoded as JSON strings to preserve 64-bit precision", the EXPORT DATA reference
and "Export table data" say); DuckDB wrote numbers.

Each line is written by DuckDB: the row's fields in order, each `"name":value` left out where the
value is NULL (concat_ws skips NULLs), a STRUCT's or ARRAY's value without its NULL fields
(json_strip_nulls, which keeps an array's NULL elements: BigQuery arrays hold none), a JSON
value's as its own JSON text (its own nulls are data, not fields), its members sorted by key as
BigQuery keeps them (`jsonorder.SORTED_JSON_UDF`), also where it is a STRUCT's field or an
ARRAY's element (`"s":{"k":{"y":1}}`: such a STRUCT or ARRAY is written field by field, since
to_json would quote the JSON text that crossed Arrow as a string); then the three symbols
replaced, which in JSON text appear only inside strings. The lines are copied as one
unquoted text column (the CSV writer with no quote and a U+0001 delimiter: to_json escapes every
control character, so no line holds one)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

import duckdb
from duckdb.sqltypes import DuckDBPyType

from .jsonorder import SORTED_JSON_UDF

# COPY options writing one VARCHAR column as bare lines
LINE_OPTIONS = "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01'"
_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


# DuckDB's integer types, each an INT64 in BigQuery (a literal 1 is an INTEGER, a SUM a HUGEINT)
_INTEGERS = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
)
_HAS_INTEGER = re.compile(r"\b(?:" + "|".join(sorted(_INTEGERS)) + r")\b")
# types written in a form of their own, so a STRUCT or ARRAY holding one is written field by field
_HAS_TEXT_FORM = re.compile(r"\bBLOB\b|\bTIMESTAMP WITH TIME ZONE\b")


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
        value = _json_text(column, "JSON" if name in raw else kind)
        key = _literal(json.dumps(name, ensure_ascii=False) + ":")
        parts.append(f"CASE WHEN {column} IS NULL THEN NULL ELSE {key} || {value} END")
    line = f"'{{' || concat_ws(',', {', '.join(parts)}) || '}}'" if parts else "'{}'"
    # once over the whole line: cheaper than testing or replacing in each value (measured)
    for symbol, escape in _ESCAPES:
        line = f"replace({line}, {_literal(symbol)}, {_literal(escape)})"
    return line


def _json_text(expr: str, kind: str, depth: int = 0) -> str:
    """The JSON text (VARCHAR) of the non-NULL value `expr` of DuckDB type `kind`."""
    upper = kind.upper()
    if upper == "JSON":
        return f"{SORTED_JSON_UDF}(CAST(CAST({expr} AS JSON) AS VARCHAR))"
    if upper in _INTEGERS:  # INT64, as a string "to preserve 64-bit precision"
        return f"'\"' || CAST({expr} AS VARCHAR) || '\"'"
    if upper == "BLOB":  # BYTES, as base64 (DuckDB wrote its escaped text, "\\x01\\xFF")
        return f"'\"' || to_base64({expr}) || '\"'"
    if upper == "TIMESTAMP WITH TIME ZONE":
        return f"'\"' || {timestamp_text(expr)} || '\"'"
    if not _nested(kind):
        return f"CAST(to_json({expr}) AS VARCHAR)"
    if "JSON" not in upper and not _HAS_INTEGER.search(upper) and not _HAS_TEXT_FORM.search(upper):
        # a STRUCT's NULL fields, at any depth, are left out too
        return f"CAST(json_strip_nulls(to_json({expr})) AS VARCHAR)"
    return _nested_text(expr, duckdb.sqltype(kind), depth)


def timestamp_text(expr: str) -> str:
    """The DuckDB text of a TIMESTAMP as extract jobs write it (`exportcolumns.py`): `2024-01-02
    03:04:05.250 UTC`, the fraction in groups of three digits, none when whole (DuckDB wrote
    `...05.25+00`)."""
    utc = f"timezone('UTC', {expr})"
    micros = f"strftime({utc}, '%f')"
    fraction = (
        f"CASE WHEN {micros} = '000000' THEN '' WHEN right({micros}, 3) = '000' "
        f"THEN '.' || left({micros}, 3) ELSE '.' || {micros} END"
    )
    return f"strftime({utc}, '%Y-%m-%d %H:%M:%S') || {fraction} || ' UTC'"


def csv_text(expr: str, kind: str) -> str | None:
    """The CSV cell of `expr` (of DuckDB type `kind`) as extract jobs write it, where DuckDB's COPY
    writes another form: BYTES as base64 (not its escaped text), TIMESTAMP with ` UTC`,
    NUMERIC/BIGNUMERIC without trailing zeros, FLOAT64 as CAST AS STRING writes it; None where
    DuckDB's form is BigQuery's."""
    upper = kind.upper()
    if upper == "BLOB":
        return f"to_base64({expr})"
    if upper == "TIMESTAMP WITH TIME ZONE":
        return timestamp_text(expr)
    if upper.startswith("DECIMAL"):
        text = f"CAST({expr} AS VARCHAR)"
        return f"CASE WHEN contains({text}, '.') THEN rtrim(rtrim({text}, '0'), '.') ELSE {text} END"
    if upper == "DOUBLE":  # CAST(x AS STRING)'s digits: `1`, `2.5`, `1e+20`, `nan` (DuckDB wrote `1.0`)
        short, full = f"printf('%.15g', {expr})", f"printf('%.17g', {expr})"
        return f"CASE WHEN isnan({expr}) THEN 'nan' WHEN CAST({short} AS DOUBLE) = {expr} THEN {short} ELSE {full} END"
    return None


def _nested_text(expr: str, kind: DuckDBPyType, depth: int) -> str:
    """`_json_text` of a STRUCT or ARRAY holding JSON or INT64: its fields and elements one by one."""
    if kind.id in ("list", "array"):
        e = f"__e{depth}"
        element = _json_text(e, str(kind.children[0][1]), depth + 1)
        return f"'[' || array_to_string(list_transform({expr}, lambda {e}: coalesce({element}, 'null')), ',') || ']'"
    if kind.id == "struct":
        fields = []
        for name, sub in kind.children:
            field = f"struct_extract({expr}, {_literal(name)})"
            key = _literal(json.dumps(name, ensure_ascii=False) + ":")
            value = _json_text(field, str(sub), depth)
            fields.append(f"CASE WHEN {field} IS NULL THEN NULL ELSE {key} || {value} END")
        return f"'{{' || concat_ws(',', {', '.join(fields)}) || '}}'"
    return f"CAST(to_json({expr}) AS VARCHAR)"  # a MAP or UNION: no BigQuery type
