"""A NULL ARRAY written to a table is stored as an empty ARRAY, as BigQuery stores it ("When you
write a NULL array to a table, it's converted to an empty array", the data types page). Inside a
query NULL and [] stay distinct (`ARRAY_LENGTH(CAST(NULL AS ARRAY<INT64>))` is NULL); a
stored row read back has `[]`, so `ARRAY_LENGTH(col)` is 0 and `col IS NULL` FALSE. DuckDB keeps
the NULL a DML INSERT, UPDATE, MERGE or CREATE TABLE ... AS SELECT wrote, so after such a
statement the target table's top-level ARRAY columns get `[]` where they hold NULL: one UPDATE,
only for tables with an ARRAY column (insertAll and loads already write `[]`). ARRAYs inside a
STRUCT keep a written NULL (not done).
"""

from __future__ import annotations

import duckdb

from .googlesql import duckdb_schema, duckdb_table, quote_ident

WRITES = ("INSERT", "UPDATE", "MERGE", "CREATE_TABLE_AS_SELECT")
"""The statements that may write a NULL ARRAY into a table."""


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
