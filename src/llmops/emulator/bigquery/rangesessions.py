"""RANGE_SESSIONIZE(TABLE t, 'range_column', ['partition', ...][, 'MEETS' | 'OVERLAPS']) as a
subquery of window functions.

BigQuery's table function answers every row of its input with one more RANGE column,
`session_range`: the rows of a partition ordered by their range, a row whose range meets
(MEETS, the default: starts at or before the latest end so far) or overlaps (OVERLAPS: starts
before it) the ranges before it joins their session, and `session_range` spans the session's
earliest start to its latest end. Here that is three SELECTs: a flag for a row that starts a new
session (a running MAX of the ends before it), a running SUM of the flags numbering the sessions,
and the session's MIN start / MAX end as a `STRUCT(start, end)`, which the engine reads back as a
RANGE (ranges.py; an unbounded bound is -infinity / infinity inside the engine, so the
comparisons hold for it too). A row whose range is NULL is a session of its own with a NULL
`session_range`.

`TABLE name` is not an expression sqlglot parses; `table_arguments` makes it `(SELECT * FROM
name)` before parsing, and `rewrite` replaces the call in FROM by the subquery. The other table
functions of BigQuery's reference that take a `TABLE name` argument get the same subquery:
GAP_FILL, served by gapfill.py, and the change history functions APPENDS and CHANGES, so that they
reach the named refusal of a table function (`_check_table_functions`) rather than a syntax error
at the table's name.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

_TABLE_ARGUMENT = re.compile(
    r"(\b(?:RANGE_SESSIONIZE|GAP_FILL|APPENDS|CHANGES)\s*\(\s*)TABLE\s+((?:`[^`]+`|[A-Za-z_][\w-]*)(?:\s*\.\s*(?:`[^`]+`|[A-Za-z_][\w-]*))*)",
    re.IGNORECASE,
)
_NEW = "__bq_session_new"
_ID = "__bq_session_id"
_FIX = "write RANGE_SESSIONIZE(TABLE t, 'range_column', ['partition_column', ...][, 'MEETS' | 'OVERLAPS'])"


def table_arguments(sql: str) -> str:
    """`RANGE_SESSIONIZE(TABLE d.t, ...)` as `RANGE_SESSIONIZE((SELECT * FROM d.t), ...)` (and
    GAP_FILL's, APPENDS' and CHANGES' `TABLE d.t` likewise)."""
    upper = sql.upper()
    if not any(name in upper for name in ("RANGE_SESSIONIZE", "GAP_FILL", "APPENDS", "CHANGES")):
        return sql
    return _TABLE_ARGUMENT.sub(lambda m: f"{m.group(1)}(SELECT * FROM {m.group(2)})", sql)


def rewrite(stmt: exp.Expression) -> None:
    """Replace each RANGE_SESSIONIZE call in FROM by the subquery that computes it."""
    for table in list(stmt.find_all(exp.Table)):
        call = table.this
        if not (isinstance(call, exp.Anonymous) and str(call.this).upper() == "RANGE_SESSIONIZE"):
            continue
        sub = _sessionized(call.expressions)
        alias = table.args.get("alias")
        table.replace(exp.Subquery(this=sub, alias=alias.copy() if alias is not None else None))


def _sessionized(args: list[exp.Expression]) -> exp.Select:
    from .googlesql import BigQueryError

    if len(args) not in (3, 4) or not isinstance(args[0], exp.Subquery):
        raise BigQueryError(
            "RANGE_SESSIONIZE takes a table, a range column, partitioning columns and an option", fix=_FIX
        )
    column, parts = args[1], args[2]
    if not (isinstance(column, exp.Literal) and column.is_string):
        raise BigQueryError("RANGE_SESSIONIZE's range column must be a STRING literal", fix=_FIX)
    if not isinstance(parts, exp.Array) or not all(
        isinstance(p, exp.Literal) and p.is_string for p in parts.expressions
    ):
        raise BigQueryError("RANGE_SESSIONIZE's partitioning columns must be an ARRAY<STRING> literal", fix=_FIX)
    option = "MEETS"
    if len(args) == 4:
        if not (isinstance(args[3], exp.Literal) and args[3].is_string):
            raise BigQueryError("RANGE_SESSIONIZE's sessionize option must be a STRING literal", fix=_FIX)
        option = args[3].this.strip().upper()
        if option not in ("MEETS", "OVERLAPS"):
            raise BigQueryError(
                f"RANGE_SESSIONIZE's sessionize option must be MEETS or OVERLAPS, not {args[3].this!r}", fix=_FIX
            )
    c = _ident(column.this)
    partition = ", ".join(_ident(p.this) for p in parts.expressions)
    over = f"PARTITION BY {partition} " if partition else ""
    order = f"ORDER BY {c} IS NOT NULL, {c}.start, {c}.`end`"
    starts_new = ">" if option == "MEETS" else ">="
    flagged = (
        f"SELECT *, CASE WHEN {c} IS NULL OR COALESCE({c}.start {starts_new} MAX({c}.`end`) OVER ({over}{order}"
        f" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), TRUE) THEN 1 ELSE 0 END AS {_NEW} FROM _SOURCE"
    )
    numbered = f"SELECT *, SUM({_NEW}) OVER ({over}{order} ROWS UNBOUNDED PRECEDING) AS {_ID} FROM ({flagged})"
    session = f"PARTITION BY {partition + ', ' if partition else ''}{_ID}"
    sql = (
        f"SELECT * EXCEPT ({_NEW}, {_ID}), CASE WHEN {c} IS NULL THEN NULL ELSE STRUCT("
        f"MIN({c}.start) OVER ({session}) AS start, MAX({c}.`end`) OVER ({session}) AS `end`) END AS session_range"
        f" FROM ({numbered})"
    )
    tree = sqlglot.parse_one(sql, read="bigquery")
    assert isinstance(tree, exp.Select)
    for source in tree.find_all(exp.Table):
        if source.name == "_SOURCE":
            source.replace(args[0].copy())
            break
    return tree


def _ident(name: str) -> str:
    return "`" + name.replace("`", "") + "`"
