"""GoogleSQL mathematical functions whose DuckDB namesakes answer differently or are missing.

DuckDB answers NaN or -inf where BigQuery raises an error (SQRT(-1), LN(0), POW(-2, 0.5), ASIN(2),
ACOSH(0), ATANH(1), SINH(1000)), so
`SAFE.` (DuckDB's TRY) would not make them NULL; SIGN keeps its argument's type in BigQuery;
SAFE_ADD and friends, RANGE_BUCKET, CSC, SEC, CSCH, SECH, COTH, PARSE_NUMERIC are written as DuckDB SQL.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .boundvalues import bound_together, is_large
from .census import find_all
from .coltypes import DUCKDB_TYPEOF, checked, known_type, typed_like
from .functions import _t as _copied


def _t(template: str, *args: exp.Expression | None) -> exp.Expression:
    """The template with `_A`, `_B`, ... standing for `args`; a large argument is evaluated once
    (boundvalues.py): the checks write each argument three to six times, so nested calls grew
    the SQL that much per level (LOG(ABS(x)) / LOG(b) inside FLOOR and POW took 30 s to translate)."""
    large = [i for i, a in enumerate(args) if a is not None and is_large(a)]
    if not large:
        return _copied(template, *args)

    def body(refs: list[exp.Expression]) -> exp.Expression:
        bound = dict(zip(large, refs, strict=True))
        return _copied(template, *[bound.get(i, a) for i, a in enumerate(args)])

    values = [a for i, a in enumerate(args) if i in large and a is not None]
    return exp.paren(bound_together(values, body), copy=False)


def _domain(name: str, bad: str, good: str) -> str:
    """`good`, or ZetaSQL's error when `bad` holds of a finite argument (an infinite or NaN one
    answers IEEE's value: LN(-inf) is NaN)."""
    bad = f"({bad}) AND isfinite(CAST(_A AS DOUBLE))"
    return f"CASE WHEN {bad} THEN error('Floating point error in function: {name}(' || CAST(_A AS VARCHAR) || ')') ELSE {good} END"


def _overflow(result: str, *args: str) -> str:
    """Whether a finite argument gave an infinite result (BigQuery's overflow error; DuckDB: inf)."""
    finite = " AND ".join(f"NOT isinf(CAST({a} AS DOUBLE))" for a in args)
    return f"isinf(CAST({result} AS DOUBLE)) AND {finite}"


# A NUMERIC text as PARSE_NUMERIC reads it: a sign before or after the number (spaces allowed
# between), digits with an optional fraction and exponent; commas anywhere in the integer part,
# which holds a digit where it is not empty ("1,2,,3,.45" is 123.45).
_PARSE = r"^\s*([+-]?)\s*((?:[0-9,]*[0-9][0-9,]*)(?:\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*([+-]?)\s*$"


def _parse_numeric(node: exp.Expression, kind: str, to: str) -> exp.Expression:
    parts = "regexp_extract(_A, '" + _PARSE + "', ['s1', 'n', 'e', 's2'])"
    number = (
        f"CASE WHEN _A IS NULL THEN NULL WHEN NOT regexp_full_match(_A, '{_PARSE}') "
        f"OR ({parts}.s1 <> '' AND {parts}.s2 <> '') THEN error('Invalid {kind} value: ' || _A) "
        f"ELSE CAST({parts}.s1 || {parts}.s2 || replace({parts}.n, ',', '') || {parts}.e AS {to}) END"
    )
    if kind == "BIGNUMERIC":
        from .bignumerictext import rounded_text_check

        return rounded_text_check(node.this, _t(number, node.this), "PARSE_BIGNUMERIC")
    return _t(number, node.this)


