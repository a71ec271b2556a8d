"""MIN of FLOAT64 values with a NaN among them is NaN in GoogleSQL; DuckDB orders NaN above every
number, so its MIN skipped the NaN (while its MAX already answers NaN)."""

from __future__ import annotations

from sqlglot import exp

from .census import find_all
from .nancompare import is_nan


def nan_minimums(stmt: exp.Expression) -> None:
    """MIN(x) (an aggregate or a window) is NaN where MAX(x), DuckDB's, is NaN and x is a float."""
    for node in find_all(stmt, exp.Min):
        if node.expressions:  # MIN with several arguments is another function
            continue
        target: exp.Expression = node.parent if isinstance(node.parent, exp.Window) else node
        highest: exp.Expression = exp.Max(this=node.this.copy())
        if isinstance(target, exp.Window):
            window = target.copy()
            window.set("this", highest)
            highest = window
        is_float = exp.In(
            this=exp.Anonymous(this="typeof", expressions=[target.copy()]),
            expressions=[exp.Literal.string("DOUBLE"), exp.Literal.string("FLOAT")],
        )
        guard = exp.Case(ifs=[exp.If(this=exp.and_(is_float, is_nan(highest)), true=highest.copy())])
        target.replace(guard)
        guard.set("default", target)
