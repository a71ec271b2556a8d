"""A NULL ARRAY written to a table is stored as an empty ARRAY, as BigQuery stores it ("When you
write a NULL array to a table, it's converted to an empty array", the data types page). Inside a
query NULL and [] stay distinct (`ARRAY_LENGTH(CAST(NULL AS ARRAY<INT64>))` is NULL); a
stored row read back has `[]`, so `ARRAY_LENGTH(col)` is 0 and `col IS NULL` FALSE.

INSERT, UPDATE and MERGE write `[]` by rewriting the values they write (writtenvalues.py). What
this module does is the older way, one UPDATE of the table's NULL top-level ARRAY columns after
the statement, kept for the statements that write no values of their own (CREATE TABLE ... AS
SELECT, ALTER TABLE ... ADD COLUMN) or that the rewrite cannot read (MERGE's INSERT ROW).
insertAll and loads already write `[]`.
"""

from __future__ import annotations

import re

import duckdb

from .googlesql import Statement, duckdb_schema, duckdb_table, quote_ident

WRITES = ("CREATE_TABLE_AS_SELECT",)
"""The statements that may write a NULL ARRAY into a table and whose written values are not
rewritten (writtenvalues.py rewrites INSERT, UPDATE and MERGE)."""
_ADD_COLUMN = re.compile(r"\bADD\s+COLUMN\b", re.I)


def may_leave_null(stmt: Statement) -> bool:
    """Whether the statement may leave a NULL in a top-level ARRAY column: CREATE TABLE ... AS
    SELECT, and ALTER TABLE ... ADD COLUMN (the table's rows read the new ARRAY column as [])."""
    return stmt.statement_type in WRITES or (
        stmt.statement_type == "ALTER_TABLE" and bool(_ADD_COLUMN.search(stmt.sql))
    )


def empty_null_arrays(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> None:
    """Store `[]` where a top-level ARRAY column of the table holds NULL."""
    columns = [
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? AND data_type LIKE '%[]'",
            [duckdb_schema(project, dataset), table],
        ).fetchall()
    ]
    if not columns:
        return
    quoted = [quote_ident(c) for c in columns]
    sets = ", ".join(f"{q} = COALESCE({q}, [])" for q in quoted)
    where = " OR ".join(f"{q} IS NULL" for q in quoted)
    con.execute(f"UPDATE {duckdb_table(project, dataset, table)} SET {sets} WHERE {where}")
