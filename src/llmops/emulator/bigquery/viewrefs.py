"""The table, view or routine a view names that was dropped after the view was created.

A view keeps its translated SQL, so DuckDB fails only when the view is read, naming the bare
object (`Table with name t does not exist!`); BigQuery names it in full. This module finds it
among the views a statement reads, and the views those read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .googlesql import (
    LIST_TABLES_FIX,
    BigQueryError,
    BigQueryNotFound,
    bq_name,
    dataset_not_found,
    duckdb_schema,
    split_schema,
)

if TYPE_CHECKING:
    import duckdb

_MISSING = re.compile(r"^(?:(Scalar|Aggregate|Table) Function|Table) with name (\S+) does not exist")
"""DuckDB's error for a dropped routine (group 1 set) or table or view (group 1 unset)."""
_NO_SCHEMA = re.compile(r'does not exist because schema "((?:[^"]|"")+)" does not exist')
"""DuckDB's error for a table of a dropped dataset."""

_REFERENCE = re.compile(r'"((?:[^"]|"")+)"\.(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_]*))(\s*\()?')
"""A dataset-qualified name in a view's SQL (`"p.d".t`, `"p.d"."T"`), and `(` when it is a call."""

_VIEW_SQL = (
    "SELECT sql FROM duckdb_views() WHERE schema_name = ? AND lower(view_name) = lower(?) AND NOT internal "
    "AND database_name = current_database()"
)
_RELATION = (
    "SELECT count(*) FROM (SELECT table_name AS n FROM duckdb_tables() WHERE schema_name = $1 "
    "AND database_name = current_database() UNION ALL SELECT view_name FROM duckdb_views() "
    "WHERE schema_name = $1 AND NOT internal AND database_name = current_database()) WHERE lower(n) = lower($2)"
)
_ROUTINE = "SELECT count(*) FROM duckdb_functions() WHERE schema_name = ? AND lower(function_name) = lower(?)"


def missing_error(
    con: duckdb.DuckDBPyConnection, first_line: str, tables: Iterable[tuple[str, str, str]]
) -> BigQueryError | None:
    """BigQuery's error for DuckDB's `first_line` when it is about an object that a view among
    `tables` (a statement's tables) names and that no longer exists; None otherwise."""
    gone = _NO_SCHEMA.search(first_line)
    if gone:
        # only a dataset a view names: `SAFE.HLL_COUNT.EXTRACT(...)` reads as schema SAFE.HLL_COUNT too
        where = split_schema(gone.group(1).replace('""', '"'))
        if where is not None and _names_dataset(con, tables, duckdb_schema(*where)):
            return dataset_not_found(*where)
        return None
    m = _MISSING.search(first_line)
    if not m:
        return None
    name = m.group(2).strip('"!')
    found = _find(con, tables, name, routine=m.group(1) is not None)
    if found is None:
        return None
    (project, dataset, missing), view = found
    if m.group(1):
        return BigQueryError(
            f"Function not found: {dataset}.{missing}",
            fix=f"the view `{view}` calls it: create the function again, or replace the view",
        )
    return BigQueryNotFound(
        f"Not found: Table {project}:{dataset}.{missing} (read by the view `{view}`)",
        fix=LIST_TABLES_FIX.format(project=project, dataset=dataset),
    )


def _find(
    con: duckdb.DuckDBPyConnection, tables: Iterable[tuple[str, str, str]], name: str, *, routine: bool
) -> tuple[tuple[str, str, str], str] | None:
    """The missing (project, dataset, name) and the view that names it."""
    todo = list(tables)
    seen: set[tuple[str, str, str]] = set()
    while todo:
        project, dataset, table = todo.pop()
        key = (project, dataset, table.lower())
        if key in seen:
            continue
        seen.add(key)
        rows = con.execute(_VIEW_SQL, [duckdb_schema(project, dataset), table]).fetchall()
        if not rows:
            continue
        view = bq_name(project, dataset, table)
        for ref in _REFERENCE.finditer(rows[0][0]):
            where = split_schema(ref.group(1).replace('""', '"'))
            if where is None:
                continue
            obj = ref.group(2).replace('""', '"') if ref.group(2) is not None else ref.group(3)
            schema = duckdb_schema(*where)
            if ref.group(4) is not None:
                if routine and obj.lower() == name.lower() and not _exists(con, _ROUTINE, schema, obj):
                    return (*where, obj), view
            elif not _exists(con, _RELATION, schema, obj):
                if not routine and obj.lower() == name.lower():
                    return (*where, obj), view
            else:
                todo.append((*where, obj))
    return None


def _exists(con: duckdb.DuckDBPyConnection, query: str, schema: str, name: str) -> bool:
    return bool(con.execute(query, [schema, name]).fetchall()[0][0])


def _names_dataset(con: duckdb.DuckDBPyConnection, tables: Iterable[tuple[str, str, str]], schema: str) -> bool:
    """Whether a view among `tables` (or a view they read) names an object of `schema`."""
    todo = list(tables)
    seen: set[tuple[str, str, str]] = set()
    while todo:
        project, dataset, table = todo.pop()
        if (project, dataset, table.lower()) in seen:
            continue
        seen.add((project, dataset, table.lower()))
        rows = con.execute(_VIEW_SQL, [duckdb_schema(project, dataset), table]).fetchall()
        for ref in _REFERENCE.finditer(rows[0][0] if rows else ""):
            named = ref.group(1).replace('""', '"')
            if named == schema:
                return True
            where = split_schema(named)
            if where is not None and ref.group(4) is None:
                todo.append((*where, ref.group(2).replace('""', '"') if ref.group(2) is not None else ref.group(3)))
    return False