def _range_bucket(node: exp.RangeBucket) -> exp.Expression:
    """RANGE_BUCKET over any orderable type; its array must be sorted in ascending order and hold
    no NULL (nor NaN): errors, so SAFE. is NULL (DuckDB counted any array, and isnan bound only
    for numbers). A NULL or NaN point is NULL before the array is looked at."""
    point = node.this
    while isinstance(point, exp.Paren):
        point = point.this
    typed_other = isinstance(point, exp.Cast) and not point.to.is_type(*exp.DataType.REAL_TYPES)
    floating = known_type(point) in (None, "FLOAT64") and not (
        typed_other
        or isinstance(point, exp.Boolean | exp.ByteString)
        or (isinstance(point, exp.Literal) and point.is_string)
    )
    nan_point = " OR isnan(_A)" if floating else ""
    nan_elements = (
        "WHEN len(list_filter(_B, lambda e: isnan(e))) > 0 THEN "
        "error('Elements in input array to RANGE_BUCKET cannot be NaN.') "
        if floating
        else ""
    )
    return _t(
        f"CASE WHEN _A IS NULL{nan_point} OR _B IS NULL THEN NULL "
        "WHEN len(list_filter(_B, lambda e: e IS NULL)) > 0 THEN error('Elements in input array to RANGE_BUCKET cannot be null.') "
        f"{nan_elements}"
        "WHEN _B <> list_sort(_B) THEN error('Elements in input array to RANGE_BUCKET must be in ascending order.') "
        "ELSE len(list_filter(_B, lambda e: e <= _A)) END",
        node.this,
        node.expression,
    )


def _log(node: exp.Log) -> exp.Expression:
    if node.expression is None:  # LOG(x) is LN(x)
        return _t(_domain("LN", "_A <= 0", "ln(_A)"), node.this)
    if node.meta.get("bigquery_name", "").upper() == "LOG10":
        # C's log10 (ZetaSQL's Log10): exactly 3 for 1000, where ln(x) / ln(10) is 2.9999999999999996
        return _t(_domain("LOG10", "_A <= 0", "log10(_A)"), node.expression)
    # sqlglot's Log holds (base, value); ZetaSQL's Logarithm divides the natural logarithms, is NaN
    # for a base that is not finite and positive, and fails only where both arguments are finite
    return _t(
        "CASE WHEN isfinite(CAST(_A AS DOUBLE)) AND isfinite(CAST(_B AS DOUBLE)) THEN "
        "CASE WHEN _B <= 0 OR _A <= 0 OR _A = 1 THEN error('Floating point error in function: LOG(' || "
        "CAST(_B AS VARCHAR) || ', ' || CAST(_A AS VARCHAR) || ')') ELSE ln(_B) / ln(_A) END "
        "WHEN NOT isfinite(CAST(_A AS DOUBLE)) OR _A <= 0 OR isnan(CAST(_B AS DOUBLE)) OR _B < 0 "
        "THEN CAST('nan' AS DOUBLE) WHEN _A = 1 THEN CAST('inf' AS DOUBLE) ELSE ln(_B) / ln(_A) END",
        node.this,
        node.expression,
    )


