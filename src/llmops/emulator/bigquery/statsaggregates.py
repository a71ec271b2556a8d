"""Statistical aggregates at the edges where DuckDB and GoogleSQL answer differently.

- CORR of fewer than two non-NULL pairs is NULL in GoogleSQL (its reference: "returns NULL if
  there are fewer than two"); DuckDB answered NaN.
- STDDEV_POP and VAR_POP of a single infinite or NaN value are NaN (ZetaSQL's compliance cases
  `stddev_pop_single_row_positive_inf` ...); DuckDB answered 0. With two values or more
  DuckDB's answer is already NaN.

- COVAR_POP and COVAR_SAMP with an infinite or NaN value are NaN (ZetaSQL's
  `covar_pop_positive_inf`); DuckDB answered ±inf for an infinite x.
- STDDEV/VARIANCE of FLOAT64 values whose squared deviations overflow a double (`STDDEV_SAMP` of
  1, 2.2e304, -2.2e304 is 2.2e304) and CORR of values whose products do (CORR of (1, -1),
  (2.2e154, -2.2e154) is -1): DuckDB answered inf and NaN. Only where DuckDB's answer is inf (NaN
  for CORR) the aggregate is taken again of the values times 2^-540, exact for a double, and
  scaled back; the values that underflow there are too small to count beside the ones that
  overflowed. CORR takes that answer only where both scaled variances stay far above a double's
  subnormals (a scaled variable could lose its digits there), and is NaN otherwise as before.

Each works for an aggregate and for the same function over a window (the guard gets the same
window).

- STDDEV/VARIANCE of NUMERIC or BIGNUMERIC values: ZetaSQL computes them exactly, DuckDB in
  doubles, so values of 25 digits that differ in the last one had a variance of 0. As an
  aggregate (not over a window) of a column or expression typed NUMERIC/BIGNUMERIC, the values
  are shifted by the group's minimum in exact decimals before they become doubles (the variance
  does not change with a shift); a value too far from it for the decimal subtraction goes
  through doubles as before.
"""

from __future__ import annotations

from typing import cast

from sqlglot import exp

from .census import find_all
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

    for node in find_all(stmt, *_DUCKDB_NAMES):
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


_SCALE = 2.0**-540
"""A power of two that takes a double's largest magnitude (2^1024) to where squares of sums of
up to 2^50 values stay finite (2^968 each)."""
_SCALED_BACK: dict[type, int] = {
    exp.Stddev: 1,
    exp.StddevSamp: 1,
    exp.StddevPop: 1,
    exp.Variance: 2,
    exp.VariancePop: 2,
}
_NORMAL_FLOOR = 2.0**-900
"""A scaled variance below this may have lost digits to subnormal squares."""


def _double(value: float) -> exp.Expression:
    return exp.cast(exp.Literal.string(repr(value)), "DOUBLE")


def _scaled_arg(arg: exp.Expression) -> exp.Expression:
    return exp.Mul(this=exp.paren(arg.copy(), copy=False), expression=_double(_SCALE))


def _scaled(node: exp.Expr) -> exp.Expression:
    """`node` (an aggregate) of its arguments times 2^-540."""
    copy = node.copy()
    for key in ("this", "expression"):
        arg = copy.args.get(key)
        if isinstance(arg, exp.Expression):
            arg.replace(_scaled_arg(arg))
    return cast(exp.Expression, copy)


def _overflow_retried(node: exp.Expr, window: exp.Window | None, answer: exp.Expr) -> exp.Expr:
    """`answer` (the guarded aggregate), or where it overflowed, the aggregate of the scaled values."""
    retried = same_window(_scaled(node), window)
    if isinstance(node, exp.Corr):
        kept = [
            exp.GT(
                this=same_window(exp.Anonymous(this="var_pop", expressions=[_scaled_arg(a)]), window),
                expression=_double(_NORMAL_FLOOR),
            )
            for a in (node.this, node.expression)
        ]
        overflowed = exp.and_(exp.Anonymous(this="isnan", expressions=[answer.copy()]), *kept)
    else:
        for _ in range(_SCALED_BACK[type(node)]):
            retried = exp.Div(this=exp.paren(retried, copy=False), expression=_double(_SCALE))
        overflowed = exp.Anonymous(this="isinf", expressions=[answer.copy()])
    return exp.Case(ifs=[exp.If(this=overflowed, true=retried)], default=answer)


def _nan_for_infinities(answer: exp.Expr, args: list[exp.Expression], window: exp.Window | None) -> exp.Expression:
    """`answer` plus the sum of (x - x) * (y - y): 0 for finite pairs, NaN where either is infinite or NaN."""
    finite = [exp.paren(exp.Sub(this=a.copy(), expression=a.copy()), copy=False) for a in args]
    total = same_window(exp.Anonymous(this="sum", expressions=[exp.Mul(this=finite[0], expression=finite[1])]), window)
    return exp.Add(this=exp.paren(answer, copy=False), expression=total)


def _null_below_two_pairs(node: exp.Expr, window: exp.Window | None, answer: exp.Expr) -> exp.Expr:
    pairs = same_window(
        exp.Anonymous(this="regr_count", expressions=[node.this.copy(), node.expression.copy()]), window
    )
    too_few = exp.LT(this=pairs, expression=exp.Literal.number(2))
    return exp.Case(ifs=[exp.If(this=too_few, true=exp.Null())], default=answer)


def _nan_for_single_infinity(node: exp.Expr, window: exp.Window | None, answer: exp.Expr) -> exp.Expr:
    """`answer` plus 0 * (max(x) - max(x)): 0 for a finite maximum, NaN for an infinite or NaN one."""
    top = same_window(exp.Max(this=node.this.copy()), window)
    spread = exp.Sub(this=exp.cast(top, "DOUBLE"), expression=exp.cast(top.copy(), "DOUBLE"))
    return exp.Add(
        this=exp.paren(answer, copy=False), expression=exp.Mul(this=exp.Literal.number(0), expression=exp.paren(spread))
    )


def rewrite_statistics(stmt: exp.Expression) -> None:
    """Guard CORR, COVAR_*, STDDEV_* and VAR_* (aggregates and windows) as described above."""
    for node in find_all(stmt, exp.Corr, exp.CovarPop, exp.CovarSamp, *_SCALED_BACK):
        window = node.parent if isinstance(node.parent, exp.Window) else None
        target: exp.Expr = window if window is not None else node
        args = [a for a in (node.this, node.args.get("expression")) if isinstance(a, exp.Expression)]
        floats = any(known_type(a) not in _EXACT for a in args)
        retry = floats and not any(isinstance(a, exp.Distinct) for a in args)
        guarded: exp.Expr = target.copy()
        if isinstance(node, (exp.CovarPop, exp.CovarSamp)):
            if not floats:
                continue
            guarded = _nan_for_infinities(guarded, args, window)
        elif isinstance(node, exp.Corr):
            if retry:
                guarded = _overflow_retried(node, window, guarded)
            guarded = _null_below_two_pairs(node, window, guarded)
        elif floats:
            if retry:
                guarded = _overflow_retried(node, window, guarded)
            if isinstance(node, (exp.StddevPop, exp.VariancePop)):
                guarded = _nan_for_single_infinity(node, window, guarded)
        else:
            continue
        target.replace(exp.paren(guarded, copy=False))
