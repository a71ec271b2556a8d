"""The catalog of table IAM policies (served by iam_routes.py), dropped with their tables."""

from __future__ import annotations

import duckdb

from .googlesql import duckdb_schema

CATALOG = "_llmops_catalog"


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table policies table (once per engine, when it opens)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.table_iam_policies (schema_name VARCHAR, table_name VARCHAR, "
        "policy JSON, PRIMARY KEY (schema_name, table_name))"
    )


def forget(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str | None = None) -> None:
    """A dropped or recreated table (or dropped dataset, `table` None) loses its policy."""
    where, args = "schema_name = ?", [duckdb_schema(project, dataset)]
    if table is not None:
        where += " AND table_name = ?"
        args.append(table)
    con.execute(f"DELETE FROM {CATALOG}.table_iam_policies WHERE {where}", args)
