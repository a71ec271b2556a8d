"""Parameterized types in CREATE TABLE: `STRING(L)`, `BYTES(L)`, `NUMERIC(P[, S])`,
`BIGNUMERIC(P[, S])`. The column takes the plain type and a CHECK that refuses values the
parameters do not allow; the parameters become the REST field's maxLength, precision and scale
(kept in fieldopts' catalog), which also bound insertAll rows."""

from __future__ import annotations

import base64
import decimal
import re
from typing import Any

import sqlglot
from sqlglot import exp

from .googlesql import BigQueryInvalid

_PARAM_TYPE = re.compile(r"^(STRING|BYTES|NUMERIC|BIGNUMERIC|DECIMAL|BIGDECIMAL)\((\d+)(?:,\s*(\d+))?\)$", re.I)
_NUMERIC_LIMITS = {"NUMERIC": (9, 29), "BIGNUMERIC": (38, 38)}
"""Per type: the largest scale S, and how many digits precision P may exceed S by."""


def typed_columns(columns: list[exp.Expression], *, check: bool = True) -> dict[str, dict[str, str]]:
    """Top-level columns of STRING(L), BYTES(L), NUMERIC(P[, S]), BIGNUMERIC(P[, S]): their type
    parameters become the REST field's maxLength/precision/scale, the column takes the plain type
    and a CHECK that refuses values the parameters do not allow (BigQuery's enforcement)."""
    out: dict[str, dict[str, str]] = {}
    for col in columns:
        if not isinstance(col, exp.ColumnDef) or col.args.get("kind") is None:
            continue
        m = _PARAM_TYPE.match(col.args["kind"].sql("bigquery"))
        if not m:
            continue
        base = {"DECIMAL": "NUMERIC", "BIGDECIMAL": "BIGNUMERIC"}.get(m.group(1).upper(), m.group(1).upper())
        first, second = int(m.group(2)), m.group(3)
        name = col.name
        shown = f"{base}({first}{', ' + second if second is not None else ''})"
        checks: list[tuple[str, str]] = []
        if base in ("STRING", "BYTES"):
            if second is not None or first < 1:
                raise BigQueryInvalid(
                    f"Invalid type parameters for {shown} (column {name})", fix=f"write {base}(L) with L >= 1"
                )
            out[name.lower()] = {"maxLength": str(first)}
            fn = "LENGTH" if base == "STRING" else "BYTE_LENGTH"
            checks.append(
                (
                    f"{fn}({_ident(name)}) > {first}",
                    f"Field {name}: the value is longer than the maximum length {first} of {shown}",
                )
            )
        else:
            scale = int(second) if second is not None else 0
            max_scale, extra_digits = _NUMERIC_LIMITS[base]
            if not (0 <= scale <= max_scale and max(1, scale) <= first <= scale + extra_digits):
                raise BigQueryInvalid(
                    f"Invalid type parameters for {shown} (column {name})",
                    fix=f"{base}(P, S) takes 0 <= S <= {max_scale} and max(1, S) <= P <= S + {extra_digits}",
                )
            out[name.lower()] = {"precision": str(first), **({"scale": str(scale)} if second is not None else {})}
            checks.append(
                (f"ABS({_ident(name)}) >= 1e{first - scale}", f"Field {name}: the value is out of range for {shown}")
            )
            # BigQuery rounds a value with more fractional digits than S to S digits on write (half
            # away from zero, or the column's rounding_mode); the local warehouse stores the plain
            # type, so such a value is refused by name rather than kept unrounded
            checks.append(
                (
                    f"{_ident(name)} <> ROUND({_ident(name)}, {scale})",
                    f"Field {name}: rounding a value with more than {scale} digits after the decimal point to"
                    f" the scale of {shown} is not supported by the local warehouse",
                )
            )
        col.set("kind", exp.DataType.build(base, dialect="bigquery"))
        if not check:
            continue
        for test, message in checks:
            refuse = sqlglot.parse_one(f"CASE WHEN {test} THEN ERROR('{message}') ELSE TRUE END", read="bigquery")
            col.append("constraints", exp.ColumnConstraint(kind=exp.CheckColumnConstraint(this=refuse)))
    return out


def _ident(name: str) -> str:
    return "`" + name.replace("`", "\\`") + "`"


def limit_error(row: dict[str, Any], options: dict[str, dict[str, Any]]) -> tuple[str, str] | None:
    """(field, message) for the first top-level value of an insertAll row that its field's
    maxLength or precision/scale refuses; None when they all fit (or cannot be read: the row's
    own conversion reports those)."""
    lowered = {k.lower(): v for k, v in row.items()}
    for path, opts in options.items():
        value = lowered.get(path)
        if value is None or "." in path:
            continue
        if "maxLength" in opts and isinstance(value, str):
            limit = int(opts["maxLength"])
            size = len(value)
            if opts.get("_bytes"):
                try:
                    size = len(base64.b64decode(value, validate=False))
                except ValueError:
                    continue
            if size > limit:
                return path, f"Field {path}: the value is longer than the maximum length {limit}"
        if "precision" in opts:
            try:
                number = decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                continue
            digits = int(opts["precision"]) - int(opts.get("scale") or 0)
            if number.is_finite() and abs(number) >= decimal.Decimal(10) ** digits:
                return path, f"Field {path}: the value is out of range for precision {opts['precision']}"
            scale = int(opts.get("scale") or 0)
            if number.is_finite() and number != number.quantize(decimal.Decimal(1).scaleb(-scale), decimal.ROUND_DOWN):
                return path, (
                    f"Field {path}: rounding a value with more than {scale} digits after the decimal point to scale"
                    f" {scale} is not supported by the local warehouse"
                )
    return None