_CALLS: dict[type, Any] = {
    exp.Sqrt: lambda n: _t(_domain("SQRT", "_A < 0", "sqrt(_A)"), n.this),
    exp.Ln: lambda n: _t(_domain("LN", "_A <= 0", "ln(_A)"), n.this),
    exp.Log: _log,
    exp.Pow: lambda n: _t(
        "CASE WHEN (_A < 0 AND _B <> floor(_B)) OR (_A = 0 AND _B < 0) THEN error('Floating point error in "
        "function: POW(' || CAST(_A AS VARCHAR) || ', ' || CAST(_B AS VARCHAR) || ')') "
        f"WHEN {_overflow('power(_A, _B)', '_A', '_B')} THEN error('Floating point overflow in function: POW(' || "
        "CAST(_A AS VARCHAR) || ', ' || CAST(_B AS VARCHAR) || ')') ELSE power(_A, _B) END",
        n.this,
        n.expression,
    ),
    exp.Exp: lambda n: _t(
        f"CASE WHEN {_overflow('exp(_A)', '_A')} THEN error('Floating point overflow in function: EXP(' || "
        "CAST(_A AS VARCHAR) || ')') ELSE exp(_A) END",
        n.this,
    ),
    # the sign in the argument's type: 0 * least(abs(x), 1) is 0 of that type (and keeps inf's sign)
    exp.Sign: lambda n: _t("CASE WHEN isnan(_A) THEN _A ELSE sign(_A) + 0 * least(abs(_A), 1) END", n.this),
    exp.SafeAdd: lambda n: _t("TRY(_A + _B)", n.this, n.expression),
    exp.SafeSubtract: lambda n: _t("TRY(_A - _B)", n.this, n.expression),
    exp.SafeMultiply: lambda n: _t("TRY(_A * _B)", n.this, n.expression),
    exp.SafeNegate: lambda n: _t("TRY(0 - _A)", n.this),  # -x of INT64's minimum widens in DuckDB
    exp.RangeBucket: lambda n: _range_bucket(n),
    exp.Csc: lambda n: _t(_domain("CSC", "sin(_A) = 0", "1 / sin(_A)"), n.this),
    exp.Sec: lambda n: _t("1 / cos(_A)", n.this),
    # the hyperbolic reciprocals: CSCH(0) and COTH(0) are errors, as CSC(0) is; at +-inf they are
    # 0 / 0 / +-1, and a NaN stays NaN
    exp.Csch: lambda n: _t(_domain("CSCH", "_A = 0", "1 / sinh(_A)"), n.this),
    exp.Sech: lambda n: _t("1 / cosh(_A)", n.this),
    exp.Coth: lambda n: _t(_domain("COTH", "_A = 0", "1 / tanh(_A)"), n.this),
    # the inverse functions outside their domain and the hyperbolic ones past FLOAT64's range are
    # errors in BigQuery (DuckDB: NaN or inf, which SAFE. left as they were)
    exp.Asin: lambda n: _t(_domain("ASIN", "abs(_A) > 1", "asin(_A)"), n.this),
    exp.Acos: lambda n: _t(_domain("ACOS", "abs(_A) > 1", "acos(_A)"), n.this),
    exp.Acosh: lambda n: _t(_domain("ACOSH", "_A < 1", "acosh(_A)"), n.this),
    exp.Atanh: lambda n: _t(_domain("ATANH", "abs(_A) >= 1", "atanh(_A)"), n.this),
    exp.Sinh: lambda n: _t(
        f"CASE WHEN {_overflow('sinh(_A)', '_A')} THEN error('Floating point overflow in function: SINH(' || "
        "CAST(_A AS VARCHAR) || ')') ELSE sinh(_A) END",
        n.this,
    ),
    exp.Cosh: lambda n: _t(
        f"CASE WHEN {_overflow('cosh(_A)', '_A')} THEN error('Floating point overflow in function: COSH(' || "
        "CAST(_A AS VARCHAR) || ')') ELSE cosh(_A) END",
        n.this,
    ),
    exp.ParseNumeric: lambda n: _parse_numeric(n, "NUMERIC", "DECIMAL(38, 9)"),
    exp.ParseBignumeric: lambda n: _parse_numeric(n, "BIGNUMERIC", "DECIMAL(38, 18)"),
}


def _negative_checked(node: exp.Expression, key: str, message: str) -> None:
    """SUBSTR's length and REPEAT's count may not be negative (DuckDB answers '')."""
    arg = node.args.get(key)
    if arg is None or (isinstance(arg, exp.Literal) and not arg.is_string):
        return
    node.set(key, _t(f"CASE WHEN _A < 0 THEN error('{message}') ELSE _A END", exp.paren(arg.copy(), copy=False)))


def _substr_start(node: exp.Substring) -> None:
    """SUBSTR from position 0, or from before the start of the value counted from its end, starts
    at its first character (DuckDB starts before it, so SUBSTR('abc', 0, 1) was '')."""
    start = node.args.get("start")
    if start is None or (
        isinstance(start, exp.Literal) and not start.is_string and start.this.isdigit() and start.this != "0"
    ):
        return
    fixed = "CASE WHEN _A = 0 OR _A < -length(_B) THEN 1 ELSE _A END"
    node.set("start", _t(fixed, exp.paren(start.copy(), copy=False), exp.paren(node.this.copy(), copy=False)))


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


_DECIMALS = {"NUMERIC": "DECIMAL(38, 9)", "BIGNUMERIC": "DECIMAL(38, 18)"}


