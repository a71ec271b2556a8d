"""The catalog of table IAM policies (served by iam_routes.py), dropped with their tables."""

from __future__ import annotations

import duckdb

from .catalog import CATALOG, forget_rows


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table policies table (once per engine, when it opens)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.table_iam_policies (schema_name VARCHAR, table_name VARCHAR, "
        "policy JSON, PRIMARY KEY (schema_name, table_name))"
    )


def forget(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str | None = None) -> None:
    """A dropped or recreated table (or dropped dataset, `table` None) loses its policy."""
    forget_rows(con, "table_iam_policies", project, dataset, table)
