"""`CAST(timestamp AS TIME)` as GoogleSQL answers it.

GoogleSQL casts a TIMESTAMP to the TIME of day in UTC (its default time zone); DuckDB has no cast
from TIMESTAMP WITH TIME ZONE to TIME (nor a `TIME(timestamp)`), only through TIME WITH TIME ZONE, which takes the session
time zone (UTC, see sandbox.py). That route leaves DATETIME, TIME and STRING operands as before.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_TIME = exp.DataType.Type.TIME


def rewrite_time_casts(stmt: exp.Expression) -> None:
    """CAST/SAFE_CAST of a non-literal to TIME, and TIME(timestamp), go through TIMETZ."""
    for call in find_all(stmt, exp.TsOrDsToTime):
        if set(k for k, v in call.args.items() if v) == {"this"}:
            call.replace(exp.Cast(this=call.this.copy(), to=exp.DataType.build("TIME")))
    for node in reversed(find_all(stmt, exp.Cast, exp.TryCast)):
        operand = node.this
        if not node.to.is_type(_TIME) or (isinstance(operand, exp.Literal) and operand.is_string):
            continue
        if isinstance(operand, exp.Cast | exp.TryCast) and operand.to.is_type(exp.DataType.Type.TIMETZ):
            continue
        inner = (exp.TryCast if isinstance(node, exp.TryCast) else exp.Cast)(
            this=operand.copy(), to=exp.DataType.build("TIMETZ")
        )
        node.set("this", inner)