def _operand_kind(node: exp.Expression) -> str | None:
    """An operand's BigQuery type, from the query text or as coltypes inferred it."""
    kind = known_type(node.this if isinstance(node, exp.Paren) and not node._meta else node)
    if kind is not None:
        return kind  # also of a rewritten call (typed_like), parenthesized as a template's operand
    if isinstance(node, exp.Paren) and isinstance(node.this, exp.Case) and node.this.args.get("default") is not None:
        node = node.this.args["default"]  # the divisor inside semantics.py's zero check
    if _int_text(node):
        return "INT64"
    if _numeric_text(node):
        return "NUMERIC"
    if isinstance(node, exp.Literal) and not node.is_string:
        return "FLOAT64"
    return known_type(node)


def _decimal_kind(*kinds: str | None) -> str | None:
    """NUMERIC when the operands are NUMERIC or INT64 (at least one NUMERIC); BIGNUMERIC with a
    BIGNUMERIC among NUMERIC/INT64 ones; else None (a FLOAT64 operand makes a FLOAT64)."""
    if not all(k in ("INT64", "NUMERIC", "BIGNUMERIC") for k in kinds):
        return None
    return "BIGNUMERIC" if "BIGNUMERIC" in kinds else "NUMERIC" if "NUMERIC" in kinds else None


# DuckDB's integer types an INT64 operand may have (array literals hold INTEGERs, SUM a HUGEINT)
INTEGER_TYPEOF = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT")


def _guarded(new: exp.Expression, operands: list[exp.Expression]) -> exp.Expression:
    """`new`, guarded by DuckDB checking the inferred types of the operands that are not literal
    text (see coltypes.checked): an inference that were wrong is an error, not another type."""
    conds: list[exp.Expression] = []
    for op in operands:
        kind = known_type(op)
        if kind is None or kind not in DUCKDB_TYPEOF:
            continue
        typeof = exp.Anonymous(this="typeof", expressions=[op.copy()])
        # DuckDB's NULL type (an untyped NULL operand, DIV(x, NULL)) suits every type
        names = (*(INTEGER_TYPEOF if kind == "INT64" else (DUCKDB_TYPEOF[kind],)), '"NULL"')
        conds.append(exp.In(this=typeof, expressions=[exp.Literal.string(n) for n in names]))
    if not conds:
        return new
    message = exp.Literal.string("the local warehouse inferred a wrong argument type; please report this query")
    return exp.Case(
        ifs=[exp.If(this=exp.and_(*conds), true=new)],
        default=exp.Anonymous(this="error", expressions=[message]),
    )


def _scaled(operand: str, kind: str) -> str:
    """The digits of a decimal (or integer) at `kind`'s scale as one HUGEINT (exact; no DOUBLE)."""
    return f"CAST(replace(CAST(CAST({operand} AS {_DECIMALS[kind]}) AS VARCHAR), '.', '') AS HUGEINT)"


def _from_scaled(whole: str, digits: str, kind: str) -> str:
    """`whole` + `digits` / 10^scale as a decimal of `kind` (both HUGEINTs)."""
    k = 9 if kind == "NUMERIC" else 18
    unit = f"CAST('0.{'0' * (k - 1)}1' AS {_DECIMALS[kind]})"
    return f"CAST(CAST({whole} AS DECIMAL(38, 0)) + CAST({digits} AS DECIMAL(38, 0)) * {unit} AS {_DECIMALS[kind]})"


def _exact_mean(kind: str) -> str:
    """SUM / COUNT (`_A`, `_B`) as a decimal of `kind`, rounded half away from zero: the sum's
    digits as one HUGEINT divided by the count (DuckDB divides DECIMALs as DOUBLEs)."""
    scale = f"1{'0' * (9 if kind == 'NUMERIC' else 18)}"
    rounded = "v.s // v.n + CASE WHEN 2 * abs(v.s % v.n) >= v.n THEN (CASE WHEN v.s < 0 THEN -1 ELSE 1 END) ELSE 0 END"
    value = _from_scaled(f"q // {scale}", f"q % {scale}", kind)
    return (
        f"CASE WHEN _B = 0 THEN NULL ELSE list_transform([{{'s': {_scaled('_A', kind)}, 'n': _B}}], "
        f"lambda v: list_transform([{rounded}], lambda q: {value})[1])[1] END"
    )


