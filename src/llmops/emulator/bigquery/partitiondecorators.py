"""Partition decorators in table ids: `table$20240101` names one partition of a partitioned
table (`$YYYYMMDDHH`, `$YYYYMMDD`, `$YYYYMM`, `$YYYY` for hourly, daily, monthly and yearly
partitioning; an integer range partition's start, `$40`; `$__NULL__` and `$__UNPARTITIONED__`).

A load or a query job writing to one touches that partition only (WRITE_TRUNCATE replaces its
rows, WRITE_EMPTY needs it empty) and fails when a row belongs to another partition;
`tables.delete` of one deletes its rows; `tabledata.list` of one lists its rows; `tabledata.insertAll`
to one takes the rows of that partition (a row of another is an invalid row: with
skipInvalidRows it alone is left out, else the request writes nothing and the other rows are
"stopped", as for any invalid row). A row's
partition is the one INFORMATION_SCHEMA.PARTITIONS counts it in (`partitioning.partition_id_sql`).
Ingestion-time partitioned tables (no partitioning column) are refused by name: the emulator
keeps no ingestion time per row."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import duckdb

from .googlesql import BigQueryInvalid, duckdb_schema
from .partitioning import partition_id_sql

_SPECIAL = ("__NULL__", "__UNPARTITIONED__")
_DIGITS = {"HOUR": 10, "DAY": 8, "MONTH": 6, "YEAR": 4}


def split(table_id: str) -> tuple[str, str | None]:
    """(table, partition) of a table id; partition None without a decorator."""
    table, sep, partition = table_id.partition("$")
    return table, (partition if sep else None)


def layout_and_columns(
    engine: Any, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """The table's partitioning fields and its columns (lower-case name -> (name, DuckDB type))."""
    schema = duckdb_schema(project, dataset)
    fields = engine._layouts(con).get((schema, table)) or {}
    columns = {
        name.lower(): (name, str(kind))
        for name, kind in con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
            "AND database_name = current_database() ORDER BY column_index",
            [schema, table],
        ).fetchall()
    }
    return fields, columns


def partition_id(
    engine: Any, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, partition: str
) -> str:
    """The DuckDB expression of a row's partition id over the table's columns, once `partition`
    is known to name a partition of the table; BigQueryInvalid naming the problem otherwise."""
    fields, columns = layout_and_columns(engine, con, project, dataset, table)
    name = f"{project}:{dataset}.{table}${partition}"
    time, rng = fields.get("timePartitioning"), fields.get("rangePartitioning")
    if not time and not rng:
        raise BigQueryInvalid(
            f"Cannot use a partition decorator on {name}: the table is not partitioned",
            fix="write to the table without the $ decorator",
        )
    if time and not time.get("field"):
        raise BigQueryInvalid(
            f"Partition decorators of ingestion-time partitioned tables ({name}) are not supported by the emulator "
            "(it keeps no ingestion time per row)",
            fix="partition the table by a DATE, TIMESTAMP or DATETIME column and write without the decorator",
        )
    if partition not in _SPECIAL and not _fits(partition, time, rng):
        unit = f"{str(time.get('type') or 'DAY').lower()}" if time else "integer range"
        raise BigQueryInvalid(
            f"Invalid partition decorator {name}: the table is partitioned by {unit}",
            fix="name a partition as INFORMATION_SCHEMA.PARTITIONS lists its partition_id",
        )
    return partition_id_sql(fields, columns)


def _fits(partition: str, time: dict[str, Any] | None, rng: dict[str, Any] | None) -> bool:
    if time:
        unit = str(time.get("type") or "DAY").upper()
        if not re.fullmatch(r"\d+", partition) or len(partition) != _DIGITS.get(unit, 8):
            return False
        text = (partition + "0101")[:8]
        try:
            dt.datetime.strptime(text, "%Y%m%d")
        except ValueError:
            return False
        return unit != "HOUR" or int(partition[8:]) < 24
    assert rng is not None
    try:
        value = int(partition)
    except ValueError:
        return False
    start, end, step = (int(rng["range"][k]) for k in ("start", "end", "interval"))
    return start <= value < end and (value - start) % step == 0


