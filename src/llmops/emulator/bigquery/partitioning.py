"""DDL `PARTITION BY` and `CLUSTER BY` as the tables resource's `timePartitioning`,
`rangePartitioning` and `clustering`: checked as BigQuery checks them, kept, not applied (the
local warehouse scans whole tables; partition pruning changes no result)."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlglot import exp

from .googlesql import BigQueryInvalid, quote_ident, split_schema

PARTITION_FORMS = (
    "PARTITION BY expression must be _PARTITIONDATE, DATE(_PARTITIONTIME), DATE(<timestamp_column>), "
    "DATE(<datetime_column>), DATETIME_TRUNC(<datetime_column>, DAY/HOUR/MONTH/YEAR), a DATE column, "
    "TIMESTAMP_TRUNC(<timestamp_column>, DAY/HOUR/MONTH/YEAR), DATE_TRUNC(<date_column>, MONTH/YEAR), or "
    "RANGE_BUCKET(<int64_column>, GENERATE_ARRAY(<int64_value>, <int64_value>[, <int64_value>]))"
)
"""BigQuery's own error text for a partitioning expression it does not take."""
MAX_CLUSTERING = 4
CLUSTERABLE = frozenset(
    {"STRING", "INT64", "NUMERIC", "BIGNUMERIC", "DATE", "DATETIME", "TIMESTAMP", "BOOL", "GEOGRAPHY"}
)

_COL = r"(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)"
_INT = r"(-?\d+)"
_DATE_OF = re.compile(rf"^DATE\({_COL}\)$", re.I)
_TRUNC = re.compile(rf"^(DATETIME|TIMESTAMP|DATE)_TRUNC\({_COL}, (DAY|HOUR|MONTH|YEAR)\)$", re.I)
_RANGE = re.compile(rf"^RANGE_BUCKET\({_COL}, GENERATE_ARRAY\({_INT}, {_INT}(?:, {_INT})?\)\)$", re.I)
_TYPE_ALIASES = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}


def _name(text: str) -> str:
    return text[1:-1] if text.startswith("`") else text


def base_type(text: str) -> str:
    """A column type as one upper-case GoogleSQL name: `STRING(10)` -> STRING, INTEGER -> INT64."""
    word = re.split(r"[(<\s]", text.strip().upper(), maxsplit=1)[0]
    return _TYPE_ALIASES.get(word, word)


def spec(node: exp.Expression | None, clustering: list[str]) -> dict[str, Any]:
    """The REST fields a PARTITION BY expression and CLUSTER BY columns stand for, with the
    columns they need (`_columns`: name -> wanted types) for `check`."""
    out: dict[str, Any] = {}
    needs: dict[str, tuple[str, ...]] = {}
    if node is not None:
        text = node.sql("bigquery")
        upper = text.upper()
        m_date, m_trunc, m_range = _DATE_OF.match(text), _TRUNC.match(text), _RANGE.match(text)
        if upper == "_PARTITIONDATE" or upper == "DATE(_PARTITIONTIME)":
            out["timePartitioning"] = {"type": "DAY"}
        elif m_date:
            out["timePartitioning"] = {"type": "DAY", "field": _name(m_date.group(1))}
            needs[_name(m_date.group(1))] = ("TIMESTAMP", "DATETIME")
        elif m_trunc:
            fn, col, unit = m_trunc.group(1).upper(), _name(m_trunc.group(2)), m_trunc.group(3).upper()
            if fn == "DATE" and unit not in ("MONTH", "YEAR"):
                raise BigQueryInvalid(PARTITION_FORMS, fix="partition a DATE column by itself, or by MONTH or YEAR")
            if fn == "TIMESTAMP" and col.upper() == "_PARTITIONTIME":
                out["timePartitioning"] = {"type": unit}
            else:
                out["timePartitioning"] = {"type": unit, "field": col}
                needs[col] = (fn,)
        elif m_range:
            col, start, end, step = _name(m_range.group(1)), *m_range.group(2, 3, 4)
            interval = int(step) if step is not None else 1
            if interval <= 0 or int(end) <= int(start):
                raise BigQueryInvalid(
                    f"Invalid RANGE_BUCKET partitioning GENERATE_ARRAY({start}, {end}, {interval})",
                    fix="give start < end and a positive interval",
                )
            out["rangePartitioning"] = {
                "field": col,
                "range": {"start": start, "end": end, "interval": str(interval)},
            }
            needs[col] = ("INT64",)
        elif isinstance(node, (exp.Identifier, exp.Column)) and "(" not in text:
            out["timePartitioning"] = {"type": "DAY", "field": _name(text)}
            needs[_name(text)] = ("DATE",)
        else:
            raise BigQueryInvalid(PARTITION_FORMS, fix="use one of the partitioning forms BigQuery takes")
    if clustering:
        if len(clustering) > MAX_CLUSTERING:
            raise BigQueryInvalid(
                f"Too many clustering columns: {len(clustering)}, only up to {MAX_CLUSTERING} are allowed.",
                fix=f"cluster by at most {MAX_CLUSTERING} columns",
            )
        out["clustering"] = {"fields": clustering}
    if needs or clustering:
        out["_columns"] = {**needs, **{c: tuple(CLUSTERABLE) for c in clustering if c not in needs}}
    return out


