"""Table history for time travel (`FOR SYSTEM_TIME AS OF`), kept as BigQuery keeps it: 7 days.

Copy-on-write: before a DML or DDL statement changes a table, the engine copies the table as it
is into the schema `_llmops_history` and records until when that copy was the table's content
(`valid_to`). A read AS OF time T uses the first copy whose `valid_to` is after T, or the live
table if none is. A dropped (or expired) table keeps its last content the same way, with its
schema and lifetime in `dropped_tables`, so a copy job from `table@<time>` restores it for 7 days
("Restore deleted tables"); SQL cannot read a dropped table, as on BigQuery. Copies whose
`valid_to` is over 7 days old are dropped when a table next changes. The cost is one full copy of
the table per changing statement or drop (see docs/emulator.md).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from .catalog import CATALOG
from .googlesql import BigQueryInvalid, duckdb_schema, duckdb_table, quote_ident

HISTORY_SCHEMA = "_llmops_history"
WINDOW = dt.timedelta(days=7)

CHANGING = frozenset(
    {"INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE_TABLE", "ALTER_TABLE", "CREATE_TABLE", "CREATE_TABLE_AS_SELECT"}
)
"""Statement types that change an existing table's rows or schema (CREATE only with OR REPLACE)."""


@dataclass(frozen=True)
class TimeTravel:
    """A table read AS OF a time: the engine defines `relation` as the table at `at_sql`'s value."""

    relation: str
    project: str
    dataset: str
    table: str
    at_sql: str
    """A DuckDB `SELECT <timestamp expression>`."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the history schema and its catalog table if missing."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {HISTORY_SCHEMA}")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.table_versions (schema_name VARCHAR, table_name VARCHAR, "
        "copy_name VARCHAR, valid_to TIMESTAMPTZ)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.dropped_tables (schema_name VARCHAR, table_name VARCHAR, "
        "created TIMESTAMPTZ, dropped TIMESTAMPTZ, fields VARCHAR, reason VARCHAR)"
    )


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
            "AND database_name = current_database()",
            [schema, table],
        ).fetchall()[0][0]
    )


def before_change(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> None:
    """Keep the table's current content as a version, if the table exists; prune old versions."""
    schema = duckdb_schema(project, dataset)
    if _exists(con, schema, table):
        _keep(con, schema, project, dataset, table, _now())


DELETION_REASONS = ("USER_DELETED", "TABLE_EXPIRATION", "DATASET_DELETION")
"""Why a table was dropped, as INFORMATION_SCHEMA.TABLE_STORAGE's `table_deletion_reason` says."""


def before_drop(
    con: duckdb.DuckDBPyConnection,
    project: str,
    dataset: str,
    table: str,
    fields: list[dict],
    reason: str = "USER_DELETED",
) -> None:
    """Keep a table about to be dropped (its last content, BigQuery schema `fields`, lifetime and
    `reason`, one of DELETION_REASONS) so that a copy from `table@<time>` can restore it within
    the time travel window."""
    schema = duckdb_schema(project, dataset)
    if not _exists(con, schema, table):
        return
    now = _now()
    created = con.execute(
        f"SELECT created FROM {CATALOG}.tables WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchall()
    _keep(con, schema, project, dataset, table, now)
    con.execute(
        f"INSERT INTO {CATALOG}.dropped_tables VALUES (?, ?, ?, ?, ?, ?)",
        [schema, table, created[0][0] if created else None, now, json.dumps(fields), reason],
    )


def _keep(
    con: duckdb.DuckDBPyConnection, schema: str, project: str, dataset: str, table: str, now: dt.datetime
) -> None:
    copy = f"v_{uuid.uuid4().hex}"
    con.execute(
        f"CREATE TABLE {HISTORY_SCHEMA}.{quote_ident(copy)} AS SELECT * FROM {duckdb_table(project, dataset, table)}"
    )
    con.execute(f"INSERT INTO {CATALOG}.table_versions VALUES (?, ?, ?, ?)", [schema, table, copy, now])
    _prune(con, now - WINDOW)


def _prune(con: duckdb.DuckDBPyConnection, before: dt.datetime) -> None:
    old = con.execute(f"SELECT copy_name FROM {CATALOG}.table_versions WHERE valid_to < ?", [before]).fetchall()
    for (name,) in old:
        con.execute(f"DROP TABLE IF EXISTS {HISTORY_SCHEMA}.{quote_ident(name)}")
    if old:
        con.execute(f"DELETE FROM {CATALOG}.table_versions WHERE valid_to < ?", [before])
    con.execute(f"DELETE FROM {CATALOG}.dropped_tables WHERE dropped < ?", [before])


def dropped_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, Any, Any, str]]:
    """(DuckDB schema, table, created, dropped, reason) of each table dropped within the time
    travel window, oldest drop first."""
    return con.execute(
        f"SELECT schema_name, table_name, created, dropped, reason FROM {CATALOG}.dropped_tables "
        "WHERE dropped >= ? ORDER BY dropped",
        [_now() - WINDOW],
    ).fetchall()


