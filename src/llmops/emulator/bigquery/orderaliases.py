"""ORDER BY an expression that a grouped SELECT lists under an alias: the alias.

`SELECT DATE_TRUNC(d, MONTH) AS m, SUM(v) ... GROUP BY 1 ORDER BY DATE_TRUNC(d, MONTH)` is
BigQuery's ordering by the grouped value. The translator guards a call with checks that depend
on the types it learns, and the ORDER BY's copy of the expression, whose column the type
inference does not reach there, got other checks than the SELECT's: DuckDB then took it for an
expression over `d` itself ("column d must appear in the GROUP BY clause"). Reading the alias
orders by the SELECT's own value, as BigQuery does.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def order_by_aliases(stmt: exp.Expression) -> None:
    """In each grouped or DISTINCT SELECT, an ORDER BY key equal to an aliased SELECT expression
    becomes that alias (a key that is a column or a literal stays)."""
    for select in find_all(stmt, exp.Select):
        order = select.args.get("order")
        if order is None or not _grouped(select):
            continue
        aliased = [(p.this, p.alias) for p in select.expressions if isinstance(p, exp.Alias) and p.alias]
        if not aliased:
            continue
        for ordered in order.expressions:
            key = ordered.this
            if isinstance(key, exp.Column | exp.Literal):
                continue
            for expression, alias in aliased:
                if key == expression:
                    key.replace(exp.column(alias, quoted=True))
                    break


def _grouped(select: exp.Select) -> bool:
    if select.args.get("group") is not None or select.args.get("distinct") is not None:
        return True
    return any(
        isinstance(p, exp.AggFunc) and p.find_ancestor(exp.Select) is select and not p.find_ancestor(exp.Window)
        for e in select.expressions
        for p in e.find_all(exp.AggFunc)
    )
