"""Arguments GoogleSQL rejects at run time where DuckDB answers: the query fails (SAFE.: NULL)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from .census import find_all


def _fail_when(value: exp.Expression, bad: exp.Expression, message: str) -> exp.Expression:
    """`value`, or an error when `bad` holds; SAFE.'s rewrite turns the error into NULL."""
    from .semantics import case, fail

    return case((bad, fail(message)), default=value)


def _is_literal_at_least(node: exp.Expression, low: float) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and float(node.this) >= low


# ZetaSQL's kMaxOutputSize (string.cc): REPEAT, LPAD and RPAD refuse a longer output
MAX_OUTPUT_BYTES = 1 << 20


def _byte_length(value: exp.Expression) -> exp.Expression:
    """Bytes of a STRING (UTF-8) or BYTES value; DuckDB folds the type test when it binds."""
    from .semantics import case, lit

    is_text = exp.EQ(this=exp.Anonymous(this="typeof", expressions=[value.copy()]), expression=lit("VARCHAR"))
    text = exp.Anonymous(this="strlen", expressions=[exp.TryCast(this=value.copy(), to=exp.DataType.build("VARCHAR"))])
    blob = exp.Anonymous(
        this="octet_length", expressions=[exp.TryCast(this=value.copy(), to=exp.DataType.build("BLOB"))]
    )
    return case((is_text, text), default=blob)


def _bounded_output(node: exp.Expression) -> None:
    """REPEAT(value, n) with more than 1 MB of output is an error, checked before DuckDB builds it."""
    times = node.args.get("times")
    if times is None:
        return
    if isinstance(node.this, exp.Null):  # STRING's overload, as BigQuery picks it (DuckDB: BLOB's)
        node.set("this", exp.cast(node.this, "VARCHAR"))
    # the cap keeps the product inside INT64 for a count like 10^18; not DuckDB's least(), which
    # skips a NULL count and so failed REPEAT('abc', NULL), whose answer is NULL
    from .semantics import case

    over = exp.GT(this=times.copy(), expression=exp.Literal.number(MAX_OUTPUT_BYTES))
    capped = case((over, exp.Literal.number(MAX_OUTPUT_BYTES + 1)), default=times.copy())
    size = exp.Mul(this=capped, expression=_byte_length(node.this))
    bad = exp.GT(this=size, expression=exp.Literal.number(MAX_OUTPUT_BYTES))
    message = "Output of REPEAT exceeds max allowed output size of 1MB"
    node.set("times", _fail_when(times.copy(), bad, message))


def _checked_offset(node: Any) -> None:
    """LAG/LEAD with a negative or NULL offset is an error in BigQuery (DuckDB: LAG(x, -1) is
    LEAD(x, 1)); the offset is a literal or a query parameter, so the check costs one test."""
    offset = node.args.get("offset")
    if offset is None or _is_literal_at_least(offset, 0):
        return
    name = "LAG" if isinstance(node, exp.Lag) else "LEAD"
    null = exp.Is(this=offset.copy(), expression=exp.Null())
    checked = _fail_when(offset.copy(), null, f"The offset to the function {name} must not be null")
    negative = exp.LT(this=offset.copy(), expression=exp.Literal.number(0))
    node.set("offset", _fail_when(checked, negative, f"The offset to the function {name} must not be negative"))


def _checked_n(node: exp.Expr) -> None:
    """NTH_VALUE's n and NTILE's bucket count must be positive and not NULL in BigQuery (DuckDB:
    NULL, or an error in its own words)."""
    key = "offset" if isinstance(node, exp.NthValue) else "this"
    n = node.args.get(key)
    if n is None or _is_literal_at_least(n, 1):
        return
    nth = isinstance(node, exp.NthValue)
    what = "N value for the NthValue function" if nth else "N value (number of buckets) for the NTILE function"
    null = exp.Is(this=n.copy(), expression=exp.Null())
    checked = _fail_when(n.copy(), null, f"The {what} must not be NULL")
    below = exp.LT(this=n.copy(), expression=exp.Literal.number(1))
    node.set(key, _fail_when(checked, below, f"The {what} must be positive"))


_DUCKDB_MAX_LIMIT = 2**62


