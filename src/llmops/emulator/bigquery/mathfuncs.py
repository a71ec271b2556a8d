"""GoogleSQL mathematical functions whose DuckDB namesakes answer differently or are missing.

DuckDB answers NaN or -inf where BigQuery raises an error (SQRT(-1), LN(0), POW(-2, 0.5)), so
`SAFE.` (DuckDB's TRY) would not make them NULL; SIGN keeps its argument's type in BigQuery;
SAFE_ADD and friends, RANGE_BUCKET, CSC, SEC, PARSE_NUMERIC are written as DuckDB SQL.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .coltypes import checked, known_type
from .functions import _t


def _domain(name: str, bad: str, good: str) -> str:
    return f"CASE WHEN {bad} THEN error('Floating point error in function: {name}(' || CAST(_A AS VARCHAR) || ')') ELSE {good} END"


# A NUMERIC text as PARSE_NUMERIC reads it: a sign before or after the number (spaces allowed
# between), digits with an optional fraction and exponent.
_PARSE = r"^\s*([+-]?)\s*([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*([+-]?)\s*$"


def _parse_numeric(node: exp.Expression, kind: str, to: str) -> exp.Expression:
    parts = "regexp_extract(_A, '" + _PARSE + "', ['s1', 'n', 'e', 's2'])"
    number = (
        f"CASE WHEN _A IS NULL THEN NULL WHEN NOT regexp_full_match(_A, '{_PARSE}') "
        f"OR ({parts}.s1 <> '' AND {parts}.s2 <> '') THEN error('Invalid {kind} value: ' || _A) "
        f"ELSE CAST({parts}.s1 || {parts}.s2 || {parts}.n || {parts}.e AS {to}) END"
    )
    return _t(number, node.this)


def _log(node: exp.Log) -> exp.Expression:
    if node.expression is None:  # LOG(x) is LN(x)
        return _t(_domain("LN", "_A <= 0", "ln(_A)"), node.this)
    # sqlglot's Log holds (base, value)
    return _t(
        "CASE WHEN _B <= 0 OR _A <= 0 OR _A = 1 THEN error('Floating point error in function: LOG(' || "
        "CAST(_B AS VARCHAR) || ', ' || CAST(_A AS VARCHAR) || ')') ELSE ln(_B) / ln(_A) END",
        node.this,
        node.expression,
    )


_CALLS: dict[type, Any] = {
    exp.Sqrt: lambda n: _t(_domain("SQRT", "_A < 0", "sqrt(_A)"), n.this),
    exp.Ln: lambda n: _t(_domain("LN", "_A <= 0", "ln(_A)"), n.this),
    exp.Log: _log,
    exp.Pow: lambda n: _t(
        "CASE WHEN (_A < 0 AND _B <> floor(_B)) OR (_A = 0 AND _B < 0) THEN error('Floating point error in "
        "function: POW(' || CAST(_A AS VARCHAR) || ', ' || CAST(_B AS VARCHAR) || ')') ELSE power(_A, _B) END",
        n.this,
        n.expression,
    ),
    # the sign in the argument's type: 0 * least(abs(x), 1) is 0 of that type (and keeps inf's sign)
    exp.Sign: lambda n: _t("CASE WHEN isnan(_A) THEN _A ELSE sign(_A) + 0 * least(abs(_A), 1) END", n.this),
    exp.SafeAdd: lambda n: _t("TRY(_A + _B)", n.this, n.expression),
    exp.SafeSubtract: lambda n: _t("TRY(_A - _B)", n.this, n.expression),
    exp.SafeMultiply: lambda n: _t("TRY(_A * _B)", n.this, n.expression),
    exp.SafeNegate: lambda n: _t("TRY(0 - _A)", n.this),  # -x of INT64's minimum widens in DuckDB
    exp.RangeBucket: lambda n: _t(
        "CASE WHEN _A IS NULL OR isnan(_A) OR _B IS NULL THEN NULL "
        "WHEN len(list_filter(_B, lambda e: e IS NULL)) > 0 THEN error('Elements in input array to RANGE_BUCKET cannot be null.') "
        "ELSE len(list_filter(_B, lambda e: e <= _A)) END",
        n.this,
        n.expression,
    ),
    exp.Csc: lambda n: _t(_domain("CSC", "sin(_A) = 0", "1 / sin(_A)"), n.this),
    exp.Sec: lambda n: _t("1 / cos(_A)", n.this),
    exp.ParseNumeric: lambda n: _parse_numeric(n, "NUMERIC", "DECIMAL(38, 9)"),
    exp.ParseBignumeric: lambda n: _parse_numeric(n, "BIGNUMERIC", "DECIMAL(38, 18)"),
}


def _negative_checked(node: exp.Expression, key: str, message: str) -> None:
    """SUBSTR's length and REPEAT's count may not be negative (DuckDB answers '')."""
    arg = node.args.get(key)
    if arg is None or (isinstance(arg, exp.Literal) and not arg.is_string):
        return
    node.set(key, _t(f"CASE WHEN _A < 0 THEN error('{message}') ELSE _A END", exp.paren(arg.copy(), copy=False)))


def _int_text(node: exp.Expression) -> bool:
    """Whether the query text shows `node` is an INT64 (a literal or a cast)."""
    if isinstance(node, exp.Neg):
        node = node.this
    if isinstance(node, exp.Literal):
        return not node.is_string and node.this.lstrip("-").isdigit()
    return isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.BIGINT


def _numeric_text(node: exp.Expression) -> bool:
    """Whether the query text shows `node` is a NUMERIC (a literal or a cast; not BIGNUMERIC)."""
    if isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Cast) or node.to.this != exp.DataType.Type.DECIMAL:
        return False
    params = node.to.expressions
    return not params or [p.this.name for p in params if isinstance(p.this, exp.Literal)] == ["38", "9"]


def _numeric_division(node: exp.Div | exp.IntDiv) -> exp.Expression | None:
    """NUMERIC / NUMERIC (or INT64) is a NUMERIC, and DIV of NUMERICs truncates; DuckDB divides
    DECIMALs as DOUBLEs (DIV(NUMERIC '7', 2) was 3.5)."""
    a, b = node.this, node.expression
    if isinstance(b, exp.Paren) and isinstance(b.this, exp.Case) and b.this.args.get("default") is not None:
        b = b.this.args["default"]  # the divisor inside semantics.py's zero check
    if not ((_numeric_text(a) or _int_text(a)) and (_numeric_text(b) or _int_text(b))):
        return None
    if not (_numeric_text(a) or _numeric_text(b)):
        return None
    quotient = exp.Div(this=exp.paren(a.copy(), copy=False), expression=exp.paren(node.expression.copy(), copy=False))
    if isinstance(node, exp.IntDiv):
        return exp.cast(exp.Anonymous(this="trunc", expressions=[quotient]), "DECIMAL(38, 9)")
    return exp.cast(quotient, "DECIMAL(38, 9)")


def rewrite_math_calls(stmt: exp.Expression) -> None:
    """Rewrite the mathematical calls of `stmt` whose DuckDB answer differs from BigQuery's, and
    check the counts of SUBSTR and REPEAT."""
    node: Any
    for node in reversed(list(stmt.find_all(exp.Div, exp.IntDiv))):
        new = _numeric_division(node)
        if new is None and isinstance(node, exp.IntDiv):
            # DuckDB's // of DECIMALs is a DOUBLE division (3.5); trunc keeps an integer's type
            new = exp.Anonymous(this="trunc", expressions=[node.copy()])
        if new is not None:
            node.replace(new)
    for node in list(stmt.find_all(exp.Round, exp.Trunc)):
        # ROUND/TRUNC of an INT64 is a FLOAT64 (DuckDB keeps the integer type)
        if _int_text(node.this):
            node.set("this", exp.cast(node.this.copy(), "DOUBLE"))
    for node in reversed(list(stmt.find_all(exp.Round, exp.Trunc, exp.Ceil, exp.Floor))):
        # DuckDB's ROUND of a DECIMAL(38, 9) is a DECIMAL(38, 0) (a BIGNUMERIC by its digits);
        # adding 0 of the argument's type keeps BigQuery's NUMERIC (and is 0 for inf and NaN)
        if not isinstance(node.this, exp.Literal):
            arg = exp.paren(node.this.copy(), copy=False)
            node.replace(_t("_A + 0 * least(abs(_B), 1)", node.copy(), arg))
    for node in list(stmt.find_all(exp.ByteLength)):
        # DuckDB's octet_length takes only BLOB: a STRING's bytes are its strlen
        arg = node.this
        if (isinstance(arg, exp.Literal) and arg.is_string) or known_type(arg) == "STRING":
            strlen = exp.Anonymous(this="strlen", expressions=[arg.copy()])
            node.replace(checked(strlen, (arg, "STRING")) if known_type(arg) else strlen)
    for node in list(stmt.find_all(exp.Substring)):
        _negative_checked(node, "length", "Third argument in SUBSTR() cannot be negative")
    for node in list(stmt.find_all(exp.Repeat)):
        _negative_checked(node, "times", "Second argument in REPEAT() cannot be negative")
    for node in reversed(list(stmt.find_all(*_CALLS))):
        for key, arg in list(node.args.items()):
            if isinstance(arg, exp.Expression) and not isinstance(arg, exp.Literal | exp.Column | exp.Paren):
                node.set(key, exp.paren(arg, copy=False))  # the templates paste arguments as operands
        node.replace(_CALLS[type(node)](node))
