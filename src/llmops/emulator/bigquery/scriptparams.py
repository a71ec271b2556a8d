"""Type parameters of script variables (`DECLARE x STRING(10)`, `NUMERIC(5, 2)`,
`STRUCT<s STRING(1)>`, `ARRAY<BYTES(1)>`): the variable reads as its type without them, and each
value it takes (DEFAULT, SET) is checked against them as a write to a column of that type is: a
STRING longer than L characters, BYTES longer than L bytes or a NUMERIC / BIGNUMERIC past P - S
integer digits is BigQuery's error (which an exception handler catches); a number with more than
S decimals is rounded half away from zero to S (`NUMERIC(5, 2)` takes 1.125 as 1.13)."""

from __future__ import annotations

import decimal
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError

from .googlesql import BigQueryInvalid
from .typeparams import upper_bound

_TEXT = (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT)
_BYTES = (exp.DataType.Type.BINARY, exp.DataType.Type.VARBINARY)
_NUMBERS = (exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL)


def parameterized(type_text: str) -> exp.DataType | None:
    """The type of `type_text` where it (or a field or element type) has parameters, else None."""
    try:
        dt = exp.DataType.build(type_text, dialect="bigquery")
    except (SqlglotError, ValueError):  # canonical_type names a type sqlglot cannot read
        return None
    return dt if any(dt.find_all(exp.DataTypeParam)) else None


def without_parameters(dt: exp.DataType) -> str:
    """The type as a variable reads it: `STRING(10)` is STRING, `STRUCT<s STRING(1)>` STRUCT<s STRING>."""
    plain = dt.copy()
    for node in list(plain.find_all(exp.DataType)):
        if any(isinstance(e, exp.DataTypeParam) for e in node.expressions):
            node.set("expressions", [e for e in node.expressions if not isinstance(e, exp.DataTypeParam)])
    return plain.sql("bigquery").upper()


def _params(dt: exp.DataType) -> list[int]:
    return [int(e.this.this) for e in dt.expressions if isinstance(e, exp.DataTypeParam)]


def _too_long(shown: str, limit: int) -> BigQueryInvalid:
    return BigQueryInvalid(
        f"Query error: the value is longer than the maximum length {limit} of {shown}",
        fix=f"give a value that fits {shown}",
        reason="invalidQuery",
    )


def fit(value: Any, dt: exp.DataType) -> Any:
    """`value` as a variable of the parameterized type `dt` holds it, or BigQuery's error."""
    if value is None:
        return None
    shown = dt.sql("bigquery").upper()
    params = _params(dt)
    if dt.is_type(exp.DataType.Type.ARRAY) and dt.expressions and isinstance(value, list):
        element = dt.expressions[0]
        return [fit(v, element) for v in value] if isinstance(element, exp.DataType) else value
    if dt.is_type(exp.DataType.Type.STRUCT) and isinstance(value, dict):
        kinds = [f.args.get("kind") if isinstance(f, exp.ColumnDef) else f for f in dt.expressions]
        if len(kinds) != len(value):
            return value
        return {k: fit(v, t) if isinstance(t, exp.DataType) else v for (k, v), t in zip(value.items(), kinds)}
    if not params:
        return value
    if dt.this in _TEXT and isinstance(value, str) and len(value) > params[0]:
        raise _too_long(shown, params[0])
    if dt.this in _BYTES and isinstance(value, (bytes, bytearray)) and len(value) > params[0]:
        raise _too_long(shown, params[0])
    if dt.this in _NUMBERS and isinstance(value, (int, float, decimal.Decimal)):
        precision, scale = params[0], (params[1] if len(params) > 1 else 0)
        with decimal.localcontext() as context:
            context.prec = 100
            number = decimal.Decimal(str(value)) if isinstance(value, float) else decimal.Decimal(value)
            rounded = number.quantize(decimal.Decimal(1).scaleb(-scale), decimal.ROUND_HALF_UP)
        bound = upper_bound(precision, scale)
        if abs(rounded) > decimal.Decimal(bound):
            raise BigQueryInvalid(
                f"Query error: the value {number} is out of range for {shown} (not in [-{bound}, {bound}])",
                fix=f"give a value that fits {shown}",
                reason="invalidQuery",
            )
        return rounded
    return value