@dataclass(frozen=True)
class DroppedVersion:
    """A dropped table's rows as they were at a time: a relation of the history schema and the
    table's BigQuery schema when it was dropped."""

    relation: str
    fields: list[dict]


def dropped_version(
    con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, at_ms: int
) -> DroppedVersion | None:
    """The content at `at_ms` (0: the oldest kept) of a table of this name that was dropped within
    the time travel window and lived then; None when no dropped table of this name was kept."""
    schema = duckdb_schema(project, dataset)
    now = _now()
    lives = con.execute(
        f"SELECT created, dropped, fields FROM {CATALOG}.dropped_tables WHERE schema_name = ? AND table_name = ? "
        "AND dropped >= ? ORDER BY dropped DESC",
        [schema, table, now - WINDOW],
    ).fetchall()
    if not lives:
        return None
    name = f"{project}:{dataset}.{table}"
    if at_ms == 0:
        created, dropped, fields = lives[0]
        at = oldest_kept(created, now)
    else:
        at = dt.datetime.fromtimestamp(at_ms / 1000, dt.UTC)
        life = [r for r in lives if (r[0] is None or r[0] <= at) and at < r[1]]
        if not life:
            if at >= lives[0][1]:
                from .googlesql import BigQueryNotFound

                raise BigQueryNotFound(
                    f"Not found: Table {name}@{at_ms}: the table was deleted at {_ms(lives[0][1])}",
                    fix=f"copy from {table}@<a time before {_ms(lives[0][1])}> to restore it",
                )
            floor = oldest_kept(lives[-1][0], now)
            raise BigQueryInvalid(
                f"Invalid snapshot time {at_ms} for table {name}. Cannot read before {_ms(floor)}",
                fix="time travel reaches back to the table's creation, at most 7 days",
                reason="invalid",
            )
        created, dropped, fields = life[0]
    row = con.execute(
        f"SELECT copy_name FROM {CATALOG}.table_versions WHERE schema_name = ? AND table_name = ? "
        "AND valid_to > ? AND valid_to <= ? ORDER BY valid_to LIMIT 1",
        [schema, table, at, dropped],
    ).fetchall()
    if not row:
        return None
    return DroppedVersion(f"{HISTORY_SCHEMA}.{quote_ident(row[0][0])}", json.loads(fields))


