"""Casts BigQuery refuses that DuckDB answered with another value.

- `CAST('24:00:00' AS TIME)` is `Invalid time string "24:00:00"` (DuckDB: 00:00:00), and a DATETIME
  text with a time zone, `CAST('2006-01-02 01:02:03 UTC' AS DATETIME)`, is `Invalid datetime
  string` (DuckDB dropped the zone). Checked where the text is written in the query (also `TIME
  '...'` and `DATETIME '...'` literals); SAFE_CAST answers NULL.
- A BIGNUMERIC literal (`BIGNUMERIC '0.1234567890123456789012'`) with more digits than the local
  warehouse's DECIMAL(38, 18) holds, 18 after the point and 20 before it, is a wide value where it
  is an item of the top-level SELECT list (bignumerics.py) and refused by name anywhere else; it
  was rounded to 18 decimals or failed with DuckDB's conversion error.
- `CAST(x AS STRING(L))` and `CAST(x AS BYTES(L))`, also as the element type of an ARRAY, fail for a
  value longer than L (`STRING(5) has maximum length 5 but got a value with length 6`); DuckDB
  ignores a VARCHAR's length.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlglot import exp

from . import bignumerics
from .census import find_all

_TIME = re.compile(r"^\s*(\d{1,2}):\d{1,2}(?::\d{1,2}(?:\.\d{1,9})?)?\s*$")
# a date, then optionally a time; what follows (a zone: UTC, Z, +05:00, America/Chicago) is the error
_DATETIME = re.compile(
    r"^\s*\d{1,4}-\d{1,2}-\d{1,2}(?:[ Tt]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d{1,9})?)?)?\s*(?P<rest>.*?)\s*$"
)
_LENGTH_TYPES = {
    exp.DataType.Type.TEXT: "STRING",
    exp.DataType.Type.VARCHAR: "STRING",
    exp.DataType.Type.BINARY: "BYTES",
}


def check_casts(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for a literal cast it refuses; bound the casts to STRING(L)/BYTES(L)."""
    for node in reversed(find_all(stmt, exp.Cast)):
        safe = isinstance(node, exp.TryCast) or bool(node.args.get("safe"))
        operand = node.this
        if isinstance(operand, exp.Literal) and operand.is_string:
            wide = _wide_bignumeric(operand.this, node.to)
            if wide is not None and bignumerics.is_top_level_item(node, stmt):
                node.replace(bignumerics.literal_node(wide))
                continue
            _refuse_wide_bignumeric(operand.this, node.to)
            problem = _literal_problem(operand.this, node.to)
            if problem is not None:
                if safe:
                    node.replace(exp.Cast(this=exp.Null(), to=node.to.copy()))
                    continue
                from .googlesql import BigQueryError

                raise BigQueryError(problem[0], fix=problem[1])
        _bound_lengths(node, safe)


def _wide_bignumeric(text: str, to: exp.DataType) -> Decimal | None:
    """The value of a BIGNUMERIC literal that BigQuery holds and the engine's DECIMAL(38, 18) does
    not (served wide as a selected value, bignumerics.py), else None."""
    if not to.is_type(exp.DataType.Type.BIGDECIMAL) or to.expressions:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if bignumerics.is_wide(value) else None


def _refuse_wide_bignumeric(text: str, to: exp.DataType) -> None:
    if not to.is_type(exp.DataType.Type.BIGDECIMAL):
        return
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return  # not a number: BigQuery's error (NULL under SAFE_CAST) comes from the cast itself
    if not value.is_finite():
        return
    integers, decimals = bignumerics.digits(value)
    if decimals > 18 or integers > 20:
        from .googlesql import BigQueryError

        raise BigQueryError(
            f"BIGNUMERIC '{text.strip()}' is not supported by the local warehouse: it has {decimals} decimal and "
            f"{integers} integer digits, and the local BIGNUMERIC keeps 18 and 20",
            fix="keep BIGNUMERIC values within 20 integer and 18 decimal digits here, or run the query on BigQuery",
        )


def _literal_problem(text: str, to: exp.DataType) -> tuple[str, str] | None:
    """(BigQuery's error, the fix) for a text that cannot be cast to `to`, else None."""
    if to.is_type(exp.DataType.Type.TIME):
        m = _TIME.match(text)
        if m is not None and int(m.group(1)) > 23:
            return f'Invalid time string "{text}"', "a TIME runs from 00:00:00 to 23:59:59.999999"
    elif to.is_type(exp.DataType.Type.TIMESTAMP):  # BigQuery's DATETIME
        m = _DATETIME.match(text)
        if m is not None and m.group("rest"):
            return f'Invalid datetime string "{text}"', "a DATETIME has no time zone: drop it, or cast to TIMESTAMP"
    return None


def _length_param(to: exp.DataType) -> tuple[str, int] | None:
    name = _LENGTH_TYPES.get(to.this)
    params = to.expressions
    if name is None or len(params) != 1 or not isinstance(params[0], exp.DataTypeParam):
        return None
    value = params[0].this
    if not (isinstance(value, exp.Literal) and value.is_int):
        return None
    return name, int(value.this)


def _bound_lengths(node: exp.Cast, safe: bool) -> None:
    from .functions import _t

    to = node.to
    direct = _length_param(to)
    element = _length_param(to.expressions[0]) if to.is_type(exp.DataType.Type.ARRAY) and to.expressions else None
    bound = direct or element
    if bound is None:
        return
    name, limit = bound
    measure = "length(CAST(_V AS VARCHAR))" if name == "STRING" else "octet_length(CAST(_V AS BLOB))"
    fail = (
        "NULL"
        if safe
        else f"error('{name}({limit}) has maximum length {limit} but got a value with length ' || {measure})"
    )
    check = f"CASE WHEN {measure} > {limit} THEN {fail} ELSE _V END"
    cast = node.copy()
    for t in (cast.to, *(cast.to.expressions if element else [])):
        if isinstance(t, exp.DataType) and _length_param(t):
            t.set("expressions", [])
    if element:
        # every element checked: list_transform over the cast array
        body = check.replace("_V", "__llmops_element")
        node.replace(_t(f"list_transform(_A, lambda __llmops_element: {body})", cast))
    else:
        node.replace(_t(check.replace("_V", "_A"), cast))
