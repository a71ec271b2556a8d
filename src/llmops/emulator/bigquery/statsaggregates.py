"""Statistical aggregates at the edges where DuckDB and GoogleSQL answer differently.

- CORR of fewer than two non-NULL pairs is NULL in GoogleSQL (its reference: "returns NULL if
  there are fewer than two"); DuckDB answered NaN.
- STDDEV_POP and VAR_POP of a single infinite or NaN value are NaN (ZetaSQL's compliance cases
  `stddev_pop_single_row_positive_inf` ...); DuckDB answered 0. With two values or more
  DuckDB's answer is already NaN.

Both work for an aggregate and for the same function over a window (the guard gets the same
window).

- STDDEV/VARIANCE of NUMERIC or BIGNUMERIC values: ZetaSQL computes them exactly, DuckDB in
  doubles, so values of 25 digits that differ in the last one had a variance of 0. As an
  aggregate (not over a window) of a column or expression typed NUMERIC/BIGNUMERIC, the values
  are shifted by the group's minimum in exact decimals before they become doubles (the variance
  does not change with a shift); a value too far from it for the decimal subtraction goes
  through doubles as before.
"""

from __future__ import annotations

from sqlglot import exp

from .coltypes import known_type

_EXACT = {"INT64", "NUMERIC", "BIGNUMERIC", "BOOL"}


def same_window(function: exp.Expression, window: exp.Window | None) -> exp.Expression:
    """`function` over a copy of `window` (the window of the aggregate it guards), or alone."""
    if window is None:
        return function
    copy = window.copy()
    copy.set("this", function)
    return copy


_DUCKDB_NAMES = {
    exp.Stddev: "stddev_samp",
    exp.StddevSamp: "stddev_samp",
    exp.StddevPop: "stddev_pop",
    exp.Variance: "var_samp",
    exp.VariancePop: "var_pop",
}
_FAR = {"NUMERIC": "4e28", "BIGNUMERIC": "4e19"}
"""Beyond these magnitudes a difference of two values could overflow the decimal type."""


def exact_decimal_spreads(stmt: exp.Expression) -> None:
    """STDDEV/VARIANCE aggregates of NUMERIC or BIGNUMERIC values, shifted before they become
    doubles (see the module's docstring)."""
    from .functions import _t

    for node in list(stmt.find_all(*_DUCKDB_NAMES)):
        kind = known_type(node.this)
        if kind not in _FAR or isinstance(node.parent, exp.Window) or isinstance(node.this, exp.Distinct):
            continue
        far = _FAR[kind]
        name = _DUCKDB_NAMES[type(node)]
        node.replace(
            _t(
                f"list_aggregate(list_transform(list(_A), e -> CASE WHEN abs(e) > {far} OR abs(min(_A)) > {far} "
                f"THEN CAST(e AS DOUBLE) - CAST(min(_A) AS DOUBLE) ELSE CAST(e - min(_A) AS DOUBLE) END), '{name}')",
                node.this,
            )
        )


def rewrite_statistics(stmt: exp.Expression) -> None:
    """Guard CORR, STDDEV_POP and VAR_POP (aggregates and windows) as described above."""
    for node in list(stmt.find_all(exp.Corr, exp.StddevPop, exp.VariancePop)):
        window = node.parent if isinstance(node.parent, exp.Window) else None
        target: exp.Expr = window if window is not None else node
        guarded: exp.Expr
        if isinstance(node, exp.Corr):
            pairs = same_window(
                exp.Anonymous(this="regr_count", expressions=[node.this.copy(), node.expression.copy()]), window
            )
            too_few = exp.LT(this=pairs, expression=exp.Literal.number(2))
            guarded = exp.Case(ifs=[exp.If(this=too_few, true=exp.Null())], default=target.copy())
        else:
            if known_type(node.this) in _EXACT:
                continue
            # max(x) - max(x) is 0 for a finite maximum and NaN for an infinite or NaN one
            top = same_window(exp.Max(this=node.this.copy()), window)
            spread = exp.Sub(this=exp.cast(top, "DOUBLE"), expression=exp.cast(top.copy(), "DOUBLE"))
            guarded = exp.Add(
                this=target.copy(), expression=exp.Mul(this=exp.Literal.number(0), expression=exp.paren(spread))
            )
        target.replace(exp.paren(guarded, copy=False))
