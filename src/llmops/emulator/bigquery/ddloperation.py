"""BigQuery's `ddlOperationPerformed` of a DDL statement on a table, view or dataset.

The DDL reference lists CREATE (the target was created), SKIP (`CREATE ... IF NOT EXISTS` of an
existing target, `DROP ... IF EXISTS` of a missing one), REPLACE (`CREATE OR REPLACE` of an
existing target) and DROP; which one depends on whether the target existed before the statement.
"""

from __future__ import annotations

from typing import Any

import duckdb

from .googlesql import duckdb_schema

_RELATIONS = frozenset(
    {
        "TABLE",
        "TABLE_AS_SELECT",
        "TABLE_CLONE",
        "TABLE_COPY",
        "TABLE_LIKE",
        "VIEW",
        "MATERIALIZED_VIEW",
        "SNAPSHOT_TABLE",
        "EXTERNAL_TABLE",
    }
)


def _kind(statement_type: str) -> tuple[str, str] | None:
    verb, _, kind = statement_type.partition("_")
    if verb not in ("CREATE", "DROP") or (kind not in _RELATIONS and kind != "SCHEMA"):
        return None
    return verb, kind


def target_existed(con: duckdb.DuckDBPyConnection, stmt: Any) -> bool | None:
    """Whether the table, view or dataset `stmt` creates or drops exists now (None: not such a
    statement)."""
    if _kind(stmt.statement_type) is None or not stmt.target:
        return None
    project, dataset, name = stmt.target
    schema = duckdb_schema(project, dataset)
    if stmt.statement_type.endswith("_SCHEMA"):
        query = "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ? AND database_name = current_database()"
        return bool(con.execute(query, [schema]).fetchall()[0][0])
    if not name:
        return None
    query = (
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE schema_name = $s AND table_name = $n "
        "AND database_name = current_database()) + (SELECT count(*) FROM duckdb_views() WHERE schema_name = $s "
        "AND view_name = $n AND database_name = current_database())"
    )
    return bool(con.execute(query, {"s": schema, "n": name}).fetchall()[0][0])


def performed(stmt: Any, existed: bool) -> str | None:
    """CREATE, SKIP, REPLACE or DROP for a statement that succeeded, given whether its target
    existed before it ran."""
    kind = _kind(stmt.statement_type)
    if kind is None:
        return None
    if kind[0] == "DROP":
        return "DROP" if existed else "SKIP"
    if not existed:
        return "CREATE"
    head = stmt.sql.upper().split('"', 1)[0]
    if stmt.options.get("replace") or " OR REPLACE " in f" {head} ":
        return "REPLACE"
    if stmt.options.get("if_not_exists") or "IF NOT EXISTS" in head:
        return "SKIP"
    return "CREATE"
