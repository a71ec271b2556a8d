"""The pseudo-columns `_PARTITIONTIME` and `_PARTITIONDATE` of ingestion-time partitioned tables
(`timePartitioning` without a `field`, DDL's `PARTITION BY _PARTITIONDATE`), refused by name.

BigQuery reads them as each row's ingestion time (truncated to the partition's unit) and date;
the emulator keeps no ingestion time per row, so a query reading one of a table that has them
is refused naming the pseudo-column and the table, where DuckDB's binder said "unrecognized
name" as if the table had no such column. Of any other table BigQuery too answers "Unrecognized
name", so that error stays. A query, an INSERT's column list (`INSERT INTO t (_PARTITIONTIME,
a)`, as dbt's `time_ingestion_partitioning` writes) and a qualified `t._PARTITIONTIME` alike."""

from __future__ import annotations

import re
from typing import Any

from .googlesql import BigQueryError, duckdb_schema

PSEUDO_COLUMNS = frozenset({"_PARTITIONTIME", "_PARTITIONDATE"})
_NAMED = re.compile(r'"?\b(_PARTITION(?:TIME|DATE))\b"?', re.IGNORECASE)


def named_in(message: str) -> str | None:
    """The pseudo-column a DuckDB binder message names (a column not found in a SELECT, a
    qualified `t._PARTITIONTIME`, an INSERT's column list), or None."""
    m = _NAMED.search(message)
    return m.group(1) if m else None


def pseudo_column_error(
    layouts: dict[tuple[str, str], dict[str, Any]], name: str, tables: tuple[tuple[str, str, str], ...]
) -> BigQueryError | None:
    """The refusal when `name` is an ingestion-time pseudo-column and one of `tables` (project,
    dataset, table) is ingestion-time partitioned (`layouts`: the engine's partitioning per
    DuckDB schema and table); None otherwise."""
    pseudo = name.strip('"').upper()
    if pseudo not in PSEUDO_COLUMNS:
        return None
    for project, dataset, table in tables:
        time = (layouts.get((duckdb_schema(project, dataset), table)) or {}).get("timePartitioning")
        if time and not time.get("field"):
            return BigQueryError(
                f"the pseudo-column {pseudo} of the ingestion-time partitioned table "
                f"{project}.{dataset}.{table} is not supported by the local warehouse (it keeps no ingestion "
                "time per row)",
                fix="partition the table by a DATE, DATETIME or TIMESTAMP column and filter on it, or run on BigQuery",
            )
    return None
