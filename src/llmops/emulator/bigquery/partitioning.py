"""DDL `PARTITION BY` and `CLUSTER BY` as the tables resource's `timePartitioning`,
`rangePartitioning` and `clustering`: checked as BigQuery checks them, kept, not applied (the
local warehouse scans whole tables; partition pruning changes no result)."""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from .googlesql import BigQueryInvalid

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
