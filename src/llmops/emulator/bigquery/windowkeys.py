"""Checked expressions as window PARTITION BY and ORDER BY keys.

The translator guards arithmetic, division and casts with `CASE WHEN ... THEN ERROR(...)` so
they fail as BigQuery's do; DuckDB's ERROR is volatile, and DuckDB refuses volatile window keys
("ORDER BY window expressions cannot be volatile"), so `SUM(x) OVER (ORDER BY x + 1)` failed.
Inside window keys the ERROR calls become calls of a stable UDF that raises the same message.
"""

from __future__ import annotations

from sqlglot import exp

from .udfs import RAISE_UDF


def stable_errors_in_window_keys(stmt: exp.Expression) -> bool:
    """Replace ERROR(...) in every window's PARTITION BY and ORDER BY; whether any was replaced."""
    replaced = False
    for window in list(stmt.find_all(exp.Window)):
        keys = list(window.args.get("partition_by") or [])
        order = window.args.get("order")
        if order is not None:
            keys.append(order)
        for key in keys:
            for call in list(key.find_all(exp.Anonymous)):
                if call.name.upper() == "ERROR" and len(call.expressions) == 1:
                    raised = exp.Anonymous(this=RAISE_UDF, expressions=[call.expressions[0]])
                    # a CASE with only a NULL result takes its type from the CASE around it, as ERROR's does
                    call.replace(exp.Case(ifs=[exp.If(this=raised, true=exp.null())]))
                    replaced = True
    return replaced
