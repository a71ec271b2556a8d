"""Table snapshots, clones, copies, materialized views and table expiration.

Translation: `CREATE [OR REPLACE] [SNAPSHOT] TABLE t {CLONE|COPY} src [FOR SYSTEM_TIME AS OF e]
[OPTIONS(...)]`, `DROP SNAPSHOT TABLE`, `CREATE MATERIALIZED VIEW` and `FOR SYSTEM_TIME AS OF` on
a table in a query become statements the engine hands back to `run` here.

Catalog: `_llmops_catalog.table_features` holds, per table, its kind (SNAPSHOT, CLONE,
MATERIALIZED_VIEW or NULL), base table, snapshot time, view query and expiration time, and per
dataset (table_name '') its default table expiration. A materialized view is a DuckDB view, so
it is refreshed on every read. Expired tables are dropped when something next touches them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from . import ddlopts, fieldopts, history, iam, indexes, partitioning, rowaccess
from .catalog import CATALOG
from .googlesql import (
    MATERIALIZED,
    BigQueryDuplicate,
    BigQueryError,
    BigQueryInvalid,
    Statement,
    duckdb_schema,
    duckdb_table,
    quote_ident,
)

if TYPE_CHECKING:
    from .engine import BigQueryEngine

STATEMENTS = (
    frozenset({"CREATE_SNAPSHOT_TABLE", "CREATE_TABLE_CLONE", "CREATE_TABLE_COPY", "CREATE_MATERIALIZED_VIEW"})
    | ddlopts.STATEMENTS
    | indexes.STATEMENTS
)
"""Statement types `run` executes."""

INFO_SCHEMA_TYPE = (
    "CASE f.kind WHEN 'SNAPSHOT' THEN 'SNAPSHOT' WHEN 'MATERIALIZED_VIEW' THEN 'MATERIALIZED VIEW' "
    "WHEN 'CLONE' THEN 'CLONE' ELSE r.table_type END"
)
"""INFORMATION_SCHEMA.TABLES.table_type over the relation `r` joined to table_features `f`."""
INFO_SCHEMA_BASE = (
    "regexp_extract(f.base, '^(.*)\\.([^.]*)\\.([^.]*)$', 1) AS base_table_catalog, "
    "regexp_extract(f.base, '^(.*)\\.([^.]*)\\.([^.]*)$', 2) AS base_table_schema, "
    "regexp_extract(f.base, '^(.*)\\.([^.]*)\\.([^.]*)$', 3) AS base_table_name, "
    "CASE WHEN f.kind = 'SNAPSHOT' THEN epoch_ms(f.snapshot_time) END AS snapshot_time_ms"
)
"""INFORMATION_SCHEMA.TABLES' base table and snapshot time columns, from table_features `f`."""

