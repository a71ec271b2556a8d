"""A FLOAT64 cast to NUMERIC or BIGNUMERIC as BigQuery converts a double: its exact binary value
rounded half away from zero to the type's scale (ZetaSQL's `NumericValue::FromDouble`,
`BigNumericValue::FromDouble`), so `CAST(x AS BIGNUMERIC)` of 0.1 is
0.10000000000000000555111512312578270212 and `CAST(x AS NUMERIC)` of 123456789.123456789 is
123456789.123456791.

DuckDB's cast multiplies the double by 10^scale as a double and rounds that: NUMERIC lost the
last digits of a value past ~10^5 with a full mantissa (123456789.123456784), BIGNUMERIC kept 18
decimals of a rounded product. Here:

- NUMERIC: DuckDB's cast where its rounding of the double product cannot differ (the product
  farther from a half than its rounding error); else the value's integer and fraction parts
  (both exact doubles) scaled as HUGEINTs, the fraction as an integer count of 2^-84 (every
  double of 2^-32 or more is one; a smaller one rounds to 0 at 9 decimals anyway), then divided
  by 2^84 rounding half away from zero.
- BIGNUMERIC as an item of the top-level SELECT list (bare or aliased) of a value the text shows
  is a FLOAT64: a wide value (bignumerics.py), every digit of the exact conversion
  (`FLOAT_BIGNUMERIC_UDF`, Python's exact Decimal of the double).
- BIGNUMERIC anywhere else, or of a value whose type is known only when the query runs: exact
  where the double's value has at most 18 decimals (a multiple of 2^-18 below 10^20: integers,
  1.5, 0.375), which the engine's DECIMAL(38, 18) holds; any other double is refused by name per
  row (BigQuery's value has up to 38 decimals).

A FLOAT64 literal is not such a cast: BigQuery converts its digits (castchecks.py). BigQuery's
errors for NaN, infinities and values out of range are kept (NULL under SAFE_CAST); the refusal
is not turned into NULL by SAFE_CAST.
"""

from __future__ import annotations

import decimal

from sqlglot import exp

from . import bignumerics
from .census import find_all

FLOAT_BIGNUMERIC_UDF = "__bq_float_bignumeric"
"""DOUBLE -> the text of its exact value times 10^38, rounded half away from zero."""

_MARK = "llmops_float_cast"
_TARGETS = {exp.DataType.Type.DECIMAL: "NUMERIC", exp.DataType.Type.BIGDECIMAL: "BIGNUMERIC"}
_EXACT = decimal.Context(prec=1200)  # a double's exact expansion has at most 767 significant digits
_TWO_84 = 2**84
# the largest double BigQuery's BIGNUMERIC holds is below this one
_BIGNUMERIC_LIMIT = "578960446186580977117854925043439539266.35"


def float_bignumeric_scaled(value: float) -> str:
    """`FLOAT_BIGNUMERIC_UDF` of one finite double in BIGNUMERIC's range."""
    scaled = decimal.Decimal(value).scaleb(bignumerics.SCALE, context=_EXACT)
    return str(int(scaled.to_integral_value(rounding=decimal.ROUND_HALF_UP, context=_EXACT)))


def cast_operands(stmt: exp.Expression) -> list[exp.Expression]:
    """The values cast to NUMERIC or BIGNUMERIC that are not literals: of FLOAT64 the cast is
    rewritten here, of a type known to be another it stays DuckDB's."""
    return [c.this for c in find_all(stmt, exp.Cast) if c.to.this in _TARGETS and not _is_literal(c.this)]


def mark_float_casts(stmt: exp.Expression) -> None:
    """Mark each `CAST(x AS NUMERIC)` / `CAST(x AS BIGNUMERIC)` (SAFE_CAST too) of a value the text
    shows is a FLOAT64, or whose type it does not show, for `rewrite_float_casts` (run while the
    target is still NUMERIC or BIGNUMERIC)."""
    from .coltypes import known_type

    for cast in find_all(stmt, exp.Cast):
        target = _TARGETS.get(cast.to.this)
        if target is None or cast.to.expressions or _is_literal(cast.this):
            continue
        kind = known_type(cast.this)
        if kind in ("FLOAT64", None):
            cast.meta[_MARK] = (target, kind == "FLOAT64")


