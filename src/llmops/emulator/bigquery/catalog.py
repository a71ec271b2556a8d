"""The engine's own bookkeeping schema inside the DuckDB database (never visible to user SQL as
a BigQuery dataset), and the per-table rows that modules keep in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from .googlesql import duckdb_schema

CATALOG = "_llmops_catalog"


def forget_rows(con: duckdb.DuckDBPyConnection, name: str, project: str, dataset: str, table: str | None) -> None:
    """Delete catalog table `name`'s rows of one table, or of a whole dataset when `table` is None."""
    where, args = "schema_name = ?", [duckdb_schema(project, dataset)]
    if table is not None:
        where += " AND table_name = ?"
        args.append(table)
    con.execute(f"DELETE FROM {CATALOG}.{name} WHERE {where}", args)


def ms(value: Any) -> str:
    """A creation time as BigQuery's milliseconds-since-epoch string ("0" when there is none)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return str(int(value.timestamp() * 1000))
    return "0"
