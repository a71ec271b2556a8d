"""LIMIT and OFFSET as GoogleSQL writes them: `LIMIT count [OFFSET skip_rows]`, each a constant
expression (a literal, a query parameter, or an expression of them).

DuckDB takes an OFFSET without a LIMIT and a LIMIT or OFFSET computed by a subquery, so queries
BigQuery refuses answered here (ibis writes both: `t[3:]` as `OFFSET 3`, `t[:-2]` as
`LIMIT (SELECT COUNT(*) + -2 FROM t)`).

| query | DuckDB answered | BigQuery |
|---|---|---|
| `SELECT * FROM t OFFSET 3` | the rows after the third | `Syntax error: Unexpected keyword OFFSET` (the grammar has OFFSET only after LIMIT) |
| `SELECT * FROM t LIMIT (SELECT COUNT(*) - 2 FROM t)` | all but two rows | `LIMIT expression must be constant` (ZetaSQL's `ResolveLimitOrOffsetExpr`) |
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all


def _not_constant(value: exp.Expression) -> bool:
    """Whether `value` reads a query or aggregates, which no constant expression does."""
    return value.find(exp.Query, exp.AggFunc, exp.Window) is not None


def check_limit_offset(stmt: exp.Expression) -> None:
    """Raise BigQuery's error for an OFFSET written without a LIMIT, and for a LIMIT or OFFSET
    whose value is not a constant expression."""
    from .googlesql import BigQueryError

    for query in find_all(stmt, exp.Select, exp.SetOperation):
        limit, offset = query.args.get("limit"), query.args.get("offset")
        if isinstance(offset, exp.Offset) and limit is None:
            raise BigQueryError(
                "Syntax error: Unexpected keyword OFFSET",
                fix="write LIMIT count OFFSET skip_rows (GoogleSQL has OFFSET only after LIMIT)",
            )
        for clause, name in ((limit, "LIMIT"), (offset, "OFFSET")):
            value = clause.expression if isinstance(clause, exp.Limit | exp.Offset) else None
            if isinstance(value, exp.Expression) and _not_constant(value):
                raise BigQueryError(
                    f"{name} expression must be constant",
                    fix="give LIMIT and OFFSET a literal, a query parameter or an expression of them",
                )
