"""Arithmetic over wide BIGNUMERIC values (widecolumns.py), exactly as BigQuery computes it.

A wide value is carried as its scaled integer (the value times 10^38) in DuckDB's BIGNUM, which
adds, subtracts, negates and compares exactly but multiplies and divides only as a DOUBLE. So:

- `+`, `-` and unary `-` are BIGNUM's own, each result checked against BIGNUMERIC's range;
- `*` and `/` go through a vectorised Python UDF (`ARITHMETIC_UDF`) over the scaled integers'
  text: the product over 10^38, the dividend times 10^38 over the divisor, rounded half away from
  zero at 38 decimals as BigQuery rounds a BIGNUMERIC;
- past the range: BigQuery's `BIGNUMERIC overflow: a * b`; a zero divisor: `division by zero: a / b`;
- the same UDF serves the functions (planned in widecolumns.py): `ROUND`/`TRUNC` to N digits (the second
  operand the digits' text), `FLOOR`/`CEIL`, `DIV` (the quotient truncated toward zero), `MOD` (the remainder with
  the dividend's sign) and `SAFE_DIVIDE` (`/` whose error is NULL), with ZetaSQL's errors
  (`BIGNUMERIC overflow: ROUND(a, n)`, `division by zero: DIV(a, b)`, `division by zero: MOD(a, b)`).

Each operation's value is bound once (a one-element list and a lambda), so nested arithmetic
writes each operand's text once, not once a branch. An operand's text is always outside the
lambdas (in the list), so their parameters' names are fixed: the same expression written twice
(`SELECT b + 1 ... GROUP BY b + 1`) is the same DuckDB text, which DuckDB matches.
"""

from __future__ import annotations

import pyarrow as pa

from . import bignumerics

ARITHMETIC_UDF = "__bq_bignumeric_arith"
"""(operator, scaled a, scaled b) as text -> the scaled result's text; BigQuery's errors."""

_ONE = 10**bignumerics.SCALE
_MAX = bignumerics.scaled(bignumerics.MAX)
_MIN = bignumerics.scaled(bignumerics.MIN)
MAX_SQL = f"CAST('{_MAX}' AS BIGNUM)"
MIN_SQL = f"CAST('{_MIN}' AS BIGNUM)"


