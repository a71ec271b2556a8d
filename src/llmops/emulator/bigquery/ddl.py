"""DDL forms DuckDB lacks, rewritten before translation: `CREATE TABLE t (cols) AS SELECT ...`."""

from __future__ import annotations

from sqlglot import exp


def ctas_with_columns(stmt: exp.Expression) -> list[str]:
    """`CREATE TABLE t (a INT64, b STRING) AS SELECT ...` -> `CREATE TABLE t AS SELECT CAST(c0 AS
    INT64) AS a, ... FROM (SELECT ...) AS _q(c0, c1)`: the query's columns, by position, take the
    listed names and types (BigQuery's meaning). Answers the listed columns declared NOT NULL
    (REQUIRED), which the rewritten CTAS no longer says."""
    if not (isinstance(stmt, exp.Create) and isinstance(stmt.this, exp.Schema) and stmt.expression is not None):
        return []
    cols = [c for c in stmt.this.expressions if isinstance(c, exp.ColumnDef)]
    if not cols:
        return []
    required = [
        c.name
        for c in cols
        if any(isinstance(k.args.get("kind"), exp.NotNullColumnConstraint) for k in c.args.get("constraints") or [])
    ]
    inner = "__llmops_c{}"
    select = exp.select(
        *(exp.alias_(exp.cast(exp.column(inner.format(i)), c.args["kind"]), c.name) for i, c in enumerate(cols))
    ).from_(
        exp.Subquery(
            this=stmt.expression.copy(),
            alias=exp.TableAlias(
                this=exp.to_identifier("__llmops_q"),
                columns=[exp.to_identifier(inner.format(i)) for i in range(len(cols))],
            ),
        )
    )
    stmt.set("this", stmt.this.this)
    stmt.set("expression", select)
    return required