def check_rows(con: duckdb.DuckDBPyConnection, relation: str, pid: str, partition: str) -> None:
    """BigQuery's error when a row of `relation` (DuckDB) belongs to another partition."""
    stray = con.execute(f"SELECT count(*) FROM {relation} WHERE ({pid}) IS DISTINCT FROM ?", [partition]).fetchall()
    if stray[0][0]:
        raise BigQueryInvalid(
            f"Some rows belong to different partitions rather than destination partition {partition}",
            fix="write only the partition's rows, or write to the table without the $ decorator",
        )


def streamed_partition_id(
    engine: Any, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, partition: str
) -> str | None:
    """`partition_id` for rows streamed to `table$partition` (tabledata.insertAll); None for an
    ingestion-time partitioned table, whose streamed rows are taken as they were before the
    decorator was looked at (the emulator keeps no ingestion time to check them against)."""
    time = layout_and_columns(engine, con, project, dataset, table)[0].get("timePartitioning")
    if time and not time.get("field"):
        return None
    return partition_id(engine, con, project, dataset, table, partition)


def stray_rows(con: duckdb.DuckDBPyConnection, rows: Any, pid: str, partition: str) -> list[int]:
    """The positions of the rows of `rows` (an Arrow table of the table's columns) that belong
    to another partition than `partition` (tabledata.insertAll to `table$20240101`)."""
    name = f"__bq_rows_{uuid.uuid4().hex[:8]}"
    con.register(name, rows)
    try:
        found = con.execute(
            f"SELECT __bq_row - 1 FROM (SELECT *, row_number() OVER () AS __bq_row FROM {name}) "
            f"WHERE ({pid}) IS DISTINCT FROM ? ORDER BY __bq_row",
            [partition],
        ).fetchall()
    finally:
        con.unregister(name)
    return [int(r[0]) for r in found]


def stray_row_error(index: int, partition: str) -> dict[str, Any]:
    """insertAll's error for a row of another partition than the decorator's."""
    message = f"The row belongs to a different partition rather than destination partition {partition}"
    return {"index": index, "errors": [{"reason": "invalid", "location": "", "debugInfo": "", "message": message}]}


def googlesql_filter(engine: Any, project: str, dataset: str, table: str, partition: str) -> str:
    """A GoogleSQL condition selecting the rows of one partition (for `tabledata.list` of
    `table$20240101`); BigQueryInvalid as `partition_id` raises it."""
    with engine.connection() as con:
        partition_id(engine, con, project, dataset, table, partition)
        fields, columns = layout_and_columns(engine, con, project, dataset, table)
    time, rng = fields.get("timePartitioning"), fields.get("rangePartitioning")
    spec = time or rng or {}
    column = "`" + columns[str(spec["field"]).lower()][0] + "`"
    if partition == "__NULL__":
        return f"{column} IS NULL"
    if rng:
        start, end, step = (int(rng["range"][k]) for k in ("start", "end", "interval"))
        if partition == "__UNPARTITIONED__":
            return f"({column} < {start} OR {column} >= {end})"
        return f"({column} >= {int(partition)} AND {column} < {int(partition) + step})"
    if partition == "__UNPARTITIONED__":
        return "FALSE"
    unit = str(time.get("type") or "DAY").upper() if time else "DAY"
    low = dt.datetime.strptime((partition + "0101")[:8] + (partition[8:10] or "00"), "%Y%m%d%H")
    if unit == "HOUR":
        high = low + dt.timedelta(hours=1)
    elif unit == "DAY":
        high = low + dt.timedelta(days=1)
    elif unit == "MONTH":
        high = low.replace(year=low.year + low.month // 12, month=low.month % 12 + 1)
    else:
        high = low.replace(year=low.year + 1)
    kind = columns[str(spec["field"]).lower()][1].upper()
    if kind == "DATE":
        return f"({column} >= DATE '{low:%Y-%m-%d}' AND {column} < DATE '{high:%Y-%m-%d}')"
    word = "TIMESTAMP" if "TIME ZONE" in kind else "DATETIME"
    zone = "+00" if word == "TIMESTAMP" else ""
    return (
        f"({column} >= {word} '{low:%Y-%m-%d %H:%M:%S}{zone}' AND {column} < {word} '{high:%Y-%m-%d %H:%M:%S}{zone}')"
    )
