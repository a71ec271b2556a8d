"""A field read from a value that is not a STRUCT (or JSON) fails in BigQuery's words.

`[STRUCT(1 AS x), STRUCT(2)].x`, or `t.arr.x` over an ARRAY<STRUCT> column, is GoogleSQL's
"Cannot access field x on a value with type ARRAY<STRUCT<x INT64>>" (ZetaSQL's paths through
arrays and its FLATTEN are not BigQuery's: the reference reads an array's elements with UNNEST).
DuckDB refused it in its own words and with its internal SQL: `Cannot extract field 'x' from
expression "list_value(struct_pack(1), ...)" because it is not a struct, union, map, json or
geometry`. The value's type is found again in the translated statement: the base of a field
access of that name, described by DuckDB alone (a value written in the query) or over its SELECT's
FROM item and WITH clause (a column); where neither binds, the message says only that the value is not a STRUCT.
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from .googlesql import BigQueryError

_DUCKDB = re.compile(r"Cannot extract field '([^']+)' from expression \"(.*)\" because it is not a struct")

_FIX = "read an array's elements with UNNEST (`FROM t, UNNEST(t.arr) AS e`, then `e.field`), or one element with arr[OFFSET(i)]"


def reworded(con: Any, first: str, duckdb_sql: str | None) -> BigQueryError | None:
    """BigQuery's error for DuckDB's `Cannot extract field` message `first` about the translated
    statement `duckdb_sql`, or None for another message."""
    m = _DUCKDB.search(first)
    if m is None:
        return None
    field = m.group(1)
    type_sql = _base_type(con, duckdb_sql, field) if duckdb_sql else None
    if type_sql is None:
        return BigQueryError(f"Cannot access field {field} on a value that is not a STRUCT", fix=_FIX)
    return BigQueryError(f"Cannot access field {field} on a value with type {type_sql}", fix=_FIX)


def _base_type(con: Any, duckdb_sql: str, field: str) -> str | None:
    """The GoogleSQL type of the first base of a `.field` access in `duckdb_sql` that DuckDB
    describes as neither a STRUCT nor JSON, or None."""
    import sqlglot
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    except SqlglotError:
        return None
    ctes = tree.args.get("with_")
    for base, source in _bases(tree, field):
        type_sql = _described(con, base, source, ctes)
        if type_sql is not None and not type_sql.startswith(("STRUCT<", "JSON")):
            return type_sql
    return None


def _bases(tree: exp.Expr, field: str) -> list[tuple[exp.Expression, exp.Expression | None]]:
    """(base, FROM item to read it over, if any) of each `base.field` in `tree`."""
    out: list[tuple[exp.Expression, exp.Expression | None]] = []
    for dot in tree.find_all(exp.Dot):
        if dot.name == field and dot.this.find(exp.Column) is None:
            out.append((dot.this, None))
    for column in tree.find_all(exp.Column):
        parts = column.parts
        if len(parts) >= 2 and parts[-1].name == field:
            base = exp.column(parts[-2].name, table=parts[-3].name if len(parts) >= 3 else None)
            select = column.find_ancestor(exp.Select)
            from_ = select.args.get("from_") if select is not None else None
            out.append((base, from_.this if from_ is not None else None))
    return out


def _described(
    con: Any, base: exp.Expression, source: exp.Expression | None, ctes: exp.Expression | None
) -> str | None:
    """DuckDB's type of `base` (over `source`, with the statement's WITH clause `ctes`), as
    GoogleSQL writes it; None where it does not bind."""
    import duckdb

    from .engine import field_type_sql
    from .googlesql import duckdb_type_to_field

    query = exp.select(base.copy())
    if source is not None:
        query = query.from_(source.copy())
    if ctes is not None:
        query.set("with_", ctes.copy())
    try:
        rows = con.execute(f"DESCRIBE {query.sql('duckdb')}").fetchall()
        return field_type_sql(duckdb_type_to_field("v", rows[0][1]))
    except (duckdb.Error, IndexError, KeyError, ValueError, TypeError):
        return None
