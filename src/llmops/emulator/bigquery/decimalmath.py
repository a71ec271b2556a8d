"""SQRT, LN, LOG, LOG10, EXP and POW of NUMERIC and BIGNUMERIC values, as BigQuery answers them
(and the NUMERIC products numericproducts.py leaves to it).

BigQuery computes these in the argument's type, rounded half away from zero at its scale
(`SQRT(NUMERIC '2')` is the NUMERIC 1.414213562); DuckDB computes them as DOUBLEs. Python's
decimal arithmetic, at a precision well beyond the result's 38 digits, gives the exact rounding.
A vectorised UDF over Arrow arrays (`udfs.py` registers it); the engine's BIGNUMERIC has 18
decimals (see docs/googlesql.md).
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

import pyarrow as pa

NUMERIC_MATH_UDF = "__bq_numeric_math"
BIGNUMERIC_MATH_UDF = "__bq_bignumeric_math"

_CONTEXT = decimal.Context(prec=80, Emax=999999, Emin=-999999)
_SCALES = {NUMERIC_MATH_UDF: 9, BIGNUMERIC_MATH_UDF: 18}
_INTEGER_DIGITS = {9: 29, 18: 20}  # NUMERIC's 29 integer digits; the engine's BIGNUMERIC has 20


def _text(value: Decimal) -> str:
    return format(value.normalize(_CONTEXT), "f") if value else "0"


def _call(name: str, *args: Decimal) -> str:
    return f"{name}({', '.join(_text(a) for a in args)})"


def _power(x: Decimal, y: Decimal, overflow: str) -> Decimal:
    if x == 0 and y < 0:
        raise ValueError(f"division by zero: {_call('POW', x, y)}")
    if x < 0 and y != y.to_integral_value():
        kind = "BIGNUMERIC" if overflow.startswith("BIG") else "NUMERIC"
        raise ValueError(f"Negative {kind} value cannot be raised to a fractional power: {_call('POW', x, y)}")
    if x == 0:
        return Decimal(0)
    if y == y.to_integral_value() and abs(y) <= 1000:
        return _CONTEXT.power(x, int(y))  # exact for an integer exponent
    magnitude = _CONTEXT.exp(_CONTEXT.multiply(y, _CONTEXT.ln(abs(x))))
    return -magnitude if x < 0 and int(y) % 2 else magnitude


def compute(name: str, x: Decimal, y: Decimal | None, overflow: str = "numeric overflow") -> Decimal:
    """The unrounded value of the function `name` (SQRT, LN, LOG10, LOG, EXP, POW) at `x` (`y`
    the second argument: LOG's base, POW's exponent); ZetaSQL's errors out of the domain."""
    if name == "MULTIPLY":  # numericproducts.py: a product past DuckDB's DECIMAL(38, 18)
        assert y is not None
        return _CONTEXT.multiply(x, y)
    if name == "SQRT":
        if x < 0:
            raise ValueError(f"SQRT is undefined for negative value: {_call(name, x)}")
        return _CONTEXT.sqrt(x)
    if name in ("LN", "LOG10"):
        if x <= 0:
            raise ValueError(f"{name} is undefined for zero or negative value: {_call(name, x)}")
        return _CONTEXT.ln(x) if name == "LN" else _CONTEXT.log10(x)
    if name == "LOG":
        assert y is not None
        if x <= 0 or y <= 0 or y == 1:
            raise ValueError(f"LOG is undefined for zero or negative value, or when base equals 1: {_call(name, x, y)}")
        return _CONTEXT.divide(_CONTEXT.ln(x), _CONTEXT.ln(y))
    if name == "EXP":
        if x > 1000:
            raise ValueError(f"{overflow}: {_call(name, x)}")
        return _CONTEXT.exp(x)
    assert name == "POW" and y is not None
    return _power(x, y, overflow)


def _through_double(name: str, x: Decimal, y: Decimal | None) -> Decimal | None:
    """A NUMERIC result computed as a double where that rounds the same: in the domain, under
    1e5, and farther from a rounding tie than the double's error; None elsewhere (the exact
    decimal path decides).
    Decimal's 80-digit LN costs ~90 us a row, the double ~1 us."""
    fx = float(x)
    if name == "SQRT" and fx >= 0:
        value = math.sqrt(fx)
    elif name == "LN" and fx > 0:
        value = math.log(fx)
    elif name == "LOG10" and fx > 0:
        value = math.log10(fx)
    elif name == "LOG" and y is not None and fx > 0 and float(y) > 0 and abs(math.log(float(y))) > 0.01:
        value = math.log(fx) / math.log(float(y))
    elif name == "EXP" and fx < 11:
        value = math.exp(fx)
    else:
        return None
    scaled = abs(value) * 1e9
    # the double's error, in units of NUMERIC's last digit: ~1e-14 relative (EXP amplifies the
    # argument's rounding by up to 11), with room to spare
    margin = 2e-5 * max(abs(value), 1.0)
    if not value < 1e5 or abs(scaled - math.floor(scaled) - 0.5) < margin:
        return None
    return Decimal(round(value * 1e9)).scaleb(-9)


def rounded(name: str, x: Decimal, y: Decimal | None, scale: int) -> Decimal:
    """`compute`'s value rounded half away from zero at `scale` decimals; BigQuery's overflow
    error beyond the type's integer digits."""
    if scale == 9:
        quick = _through_double(name, x, y)
        if quick is not None:
            return quick
    overflow = "numeric overflow" if scale == 9 else "BIGNUMERIC overflow"
    value = compute(name, x, y, overflow)
    if abs(value) >= Decimal(10) ** _INTEGER_DIGITS[scale]:
        if name == "MULTIPLY" and y is not None:
            raise ValueError(f"{overflow}: {_text(x)} * {_text(y)}")
        raise ValueError(f"{overflow}: {_call(name, *(a for a in (x, y) if a is not None))}")
    return value.quantize(Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP, context=_CONTEXT)


def batch(udf: str):
    """The Arrow batch function of `udf`: (function name, x, y) -> the rounded value, NULL where
    an argument is NULL (y is NULL for the one-argument functions)."""
    scale = _SCALES[udf]
    arrow_type = pa.decimal128(38, scale)

    def run(names: pa.Array, xs: pa.Array, ys: pa.Array) -> pa.Array:
        out: list[Decimal | None] = []
        for name, x, y in zip(names.to_pylist(), xs.to_pylist(), ys.to_pylist(), strict=True):
            two = name in ("LOG", "POW", "MULTIPLY")
            if x is None or (two and y is None):
                out.append(None)
            else:
                out.append(rounded(name, x, y if two else None, scale))
        return pa.array(out, type=arrow_type)

    return run