def timestamp(con: duckdb.DuckDBPyConnection, at_sql: str) -> dt.datetime:
    """The value of a translated `SELECT <timestamp expression>`, in UTC."""
    try:
        value: Any = con.execute(f"SELECT CAST(({at_sql}) AS TIMESTAMPTZ)").fetchall()[0][0]
    except duckdb.Error as exc:
        raise BigQueryInvalid(
            f"FOR SYSTEM_TIME AS OF needs a TIMESTAMP: {str(exc).splitlines()[0]}",
            fix="write e.g. FOR SYSTEM_TIME AS OF TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR)",
            reason="invalidQuery",
        ) from None
    if not isinstance(value, dt.datetime):
        raise BigQueryInvalid(
            "FOR SYSTEM_TIME AS OF needs a non-NULL TIMESTAMP", fix="give a timestamp", reason="invalidQuery"
        )
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def oldest_kept(created: Any, now: dt.datetime | None = None) -> dt.datetime:
    """The first instant time travel reaches for a table created at `created` (None: unknown):
    its creation, at most 7 days back."""
    floor = (now or _now()) - WINDOW
    return max(floor, created) if isinstance(created, dt.datetime) else floor


def _ms(t: dt.datetime) -> int:
    return int(t.timestamp() * 1000)


def resolve(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, at: dt.datetime) -> str:
    """The quoted DuckDB relation holding the table's rows as they were at `at`; BigQuery's
    "Invalid snapshot time" error for a time before the table existed, over 7 days ago or ahead."""
    schema = duckdb_schema(project, dataset)
    now = _now()
    created_row = con.execute(
        f"SELECT created FROM {CATALOG}.tables WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchall()
    if not _exists(con, schema, table):
        _not_a_table(con, project, dataset, table)
    name = f"{project}:{dataset}.{table}"
    if at > now + dt.timedelta(seconds=1):
        raise BigQueryInvalid(
            f"Invalid snapshot time {_ms(at)} for table {name}. Cannot read after {_ms(now)}",
            fix="give a time in the past",
            reason="invalidQuery",
        )
    created = created_row[0][0] if created_row else None
    floor = oldest_kept(created, now)
    if at < floor:
        raise BigQueryInvalid(
            f"Invalid snapshot time {_ms(at)} for table {name}. Cannot read before {_ms(floor)}",
            fix="time travel reaches back to the table's creation, at most 7 days",
            reason="invalidQuery",
        )
    row = con.execute(
        f"SELECT copy_name FROM {CATALOG}.table_versions WHERE schema_name = ? AND table_name = ? "
        "AND valid_to > ? ORDER BY valid_to LIMIT 1",
        [schema, table, at],
    ).fetchall()
    if row:
        return f"{HISTORY_SCHEMA}.{quote_ident(row[0][0])}"
    return duckdb_table(project, dataset, table)


def _not_a_table(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> None:
    from .googlesql import LIST_DATASETS_FIX, LIST_TABLES_FIX, BigQueryNotFound

    schema = duckdb_schema(project, dataset)
    if not con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [schema]).fetchall()[0][0]:
        raise BigQueryNotFound(f"Not found: Dataset {project}:{dataset}", fix=LIST_DATASETS_FIX)
    views = con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE schema_name = ? AND view_name = ?", [schema, table]
    ).fetchall()[0][0]
    if views:
        raise BigQueryInvalid(
            f"FOR SYSTEM_TIME AS OF reads tables; {project}:{dataset}.{table} is a view",
            fix="read the view's tables AS OF the time instead",
            reason="invalidQuery",
        )
    raise BigQueryNotFound(
        f"Not found: Table {project}:{dataset}.{table}", fix=LIST_TABLES_FIX.format(project=project, dataset=dataset)
    )


def define_views(con: duckdb.DuckDBPyConnection, travels: Iterable[TimeTravel], used_by: Any = None) -> None:
    """Define each time-travel placeholder relation on this connection (only those the
    statement `used_by` reads, when given)."""
    text = None if used_by is None else (used_by.sql or "") + (used_by.export_query or "")
    for tt in travels:
        if text is not None and quote_ident(tt.relation) not in text:
            continue
        source = resolve(con, tt.project, tt.dataset, tt.table, timestamp(con, tt.at_sql))
        con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(tt.relation)} AS SELECT * FROM {source}")


def version_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many table versions are kept (for tests and the emulator's status)."""
    return int(con.execute(f"SELECT count(*) FROM {CATALOG}.table_versions").fetchall()[0][0])
