"""BYTES values of JSON_ARRAY and JSON_OBJECT are base64 strings in GoogleSQL's JSON encoding
(`JSON_ARRAY(b'\\x01')` is `["AQ=="]`); DuckDB's json_array / json_object wrote the BLOB's text
escapes (`["\\\\x01"]`). TO_JSON and the JSON mutators encode BYTES already (semantics.py)."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .coltypes import known_type


def _is_bytes(value: exp.Expression) -> bool:
    if isinstance(value, exp.ByteString):
        return True
    if isinstance(value, exp.Cast) and value.to.this in (exp.DataType.Type.VARBINARY, exp.DataType.Type.BINARY):
        return True
    return known_type(value) == "BYTES"


def _base64(value: exp.Expression) -> None:
    if _is_bytes(value):
        value.replace(exp.Anonymous(this="to_base64", expressions=[value.copy()]))


def constructor_values(stmt: exp.Expression) -> list[exp.Expression]:
    """The arguments of each JSON_ARRAY and the values of each JSON_OBJECT in `stmt`."""
    values = [v for array in find_all(stmt, exp.JSONArray) for v in array.expressions]
    return values + [p.expression for p in find_all(stmt, exp.JSONKeyValue) if p.expression is not None]


def encode_json_bytes(stmt: exp.Expression) -> None:
    """Each BYTES argument of JSON_ARRAY and value of JSON_OBJECT as its base64 text."""
    for value in constructor_values(stmt):
        _base64(value)
