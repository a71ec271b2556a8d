"""`CREATE [OR REPLACE] TABLE [IF NOT EXISTS] t LIKE source [PARTITION BY ...] [CLUSTER BY ...]
[OPTIONS(...)]`: an empty table with the source's metadata. As BigQuery documents, the new table
takes the source's schema (modes, column descriptions and type parameters), partitioning,
clustering and options; the statement's own clauses replace the source's. `LIKE ... AS SELECT` is
refused by name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb
from sqlglot import exp

from .catalog import CATALOG
from .googlesql import BigQueryError, BigQueryInvalid, Statement, duckdb_schema, duckdb_table

if TYPE_CHECKING:
    from .engine import BigQueryEngine, QueryResult

_SOURCE_FIELDS = (
    "timePartitioning",
    "rangePartitioning",
    "clustering",
    "requirePartitionFilter",
    "labels",
    "friendlyName",
)
"""The source's DDL-kept REST fields a LIKE copies (its description is the table comment)."""


def like_source(stmt: exp.Create) -> exp.Table | None:
    """The source table of a `CREATE TABLE ... LIKE source`, else None."""
    props = stmt.args.get("properties")
    for p in props.expressions if props else []:
        if isinstance(p, exp.LikeProperty) and isinstance(p.this, exp.Table):
            return p.this
    return None


def translate(
    stmt: exp.Create, source: exp.Table, fields: dict[str, Any], needs: Any, options: dict[str, Any], ctx: Any
) -> Statement:
    """The Statement `run` executes; `fields`/`options`: the statement's own DDL fields and
    OPTIONS, `needs`: the columns its partitioning and clustering name (checked on the source's)."""
    from .tablekinds import _expression_sql, _resolve_name

    if stmt.expression is not None:
        raise BigQueryError(
            "CREATE TABLE ... LIKE ... AS SELECT is not supported by the local warehouse",
            fix="create the table with LIKE, then INSERT INTO it ... SELECT",
        )
    if isinstance(stmt.this, exp.Schema):
        raise BigQueryInvalid("CREATE TABLE ... LIKE takes no column list", fix="drop the column list")
    target = _resolve_name(stmt.this.sql("bigquery"), ctx)
    src = _resolve_name(source.sql("bigquery"), ctx)
    extra: dict[str, Any] = {
        "source": src,
        "own_fields": fields,
        "ddl_check": needs,
        "description": options.get("description"),
        "replace": bool(stmt.args.get("replace")),
        "if_not_exists": bool(stmt.args.get("exists")),
    }
    if options.get("expiration_timestamp"):
        extra["expiration_sql"] = _expression_sql(str(options["expiration_timestamp"]), ctx, "expiration_timestamp")
    return Statement(sql="", statement_type="CREATE_TABLE_LIKE", target=target, tables=(target, src), options=extra)


def run(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement, done: QueryResult) -> QueryResult:
    """Create the table from its source's metadata."""
    from . import ddlopts, partitioning
    from .tablekinds import _evaluate, _set, keep_or_replace

    project, dataset, table = stmt.target  # type: ignore[misc]
    o = stmt.options
    engine._require_dataset(con, project, dataset)
    sp, sd, st = o["source"]
    src = engine._table_info(con, sp, sd, st)  # Not found: Table ...
    if src["type"] not in ("TABLE", "SNAPSHOT") and (src.get("features") or {}).get("type") != "SNAPSHOT":
        raise BigQueryInvalid(
            f"{sp}:{sd}.{st} is a {src['type'].lower()}; CREATE TABLE ... LIKE copies a table",
            fix="name a table",
            reason="invalidQuery",
        )
    exists = table in engine._table_names(con, project, dataset)
    if exists and keep_or_replace(con, stmt):
        return done
    inherited = {k: v for k, v in ddlopts.stored(con, sp, sd, st).items() if k in _SOURCE_FIELDS and v is not None}
    own = dict(o["own_fields"])
    if any(k in own for k in ("timePartitioning", "rangePartitioning")):
        inherited.pop("timePartitioning", None)
        inherited.pop("rangePartitioning", None)
    fields = {**inherited, **own}
    if o.get("ddl_check"):
        partitioning.check({**own, "_columns": o["ddl_check"]}, {f["name"]: f["type"] for f in src["schema"]})
    engine._create_table(con, project, dataset, table, src["schema"], replace=exists)
    description = o.get("description") if o.get("description") is not None else src.get("description")
    if description:
        text = str(description).replace("'", "''")
        con.execute(f"COMMENT ON TABLE {duckdb_table(project, dataset, table)} IS '{text}'")
    params = con.execute(
        f"SELECT options FROM {CATALOG}.field_options WHERE schema_name = ? AND table_name = ?",
        [duckdb_schema(sp, sd), st],
    ).fetchall()
    if params:
        con.execute(
            f"INSERT OR REPLACE INTO {CATALOG}.field_options VALUES (?, ?, ?)",
            [duckdb_schema(project, dataset), table, params[0][0]],
        )
    if fields:
        ddlopts.store(con, project, dataset, table, fields)
    if o.get("expiration_sql"):
        _set(con, duckdb_schema(project, dataset), table, expires=_evaluate(con, o["expiration_sql"]))
    return done
