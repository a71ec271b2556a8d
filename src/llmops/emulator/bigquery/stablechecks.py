"""Checked expressions where DuckDB wants no volatile function: window keys and percentiles.

The translator guards arithmetic, division and casts with `CASE WHEN ... THEN ERROR(...)` so
they fail as BigQuery's do. DuckDB's ERROR is volatile; DuckDB refuses volatile window keys
("ORDER BY window expressions cannot be volatile": `SUM(x) OVER (ORDER BY x + 1)` failed) and
takes a quantile's fraction only as a constant expression (`PERCENTILE_CONT(x, 5 / 6)` failed).
There the ERROR calls become calls of a stable UDF that raises the same message; with constant
arguments DuckDB folds them, as it folds the arithmetic around them.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from .census import find_all
from .udfs import RAISE_UDF

_QUANTILES = frozenset({"quantile_cont", "quantile_disc", "quantile"})


def stable_checks(stmt: exp.Expression) -> bool:
    """Replace ERROR(...) in window keys and percentile fractions; whether any was replaced."""
    replaced = False
    for place in list(_places(stmt)):
        for call in list(place.find_all(exp.Anonymous)):
            if call.name.upper() == "ERROR" and len(call.expressions) == 1:
                raised = exp.Anonymous(this=RAISE_UDF, expressions=[call.expressions[0]])
                # a CASE with only a NULL result takes its type from the CASE around it, as ERROR's does
                call.replace(exp.Case(ifs=[exp.If(this=raised, true=exp.null())]))
                replaced = True
    return replaced


def _places(stmt: exp.Expression) -> Iterator[exp.Expression]:
    """Every window's PARTITION BY and ORDER BY, and every quantile call's fraction."""
    for window in find_all(stmt, exp.Window):
        yield from window.args.get("partition_by") or []
        if window.args.get("order") is not None:
            yield window.args["order"]
    for fn in find_all(stmt, exp.PercentileCont, exp.PercentileDisc):
        if isinstance(fn.expression, exp.Expression):
            yield fn.expression
    for call in find_all(stmt, exp.Anonymous):
        if call.name.lower() in _QUANTILES and len(call.expressions) == 2:
            yield call.expressions[1]