LAYOUT_FIELDS = ("timePartitioning", "rangePartitioning", "clustering")
"""The REST fields of a table's layout: its partitioning and clustering."""


def check(fields: dict[str, Any], columns: dict[str, str]) -> None:
    """BigQueryInvalid unless every column the partitioning and clustering name exists (case
    insensitive) with a type they take; `columns` maps names to GoogleSQL types."""
    by_lower = {k.lower(): base_type(v) for k, v in columns.items()}
    for col, wanted in (fields.get("_columns") or {}).items():
        have = by_lower.get(col.lower())
        clustering = col in ((fields.get("clustering") or {}).get("fields") or [])
        if have is None:
            what = "Clustering" if clustering and wanted == tuple(CLUSTERABLE) else "Partitioning"
            raise BigQueryInvalid(
                f"{what} column {col} not found in the table schema", fix="name a column of the table"
            )
        if have not in wanted:
            if wanted == tuple(CLUSTERABLE):
                raise BigQueryInvalid(
                    f"Field {col} is of type {have} which is not supported for clustering",
                    fix="cluster by STRING, INT64, NUMERIC, DATE, DATETIME, TIMESTAMP, BOOL or GEOGRAPHY columns",
                )
            raise BigQueryInvalid(
                f"{PARTITION_FORMS} (column {col} is {have})", fix="partition by a column of the type the form takes"
            )