_NAME = r"(?:`[^`]+`|[\w\-:]+)(?:\.(?:`[^`]+`|[\w\-:]+))*"  # `p.d.t`, `p`.`d`.`t` (as dbt writes it), p.d.t
_CLONE = re.compile(
    rf"^\s*CREATE\s+(?P<replace>OR\s+REPLACE\s+)?(?P<snapshot>SNAPSHOT\s+)?TABLE\s+(?P<ifnot>IF\s+NOT\s+EXISTS\s+)?"
    rf"(?P<dest>{_NAME})\s+(?P<op>CLONE|COPY)\s+(?P<src>{_NAME})(?P<rest>.*?)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_AS_OF = re.compile(r"^\s*FOR\s+SYSTEM_TIME\s+AS\s+OF\s+(?P<expr>.*?)\s*(?=\bOPTIONS\s*\(|$)", re.I | re.S)
_OPTIONS = re.compile(r"^\s*OPTIONS\s*\((?P<body>.*)\)\s*$", re.I | re.S)
_DROP_SNAPSHOT = re.compile(r"^\s*DROP\s+SNAPSHOT\s+TABLE\s+(?P<rest>.+?)\s*;?\s*$", re.I | re.S)


NO_SCHEMA_COLUMN = "_llmops_no_schema"
"""The one DuckDB column of a table created without a schema (DuckDB has no zero-column tables);
the tables resource hides it, and the first schema update or load replaces the table."""
NO_SCHEMA_FIELD = {"name": NO_SCHEMA_COLUMN, "type": "BOOL", "mode": "NULLABLE"}


def has_no_schema(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> bool:
    """Whether the table was created without a schema and has had none given since."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? AND column_name = ? "
            "AND database_name = current_database()",
            [duckdb_schema(project, dataset), table, NO_SCHEMA_COLUMN],
        ).fetchall()[0][0]
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------- translation


def _expression_sql(text: str, ctx: Any, what: str) -> str:
    """DuckDB `SELECT <expr>` for a GoogleSQL expression; query parameters are refused."""
    from .googlesql import _translate_statement

    try:
        node = sqlglot.parse_one(f"SELECT {text}", read="bigquery")
    except SqlglotError:
        raise BigQueryError(f"invalid {what} expression: {text}", fix="give a TIMESTAMP expression") from None
    if node.find(exp.Parameter, exp.Placeholder) is not None:
        raise BigQueryError(
            f"query parameters in {what} are not supported by the local warehouse",
            fix="write the timestamp as a literal or an expression of CURRENT_TIMESTAMP()",
        )
    return _translate_statement(cast(exp.Expression, node), ctx).sql


def rewrite_time_travel(table: exp.Table, project: str, dataset: str, name: str, ctx: Any) -> None:
    """Replace `table FOR SYSTEM_TIME AS OF e` by a relation the engine defines per query."""
    version = table.args["version"]
    expr = version.expression
    if expr is None or expr.find(exp.Parameter, exp.Placeholder) is not None:
        raise BigQueryError(
            "query parameters in FOR SYSTEM_TIME AS OF are not supported by the local warehouse",
            fix="write the timestamp as a literal or an expression of CURRENT_TIMESTAMP()",
        )
    at_sql = _expression_sql(expr.sql("bigquery"), ctx, "FOR SYSTEM_TIME AS OF")
    relation = f"__bq_time_travel_{len(ctx.time_travel)}"
    ctx.time_travel.append(history.TimeTravel(relation, project, dataset, name, at_sql))
    alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
    table.set("version", None)
    table.set("catalog", None)
    table.set("db", None)
    table.set("this", exp.to_identifier(relation, quoted=True))
    table.set("alias", alias)


def _resolve_name(text: str, ctx: Any) -> tuple[str, str, str]:
    from .googlesql import _flatten_table_name

    try:
        node = sqlglot.parse_one(f"SELECT * FROM {text}", read="bigquery").find(exp.Table)
    except SqlglotError:
        node = None
    names = _flatten_table_name(node) if node is not None else []
    if len(names) == 3:
        return names[0], names[1], names[2]
    if len(names) == 2:
        return ctx.project, names[0], names[1]
    if len(names) == 1 and ctx.dataset:
        return ctx.project, ctx.dataset, names[0]
    raise BigQueryError(f"invalid table name {text!r}", fix="write it as `project.dataset.table` or `dataset.table`")


def _options(body: str, ctx: Any) -> dict[str, Any]:
    try:
        node = sqlglot.parse_one(f"CREATE TABLE _o._o (x INT64) OPTIONS({body})", read="bigquery")
    except SqlglotError:
        raise BigQueryError(f"invalid OPTIONS({body})", fix="write OPTIONS(name = value, ...)") from None
    out: dict[str, Any] = {}
    props = node.args.get("properties")
    for p in props.expressions if props else []:
        if isinstance(p, exp.Property) and p.args.get("value") is not None:
            val = p.args["value"]
            out[p.name.lower()] = val.name if isinstance(val, exp.Literal) else val.sql("bigquery")
    return out


def translate_ddl(stmt: exp.Expression, ctx: Any) -> Statement | None:
    """A Statement for the table DDL this module runs; None for any other statement."""
    from .googlesql import _translate_statement

    if not (isinstance(stmt, exp.Create) and stmt.args.get("clone") is not None):
        handled = ddlopts.translate(stmt, ctx) or indexes.translate(stmt, ctx)
        if handled is not None:
            return handled
    if isinstance(stmt, exp.Command) and str(stmt.this).upper() == "DROP":
        m = _DROP_SNAPSHOT.match(f"DROP {stmt.expression}")
        if m:
            drop = sqlglot.parse_one(f"DROP TABLE {m.group('rest')}", read="bigquery")
            inner = _translate_statement(cast(exp.Expression, drop), ctx)
            return replace(inner, statement_type="DROP_SNAPSHOT_TABLE")
        return None
    if isinstance(stmt, exp.Command) and str(stmt.this).upper() == "CREATE":
        text = f"CREATE {stmt.expression}"
    elif isinstance(stmt, exp.Create) and stmt.args.get("clone") is not None:
        text = stmt.sql("bigquery")
    elif isinstance(stmt, exp.Create) and str(stmt.kind).upper() == "VIEW" and _is_materialized(stmt):
        return _translate_materialized_view(stmt, ctx)
    elif isinstance(stmt, exp.Drop) and stmt.args.get("materialized"):
        stmt.set("materialized", False)
        return replace(_translate_statement(stmt, ctx), statement_type="DROP_MATERIALIZED_VIEW")
    else:
        return None
    m = _CLONE.match(text)
    if not m:
        return None
    rest = m.group("rest")
    options: dict[str, Any] = {}
    at = _AS_OF.match(rest)
    if at:
        options["at_sql"] = _expression_sql(at.group("expr"), ctx, "FOR SYSTEM_TIME AS OF")
        rest = rest[at.end() :]
    if rest.strip():
        opts = _OPTIONS.match(rest)
        if not opts:
            raise BigQueryError(
                f"unexpected text after the table to clone: {rest.strip()[:60]}", fix="check the syntax"
            )
        options.update(_options(opts.group("body"), ctx))
        options["ddl_fields"] = ddlopts.object_fields(ddlopts.parse_body(opts.group("body"), "TABLE"), "TABLE")
        if options.get("expiration_timestamp"):
            options["expiration_sql"] = _expression_sql(options["expiration_timestamp"], ctx, "expiration_timestamp")
    op = m.group("op").upper()
    kind = "CREATE_SNAPSHOT_TABLE" if m.group("snapshot") else f"CREATE_TABLE_{op}"
    if m.group("snapshot") and op != "CLONE":
        raise BigQueryError("CREATE SNAPSHOT TABLE takes CLONE", fix="write CREATE SNAPSHOT TABLE s CLONE t")
    if op == "COPY" and "at_sql" in options:
        raise BigQueryError("CREATE TABLE ... COPY takes no FOR SYSTEM_TIME AS OF", fix="use CLONE for a past time")
    source = _resolve_name(m.group("src"), ctx)
    target = _resolve_name(m.group("dest"), ctx)
    options.update(source=source, replace=bool(m.group("replace")), if_not_exists=bool(m.group("ifnot")))
    return Statement(sql="", statement_type=kind, target=target, tables=(source,), options=options)


def _is_materialized(stmt: exp.Create) -> bool:
    props = stmt.args.get("properties")
    return bool(props and any(isinstance(p, exp.MaterializedProperty) for p in props.expressions))


def _translate_materialized_view(stmt: exp.Create, ctx: Any) -> Statement:
    from .googlesql import _translate_statement

    query = stmt.expression.sql("bigquery") if stmt.expression is not None else ""
    props = stmt.args["properties"]
    by = next((p for p in props.expressions if isinstance(p, exp.PartitionedByProperty)), None)
    cluster = next((p for p in props.expressions if isinstance(p, exp.ClusterProperty)), None)
    spec = partitioning.spec(
        by.this if by is not None else None, [c.name for c in cluster.expressions] if cluster is not None else []
    )
    drop = (exp.MaterializedProperty, exp.PartitionedByProperty, exp.ClusterProperty)
    keep = [p for p in props.expressions if not isinstance(p, drop)]
    stmt.set("properties", exp.Properties(expressions=keep) if keep else None)
    stmt.meta[MATERIALIZED] = True
    inner = _translate_statement(stmt, ctx)
    fields = {**(inner.options.get("ddl_fields") or {}), **{k: v for k, v in spec.items() if k != "_columns"}}
    options = {**inner.options, "mview_query": query, "ddl_fields": fields, "ddl_check": spec.get("_columns")}
    return replace(inner, statement_type="CREATE_MATERIALIZED_VIEW", options=options)


# ---------------------------------------------------------------------- catalog


def register_row_access_policies(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """INFORMATION_SCHEMA.ROW_ACCESS_POLICIES (BigQuery's columns) over the row access policy catalog."""
    split = "regexp_extract(schema_name, '^(.*)\\.([^.]*)$', {})"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {quote_ident(relation)} AS SELECT {split.format(1)} AS table_catalog, "
        f"{split.format(2)} AS table_schema, table_name, policy_id AS row_access_policy_name, filter_predicate, "
        "created AS creation_time, modified AS last_modified_time "
        f"FROM {CATALOG}.row_access_policies ORDER BY table_schema, table_name, row_access_policy_name"
    )


def register_table_snapshots(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """INFORMATION_SCHEMA.TABLE_SNAPSHOTS (BigQuery's columns): one row per table snapshot, with its
    base table and the time of the base table's data it holds (`snapshotDefinition.snapshotTime`)."""
    split = "regexp_extract(f.schema_name, '^(.*)\\.([^.]*)$', {})"
    base = "regexp_extract(f.base, '^(.*)\\.([^.]*)\\.([^.]*)$', {})"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {quote_ident(relation)} AS SELECT {split.format(1)} AS table_catalog, "
        f"{split.format(2)} AS table_schema, f.table_name, {base.format(1)} AS base_table_catalog, "
        f"{base.format(2)} AS base_table_schema, {base.format(3)} AS base_table_name, "
        f"f.snapshot_time AS snapshot_time FROM {CATALOG}.table_features f JOIN duckdb_tables() t "
        "ON t.schema_name = f.schema_name AND t.table_name = f.table_name AND t.database_name = current_database() "
        "WHERE f.kind = 'SNAPSHOT' ORDER BY table_schema, f.table_name"
    )


def register_partitions(
    con: duckdb.DuckDBPyConnection, relation: str, rest: dict[tuple[str, str], dict[str, Any]]
) -> None:
    """INFORMATION_SCHEMA.PARTITIONS, from the partitioning DDL kept by ddlopts, or else `rest`'s
    (per DuckDB schema and table, the partitioning fields REST set)."""
    from . import partitioning

    partitioning.register_view(con, relation, rest)


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create this module's and history's catalog tables (once per engine, when it opens)."""
    history.ensure_catalog(con)
    rowaccess.ensure_catalog(con)
    iam.ensure_catalog(con)
    fieldopts.ensure_catalog(con)
    ddlopts.ensure_catalog(con)
    indexes.ensure_catalog(con)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.table_features (schema_name VARCHAR, table_name VARCHAR, "
        "kind VARCHAR, base VARCHAR, snapshot_time TIMESTAMPTZ, mview_query VARCHAR, expires TIMESTAMPTZ, "
        "default_expiration_ms BIGINT, PRIMARY KEY (schema_name, table_name))"
    )


def _set(con: duckdb.DuckDBPyConnection, schema: str, table: str, **values: Any) -> None:
    con.execute(
        f"INSERT OR IGNORE INTO {CATALOG}.table_features (schema_name, table_name) VALUES (?, ?)", [schema, table]
    )
    sets = ", ".join(f"{k} = ?" for k in values)
    con.execute(
        f"UPDATE {CATALOG}.table_features SET {sets} WHERE schema_name = ? AND table_name = ?",
        [*values.values(), schema, table],
    )


def _row(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, Any] | None:
    cur = con.execute(
        f"SELECT kind, base, snapshot_time, mview_query, expires, default_expiration_ms FROM {CATALOG}.table_features "
        "WHERE schema_name = ? AND table_name = ?",
        [schema, table],
    )
    rows = cur.fetchall()
    if not rows:
        return None
    names = ("kind", "base", "snapshot_time", "mview_query", "expires", "default_expiration_ms")
    return dict(zip(names, rows[0], strict=True))


def on_created(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> None:
    """A (re)created table: forget what the old one was; start the dataset's default expiration."""
    schema = duckdb_schema(project, dataset)
    con.execute(f"DELETE FROM {CATALOG}.table_features WHERE schema_name = ? AND table_name = ?", [schema, table])
    rowaccess.forget(con, project, dataset, table)
    iam.forget(con, project, dataset, table)
    fieldopts.forget(con, project, dataset, table)
    ddlopts.forget(con, project, dataset, table)
    indexes.forget(con, project, dataset, table)
    default = _row(con, schema, "")
    if default and default["default_expiration_ms"]:
        expires = _now() + dt.timedelta(milliseconds=int(default["default_expiration_ms"]))
        _set(con, schema, table, expires=expires)


def describe(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> dict[str, Any]:
    """What the tables resource shows beyond the engine's info: {type, expires, base, ...}."""
    row = _row(con, duckdb_schema(project, dataset), table)
    out = {k: v for k, v in (row or {}).items() if v is not None and k != "default_expiration_ms"}
    if row and row["kind"] in ("SNAPSHOT", "MATERIALIZED_VIEW"):
        out["type"] = row["kind"]
    options = fieldopts.stored(con, project, dataset, table)
    if options:
        out["field_options"] = options
    ddl = ddlopts.stored(con, project, dataset, table)
    if ddl:
        out["ddl_fields"] = ddl
    return out


def kinds(con: duckdb.DuckDBPyConnection, project: str, dataset: str) -> dict[str, dict[str, Any]]:
    """describe() of every table of a dataset that has features."""
    rows = con.execute(
        f"SELECT table_name FROM {CATALOG}.table_features WHERE schema_name = $s AND table_name <> '' "
        f"UNION SELECT table_name FROM {CATALOG}.ddl_options WHERE schema_name = $s AND table_name <> ''",
        {"s": duckdb_schema(project, dataset)},
    ).fetchall()
    return {t: describe(con, project, dataset, t) for (t,) in rows}


def drop_expired(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, tables: Any) -> None:
    """Drop those of `tables` ((project, dataset, table) or (project, dataset, None) for all of a
    dataset's) whose expiration time has passed, as BigQuery deletes expired tables."""
    if not tables or not _expired(con, tables):
        return
    with engine.changing():
        _drop(engine, con, _expired(con, tables))  # again: another thread may have dropped them meanwhile


def _expired(con: duckdb.DuckDBPyConnection, tables: Any) -> list[tuple[str, str]]:
    expired = con.execute(
        f"SELECT schema_name, table_name FROM {CATALOG}.table_features WHERE table_name <> '' AND expires <= ?",
        [_now()],
    ).fetchall()
    wanted = {(duckdb_schema(p, d), t) for p, d, t in tables}
    return [(s, n) for s, n in expired if (s, n) in wanted or (s, None) in wanted]


def _drop(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, expired: list[tuple[str, str]]) -> None:
    for schema, name in expired:
        project, dataset = schema.rsplit(".", 1)
        is_view = con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE schema_name = ? AND view_name = ?", [schema, name]
        ).fetchall()[0][0]
        if not is_view:
            fields = engine.column_fields(con, project, dataset, name)
            history.before_drop(con, project, dataset, name, fields, "TABLE_EXPIRATION")
        con.execute(f"DROP {'VIEW' if is_view else 'TABLE'} IF EXISTS {duckdb_table(project, dataset, name)}")
        forget(con, project, dataset, name)


def forget(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> None:
    """A dropped table: its catalog rows (its history stays for a restore, `history.before_drop`)."""
    schema = duckdb_schema(project, dataset)
    con.execute(f"DELETE FROM {CATALOG}.table_features WHERE schema_name = ? AND table_name = ?", [schema, table])
    con.execute(f"DELETE FROM {CATALOG}.tables WHERE schema_name = ? AND table_name = ?", [schema, table])
    rowaccess.forget(con, project, dataset, table)
    iam.forget(con, project, dataset, table)
    fieldopts.forget(con, project, dataset, table)
    ddlopts.forget(con, project, dataset, table)
    indexes.forget(con, project, dataset, table)


def forget_dataset(con: duckdb.DuckDBPyConnection, project: str, dataset: str) -> None:
    """A dropped dataset: its tables' catalog rows and its default expiration (the tables' history
    stays for a restore into a dataset of the same name, `history.before_drop`)."""
    con.execute(f"DELETE FROM {CATALOG}.table_features WHERE schema_name = ?", [duckdb_schema(project, dataset)])
    rowaccess.forget(con, project, dataset)
    iam.forget(con, project, dataset)
    fieldopts.forget(con, project, dataset)
    ddlopts.forget(con, project, dataset)
    indexes.forget(con, project, dataset)


def before_dataset_drop(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, project: str, dataset: str) -> None:
    """Keep each table of a dataset about to be dropped, restorable as a dropped table is."""
    for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND database_name = current_database()",
        [duckdb_schema(project, dataset)],
    ).fetchall():
        fields = engine.column_fields(con, project, dataset, name)
        history.before_drop(con, project, dataset, name, fields, "DATASET_DELETION")


def parse_ms(value: Any, field: str, minimum: int = 0) -> int | None:
    """A REST int64 milliseconds field (None when unset); BigQueryInvalid naming a bad one."""
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = None
    if n is None or isinstance(value, bool) or n < minimum:
        raise BigQueryInvalid(
            f"Invalid value for {field}: {value!r}",
            fix=f"give an integer number of milliseconds (at least {minimum})",
        )
    return n


def set_expiration(engine: BigQueryEngine, project: str, dataset: str, table: str, expires_ms: Any) -> None:
    """Set (or clear, with None) a table's expirationTime (milliseconds since the epoch)."""
    n = parse_ms(expires_ms, "expirationTime")
    expires = None if n is None else dt.datetime.fromtimestamp(n / 1000, dt.UTC)
    with engine.connection() as con:
        _set(con, duckdb_schema(project, dataset), table, expires=expires)


def set_default_expiration(engine: BigQueryEngine, project: str, dataset: str, ms: Any) -> None:
    """Set (or clear) a dataset's defaultTableExpirationMs; tables created later get it."""
    value = parse_ms(ms, "defaultTableExpirationMs", 3_600_000)
    with engine.connection() as con:
        _set(con, duckdb_schema(project, dataset), "", default_expiration_ms=value)


# ---------------------------------------------------------------------- execution


def _evaluate(con: duckdb.DuckDBPyConnection, sql: str) -> dt.datetime:
    return history.timestamp(con, sql)


_IF_NOT_EXISTS = re.compile(r"^\s*CREATE\s+(?:TEMP\w*\s+)?(?:TABLE|VIEW)\s+IF\s+NOT\s+EXISTS\b", re.I)
_KEPT: set[tuple[int, tuple[str, str, str]]] = set()
"""(connection, table) of a CREATE ... IF NOT EXISTS that found its table, which it leaves as it was."""


def kept(con: duckdb.DuckDBPyConnection, stmt: Statement) -> bool:
    """Whether this CREATE ... IF NOT EXISTS found its table (so nothing about the table changes)."""
    return (id(con), stmt.target) in _KEPT


def before_statement(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement) -> None:
    """Refuse changes to a snapshot; keep the table's version before a change (time travel)."""
    project, dataset, table = stmt.target  # type: ignore[misc]
    kind = stmt.statement_type
    if kind.startswith(("CREATE_TABLE", "CREATE_VIEW")) and _IF_NOT_EXISTS.match(stmt.sql):
        if table in engine._table_names(con, project, dataset):
            _KEPT.add((id(con), (project, dataset, table)))
    if kind in history.CHANGING and not kind.startswith("CREATE"):
        check_writable(con, project, dataset, table, reason="invalidQuery")
    if kind in history.CHANGING and (not kind.startswith("CREATE") or stmt.options.get("replace") or _replaces(stmt)):
        history.before_change(con, project, dataset, table)
    if kind in ("DROP_TABLE", "DROP_SNAPSHOT_TABLE"):
        history.before_drop(con, project, dataset, table, engine.column_fields(con, project, dataset, table))


def check_writable(
    con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, *, reason: str = "invalid"
) -> None:
    """Refuse writes to a table snapshot (BigQuery's snapshots are read-only) or a materialized view."""
    row = _row(con, duckdb_schema(project, dataset), table)
    if row and row["kind"] == "MATERIALIZED_VIEW":
        raise BigQueryInvalid(
            f"Cannot modify materialized view {project}:{dataset}.{table}: it is computed from its query",
            fix="change the tables it reads; it shows their current rows",
            reason=reason,
        )
    if row and row["kind"] == "SNAPSHOT":
        raise BigQueryInvalid(
            f"Table snapshot {project}:{dataset}.{table} cannot be modified: table snapshots are read-only",
            fix="clone it (CREATE TABLE c CLONE snapshot) and change the clone",
            reason=reason,
        )


def _replaces(stmt: Statement) -> bool:
    return bool(re.match(r"\s*CREATE\s+OR\s+REPLACE\b", stmt.sql, re.I))


def after_statement(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement) -> None:
    """Forget dropped tables; apply OPTIONS(expiration_timestamp=..., description=...) of a CREATE."""
    project, dataset, table = stmt.target  # type: ignore[misc]
    if stmt.statement_type.startswith("DROP_"):
        forget(con, project, dataset, table)
        return
    key = (id(con), (project, dataset, table))
    if key in _KEPT:
        _KEPT.discard(key)
        return
    if stmt.statement_type.startswith("CREATE_TABLE"):
        ddlopts.after_create(engine, con, stmt)
    if stmt.statement_type == "ALTER_TABLE":
        ddlopts.after_alter(con, stmt)
    if stmt.statement_type == "CREATE_VIEW":
        _keep_options(con, stmt)
    elif stmt.statement_type.startswith("CREATE_TABLE") and stmt.options.get("description"):
        text = str(stmt.options["description"]).replace("'", "''")
        con.execute(f"COMMENT ON TABLE {duckdb_table(project, dataset, table)} IS '{text}'")
    if stmt.statement_type.startswith("CREATE") and stmt.options.get("expiration_timestamp"):
        from .googlesql import translate

        sql = translate(f"SELECT {stmt.options['expiration_timestamp']}").statements[0].sql
        _set(con, duckdb_schema(project, dataset), table, expires=_evaluate(con, sql))


def _keep_options(con: duckdb.DuckDBPyConnection, stmt: Statement) -> None:
    """Keep what the OPTIONS of a CREATE VIEW, MATERIALIZED VIEW, SNAPSHOT TABLE, or a clone or
    copy set (description, friendly_name, labels, refresh settings); a replaced object keeps none
    of its own."""
    project, dataset, table = stmt.target  # type: ignore[misc]
    ddlopts.forget(con, project, dataset, table)
    fields = dict(stmt.options.get("ddl_fields") or {})
    if stmt.statement_type == "CREATE_VIEW" and stmt.options.get("view_query"):
        fields["view"] = {"query": stmt.options["view_query"], "useLegacySql": False}
    description = fields.pop("description", None)
    if fields:
        ddlopts.store(con, project, dataset, table, fields)
    if description:
        kind = "TABLE" if stmt.statement_type.startswith(("CREATE_TABLE", "CREATE_SNAPSHOT")) else "VIEW"
        text = str(description).replace("'", "''")
        con.execute(f"COMMENT ON {kind} {duckdb_table(project, dataset, table)} IS '{text}'")


def run(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement) -> Any:
    """Execute a snapshot, clone, copy or materialized-view statement."""
    from .engine import EMPTY, QueryResult

    if stmt.statement_type in ddlopts.STATEMENTS:
        return ddlopts.run(engine, con, stmt)
    if stmt.statement_type in indexes.STATEMENTS:
        return indexes.run(
            engine,
            con,
            stmt,
            QueryResult(table=EMPTY, schema=[], statement_type=stmt.statement_type, target=stmt.target),
        )
    project, dataset, table = stmt.target  # type: ignore[misc]
    schema = duckdb_schema(project, dataset)
    engine._require_dataset(con, project, dataset)
    exists = table in engine._table_names(con, project, dataset)
    o = stmt.options
    reported = "CREATE_TABLE" if stmt.statement_type.startswith("CREATE_TABLE_") else stmt.statement_type
    done = QueryResult(table=EMPTY, schema=[], statement_type=reported, target=stmt.target)
    if stmt.statement_type == "CREATE_MATERIALIZED_VIEW":
        if exists and not _replaces(stmt):
            raise BigQueryDuplicate(
                f"Already Exists: Table {project}:{dataset}.{table}", fix="use CREATE OR REPLACE MATERIALIZED VIEW"
            )
        con.execute(stmt.sql)
        engine._record_table(con, project, dataset, table)
        _set(con, schema, table, kind="MATERIALIZED_VIEW", mview_query=o.get("view_query") or o.get("mview_query"))
        if o.get("ddl_check"):  # PARTITION BY / CLUSTER BY: the view's columns are known only now
            info = engine._table_info(con, project, dataset, table)
            try:
                partitioning.check(
                    {**o["ddl_fields"], "_columns": o["ddl_check"]}, {f["name"]: f["type"] for f in info["schema"]}
                )
            except BigQueryError:
                con.execute(f"DROP VIEW IF EXISTS {duckdb_table(project, dataset, table)}")
                forget(con, project, dataset, table)
                raise
        _keep_options(con, stmt)
        return done
    sp, sd, st = o["source"]
    src = engine._table_info(con, sp, sd, st)
    if src["type"] != "TABLE":
        raise BigQueryInvalid(
            f"{sp}:{sd}.{st} is a {src['type'].lower()}; only tables can be cloned, copied or snapshotted",
            fix="name a table",
            reason="invalidQuery",
        )
    if exists and keep_or_replace(con, stmt):
        return done
    at = _evaluate(con, o["at_sql"]) if o.get("at_sql") else _now()
    source = history.resolve(con, sp, sd, st, at) if o.get("at_sql") else duckdb_table(sp, sd, st)
    engine._create_table(con, project, dataset, table, src["schema"], replace=exists)
    cols = ", ".join(quote_ident(f["name"]) for f in src["schema"])
    con.execute(f"INSERT INTO {duckdb_table(project, dataset, table)} ({cols}) SELECT {cols} FROM {source}")
    base = f"{sp}.{sd}.{st}"
    if stmt.statement_type == "CREATE_SNAPSHOT_TABLE":
        _set(con, schema, table, kind="SNAPSHOT", base=base, snapshot_time=at)
    elif stmt.statement_type == "CREATE_TABLE_CLONE":
        _set(con, schema, table, kind="CLONE", base=base, snapshot_time=at)
    if o.get("expiration_sql"):
        _set(con, schema, table, expires=_evaluate(con, o["expiration_sql"]))
    _keep_options(con, stmt)
    return done


def keep_or_replace(con: duckdb.DuckDBPyConnection, stmt: Statement) -> bool:
    """For a CREATE whose table exists: True when IF NOT EXISTS keeps it; else, with OR REPLACE,
    its version is kept for time travel before it is replaced; else BigQuery's Already Exists."""
    project, dataset, table = stmt.target  # type: ignore[misc]
    if stmt.options.get("if_not_exists"):
        return True
    if not stmt.options.get("replace"):
        raise BigQueryDuplicate(
            f"Already Exists: Table {project}:{dataset}.{table}", fix="use CREATE OR REPLACE or another name"
        )
    history.before_change(con, project, dataset, table)
    return False


def copy_job_sql(operation: str, source: str, destination: str, write_disposition: str, expires: Any) -> str:
    """The DDL a copy job with operationType SNAPSHOT, CLONE or RESTORE runs."""
    replace_ = "OR REPLACE " if write_disposition == "WRITE_TRUNCATE" else ""
    options = ""
    if expires not in (None, ""):
        text = str(expires)
        try:
            at = dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if not text.isdigit() else None
        except ValueError:
            raise BigQueryInvalid(
                f"Invalid destinationExpirationTime {text!r}", fix="give an RFC 3339 timestamp"
            ) from None
        at = at or dt.datetime.fromtimestamp(int(text) / 1000, dt.UTC)
        options = f" OPTIONS(expiration_timestamp = TIMESTAMP '{at.isoformat(sep=' ')}')"
    if operation == "SNAPSHOT":
        return f"CREATE {replace_}SNAPSHOT TABLE {destination} CLONE {source}{options}"
    verb = "COPY" if operation == "RESTORE" else "CLONE"
    return f"CREATE {replace_}TABLE {destination} {verb} {source}{options}"
