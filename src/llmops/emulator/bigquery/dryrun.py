"""Dry runs and bytes estimates: what a query would read, without running it.

A dry run binds the query (so a missing table or column is the same error the real run gives),
answers its result schema, and estimates `totalBytesProcessed` the way BigQuery prices
on-demand queries: the logical size of the columns the query references in the tables it reads
(INT64, FLOAT64, DATE, DATETIME, TIME, TIMESTAMP 8 bytes, BOOL 1, NUMERIC 16, BIGNUMERIC 32,
INTERVAL 16, STRING and BYTES 2 + their length, NULL 0; JSON, arrays and structs by the length
of their text). Views read 0 bytes here (BigQuery counts the tables behind them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from .googlesql import Script, duckdb_table, duckdb_type_to_field, output_names, quote_ident

_FIXED_BYTES = {
    "INT64": 8,
    "FLOAT64": 8,
    "DATE": 8,
    "DATETIME": 8,
    "TIME": 8,
    "TIMESTAMP": 8,
    "BOOL": 1,
    "NUMERIC": 16,
    "BIGNUMERIC": 32,
    "INTERVAL": 16,
}
MIN_BILLED_BYTES = 10 * 1024 * 1024
"""On-demand queries that read data are billed at least 10 MB, in whole megabytes."""


@dataclass
class DryRun:
    """What a dry run answers: the result schema (SELECT only) and the bytes the query reads."""

    schema: list[dict[str, Any]]
    statement_type: str
    total_bytes: int
    tables: list[tuple[str, str, str]]


def billed_bytes(processed: int) -> int:
    """BigQuery's on-demand billing of `processed` bytes: 0, or at least 10 MB in whole MB."""
    if processed <= 0:
        return 0
    mb = 1024 * 1024
    return max(MIN_BILLED_BYTES, -(-processed // mb) * mb)


def referenced_columns(sql: str) -> tuple[set[str], bool]:
    """Column names (lower case) a GoogleSQL text names, and whether it selects `*`."""
    try:
        parsed = [s for s in sqlglot.parse(sql, read="bigquery") if s is not None]
    except SqlglotError:
        return set(), True
    names: set[str] = set()
    star = False
    for stmt in parsed:
        for col in stmt.find_all(exp.Column):
            if isinstance(col.this, exp.Star):
                star = True
            else:
                names.add(col.name.lower())
                names.update(p.name.lower() for p in col.parts[:-1])  # a struct reached through a.b
        star = star or stmt.find(exp.Star) is not None
        # UPDATE, DELETE and MERGE read every column of the tables they write, as BigQuery bills them
        star = star or isinstance(stmt, (exp.Delete, exp.Update, exp.Merge))
    return names, star


def _table_bytes(
    con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, names: set[str], star: bool
) -> int:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database() ORDER BY column_index",
        [f"{project}.{dataset}", table],
    ).fetchall()
    terms = []
    for name, data_type in rows:
        if not star and name.lower() not in names:
            continue
        field = duckdb_type_to_field(name, data_type)
        col = quote_ident(name)
        if field["mode"] != "REPEATED" and field["type"] in _FIXED_BYTES:
            terms.append(f"count({col}) * {_FIXED_BYTES[field['type']]}")
        elif field["mode"] != "REPEATED" and field["type"] == "BYTES":
            terms.append(f"coalesce(sum(octet_length({col}) + 2), 0)")
        elif field["mode"] != "REPEATED" and field["type"] == "GEOGRAPHY":
            # BigQuery: 16 bytes + 24 per vertex; a vertex is 16 of the WKB's bytes
            terms.append(f"coalesce(sum(16 + 24 * (octet_length(st_aswkb({col})) // 16)), 0)")
        elif field["mode"] != "REPEATED" and field["type"] == "STRING":
            terms.append(f"coalesce(sum(strlen({col}) + 2), 0)")
        else:
            terms.append(f"coalesce(sum(strlen(CAST({col} AS VARCHAR))), 0)")
    if not terms:
        return 0
    sql = f"SELECT {' + '.join(terms)} FROM {duckdb_table(project, dataset, table)}"
    try:
        return int(con.execute(sql).fetchall()[0][0] or 0)
    except duckdb.CatalogException:
        return 0  # dropped since its columns were read (two tables.delete at once): missing now


def table_bytes(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> int:
    """The logical bytes of every column of a base table (0 for a view or a missing table)."""
    return _table_bytes(con, project, dataset, table, set(), True)


def estimate_bytes(
    con: duckdb.DuckDBPyConnection, script: Script, sql: str, table_names: Any
) -> tuple[int, list[tuple[str, str, str]]]:
    """(bytes the script reads, the base tables it reads); `table_names(con, project, dataset)`
    lists a dataset's tables (wildcards match against it)."""
    names, star = referenced_columns(sql)
    seen: list[tuple[str, str, str]] = []
    for stmt in script.statements:
        for project, dataset, table in stmt.tables:
            present = table_names(con, project, dataset)
            matches = (
                [t for t in present if t.startswith(table[:-1])]
                if table.endswith("*")
                else [table] * (table in present)
            )
            for t in matches:
                if (project, dataset, t) not in seen:
                    seen.append((project, dataset, t))
    base = {
        (p, d, t)
        for p, d, t in seen
        if con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
            "AND database_name = current_database()",
            [f"{p}.{d}", t],
        ).fetchall()[0][0]
    }
    total = sum(_table_bytes(con, p, d, t, names, star) for p, d, t in seen if (p, d, t) in base)
    return total, seen


def describe(con: duckdb.DuckDBPyConnection, sql: str, values: Any) -> list[dict[str, Any]]:
    """The result schema of one translated SELECT, bound (names checked) but not run."""
    cur = con.execute(f"DESCRIBE {sql}", values) if values else con.execute(f"DESCRIBE {sql}")
    rows = cur.fetchall()
    names = output_names([r[0] for r in rows])
    return [duckdb_type_to_field(name, row[1]) for name, row in zip(names, rows, strict=True)]