# a divisor at least this large (in magnitude) would overflow the HUGEINT long division
_EXACT_DIVISOR = {"NUMERIC": "100000000000000000000", "BIGNUMERIC": "100000000000"}


def _long_division(kind: str, integer: bool) -> str:
    """`_A / _B` (or DIV) as a decimal of `kind`, rounded half away from zero at its scale: both
    operands' digits as HUGEINTs, then long division, 9 digits a step (about 1 µs a value)."""
    pair = f"{{'a': {_scaled('_A', kind)}, 'b': {_scaled('_B', kind)}}}"
    if integer:
        return f"list_transform([{pair}], lambda x0: CAST(x0.a // x0.b AS {_DECIMALS[kind]}))[1]"
    sign = "CASE WHEN (x0.a < 0) <> (x0.b < 0) THEN -1 ELSE 1 END"
    body = f"{{'q': x0.a // x0.b, 'f': CAST(0 AS HUGEINT), 'r': x0.a % x0.b, 'b': x0.b, 's': {sign}}}"
    for i in range(1, (2 if kind == "NUMERIC" else 3)):
        x = f"x{i}"
        step = (
            f"{{'q': {x}.q, 'f': {x}.f * 1000000000 + ({x}.r * 1000000000) // {x}.b, "
            f"'r': ({x}.r * 1000000000) % {x}.b, 'b': {x}.b, 's': {x}.s}}"
        )
        body = f"list_transform([{body}], lambda {x}: {step})[1]"
    digits = "xe.f + CASE WHEN 2 * abs(xe.r) >= abs(xe.b) THEN xe.s ELSE 0 END"
    value = _from_scaled("xe.q", digits, kind)
    return f"list_transform([{pair}], lambda x0: list_transform([{body}], lambda xe: {value})[1])[1]"


def _exact_quotient(kind: str, integer: bool) -> str:
    """`_A / _B` (or DIV) as a decimal of `kind`, exact. NUMERIC operands below 10^19: the
    DOUBLE quotient rounded to the scale where its remainder proves it right (DuckDB's CASE runs
    the long division only for the other values); otherwise the long division, and past its
    range (a huge divisor) the DOUBLE quotient."""
    dec = _DECIMALS[kind]
    a, b = f"CAST(_A AS {dec})", f"CAST(_B AS {dec})"
    ratio = "CAST(_A AS DOUBLE) / CAST(_B AS DOUBLE)"
    if integer:
        rough = f"CAST(trunc({ratio}) AS {dec})"
        rest = f"({a} - {rough} * {b})"
        proof = f"abs({rest}) < abs({b}) AND ({rest} = 0 OR ({rest} < 0) = ({a} < 0))"
    else:
        rough = f"CAST({ratio} AS {dec})"
        proof = f"2 * abs({a} - {rough} * {b}) < abs({b}) * CAST('0.000000001' AS {dec})"
    exact = _long_division(kind, integer)
    slow = f"CASE WHEN abs(_B) < {_EXACT_DIVISOR[kind]} THEN {exact} ELSE {rough} END"
    if kind != "NUMERIC":
        return slow
    # below 10^19 the product `rough * b` (a DECIMAL(38, 18)) cannot overflow
    small = "abs(_A) < 10000000000000000000 AND abs(_B) < 10000000000000000000"
    return f"CASE WHEN {small} THEN (CASE WHEN {proof} THEN {rough} ELSE {exact} END) ELSE {slow} END"


