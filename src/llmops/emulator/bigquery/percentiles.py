"""PERCENTILE_CONT and PERCENTILE_DISC of a FLOAT64 with NaN as the least value, as GoogleSQL
orders it (DuckDB's quantiles take NaN as the greatest); APPROX_QUANTILES too (aggforms.py).

Both take DuckDB's quantile of the values with each NaN a -inf: k least values whose place alone
matters, so the positions and the arithmetic are DuckDB's own (the same value where there is no
NaN). PERCENTILE_CONT interpolates at (count-1)*p: a position whose lower neighbour is among the k
NaNs is NaN. PERCENTILE_DISC picks one position, which DuckDB's quantile of a marker (0 for NaN, 1
otherwise) tells apart. The value's type is inferred from the tables' schemas (coltypes.py); one
whose type is not inferred keeps DuckDB's order.
"""

from __future__ import annotations

from typing import cast

from sqlglot import exp

from .census import find_all

_PERCENTILES = (exp.PercentileCont, exp.PercentileDisc)


def percentile_values(stmt: exp.Expression) -> list[exp.Expression]:
    """The values of the query's PERCENTILE_CONT / PERCENTILE_DISC / APPROX_QUANTILES calls,
    whose types decide."""
    out = []
    for fn in stmt.find_all(*_PERCENTILES, exp.ApproxQuantiles):
        value = fn.this
        if isinstance(fn, exp.ApproxQuantiles) and isinstance(value, exp.Distinct):
            value = value.expressions[0] if value.expressions else None
        if isinstance(value, exp.Expression):
            out.append(value)
    return out


def nan_first(value: exp.Expression) -> exp.Expression:
    """A STRUCT that orders like `value` with NaN first, NULL where `value` is; field `v` is the value."""
    from .functions import _t

    return _t("CASE WHEN _A IS NULL THEN NULL ELSE {'f': NOT _B, 'v': _A} END", value, _nan_test(value))


def _nan_marker(value: exp.Expression) -> exp.Expression:
    """0 for a NaN, 1 for another number, NULL for NULL."""
    from .functions import _t

    return _t("CASE WHEN _A IS NULL THEN NULL WHEN _B THEN 0 ELSE 1 END", value, _nan_test(value))


def nan_as_least(value: exp.Expression) -> exp.Expression:
    """`value` as a DOUBLE with each NaN a -inf."""
    from .functions import _t

    return _t("CASE WHEN _B THEN CAST('-inf' AS DOUBLE) ELSE CAST(_A AS DOUBLE) END", value, _nan_test(value))


def nan_first_quantiles(value: exp.Expression, points: exp.Expression) -> exp.Expression:
    """DuckDB's quantile_disc(value, points) of a FLOAT64 with NaN as the least value: a NaN marker's
    quantiles tell which of the quantiles with each NaN a -inf are NaN (as for PERCENTILE_DISC);
    two quantiles of numbers cost less than one of `nan_first`'s STRUCTs."""
    from .functions import _t

    # no non-NULL input: NULL, as APPROX_QUANTILES answers (list_zip of two NULLs is [])
    return _t(
        "CASE WHEN _B IS NULL THEN NULL ELSE "
        "list_transform(list_zip(_A, _B), lambda e: CASE WHEN e[1] = 0 THEN CAST('nan' AS DOUBLE) ELSE e[2] END) END",
        exp.Anonymous(this="quantile_disc", expressions=[_nan_marker(value), points]),
        exp.Anonymous(this="quantile_disc", expressions=[nan_as_least(value), points.copy()]),
    )


def nan_count(value: exp.Expression, over: exp.Window) -> exp.Expression:
    """How many of the window's values are NaN (count_if: DuckDB runs a FILTERed window count
    in quadratic time)."""
    return _over(over, exp.Anonymous(this="count_if", expressions=[_nan_test(value)]))


def _nan_test(value: exp.Expression) -> exp.Expression:
    from .nancompare import is_nan

    return cast(exp.Expression, is_nan(value))


def _over(window: exp.Window, call: exp.Expression) -> exp.Expression:
    copy = window.copy()
    copy.set("this", call)
    return copy


def nan_first_percentile(window: exp.Window) -> exp.Expression | None:
    """The expression that replaces PERCENTILE_CONT / PERCENTILE_DISC(x, p) OVER (...) of a FLOAT64 x."""
    from .coltypes import known_type
    from .functions import _t

    fn = window.this
    if not isinstance(fn, _PERCENTILES) or known_type(fn.this) != "FLOAT64":
        return None
    value, p = fn.this, fn.expression
    if isinstance(fn, exp.PercentileDisc):
        # DuckDB picks the same position among the same non-NULL inputs: 0 there marks a NaN
        return _t(
            "CASE WHEN _A = 0 THEN CAST('nan' AS DOUBLE) ELSE _B END",
            _over(window, exp.Anonymous(this="quantile_disc", expressions=[_nan_marker(value), p])),
            _over(window, exp.Anonymous(this="quantile_disc", expressions=[nan_as_least(value), p.copy()])),
        )
    return _t(
        "CASE WHEN floor((_A - 1) * CAST(_B AS DOUBLE)) < _C THEN CAST('nan' AS DOUBLE) ELSE _D END",
        _over(window, exp.Count(this=value.copy())),
        p,
        nan_count(value, window),
        _over(window, exp.Anonymous(this="quantile_cont", expressions=[nan_as_least(value), p.copy()])),
    )


def rewrite_percentiles(stmt: exp.Expression) -> None:
    """Each PERCENTILE_CONT / PERCENTILE_DISC window call of a FLOAT64, with NaN first."""
    for window in reversed(find_all(stmt, exp.Window)):
        new = nan_first_percentile(window)
        if new is not None:
            window.replace(new)
