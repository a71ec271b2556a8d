"""Vector and search indexes: `CREATE [OR REPLACE] {VECTOR|SEARCH} INDEX [IF NOT EXISTS] i ON t(...)
[STORING(...)] [OPTIONS(...)]` and `DROP {VECTOR|SEARCH} INDEX [IF EXISTS] i ON t`.

The local warehouse searches exactly (VECTOR_SEARCH compares every row; SEARCH reads every row), so
an index changes no answer: it is kept as metadata, checked as BigQuery checks it, and listed by
INFORMATION_SCHEMA.VECTOR_INDEXES and SEARCH_INDEXES (`infoschema.py`)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp

from .catalog import CATALOG, forget_rows
from .googlesql import BigQueryDuplicate, BigQueryError, BigQueryInvalid, BigQueryNotFound, Statement, duckdb_schema

if TYPE_CHECKING:
    from .engine import BigQueryEngine, QueryResult

_CREATE = re.compile(
    r"^\s*CREATE\s+(?P<replace>OR\s+REPLACE\s+)?(?P<kind>VECTOR|SEARCH)\s+INDEX\s+(?P<ifnot>IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>`?\w+`?)\s+ON\s+(?P<table>[\w.`-]+)\s*\((?P<columns>[^()]*)\)\s*(?P<rest>.*?)\s*;?\s*$",
    re.I | re.S,
)
_DROP = re.compile(
    r"^\s*DROP\s+(?P<kind>VECTOR|SEARCH)\s+INDEX\s+(?P<ifexists>IF\s+EXISTS\s+)?(?P<name>`?\w+`?)\s+ON\s+"
    r"(?P<table>[\w.`-]+)\s*;?\s*$",
    re.I | re.S,
)
_STORING = re.compile(r"^\s*STORING\s*\((?P<columns>[^()]*)\)\s*", re.I | re.S)
_OPTIONS = re.compile(r"^\s*OPTIONS\s*\((?P<body>.*)\)\s*$", re.I | re.S)

STATEMENTS = frozenset({"CREATE_VECTOR_INDEX", "CREATE_SEARCH_INDEX", "DROP_VECTOR_INDEX", "DROP_SEARCH_INDEX"})
VECTOR_OPTIONS = {
    "index_type": ("IVF", "TREE_AH"),
    "distance_type": ("EUCLIDEAN", "COSINE", "DOT_PRODUCT"),
    "ivf_options": None,
    "tree_ah_options": None,
}
SEARCH_OPTIONS = {
    "analyzer": ("LOG_ANALYZER", "NO_OP_ANALYZER", "PATTERN_ANALYZER"),
    "analyzer_options": None,
    "data_types": None,
    "default_index_column_granularity": None,
}


def translate(stmt: exp.Expression, ctx: Any) -> Statement | None:
    """A Statement for a vector or search index statement (sqlglot reads them as commands)."""
    from .tablekinds import _options, _resolve_name

    if not isinstance(stmt, exp.Command) or str(stmt.this).upper() not in ("CREATE", "DROP"):
        return None
    text = f"{str(stmt.this).upper()} {str(stmt.expression).lstrip()}"
    drop = _DROP.match(text)
    if drop:
        kind = drop.group("kind").upper()
        target = _resolve_name(drop.group("table"), ctx)
        dropped = {"name": drop.group("name").strip("`"), "if_exists": bool(drop.group("ifexists"))}
        return Statement(sql="", statement_type=f"DROP_{kind}_INDEX", target=target, tables=(target,), options=dropped)
    m = _CREATE.match(text)
    if not m:
        if re.match(r"^\s*(CREATE|DROP)\s+(OR\s+REPLACE\s+)?(VECTOR|SEARCH)\s+INDEX\b", text, re.I):
            raise BigQueryError(
                "invalid index statement",
                fix="write CREATE VECTOR INDEX i ON dataset.table(column) OPTIONS(index_type = 'IVF') "
                "or DROP VECTOR INDEX i ON dataset.table",
            )
        return None
    kind = m.group("kind").upper()
    target = _resolve_name(m.group("table"), ctx)
    columns = [c.strip().strip("`") for c in m.group("columns").split(",") if c.strip()]
    rest = m.group("rest")
    storing: list[str] = []
    found = _STORING.match(rest)
    if found:
        if kind != "VECTOR":
            raise BigQueryError("STORING is only for vector indexes", fix="drop the STORING clause")
        storing = [c.strip().strip("`") for c in found.group("columns").split(",") if c.strip()]
        rest = rest[found.end() :]
    options: dict[str, Any] = {}
    if rest.strip():
        opts = _OPTIONS.match(rest)
        if not opts:
            raise BigQueryError(f"unexpected text in CREATE {kind} INDEX: {rest.strip()[:60]}", fix="check the syntax")
        options = _options(opts.group("body"), ctx)
    _check_options(kind, options)
    return Statement(
        sql="",
        statement_type=f"CREATE_{kind}_INDEX",
        target=target,
        tables=(target,),
        options={
            "name": m.group("name").strip("`"),
            "columns": columns,
            "storing": storing,
            "index_options": options,
            "replace": bool(m.group("replace")),
            "if_not_exists": bool(m.group("ifnot")),
            "ddl": text.strip().rstrip(";").strip(),
        },
    )


def _check_options(kind: str, options: dict[str, Any]) -> None:
    known = VECTOR_OPTIONS if kind == "VECTOR" else SEARCH_OPTIONS
    for name, value in options.items():
        if name not in known:
            raise BigQueryInvalid(
                f"Invalid {kind.lower()} index option: {name}", fix=f"use one of {', '.join(sorted(known))}"
            )
        allowed = known[name]
        if allowed is not None and str(value).upper() not in allowed:
            raise BigQueryInvalid(
                f"Invalid value for {kind.lower()} index option {name}: {value}", fix=f"use one of {', '.join(allowed)}"
            )
    if kind == "VECTOR" and "index_type" not in options:
        raise BigQueryInvalid(
            "CREATE VECTOR INDEX needs OPTIONS(index_type = 'IVF' or 'TREE_AH')", fix="add index_type to OPTIONS"
        )


# ---------------------------------------------------------------------- catalog and execution


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the indexes table (once per engine, when it opens)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.table_indexes (schema_name VARCHAR, table_name VARCHAR, "
        "index_name VARCHAR, kind VARCHAR, columns JSON, options JSON, ddl VARCHAR, created TIMESTAMPTZ, "
        "PRIMARY KEY (schema_name, table_name, kind))"
    )


def forget(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str | None = None) -> None:
    """A dropped or recreated table (or dropped dataset, `table` None) loses its indexes."""
    forget_rows(con, "table_indexes", project, dataset, table)


def every_index(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, list[str], dict[str, Any], str, Any]]:
    """(schema, table, index, kind, columns, options, ddl, created) of every index."""
    rows = con.execute(
        f"SELECT schema_name, table_name, index_name, kind, columns, options, ddl, created FROM {CATALOG}.table_indexes "
        "ORDER BY schema_name, table_name, kind"
    ).fetchall()
    return [(s, t, i, k, json.loads(c), json.loads(o), d, w) for s, t, i, k, c, o, d, w in rows]


def run(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement, done: QueryResult) -> QueryResult:
    """Create or drop an index (metadata only)."""
    project, dataset, table = stmt.target  # type: ignore[misc]
    o = stmt.options
    kind = "VECTOR" if "VECTOR" in stmt.statement_type else "SEARCH"
    info = engine._table_info(con, project, dataset, table)  # Not found: Table ...
    schema = duckdb_schema(project, dataset)
    have = con.execute(
        f"SELECT index_name FROM {CATALOG}.table_indexes WHERE schema_name = ? AND table_name = ? AND kind = ?",
        [schema, table, kind],
    ).fetchall()
    if stmt.statement_type.startswith("DROP"):
        if not have or have[0][0].lower() != str(o["name"]).lower():
            if o.get("if_exists"):
                return done
            raise BigQueryNotFound(
                f"Not found: Index {o['name']} on table {project}:{dataset}.{table}",
                fix=f"list the table's indexes in INFORMATION_SCHEMA.{kind}_INDEXES",
            )
        con.execute(
            f"DELETE FROM {CATALOG}.table_indexes WHERE schema_name = ? AND table_name = ? AND kind = ?",
            [schema, table, kind],
        )
        return done
    if info["type"] != "TABLE":
        raise BigQueryInvalid(
            f"{kind.capitalize()} indexes are created on tables; {project}:{dataset}.{table} is a {info['type'].lower()}",
            fix="name a table",
        )
    if have:
        if o.get("if_not_exists"):
            return done
        if not o.get("replace"):
            raise BigQueryDuplicate(
                f"Already Exists: {kind.lower()} index {have[0][0]} on table {project}:{dataset}.{table} "
                f"(a table has at most one {kind.lower()} index)",
                fix=f"use CREATE OR REPLACE {kind} INDEX, or drop the index first",
            )
    types = {f["name"].lower(): f for f in info["schema"]}
    columns = list(o["columns"])
    if kind == "VECTOR":
        _check_vector_columns(columns, o["storing"], types)
    elif [c.upper() for c in columns] != ["ALL COLUMNS"]:
        for c in columns:
            if c.lower() not in types:
                raise BigQueryInvalid(f"Column {c} of the search index is not in the table", fix="name table columns")
    con.execute(
        f"INSERT OR REPLACE INTO {CATALOG}.table_indexes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            schema,
            table,
            o["name"],
            kind,
            json.dumps(columns),
            json.dumps(o["index_options"]),
            o["ddl"],
            dt.datetime.now(dt.UTC),
        ],
    )
    return done


def _check_vector_columns(columns: list[str], storing: list[str], types: dict[str, dict[str, Any]]) -> None:
    if len(columns) != 1:
        raise BigQueryInvalid("A vector index is on one column", fix="name one ARRAY<FLOAT64> column")
    field = types.get(columns[0].lower())
    if field is None:
        raise BigQueryInvalid(f"Column {columns[0]} of the vector index is not in the table", fix="name a table column")
    if not (field["type"] in ("FLOAT", "FLOAT64") and field.get("mode") == "REPEATED"):
        raise BigQueryInvalid(
            f"A vector index needs an ARRAY<FLOAT64> column; {columns[0]} is not one", fix="index the embeddings column"
        )
    for c in storing:
        if c.lower() not in types:
            raise BigQueryInvalid(f"STORING column {c} is not in the table", fix="name table columns")
