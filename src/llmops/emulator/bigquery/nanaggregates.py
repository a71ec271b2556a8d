"""MIN and LEAST of FLOAT64 values with a NaN among them are NaN in GoogleSQL; DuckDB orders NaN
above every number, so its MIN and LEAST skipped the NaN (while its MAX and GREATEST already
answer NaN)."""

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


def nan_least(stmt: exp.Expression) -> None:
    """LEAST(a, b, ...) is NaN where GREATEST of the same arguments, DuckDB's, is NaN (NULL
    still wins: both are NULL when an argument is)."""
    for node in find_all(stmt, exp.Least):
        arguments = [node.this, *node.expressions]
        highest = exp.Greatest(this=arguments[0].copy(), expressions=[a.copy() for a in arguments[1:]])
        for key in ("null_if_any_null", "ignore_nulls"):
            if key in node.args:
                highest.set(key, node.args[key])
        guard = exp.Case(ifs=[exp.If(this=is_nan(highest), true=highest.copy())])
        node.replace(guard)
        guard.set("default", node)
