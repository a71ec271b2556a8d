"""`HAVING MAX` / `HAVING MIN` in an aggregate function call: `AVG(inches HAVING MAX year)`
aggregates only the rows whose `year` equals the group's `MAX(year)` (SQL equality: a NULL
`year` never matches). DuckDB has no such clause; sqlglot writes `ANY_VALUE(x HAVING MAX y)` as
DuckDB's `arg_max`, and the other aggregates as text DuckDB cannot parse.

Each such call becomes a scalar subquery over the group's rows, gathered as an array:

    (SELECT AVG(p.v) FROM UNNEST(ARRAY_AGG(STRUCT(inches AS v, year AS h))) AS p
     WHERE p.h = MAX(year))

`MAX(year)` inside it is an aggregate of the outer query (a correlated outer aggregate, which
DuckDB evaluates per group). The aggregate's own DISTINCT, IGNORE NULLS, ORDER BY and LIMIT stay
on it, its ORDER BY keys read from the gathered rows. In a window (`OVER`) the clause is refused.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def rewrite_having_min_max(stmt: exp.Expression) -> None:
    """Rewrite every aggregate call with HAVING MAX/MIN, except ANY_VALUE's (sqlglot's arg_max)."""
    for having in reversed(find_all(stmt, exp.HavingMax)):
        agg = having.parent
        while isinstance(agg, (exp.Order, exp.Limit, exp.IgnoreNulls, exp.RespectNulls)):
            agg = agg.parent
        if isinstance(agg, exp.AnyValue) or not isinstance(agg, exp.AggFunc):
            continue
        h = having.expression
        if h.find(exp.Column) is None and not isinstance(h.unnest(), exp.Null):
            having.replace(having.this.copy())  # a constant: every row has the group's MAX of it
            continue
        if isinstance(agg.parent, (exp.IgnoreNulls, exp.RespectNulls)):
            agg = agg.parent  # `ARRAY_AGG(x IGNORE NULLS HAVING MAX y)`: sqlglot wraps the call
        if isinstance(agg.parent, exp.Window):
            from .googlesql import BigQueryError

            raise BigQueryError(
                "HAVING MAX / HAVING MIN in an aggregate with an OVER clause is not supported",
                fix="aggregate with HAVING MAX/MIN in a GROUP BY query, then join or window over its result",
            )
        agg.replace(_subquery(agg, having))


def _subquery(agg: exp.Expr, having: exp.HavingMax) -> exp.Expression:
    row = exp.to_identifier("__hm")
    fields: list[exp.Expression] = []

    def field(name: str, value: exp.Expression) -> exp.Expression:
        fields.append(exp.PropertyEQ(this=exp.to_identifier(name), expression=value))
        return exp.column(name, table=row.name)

    call: exp.Expr = agg.copy()
    inner = next(h for h in call.find_all(exp.HavingMax))
    value = inner.this
    treatment = None
    if isinstance(value, (exp.IgnoreNulls, exp.RespectNulls)):
        treatment, value = type(value), value.this  # sqlglot wants it around the call
    if isinstance(value, exp.Distinct):
        value.set("expressions", [field(f"v{i}", e.copy()) for i, e in enumerate(value.expressions)])
        inner.replace(value)
    elif isinstance(value, exp.Star):
        field("v0", exp.Literal.number(1))
        inner.replace(value)
    else:
        inner.replace(field("v0", value.copy()))
    for order in call.find_all(exp.Order):
        for i, key in enumerate(order.expressions):
            key.set("this", field(f"o{i}", key.this.copy()))
    if treatment is not None:
        call = treatment(this=call)
    h = having.expression
    best = exp.Max(this=h.copy()) if having.args.get("max") else exp.Min(this=h.copy())
    gathered = exp.ArrayAgg(
        this=exp.Struct(expressions=[*fields, exp.PropertyEQ(this=exp.to_identifier("h"), expression=h.copy())])
    )
    source = exp.Unnest(expressions=[gathered], alias=exp.TableAlias(this=row.copy()))
    select = exp.select(call).from_(source).where(exp.EQ(this=exp.column("h", table=row.name), expression=best))
    return exp.Subquery(this=select)