def _checked_limit(node: exp.Expression) -> None:
    """LIMIT/OFFSET given by a query parameter that is NULL or negative, or written as NULL, is an
    error in BigQuery (DuckDB: no limit for NULL)."""
    count = node.expression
    if isinstance(count, exp.Expression) and isinstance(count.unnest(), exp.Null):
        from .googlesql import BigQueryError

        raise BigQueryError("Limit requires non-null count and offset", fix="give LIMIT and OFFSET a number")
    if not isinstance(count, exp.Expression) or _is_literal_at_least(count, 0) or count.find(exp.Parameter) is None:
        return
    null = exp.Is(this=count.copy(), expression=exp.Null())
    checked = _fail_when(count.copy(), null, "Limit requires non-null count and offset")
    negative = exp.LT(this=count.copy(), expression=exp.Literal.number(0))
    checked = _fail_when(checked, negative, "Limit requires non-negative count and offset")
    # DuckDB refuses a computed LIMIT/OFFSET past 2^62 (`Max value ... for LIMIT/OFFSET`); BigQuery
    # takes any INT64, and no table holds 2^62 rows, so a larger count means the same
    capped = exp.func("least", checked, exp.Literal.number(_DUCKDB_MAX_LIMIT))
    node.set("expression", exp.paren(capped, copy=False))


def check_arguments(stmt: exp.Expression) -> None:
    """LEFT/RIGHT/LPAD/RPAD of a negative length, GENERATE_ARRAY by a step of 0, COT of 0, a
    negative or NULL LAG/LEAD offset, an NTH_VALUE n or NTILE bucket count below 1 or NULL, a
    NULL or negative LIMIT/OFFSET parameter and a REPEAT/LPAD/RPAD output over 1 MB are errors in
    BigQuery (DuckDB: text, '', an empty array, inf, or all the memory it can get)."""
    for node in find_all(stmt, exp.Left, exp.Right):
        length = node.expression
        if length is None or _is_literal_at_least(length, 0):
            continue
        name = "LEFT" if isinstance(node, exp.Left) else "RIGHT"
        bad: exp.Expression = exp.LT(this=length.copy(), expression=exp.Literal.number(0))
        node.set("expression", _fail_when(length.copy(), bad, f"{name}: the length must not be negative"))
    for node in find_all(stmt, exp.Pad):
        length = node.expression
        if length is None or (_is_literal_at_least(length, 0) and float(length.this) <= MAX_OUTPUT_BYTES):
            continue
        name = "LPAD" if node.args.get("is_left") else "RPAD"
        too_long = exp.GT(this=length.copy(), expression=exp.Literal.number(MAX_OUTPUT_BYTES))
        checked = _fail_when(length.copy(), too_long, "Output of LPAD/RPAD exceeds max allowed output size of 1MB")
        if not _is_literal_at_least(length, 0):
            bad = exp.LT(this=length.copy(), expression=exp.Literal.number(0))
            checked = _fail_when(checked, bad, f"{name}: the length must not be negative")
        node.set("expression", checked)
    for node in find_all(stmt, exp.Repeat):
        _bounded_output(node)
    for node in find_all(stmt, exp.GenerateSeries):
        step = node.args.get("step")
        if step is None or (isinstance(step, exp.Literal) and not step.is_string and float(step.this) != 0):
            continue
        bad = exp.EQ(this=step.copy(), expression=exp.Literal.number(0))
        node.set("step", _fail_when(step.copy(), bad, "GENERATE_ARRAY: the step must not be 0"))
    for node in find_all(stmt, exp.GenerateDateArray, exp.GenerateTimestampArray):
        step = node.args.get("step")
        if step is None:
            continue
        bad = exp.EQ(this=step.copy(), expression=exp.Interval(this=exp.Literal.string("0"), unit=exp.var("SECOND")))
        node.set("step", _fail_when(step.copy(), bad, "Sequence step cannot be 0."))
    for bound in find_all(stmt, exp.Limit, exp.Offset):
        _checked_limit(bound)
    for node in find_all(stmt, exp.Lag, exp.Lead):
        _checked_offset(node)
    for node in find_all(stmt, exp.NthValue, exp.Ntile):
        _checked_n(node)
    for node in find_all(stmt, exp.Cot):
        arg = node.this
        if _is_literal_at_least(arg, 1e-300):
            continue
        bad = exp.EQ(this=arg.copy(), expression=exp.Literal.number(0))
        node.set("this", _fail_when(arg.copy(), bad, "COT: division by zero (COT of 0)"))
