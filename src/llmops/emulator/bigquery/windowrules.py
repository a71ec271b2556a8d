"""Window clauses GoogleSQL refuses for some analytic functions, which DuckDB accepts and ignores.

LAG, LEAD, the numbering functions and PERCENTILE_CONT/DISC take no frame
(`LAG(x) OVER (ORDER BY t ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)`): BigQuery answers
"Window framing clause is not allowed for analytic function lag" (ZetaSQL's
`analytic_function_resolver.cc`); DuckDB ran the query as if the frame were not there. LAG and
LEAD's default must be a constant; DuckDB took a column's value. An aggregate with DISTINCT
takes neither a window ORDER BY nor a frame (`COUNT(DISTINCT x) OVER (ORDER BY t)`); DuckDB
answered a running distinct count.

The aggregates whose reference pages have no `OVER over_clause` and that DuckDB cannot run as
window functions either (APPROX_TOP_COUNT, APPROX_TOP_SUM, ARRAY_CONCAT_AGG and the HLL_COUNT
aggregates; it failed to parse them) are BigQuery's "Aggregate function APPROX_TOP_COUNT does not
support an OVER clause" (ZetaSQL's `function_resolver.cc` words it so). APPROX_COUNT_DISTINCT,
APPROX_QUANTILES, MAX_BY and MIN_BY have no OVER clause on their pages either, but DuckDB answers
them as ZetaSQL does and what BigQuery does was not measured here: they stay served.
"""

from __future__ import annotations

from sqlglot import exp

_NO_FRAME: dict[type[exp.Expression], str] = {
    exp.Lag: "lag",
    exp.Lead: "lead",
    exp.RowNumber: "row_number",
    exp.Rank: "rank",
    exp.DenseRank: "dense_rank",
    exp.PercentRank: "percent_rank",
    exp.CumeDist: "cume_dist",
    exp.Ntile: "ntile",
    exp.PercentileCont: "percentile_cont",
    exp.PercentileDisc: "percentile_disc",
}


_NOT_ANALYTIC: dict[type[exp.Expression], str] = {
    exp.ApproxTopK: "APPROX_TOP_COUNT",
    exp.ApproxTopSum: "APPROX_TOP_SUM",
    exp.ArrayConcatAgg: "ARRAY_CONCAT_AGG",
}
"""Aggregates without an OVER clause, as sqlglot parses them, with their GoogleSQL names."""

_NOT_ANALYTIC_NAMES = frozenset(
    {"HLL_COUNT.INIT", "HLL_COUNT.MERGE", "HLL_COUNT.MERGE_PARTIAL", *_NOT_ANALYTIC.values()}
)
"""The same, as names written in the query (`HLL_COUNT.INIT(x)`, `SAFE.APPROX_TOP_COUNT(x, 2)`)."""


def _aggregate_without_over(function: exp.Expression) -> str | None:
    """The GoogleSQL name of `function` where it is an aggregate that takes no OVER clause."""
    if isinstance(function, exp.Dot) and isinstance(function.expression, exp.Anonymous):
        prefix = function.this.name.upper() if isinstance(function.this, exp.Identifier) else ""
        name = function.expression.name.upper()
        if prefix == "SAFE":
            return name if name in _NOT_ANALYTIC_NAMES else _NOT_ANALYTIC.get(type(function.expression))
        qualified = f"{prefix}.{name}"
        return qualified if qualified in _NOT_ANALYTIC_NAMES else None
    if isinstance(function, exp.Anonymous):
        name = function.name.upper()
        return name if name in _NOT_ANALYTIC_NAMES else None
    return _NOT_ANALYTIC.get(type(function))


def refuse_frames_where_not_allowed(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for a window frame on a function that takes none, and for an OVER
    clause on an aggregate that takes none."""
    from .googlesql import BigQueryError

    for window in stmt.find_all(exp.Window):
        function = window.this
        if isinstance(function, (exp.IgnoreNulls, exp.RespectNulls)):
            function = function.this
        aggregate = _aggregate_without_over(function)
        if aggregate is not None:
            raise BigQueryError(
                f"Aggregate function {aggregate} does not support an OVER clause",
                fix="aggregate with GROUP BY and join the result back, or use a function that has a window form",
            )
        if isinstance(function, (exp.IgnoreNulls, exp.RespectNulls)):
            function = function.this
        if isinstance(function, (exp.Lag, exp.Lead)):
            default = function.args.get("default")
            if default is not None and default.find(exp.Column, exp.Subquery) is not None:
                which = "LAG" if isinstance(function, exp.Lag) else "LEAD"
                raise BigQueryError(
                    f"The third argument (the default expression) to {which} must be constant",
                    fix="give a literal or a query parameter as the default",
                )
        if isinstance(function, exp.AggFunc) and isinstance(function.this, exp.Distinct):
            for part, clause in (("order", "ORDER BY"), ("spec", "framing clause")):
                if _has(window, part):
                    raise BigQueryError(
                        f"Window {clause} is not allowed if DISTINCT is specified",
                        fix="drop DISTINCT, or the window's ORDER BY and ROWS/RANGE clause",
                    )
        name = _NO_FRAME.get(type(function))
        if name is not None and _has(window, "spec"):
            raise BigQueryError(
                f"Window framing clause is not allowed for analytic function {name}",
                fix="remove the ROWS/RANGE clause from its OVER (...) or from the named window",
            )


def _has(window: exp.Window, part: str) -> bool:
    """Whether the window, or the named window it is (`OVER w`, `OVER (w ...)`), has a frame
    (`part` "spec") or an ORDER BY ("order")."""
    if window.args.get(part) is not None:
        return True
    named = window.args.get("alias")
    select = window.find_ancestor(exp.Select)
    if not isinstance(named, exp.Identifier) or select is None:
        return False
    for definition in select.args.get("windows") or []:
        if isinstance(definition.this, exp.Identifier) and definition.this.name.lower() == named.name.lower():
            return _has(definition, part)
    return False
