"""`CALL BQ.REFRESH_MATERIALIZED_VIEW('project.dataset.view')`, BigQuery's system procedure for a
manual refresh: the named materialized view must exist. The emulator's materialized views always
show their base tables' current rows, so there is nothing left to refresh."""

from __future__ import annotations

from typing import Any

from .googlesql import BigQueryError, BigQueryInvalid, duckdb_schema, table_not_found

NAME = "BQ.REFRESH_MATERIALIZED_VIEW"


def refresh(engine: Any, con: Any, name: Any, default_project: str) -> None:
    """Check that `name` ('project.dataset.view' or 'dataset.view') is a materialized view."""
    from .tablekinds import _row

    parts = name.replace("`", "").split(".") if isinstance(name, str) else []
    if len(parts) == 2:
        parts.insert(0, default_project)
    if len(parts) != 3 or not all(parts):
        raise BigQueryInvalid(
            f"{NAME} takes the materialized view's name as 'project.dataset.view', got {name!r}",
            fix=f"CALL {NAME}('project.dataset.view')",
        )
    project, dataset, table = parts
    if table not in engine._table_names(con, project, dataset):
        raise table_not_found(project, dataset, table, None)
    row = _row(con, duckdb_schema(project, dataset), table)
    if not row or row["kind"] != "MATERIALIZED_VIEW":
        raise BigQueryError(
            f"{project}:{dataset}.{table} is not a materialized view; {NAME} refreshes materialized views only",
            fix="name a materialized view",
        )