def rewrite_float_casts(stmt: exp.Expression) -> bool:
    """The marked casts converted as BigQuery converts a double (after the other rewrites, which
    would rewrite this text's own functions); whether `FLOAT_BIGNUMERIC_UDF` is called."""
    from .functions import _t

    wide = False
    for cast in find_all(stmt, exp.Cast):
        mark = cast.meta.get(_MARK) if cast._meta else None
        if mark is None:
            continue
        cast.meta.pop(_MARK)
        target, known = mark
        safe = isinstance(cast, exp.TryCast) or bool(cast.args.get("safe"))
        if target == "NUMERIC":
            template = _numeric_sql(safe)
        elif known and bignumerics.is_top_level_item(cast, stmt):
            template, wide = _wide_sql(safe), True
        else:
            template = _narrow_bignumeric_sql(safe)
        operand = cast.this if known else exp.TryCast(this=cast.this.copy(), to=exp.DataType.build("DOUBLE"))
        if isinstance(operand, exp.Column):
            converted = _t(template.replace("__fc", "_A"), operand)
        else:  # bound once: the operand may be costly or RAND()
            converted = _t(f"list_transform([_A], lambda __fc: {template})[1]", operand)
        if not known:
            converted = _t("CASE WHEN typeof(_A) = 'DOUBLE' THEN _B ELSE _C END", cast.this, converted, cast.copy())
        cast.replace(converted)
    return wide


def _is_literal(node: exp.Expression) -> bool:
    """A number written in the query (`0.1`, `-0.1`): BigQuery converts its digits."""
    while isinstance(node, (exp.Neg, exp.Paren)):
        node = node.this
    return isinstance(node, exp.Literal)


def _failure(message: str, safe: bool) -> str:
    """BigQuery's error (NULL under SAFE_CAST), `message` a DuckDB text expression."""
    return "NULL" if safe else f"error({message})"


def _numeric_sql(safe: bool) -> str:
    non_finite = _failure("'Illegal conversion of non-finite floating point number to numeric: ' || __fc", safe)
    out_of_range = _failure("'numeric out of range: ' || printf('%g', __fc)", safe)
    fraction = f"CAST((abs(__fc) - trunc(abs(__fc))) * {_TWO_84}.0 AS HUGEINT)"
    scaled = f"CAST(trunc(abs(__fc)) AS HUGEINT) * 1000000000 + ({fraction} * 1000000000 + {_TWO_84 // 2}) // {_TWO_84}"
    value = f"CAST(CASE WHEN __fc < 0 THEN -({scaled}) ELSE {scaled} END AS DECIMAL(38, 0))"
    # DuckDB's cast rounds the double nearest the value times 10^9 half away from zero; that is
    # the exact value's rounding unless the product lies within its own error (2^-53 of it) of a
    # half (then, and past 2^52, the exact way)
    # (the double 1e29 is below 10^29: NUMERIC holds it)
    product = "abs(__fc * 1000000000.0)"
    native = f"abs({product} - trunc({product}) - 0.5) > {product} * 2.3e-16"
    return (
        f"CASE WHEN NOT isfinite(__fc) THEN {non_finite} WHEN abs(__fc) > 1e29 THEN {out_of_range} "
        f"WHEN {native} THEN CAST(__fc AS DECIMAL(38, 9)) "
        f"ELSE {value} * CAST('0.000000001' AS DECIMAL(10, 9)) END"
    )


def _bignumeric_errors(safe: bool) -> str:
    non_finite = _failure("'Illegal conversion of non-finite floating point number to BIGNUMERIC: ' || __fc", safe)
    out_of_range = _failure("'BIGNUMERIC out of range: ' || printf('%g', __fc)", safe)
    return (
        f"WHEN NOT isfinite(__fc) THEN {non_finite} "
        f"WHEN abs(__fc) > CAST('{_BIGNUMERIC_LIMIT}' AS DOUBLE) THEN {out_of_range}"
    )


def _narrow_bignumeric_sql(safe: bool) -> str:
    # a multiple of 2^-18 has at most 18 decimals: 2^18 times it is an integer, and 5^18 times
    # that integer is the value times 10^18
    exact = (
        "CAST(CAST(__fc * 262144.0 AS HUGEINT) * 3814697265625 AS DECIMAL(38, 0)) "
        "* CAST('0.000000000000000001' AS DECIMAL(19, 18))"
    )
    refusal = (
        "'CAST of the FLOAT64 value ' || __fc || ' AS BIGNUMERIC is not supported by the local warehouse here: "
        "BigQuery converts the double''s exact binary value, up to 38 decimals, and the local BIGNUMERIC keeps 18; "
        "cast CAST(x AS STRING) (its shortest decimal) or use NUMERIC, or run the query on BigQuery'"
    )
    return (
        f"CASE WHEN abs(__fc) < 1e20 AND __fc * 262144.0 = trunc(__fc * 262144.0) THEN {exact} "
        f"{_bignumeric_errors(safe)} ELSE error({refusal}) END"
    )


def _wide_sql(safe: bool) -> str:
    value = f"{{'{bignumerics.FIELD}': CAST({FLOAT_BIGNUMERIC_UDF}(__fc) AS BIGNUM)}}"
    return f"CASE WHEN __fc IS NULL THEN NULL {_bignumeric_errors(safe)} ELSE {value} END"