def _typed_division(node: exp.Div | exp.IntDiv | exp.SafeDivide) -> exp.Expression | None:
    """A quotient (or DIV) of NUMERIC / BIGNUMERIC operands (with INT64 ones) keeps that type,
    exact to its scale; DuckDB divides DECIMALs as DOUBLEs (DIV(NUMERIC '7', 2) was 3.5)."""
    a, b = node.this, node.expression
    if isinstance(b, exp.Paren) and isinstance(b.this, exp.Case) and b.this.args.get("default") is not None:
        b = b.this.args["default"]  # the divisor inside semantics.py's zero check
    kind = _decimal_kind(_operand_kind(a), _operand_kind(b))
    if kind is None:
        return None
    template = _exact_quotient(kind, isinstance(node, exp.IntDiv))
    if node.args.get("safe") or isinstance(node, exp.SafeDivide):
        template = f"CASE WHEN _B = 0 THEN NULL ELSE {template} END"
    quotient = _t(template, exp.paren(a.copy(), copy=False), exp.paren(node.expression.copy(), copy=False))
    for call in list(quotient.find_all(exp.Trunc)):  # DuckDB's trunc of a DOUBLE, not BigQuery's
        call.replace(exp.Anonymous(this="trunc", expressions=[call.this]))
    return _guarded(quotient, [a, b])


def _typed_avg(node: exp.Avg) -> None:
    """AVG of a NUMERIC / BIGNUMERIC column is of that type, exact to its scale (DuckDB's avg
    answers a DOUBLE)."""
    holder = node.this if isinstance(node.this, exp.Distinct) and node.this.expressions else None
    arg = holder.expressions[0] if holder is not None else node.this
    kind = _operand_kind(arg)
    if kind not in _DECIMALS:
        return
    if known_type(arg) is not None:  # the type check goes inside the aggregate, on each value
        guarded = _guarded(arg.copy(), [arg])
        if holder is not None:
            holder.set("expressions", [guarded, *holder.expressions[1:]])
        else:
            node.set("this", guarded)
    target: exp.Expression = node
    if isinstance(node.parent, exp.Window) and node.parent.this is node:
        target = node.parent  # `AVG(x) OVER (...)`: SUM and COUNT over the same window

    target.replace(_t(_exact_mean(kind), _over(target, exp.Sum), _over(target, exp.Count)))


def _over(target: exp.Expression, cls: Any) -> exp.Expression:
    """`target` (an AVG call, or an AVG window) with the AVG changed to `cls` of its argument."""
    if isinstance(target, exp.Window):
        window = target.copy()
        window.set("this", cls(this=target.this.this.copy()))
        return window
    return cls(this=target.this.copy())


def _math_kind(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Case) and node.args.get("default") is not None and known_type(node) is None:
        node = node.args["default"]  # an overflow check around the value (floatoverflow.py)
    if isinstance(node, exp.Cast | exp.TryCast) and node.to.this == exp.DataType.Type.BIGDECIMAL:
        return "BIGNUMERIC"
    return _operand_kind(node)


# The DOUBLE value of each function, and the arguments for which that value is within
# (|value| + 1) * 1e-14 of the exact one: libm's error and the arguments' conversion to DOUBLE
# are a few units in the last place (LOG's base kept away from 1).
_DOUBLE_MATH = {
    "SQRT": ("sqrt(CAST(_A AS DOUBLE))", "_A >= 0"),
    "LN": ("ln(CAST(_A AS DOUBLE))", "_A > 0"),
    "LOG10": ("log10(CAST(_A AS DOUBLE))", "_A > 0"),
    "LOG": ("ln(CAST(_A AS DOUBLE)) / ln(CAST(_B AS DOUBLE))", "_A > 0 AND (_B > 1.65 OR (_B > 0 AND _B < 0.6))"),
    "EXP": ("exp(CAST(_A AS DOUBLE))", "_A < 20"),
    "POW": ("power(CAST(_A AS DOUBLE), CAST(_B AS DOUBLE))", "_A > 0 AND abs(_B) < 1000"),
}


def _numeric_math_template(name: str) -> str:
    """SQRT(...) of NUMERICs: the DOUBLE value rounded at 9 decimals where its error cannot
    change that rounding (|value| * 1e9 is clear of a half by more than the error bound), else
    the exact UDF (decimalmath.py), which also raises the domain errors."""
    from .decimalmath import NUMERIC_MATH_UDF

    value, domain = _DOUBLE_MATH[name]
    scaled = f"(({value}) * 1e9)"
    clear = f"abs({scaled} - floor({scaled}) - 0.5) > (abs({value}) + 1) * 1e-5"
    exact = f"{NUMERIC_MATH_UDF}('{name}', CAST(_A AS DECIMAL(38, 9)), CAST(_B AS DECIMAL(38, 9)))"
    return (
        f"CASE WHEN {domain} AND abs({value}) < 1e5 AND {clear} "
        f"THEN CAST(round({value}, 9) AS DECIMAL(38, 9)) ELSE {exact} END"
    )