def options_fields(options: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """Fold OPTIONS(partition_expiration_days, require_partition_filter) into the REST fields."""
    out = {k: v for k, v in fields.items() if k != "_columns"}
    days = options.get("partition_expiration_days")
    if days is not None:
        if "timePartitioning" not in out:
            raise BigQueryInvalid(
                "partition_expiration_days is only allowed on a time-partitioned table",
                fix="add PARTITION BY, or leave the option out",
            )
        out["timePartitioning"] = {**out["timePartitioning"], "expirationMs": str(round(float(days) * 86_400_000))}
    if options.get("require_partition_filter") is not None:
        if "timePartitioning" not in out and "rangePartitioning" not in out:
            raise BigQueryInvalid(
                "require_partition_filter is only allowed on a partitioned table",
                fix="add PARTITION BY, or leave the option out",
            )
        out["requirePartitionFilter"] = bool(options["require_partition_filter"])
    return out


_FORMATS = {"HOUR": "%Y%m%d%H", "DAY": "%Y%m%d", "MONTH": "%Y%m", "YEAR": "%Y"}


def partition_id_sql(fields: dict[str, Any], columns: dict[str, tuple[str, str]]) -> str:
    """The DuckDB expression of a row's partition_id as BigQuery writes it ('20240101',
    '__NULL__', '__UNPARTITIONED__'); NULL for a table without partitioning. `columns` maps lower
    case names to (name, DuckDB type)."""
    time, rng = fields.get("timePartitioning"), fields.get("rangePartitioning")
    if rng and str(rng.get("field") or "").lower() in columns:
        col = quote_ident(columns[rng["field"].lower()][0])
        start, end, step = (int(rng["range"][k]) for k in ("start", "end", "interval"))
        return (
            f"CASE WHEN {col} IS NULL THEN '__NULL__' WHEN {col} < {start} OR {col} >= {end} "
            f"THEN '__UNPARTITIONED__' ELSE CAST({start} + (({col} - {start}) // {step}) * {step} AS VARCHAR) END"
        )
    if time and str(time.get("field") or "").lower() in columns:
        name, kind = columns[time["field"].lower()]
        col = quote_ident(name)
        value = f"timezone('UTC', {col})" if "TIME ZONE" in kind.upper() else col
        fmt = _FORMATS.get(str(time.get("type") or "DAY").upper(), "%Y%m%d")
        return f"CASE WHEN {col} IS NULL THEN '__NULL__' ELSE strftime({value}, '{fmt}') END"
    if time:
        return "'__UNPARTITIONED__'"  # ingestion time: no row is ever assigned an ingestion partition here
    return "CAST(NULL AS VARCHAR)"


def register_view(con: Any, relation: str, rest: dict[tuple[str, str], dict[str, Any]]) -> None:
    """INFORMATION_SCHEMA.PARTITIONS over every table: one row per partition (one per table when it
    is not partitioned), counted when queried. DDL's partitioning, else `rest`'s."""
    options = {key: dict(fields) for key, fields in rest.items()}
    for s, t, o in con.execute("SELECT schema_name, table_name, options FROM _llmops_catalog.ddl_options").fetchall():
        options.setdefault((s, t), {}).update(json.loads(o))
    cols = con.execute(
        "SELECT c.schema_name, c.table_name, c.column_name, c.data_type FROM duckdb_columns() c "
        "JOIN duckdb_tables() t ON t.schema_name = c.schema_name AND t.table_name = c.table_name "
        "AND t.database_name = c.database_name WHERE c.database_name = current_database() "
        "AND NOT t.temporary AND c.schema_name LIKE '%.%' ORDER BY c.schema_name, c.table_name, c.column_index"
    ).fetchall()
    tables: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    for schema, table, column, data_type in cols:
        tables.setdefault((schema, table), {})[column.lower()] = (column, str(data_type))
    parts = []
    for (schema, table), columns in tables.items():
        split = split_schema(schema)
        if split is None:
            continue
        pid = partition_id_sql(options.get((schema, table)) or {}, columns)
        parts.append(
            f"SELECT '{_quote(split[0])}' AS table_catalog, '{_quote(split[1])}' AS table_schema, "
            f"'{_quote(table)}' AS table_name, {pid} AS partition_id, count(*) AS total_rows "
            f"FROM {quote_ident(schema)}.{quote_ident(table)} GROUP BY ALL"
        )
    body = " UNION ALL ".join(parts) or (
        "SELECT NULL::VARCHAR AS table_catalog, NULL::VARCHAR AS table_schema, NULL::VARCHAR AS table_name, "
        "NULL::VARCHAR AS partition_id, 0::BIGINT AS total_rows WHERE false"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {quote_ident(relation)} AS SELECT p.table_catalog, p.table_schema, "
        "p.table_name, p.partition_id, p.total_rows, CAST(NULL AS BIGINT) AS total_logical_bytes, "
        "CAST(NULL AS BIGINT) AS total_billable_bytes, m.created AS last_modified_time, "
        "'ACTIVE' AS storage_tier "
        f"FROM ({body}) p LEFT JOIN _llmops_catalog.tables m "
        "ON m.schema_name = p.table_catalog || '.' || p.table_schema AND m.table_name = p.table_name"
    )


def _quote(text: str) -> str:
    return text.replace("'", "''")


def int64_strings(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` of a tables.insert/patch/update with the partitioning's INT64 values written as the
    tables resource writes them, JSON strings (the Node.js client sends `rangePartitioning.range`
    as numbers); BigQueryInvalid for one that is not an integer."""
    out = dict(fields)
    rng = out.get("rangePartitioning")
    if isinstance(rng, dict) and isinstance(rng.get("range"), dict):
        bounds = {k: _int64(v, f"rangePartitioning.range.{k}") for k, v in rng["range"].items()}
        out["rangePartitioning"] = {**rng, "range": bounds}
    time = out.get("timePartitioning")
    if isinstance(time, dict) and time.get("expirationMs") is not None:
        out["timePartitioning"] = {
            **time,
            "expirationMs": _int64(time["expirationMs"], "timePartitioning.expirationMs"),
        }
    return out


def _int64(value: Any, where: str) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, str)) and not isinstance(value, bool) and re.fullmatch(r"[+-]?\d+", str(value).strip()):
        return str(int(str(value)))
    raise BigQueryInvalid(f"Invalid {where} {value!r}", fix="give an integer")
