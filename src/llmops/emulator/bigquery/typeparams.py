"""Parameterized types in CREATE TABLE: `STRING(L)`, `BYTES(L)`, `NUMERIC(P[, S])`,
`BIGNUMERIC(P[, S])`. The column takes the plain type and a CHECK that refuses values the
parameters do not allow; the parameters become the REST field's maxLength, precision and scale
(kept in fieldopts' catalog), which also bound insertAll rows, and the `rounding_mode` column
option its roundingMode. Every write rounds a value to the scale and checks it against the
parameters before the CHECK sees it (writtenvalues.py); the CHECK stays for the writes that
bypass it."""

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


def upper_bound(precision: int, scale: int) -> str:
    """The largest value of NUMERIC(P, S) / BIGNUMERIC(P, S): P - S nines, then S after the point."""
    nines = "9" * (precision - scale)
    return f"{nines or '0'}.{'9' * scale}" if scale else nines


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
            if first - scale < extra_digits:  # else the type's own range bounds the value
                # compared as a decimal: `>= 1e11` read 99999999999.999999999 (NUMERIC(20, 9)) as 1e11
                bound = upper_bound(first, scale)
                checks.append(
                    (
                        f"ABS({_ident(name)}) > {base} '{bound}'"
                        if base == "NUMERIC" or (scale <= 18 and first - scale <= 20)  # the local BIGNUMERIC's
                        else f"ABS({_ident(name)}) >= 1e{first - scale}",
                        f"Field {name}: the value is out of range for {shown}: {base} has precision {first} and scale"
                        f" {scale} but got a value that is not in range of [-{bound}, {bound}]",
                    )
                )
        col.set("kind", exp.DataType.build(base, dialect="bigquery"))
        if not check:
            continue
        for test, message in checks:
            refuse = sqlglot.parse_one(f"CASE WHEN {test} THEN ERROR('{message}') ELSE TRUE END", read="bigquery")
            col.append("constraints", exp.ColumnConstraint(kind=exp.CheckColumnConstraint(this=refuse)))
    return out


ROUNDING_MODES = ("ROUND_HALF_AWAY_FROM_ZERO", "ROUND_HALF_EVEN")
_DECIMALS = ("NUMERIC", "BIGNUMERIC", "DECIMAL", "BIGDECIMAL")


def rounding_modes(columns: list[exp.Expression]) -> dict[str, dict[str, str]]:
    """Lower-case column -> {"roundingMode": ...} of each column whose OPTIONS set `rounding_mode`
    (the REST field's roundingMode; writtenvalues.py rounds by it)."""
    from .ddlopts import parse_options

    out: dict[str, dict[str, str]] = {}
    for col in columns:
        if not isinstance(col, exp.ColumnDef):
            continue
        for constraint in col.args.get("constraints") or []:
            kind = constraint.args.get("kind")
            if not isinstance(kind, exp.Properties):
                continue
            mode = parse_options(list(kind.expressions), "COLUMN").get("rounding_mode")
            if mode is None:
                continue
            mode = str(mode).upper()
            if mode not in ROUNDING_MODES:
                raise BigQueryInvalid(
                    f"Invalid rounding_mode {mode} for column {col.name}", fix=f"use one of {', '.join(ROUNDING_MODES)}"
                )
            typ = col.args.get("kind")
            if typ is None or not typ.sql("bigquery").upper().startswith(_DECIMALS):
                continue  # BigQuery refuses it on other columns; accepted here and kept out, as before
            out[col.name.lower()] = {"roundingMode": mode}
    return out


def _ident(name: str) -> str:
    return "`" + name.replace("`", "\\`") + "`"


def limit_error(row: dict[str, Any], options: dict[str, dict[str, Any]]) -> tuple[str, str] | None:
    """(field, message) for the first top-level value of an insertAll row that its field's
    maxLength or precision/scale refuses; None when they all fit (or cannot be read: the row's
    own conversion reports those). A value with more decimals than the scale is rounded in `row`
    (half away from zero, or ROUND_HALF_EVEN where `_mode` says so)."""
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
            if not number.is_finite():
                continue
            precision, scale = int(opts["precision"]), int(opts.get("scale") or 0)
            # rounded to the scale first (the column's rounding mode), as BigQuery writes it
            rounding = decimal.ROUND_HALF_EVEN if opts.get("_mode") == "ROUND_HALF_EVEN" else decimal.ROUND_HALF_UP
            with decimal.localcontext() as context:
                context.prec = 100
                rounded = number.quantize(decimal.Decimal(1).scaleb(-scale), rounding)
            bound = upper_bound(precision, scale)
            if abs(rounded) > decimal.Decimal(bound):
                base = "BIGNUMERIC" if opts.get("_bignumeric") else "NUMERIC"
                return path, (
                    f"Field {path}: the value is out of range for precision {precision}: {base} has precision"
                    f" {precision} and scale {scale} but got a value that is not in range of [-{bound}, {bound}]"
                )
            if rounded != number:
                key = next(k for k in row if k.lower() == path)
                row[key] = f"{rounded:f}"
    return None