# POW(n, 2): DuckDB's exact product of two DECIMAL(38, 9)s is a DECIMAL(38, 18) (20 integer
# digits), which its cast rounds half away from zero
_NUMERIC_SQUARE = (
    "CASE WHEN abs(_A) < 10000000000 THEN CAST(CAST(_A AS DECIMAL(38, 9)) * CAST(_A AS DECIMAL(38, 9)) "
    "AS DECIMAL(38, 9)) ELSE __bq_numeric_math('POW', CAST(_A AS DECIMAL(38, 9)), CAST(_B AS DECIMAL(38, 9))) END"
)

_DECIMAL_MATH_NAMES: dict[type, str] = {exp.Sqrt: "SQRT", exp.Ln: "LN", exp.Exp: "EXP"}


def _decimal_math(node: exp.Expression) -> exp.Expression | None:
    """SQRT, LN, LOG, LOG10, EXP or POW of NUMERIC / BIGNUMERIC arguments (with INT64 ones) in
    that type, exact to its scale (decimalmath.py); DuckDB answered a DOUBLE."""
    from .decimalmath import BIGNUMERIC_MATH_UDF, NUMERIC_MATH_UDF

    if isinstance(node, exp.Log):
        ten = node.meta.get("bigquery_name", "").upper() == "LOG10"
        name, args = ("LOG10", [node.expression]) if ten else ("LOG", [node.expression, node.this])
    elif isinstance(node, exp.Pow):
        name, args = "POW", [node.this, node.expression]
    else:
        name, args = _DECIMAL_MATH_NAMES[type(node)], [node.this]
    kind = _decimal_kind(*(_math_kind(a) for a in args))
    if kind is None or any(a is None for a in args):
        return None
    inferred = [a for a in args if not (isinstance(a, exp.Null) or _int_text(a) or _numeric_text(a))]
    operands = [exp.paren(a.copy(), copy=False) for a in args] + [exp.null()] * (2 - len(args))
    if kind == "NUMERIC" and all(_plain(a) for a in args):
        square = name == "POW" and isinstance(args[1], exp.Literal) and args[1].this == "2"
        template = _NUMERIC_SQUARE if square else _numeric_math_template(name)
        return _guarded(_as_duckdb_calls(_t(template, *operands)), inferred)
    to = exp.DataType.build(_DECIMALS[kind])
    values = [exp.cast(a, to) for a in operands]
    udf = BIGNUMERIC_MATH_UDF if kind == "BIGNUMERIC" else NUMERIC_MATH_UDF
    return _guarded(exp.Anonymous(this=udf, expressions=[exp.Literal.string(name), *values]), inferred)


_DUCKDB_NAMES: dict[type, str] = {
    exp.Sqrt: "sqrt",
    exp.Ln: "ln",
    exp.Exp: "exp",
    exp.Pow: "power",
    exp.Floor: "floor",
    exp.Round: "round",
}


def _as_duckdb_calls(template: exp.Expression) -> exp.Expression:
    """The template's calls as DuckDB's own functions, which the later rewrites of GoogleSQL's
    namesakes (domain errors, ROUND's type) leave alone."""
    for node in list(template.find_all(*_DUCKDB_NAMES, exp.Log)):
        if isinstance(node, exp.Log):  # log10(x), parsed as LOG(10, x)
            node.replace(exp.Anonymous(this="log10", expressions=[node.expression]))
            continue
        args = [a for a in (node.this, node.args.get("expression"), node.args.get("decimals")) if a is not None]
        node.replace(exp.Anonymous(this=_DUCKDB_NAMES[type(node)], expressions=args))
    return template


