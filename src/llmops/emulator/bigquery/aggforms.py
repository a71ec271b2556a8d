"""Aggregate forms sqlglot cannot write for DuckDB: APPROX_QUANTILES with DISTINCT or RESPECT NULLS,
PERCENTILE_DISC / PERCENTILE_CONT with RESPECT NULLS (and with IGNORE NULLS, their default),
ARRAY_CONCAT_AGG with LIMIT, and LOGICAL_AND / LOGICAL_OR with DISTINCT; and aggregates of RAND()
kept apart."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def _null_first(value: exp.Expression) -> exp.Expression:
    """A STRUCT that orders like `value` with NULL first and is itself never NULL (so that an
    aggregate keeps the NULLs); its field `v` is the value."""
    from .functions import _t

    return _t("{'n': _A IS NOT NULL, 'v': _A}", value)


# BigQuery's limit on APPROX_QUANTILES's number of quantiles (a larger one also built that many
# quantile points here, which exhausted the emulator's memory)
MAX_QUANTILES = 100000


def _quantile_count(k: exp.Expression | None) -> int:
    from .functions import _invalid, _unsupported

    negative = isinstance(k, exp.Neg) and isinstance(k.this, exp.Literal) and k.this.is_int
    if isinstance(k, exp.Null):
        raise _invalid("The second argument to APPROX_QUANTILES function must not be NULL")
    if negative or (isinstance(k, exp.Literal) and k.is_int and int(k.this) <= 0):
        raise _invalid("The second argument to APPROX_QUANTILES function must be positive")
    if not (isinstance(k, exp.Literal) and k.is_int):
        raise _unsupported("APPROX_QUANTILES with a number of quantiles that is not an integer literal or parameter")
    if int(k.this) > MAX_QUANTILES:
        raise _invalid(f"The second argument to APPROX_QUANTILES function cannot be greater than {MAX_QUANTILES}")
    return int(k.this)


def _points_of_parameter(k: exp.Expression) -> exp.Expression:
    """The quantile points 0, 1/k ... 1 of a count given as a query parameter (DuckDB folds
    it: the parameter is a constant), the count clamped to BigQuery's range; `functions.checked_count`
    raises BigQuery's error for a count out of it."""
    from .functions import _t

    count = _t(f"greatest(least(coalesce(CAST(_A AS BIGINT), 1), {MAX_QUANTILES}), 1)", k)
    return _t("list_transform(range(_A + 1), lambda i: i / _A)", count)


def approx_quantiles(node: exp.ApproxQuantiles, respect_nulls: bool = False) -> exp.Expression:
    """APPROX_QUANTILES(x, n), also with DISTINCT and RESPECT NULLS (NULLs sorted first, then a
    FLOAT64's NaNs): exact quantiles, BigQuery's answer for small inputs (the value at
    floor((count-1)*i/n))."""
    value, k = node.this, node.expression
    distinct = isinstance(value, exp.Distinct)
    if distinct:
        if len(value.expressions) != 2:
            raise _unsupported_distinct()
        value, k = value.expressions
    parameter = k is not None and k.find(exp.Placeholder, exp.Parameter) is not None and not k.find(exp.Column)
    if parameter:
        points = _points_of_parameter(k)
    else:
        n = _quantile_count(k)
        points = exp.Array(expressions=[exp.Literal.number(repr(i / n)) for i in range(n + 1)])
    from .coltypes import known_type
    from .functions import _t
    from .percentiles import nan_first, nan_first_quantiles

    float64 = known_type(value) == "FLOAT64"  # GoogleSQL orders NaN first, DuckDB last
    arg, field = value.copy(), ""
    if float64 and (respect_nulls or distinct):
        arg, field = nan_first(arg), field + ".v"
    if respect_nulls:
        arg, field = _null_first(arg), field + ".v"
    if distinct:
        arg = exp.Distinct(expressions=[arg])
    quantiles: exp.Expression = exp.Anonymous(this="quantile_disc", expressions=[arg, points])
    if float64 and not (respect_nulls or distinct):
        quantiles = nan_first_quantiles(arg, points)
    if field:
        quantiles = _t(f"list_transform(_A, lambda e: e{field})", quantiles)
    if parameter:
        from .functions import checked_count

        return checked_count("APPROX_QUANTILES", quantiles, k, MAX_QUANTILES)
    return quantiles


def _replace_quantiles(call: exp.Expression, new: exp.Expression) -> None:
    """Replace an APPROX_QUANTILES call with `new`; as a window function (`OVER (...)`), each
    quantile_disc in `new` takes the window."""
    window = call.parent
    if not (isinstance(window, exp.Window) and window.this is call) or _is_quantile_disc(new):
        call.replace(new)
        return
    for quantile in list(new.find_all(exp.Anonymous)):
        if _is_quantile_disc(quantile):
            over = window.copy()
            over.set("this", quantile.copy())
            quantile.replace(over)
    window.replace(new)


def _is_quantile_disc(node: exp.Expression) -> bool:
    return isinstance(node, exp.Anonymous) and node.name.lower() == "quantile_disc"


def _unsupported_distinct() -> Exception:
    from .functions import _unsupported

    return _unsupported("APPROX_QUANTILES(DISTINCT ...) with other than one value and the number of quantiles")