def _text(number: int) -> str:
    """A scaled integer's value as BigQuery writes it in an error: every digit, no exponent."""
    value = bignumerics.unscaled(number)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rounded_quotient(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero."""
    quotient, rest = divmod(abs(numerator), abs(denominator))
    if 2 * rest >= abs(denominator):
        quotient += 1
    return quotient if (numerator < 0) == (denominator < 0) else -quotient


def _rounded(x: int, digits: int, half_even: bool) -> int:
    """The scaled `x` rounded to `digits` decimals (negative: left of the point), half away from
    zero (or half to even)."""
    if digits >= bignumerics.SCALE:
        return x
    unit = 10 ** (bignumerics.SCALE - digits)
    quotient, rest = divmod(abs(x), unit)
    if 2 * rest > unit or (2 * rest == unit and (not half_even or quotient % 2 == 1)):
        quotient += 1
    return (quotient if x >= 0 else -quotient) * unit


def _truncated(x: int, digits: int) -> int:
    if digits >= bignumerics.SCALE:
        return x
    unit = 10 ** (bignumerics.SCALE - digits)
    return (abs(x) // unit) * unit * (1 if x >= 0 else -1)


def _function(op: str, x: str, y: str) -> str:
    """A function's scaled result (ROUND, ROUND_HALF_EVEN, TRUNC, FLOOR, CEIL, DIV, MOD, SAFE/)."""
    if op == "SAFE/":
        try:
            return compute("/", x, y)
        except ValueError:
            return ""  # NULL
    a = int(x)
    if op in ("ROUND", "ROUND_HALF_EVEN"):
        result = _rounded(a, int(y), op == "ROUND_HALF_EVEN")
        if not _MIN <= result <= _MAX:
            raise ValueError(f"BIGNUMERIC overflow: ROUND({_text(a)}, {int(y)})")
        return str(result)
    if op == "TRUNC":
        return str(_truncated(a, int(y)))
    if op in ("FLOOR", "CEIL"):
        whole = a // _ONE if op == "FLOOR" else -(-a // _ONE)
        result = whole * _ONE
        if not _MIN <= result <= _MAX:
            raise ValueError(f"BIGNUMERIC overflow: {op}({_text(a)})")
        return str(result)
    b = int(y)
    if b == 0:
        raise ValueError(f"division by zero: {op}({_text(a)}, {_text(b)})")
    if op == "DIV":
        whole = abs(a) // abs(b)
        result = (whole if (a < 0) == (b < 0) else -whole) * _ONE
        if not _MIN <= result <= _MAX:
            raise ValueError(f"BIGNUMERIC overflow: DIV({_text(a)}, {_text(b)})")
        return str(result)
    if op == "MOD":
        rest = abs(a) % abs(b)
        return str(rest if a >= 0 else -rest)
    raise ValueError(f"unknown BIGNUMERIC function {op}")


def compute(op: str, a: str, b: str) -> str:
    """The scaled result of `a op b` (scaled integers' text), BigQuery's rounding and errors."""
    if op not in ("+", "-", "*", "/"):
        return _function(op, a, b)
    x, y = int(a), int(b)
    if op == "+":
        result = x + y
    elif op == "-":
        result = x - y
    elif op == "*":
        result = _rounded_quotient(x * y, _ONE)
    elif op == "/":
        if y == 0:
            raise ValueError(f"division by zero: {_text(x)} / {_text(y)}")
        result = _rounded_quotient(x * _ONE, y)
    else:
        raise ValueError(f"unknown BIGNUMERIC operator {op}")
    if not _MIN <= result <= _MAX:
        raise ValueError(f"BIGNUMERIC overflow: {_text(x)} {op} {_text(y)}")
    return str(result)


def batch(ops: pa.Array, xs: pa.Array, ys: pa.Array) -> pa.Array:
    """`compute` over Arrow arrays; NULL where an operand is NULL."""
    out = [
        None if op is None or x is None or y is None else compute(op, x, y)
        for op, x, y in zip(ops.to_pylist(), xs.to_pylist(), ys.to_pylist(), strict=True)
    ]
    return pa.array([v or None for v in out], type=pa.string())  # "": SAFE_DIVIDE's NULL


def binary(op: str, left: str, right: str) -> str:
    """The DuckDB text of the scaled `left op right` (both scaled BIGNUM texts)."""
    if op in ("*", "/"):
        return f"CAST({ARITHMETIC_UDF}('{op}', CAST({left} AS VARCHAR), CAST({right} AS VARCHAR)) AS BIGNUM)"
    pair, value = "__bnv_p", "__bnv_v"
    # the UDF only where the result is out of range: it raises BigQuery's error with the operands
    overflow = f"CAST({ARITHMETIC_UDF}('{op}', CAST({pair}[1] AS VARCHAR), CAST({pair}[2] AS VARCHAR)) AS BIGNUM)"
    check = f"CASE WHEN {value} > {MAX_SQL} OR {value} < {MIN_SQL} THEN {overflow} ELSE {value} END"
    return f"list_transform([[{left}, {right}]], lambda {pair}: list_transform([{pair}[1] {op} {pair}[2]], lambda {value}: {check})[1])[1]"


def function(op: str, operand: str, argument: str) -> str:
    """The DuckDB text of a function's scaled result (`_function`'s ops); `argument` is a scaled
    BIGNUM text, or the digits of ROUND/TRUNC as an integer's text."""
    return f"CAST({ARITHMETIC_UDF}('{op}', CAST({operand} AS VARCHAR), CAST({argument} AS VARCHAR)) AS BIGNUM)"


def absolute(operand: str) -> str:
    """The DuckDB text of the scaled `ABS(operand)`: BIGNUMERIC's minimum has none (ZetaSQL's
    `BIGNUMERIC overflow: ABS(...)`)."""
    value = "__bnv_v"
    minimum = _text(_MIN)
    check = (
        f"CASE WHEN {value} = {MIN_SQL} THEN error('BIGNUMERIC overflow: ABS({minimum})') "
        f"WHEN {value} < 0 THEN -{value} ELSE {value} END"
    )
    return f"list_transform([{operand}], lambda {value}: {check})[1]"


def sign(operand: str) -> str:
    """The DuckDB text of the scaled `SIGN(operand)`: -1, 0 or 1 as a BIGNUMERIC."""
    value = "__bnv_v"
    one = f"CAST('{_ONE}' AS BIGNUM)"
    return (
        f"list_transform([{operand}], lambda {value}: CASE WHEN {value} > 0 THEN {one} "
        f"WHEN {value} < 0 THEN -{one} WHEN {value} = 0 THEN CAST('0' AS BIGNUM) END)[1]"
    )


def negated(operand: str) -> str:
    """The DuckDB text of the scaled `-operand`: only BIGNUMERIC's minimum has no negation."""
    value = "__bnv_v"
    minimum = _text(_MIN)
    check = f"CASE WHEN {value} > {MAX_SQL} THEN error('BIGNUMERIC overflow: -({minimum})') ELSE {value} END"
    return f"list_transform([-({operand})], lambda {value}: {check})[1]"


def wrapped(scaled: str) -> str:
    """The wide struct of a scaled BIGNUM text (NULL stays a NULL struct, not a struct of NULL)."""
    value = "__bnv_v"
    return (
        f"list_transform([{scaled}], lambda {value}: CASE WHEN {value} IS NULL THEN NULL "
        f"ELSE {{'{bignumerics.FIELD}': {value}}} END)[1]"
    )