def _plain(node: exp.Expression) -> bool:
    """A column, a literal or a cast of one: cheap to repeat in a template (an expression is
    given once, to the UDF, so that nested rewrites do not multiply the SQL)."""
    while isinstance(node, exp.Paren | exp.Cast | exp.TryCast | exp.Neg):
        node = node.this
    return isinstance(node, exp.Column | exp.Literal | exp.Null)


def rewrite_math_calls(stmt: exp.Expression) -> None:
    """Rewrite the mathematical calls of `stmt` whose DuckDB answer differs from BigQuery's, and
    check the counts of SUBSTR and REPEAT."""
    node: Any
    for node in reversed(find_all(stmt, exp.Sqrt, exp.Ln, exp.Log, exp.Exp, exp.Pow)):
        new = _decimal_math(node)  # first: the types of its arguments are those written
        if new is not None:
            node.replace(new)
    for node in reversed(find_all(stmt, exp.Div, exp.IntDiv, exp.SafeDivide)):
        new = _typed_division(node)
        if new is None and isinstance(node, exp.IntDiv):
            # DuckDB's // of DECIMALs is a DOUBLE division (3.5); trunc keeps an integer's type
            new = exp.Anonymous(this="trunc", expressions=[node.copy()])
        if new is not None:
            node.replace(new)
    for node in find_all(stmt, exp.Round, exp.Trunc, exp.Ceil, exp.Floor):
        # ROUND/TRUNC/CEIL/FLOOR of an INT64 is a FLOAT64 (DuckDB keeps the integer type)
        if _int_text(node.this):
            node.set("this", exp.cast(node.this.copy(), "DOUBLE"))
        elif known_type(node.this) == "INT64":
            node.set("this", _guarded(exp.cast(node.this.copy(), "DOUBLE"), [node.this]))
    for node in reversed(find_all(stmt, exp.Round, exp.Trunc, exp.Ceil, exp.Floor)):
        # a NULL digit count makes ROUND / TRUNC NULL (DuckDB refuses it for a DECIMAL): the
        # call at 0 digits gives the result its type
        no_digits = isinstance(node.args.get("decimals"), exp.Null)
        if no_digits:
            node.set("decimals", exp.Literal.number(0))
        new = node
        # DuckDB's ROUND of a DECIMAL(38, 9) is a DECIMAL(38, 0) (a BIGNUMERIC by its digits);
        # adding 0 of the argument's type keeps BigQuery's NUMERIC (and is 0 for inf and NaN)
        if not isinstance(node.this, exp.Literal):
            arg = exp.paren(node.this.copy(), copy=False)
            new = typed_like(_t("_A + 0 * least(abs(_B), 1)", node.copy(), arg), node)
            node.replace(new)
        if no_digits:
            new.replace(typed_like(_t("CASE WHEN TRUE THEN NULL ELSE _A END", new.copy()), new))
    for node in find_all(stmt, exp.ByteLength):
        # DuckDB's octet_length takes only BLOB: a STRING's bytes are its strlen
        arg = node.this
        if (isinstance(arg, exp.Literal) and arg.is_string) or known_type(arg) == "STRING":
            strlen = exp.Anonymous(this="strlen", expressions=[arg.copy()])
            node.replace(checked(strlen, (arg, "STRING")) if known_type(arg) else strlen)
    for node in find_all(stmt, exp.Substring):
        _negative_checked(node, "length", "Third argument in SUBSTR() cannot be negative")
        _substr_start(node)
    for node in find_all(stmt, exp.Repeat):
        _negative_checked(node, "times", "Second argument in REPEAT() cannot be negative")
    for node in reversed(find_all(stmt, *_CALLS)):
        for key, arg in list(node.args.items()):
            if isinstance(arg, exp.Expression) and not isinstance(arg, exp.Literal | exp.Column | exp.Paren):
                node.set(key, exp.paren(arg, copy=False))  # the templates paste arguments as operands
        node.replace(typed_like(_CALLS[type(node)](node), node))
    for node in find_all(stmt, exp.Avg):  # last: its SQL uses trunc and sign as DuckDB's
        _typed_avg(node)