def percentile_respect_nulls(node: exp.RespectNulls) -> exp.Expression | None:
    """PERCENTILE_DISC / PERCENTILE_CONT(x, p RESPECT NULLS) OVER (...), NULLs taking part, first:
    the expression that replaces the window call."""
    from .functions import _t
    from .percentiles import nan_as_least, nan_count, nan_first

    fn = node.this
    window = node.parent
    if not isinstance(fn, exp.PercentileDisc | exp.PercentileCont) or not isinstance(window, exp.Window):
        return None
    value, p = fn.this, fn.expression

    def over(call: exp.Expression) -> exp.Expression:
        copy = window.copy()
        copy.set("this", call)
        return copy

    if isinstance(fn, exp.PercentileDisc):
        key = _null_first(nan_first(value))
        return _t("(_A).v.v", over(exp.Anonymous(this="quantile_disc", expressions=[key, p.copy()])))
    # PERCENTILE_CONT interpolates at (count-1)*p of the values, NULLs first, then NaNs: past them
    # it is DuckDB's over the values with each NULL and NaN a -inf; among the NaNs, NaN; between the
    # last NULL and the least value it is that value (BigQuery's documented 0.01 percentile of 0,
    # 3, NULL, 1, 2 is 0); among NULLs, NULL
    count = over(exp.Count(this=exp.Star()))
    nulls = _t("_A - _B", count, over(exp.Count(this=value.copy())))
    position = _t("(_A - 1) * _B", count, p)
    filled = _t("coalesce(_A, CAST('-inf' AS DOUBLE))", nan_as_least(value))
    return _t(
        "CASE WHEN typeof(_A) LIKE 'DECIMAL%' THEN error('PERCENTILE_CONT of NUMERIC with RESPECT NULLS is not "
        "supported by the local warehouse (cast the value to FLOAT64)') WHEN floor(_B) >= _C + _F THEN _D "
        "WHEN floor(_B) >= _C THEN CAST('nan' AS DOUBLE) WHEN ceil(_B) >= _C THEN _E END",
        value,
        position,
        nulls,
        over(exp.Anonymous(this="quantile_cont", expressions=[filled, p.copy()])),
        over(exp.Min(this=value.copy())),
        nan_count(value, window),
    )


def array_concat_agg_limit(node: exp.ArrayConcatAgg) -> exp.Expression | None:
    """ARRAY_CONCAT_AGG(x [ORDER BY ...] LIMIT n): the first n non-NULL input arrays, concatenated."""
    from .functions import _t

    limit = node.this
    if not isinstance(limit, exp.Limit):
        return None
    count = limit.expression
    if not (isinstance(count, exp.Literal) and count.is_int):
        from .functions import _invalid

        raise _invalid("ARRAY_CONCAT_AGG: LIMIT must be a non-negative INT64 literal")
    node.set("this", limit.this)
    values = node.this.this if isinstance(node.this, exp.Order) else node.this
    ordered = node.this.copy()
    agg = exp.Filter(
        this=exp.ArrayAgg(this=ordered),
        expression=exp.Where(this=exp.Not(this=exp.Is(this=values.copy(), expression=exp.Null()))),
    )
    return _t("flatten(list_slice(_A, 1, _B))", agg, count)


def separate_random_aggregates(stmt: exp.Expression) -> None:
    """Each RAND() inside an aggregate written apart from the others (`LEAST(RAND(), k)`, the same
    value as RAND() is below 1): DuckDB computes two equal aggregate calls once even when they
    call RAND, so `SUM(RAND()) = SUM(RAND())` was TRUE; GoogleSQL evaluates each call."""
    calls = [r for r in stmt.find_all(exp.Rand) if r.find_ancestor(exp.AggFunc) is not None]
    for k, call in enumerate(calls):
        call.replace(exp.Anonymous(this="least", expressions=[call.copy(), exp.Literal.number(k + 2)]))


def rewrite_aggregate_forms(stmt: exp.Expression) -> None:
    """Rewrite the forms above in `stmt`; the plain APPROX_QUANTILES is rewritten too."""
    node: exp.Expression
    for node in reversed(find_all(stmt, exp.RespectNulls)):
        if isinstance(node.this, exp.ApproxQuantiles):
            _replace_quantiles(node, approx_quantiles(node.this, respect_nulls=True))
        elif isinstance(node.this, exp.PercentileDisc | exp.PercentileCont):
            window, new = node.parent, percentile_respect_nulls(node)
            if window is not None and new is not None:
                window.replace(new)
    for ignore in find_all(stmt, exp.IgnoreNulls):
        if isinstance(ignore.this, exp.PercentileDisc | exp.PercentileCont):
            ignore.replace(ignore.this)
    for node in reversed(find_all(stmt, exp.ApproxQuantiles)):
        new = approx_quantiles(node)
        target = node.parent if isinstance(node.parent, exp.IgnoreNulls) else node
        _replace_quantiles(target, new)
    for node in reversed(find_all(stmt, exp.ArrayConcatAgg)):
        new = array_concat_agg_limit(node)
        if new is not None:
            node.replace(new)
    for logical in find_all(stmt, exp.LogicalAnd, exp.LogicalOr):
        distinct = logical.this
        if isinstance(distinct, exp.Distinct) and len(distinct.expressions) == 1:
            logical.set("this", distinct.expressions[0])  # AND / OR of the distinct values is the same
