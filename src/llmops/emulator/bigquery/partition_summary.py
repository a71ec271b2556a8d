"""The legacy `table$__PARTITIONS_SUMMARY__` meta-table that `Client.list_partitions` reads
(tables.get for its schema, tabledata.list for its rows): one row per partition of the table, its
ids as INFORMATION_SCHEMA.PARTITIONS writes them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from .resources import ms

if TYPE_CHECKING:
    from .engine import BigQueryEngine

SUFFIX = "$__PARTITIONS_SUMMARY__"
FIELDS = [
    {"name": name, "type": kind, "mode": "NULLABLE"}
    for name, kind in (
        ("project_id", "STRING"),
        ("dataset_id", "STRING"),
        ("table_id", "STRING"),
        ("partition_id", "STRING"),
        ("creation_time", "INTEGER"),
        ("last_modified_time", "INTEGER"),
    )
]


def is_summary(table: str) -> bool:
    """Whether a table id names the partitions summary of a table."""
    return table.upper().endswith(SUFFIX.upper())


def info(base: dict[str, Any], found: pa.Table) -> dict[str, Any]:
    """The meta-table's table info, from its base table's and its rows (kept under "rows", so a
    tabledata.list reads them without counting the partitions again)."""
    return {
        **base,
        "table": base["table"] + SUFFIX,
        "type": "TABLE",
        "schema": FIELDS,
        "num_rows": found.num_rows,
        "features": {},
        "rows": found,
    }


def rows(engine: BigQueryEngine, project: str, dataset: str, table: str, created: Any) -> pa.Table:
    """One row per partition id of the table (none for an unpartitioned one)."""
    result = engine.query(
        f"SELECT partition_id FROM `{project}.{dataset}.INFORMATION_SCHEMA.PARTITIONS` "
        "WHERE table_name = @t AND partition_id IS NOT NULL ORDER BY partition_id",
        {"t": table},
        default_project=project,
    )
    ids = result.table.column(0).to_pylist() if result.table.num_rows else []
    when = int(ms(created) or 0)
    return pa.table(
        {
            "project_id": pa.array([project] * len(ids), pa.string()),
            "dataset_id": pa.array([dataset] * len(ids), pa.string()),
            "table_id": pa.array([table] * len(ids), pa.string()),
            "partition_id": pa.array(ids, pa.string()),
            "creation_time": pa.array([when] * len(ids), pa.int64()),
            "last_modified_time": pa.array([when] * len(ids), pa.int64()),
        }
    )
