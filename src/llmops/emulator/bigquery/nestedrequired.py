"""REQUIRED fields inside RECORDs, enforced on DML statements and load jobs.

DuckDB's STRUCT fields carry no NOT NULL, and a CHECK constraint cannot hold the lambda that
looks inside a REPEATED record's elements, so the nested modes live in the table's field options
(fieldopts.py) and insertAll checks them row by row. A DML statement (INSERT, UPDATE, MERGE) or a
load into a table that has such fields runs in a transaction that is rolled back when, after the
write, a present record leaves one of them NULL (a NULL record itself is fine: its REQUIRED
children bind only when it is present). BigQuery's words: "Required field rec.a cannot be null"
for DML, insertAll's "Missing required field: rec.a." for loads. A table without nested REQUIRED
fields costs one lookup of its field options and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import duckdb

from . import fieldopts
from .googlesql import BigQueryInvalid, duckdb_table, quote_ident

if TYPE_CHECKING:
    from .engine import BigQueryEngine

WRITES = ("INSERT", "UPDATE", "MERGE")
"""The DML statements that can leave a nested REQUIRED field NULL (DELETE cannot)."""

Rules = list[tuple[str, str]]
"""(dotted field path, SQL condition true where a row leaves that field NULL)."""


def rules(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> Rules:
    """The nested REQUIRED fields of a table and the conditions that find rows breaking them;
    empty for a table without any (the common case: one look at its field options)."""
    options = fieldopts.stored(con, project, dataset, table)
    if not fieldopts.required_inside(options):
        return []
    fields = fieldopts.with_nested_modes(engine.column_fields(con, project, dataset, table), options)
    return list(_violations(fields, None, "", 0))


def _violations(fields: list[dict[str, Any]], base: str | None, prefix: str, depth: int) -> Iterator[tuple[str, str]]:
    for f in fields:
        ref = quote_ident(f["name"]) if base is None else f"struct_extract({base}, '{_quoted(f['name'])}')"
        path = prefix + f["name"]
        if base is not None and f.get("mode") == "REQUIRED":
            yield path, f"{ref} IS NULL"
        if f.get("type") != "RECORD" or not _binds(f.get("fields") or []):
            continue
        if f.get("mode") == "REPEATED":
            var = f"__e{depth}"
            for inner, cond in _violations(f["fields"], var, path + ".", depth + 1):
                found = f"list_transform({ref}, lambda {var}: {var} IS NOT NULL AND ({cond}))"
                yield inner, f"coalesce(list_bool_or({found}), false)"
        else:
            for inner, cond in _violations(f["fields"], ref, path + ".", depth + 1):
                yield inner, f"({ref} IS NOT NULL AND {cond})"


def _binds(fields: list[dict[str, Any]]) -> bool:
    """Whether a record's fields hold a REQUIRED field at any depth."""
    return any(f.get("mode") == "REQUIRED" or _binds(f.get("fields") or []) for f in fields)


def _quoted(name: str) -> str:
    return name.replace("'", "''")


def first_missing(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, found: Rules) -> str | None:
    """The path of a nested REQUIRED field some row of the table leaves NULL, or None."""
    cases = " ".join(f"WHEN {cond} THEN '{_quoted(path)}'" for path, cond in found)
    where = " OR ".join(cond for _, cond in found)
    rows = con.execute(
        f"SELECT CASE {cases} END FROM {duckdb_table(project, dataset, table)} WHERE {where} LIMIT 1"
    ).fetchall()
    return rows[0][0] if rows else None


def check_dml(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, found: Rules) -> None:
    """BigQueryInvalid (BigQuery's DML wording) when a row leaves a nested REQUIRED field NULL."""
    path = first_missing(con, project, dataset, table, found)
    if path is not None:
        raise BigQueryInvalid(
            f"Required field {path} cannot be null", fix=f"give {path} a value wherever its record is present"
        )


def check_load(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, found: Rules) -> None:
    """BigQueryInvalid (insertAll's wording, as a load job's errorResult) when a loaded row leaves
    a nested REQUIRED field NULL."""
    path = first_missing(con, project, dataset, table, found)
    if path is not None:
        raise BigQueryInvalid(
            f"Error while reading data, error message: Missing required field: {path}.",
            fix=f"give {path} a value in every row whose record is present",
        )
