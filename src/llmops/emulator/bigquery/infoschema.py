"""INFORMATION_SCHEMA views over what DDL keeps: VIEWS, TABLE_OPTIONS, SCHEMATA_OPTIONS,
COLUMN_FIELD_PATHS, TABLE_CONSTRAINTS, KEY_COLUMN_USAGE, CONSTRAINT_COLUMN_USAGE, ROUTINES,
ROUTINE_OPTIONS and PARAMETERS, with BigQuery's columns; and
JOBS (`jobs_table`) over the emulator's jobs; and the legacy `dataset.__TABLES__` meta-table.

They read the engine's catalog, so they show what SQL DDL (and REST calls that run DDL here:
creating a table or view, changing a view's query) set; fields set only through `tables.patch`
(labels, say) are not in them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import duckdb
import pyarrow as pa

from . import fieldopts
from .catalog import CATALOG
from .googlesql import split_schema

VIEWS = (
    "VIEWS",
    "TABLE_OPTIONS",
    "SCHEMATA_OPTIONS",
    "COLUMN_FIELD_PATHS",
    "TABLE_CONSTRAINTS",
    "KEY_COLUMN_USAGE",
    "CONSTRAINT_COLUMN_USAGE",
    "ROUTINES",
    "ROUTINE_OPTIONS",
    "PARAMETERS",
    "VECTOR_INDEXES",
    "SEARCH_INDEXES",
    "TABLE_STORAGE",
    "__TABLES__",
)
"""The views this module registers."""

Column = tuple[str, str, str, str, int, dict]
"""(project, dataset, table, column, position, BigQuery field), as the engine lists them."""


def register(
    con: duckdb.DuckDBPyConnection,
    wanted: Iterable[str],
    relations: dict[str, str],
    columns: Callable[[], list[Column]],
    type_sql: Callable[[dict], str],
) -> None:
    """Register each wanted view of this module under its relation name."""
    wanted = set(wanted) & set(VIEWS)
    if not wanted:
        return
    options = _ddl_options(con)
    builders: dict[str, Callable[[], pa.Table]] = {
        "VIEWS": lambda: _views(con, options),
        "TABLE_OPTIONS": lambda: _table_options(con, options),
        "SCHEMATA_OPTIONS": lambda: _schemata_options(con),
        "COLUMN_FIELD_PATHS": lambda: _column_field_paths(con, columns(), type_sql),
        "TABLE_CONSTRAINTS": lambda: _table_constraints(options),
        "KEY_COLUMN_USAGE": lambda: _key_column_usage(options),
        "CONSTRAINT_COLUMN_USAGE": lambda: _constraint_column_usage(options),
        "ROUTINES": lambda: _routines(con),
        "ROUTINE_OPTIONS": lambda: _routine_options(con),
        "PARAMETERS": lambda: _parameters(con),
        "__TABLES__": lambda: _meta_tables(con),
        "VECTOR_INDEXES": lambda: _indexes(con, "VECTOR"),
        "SEARCH_INDEXES": lambda: _indexes(con, "SEARCH"),
        "TABLE_STORAGE": lambda: _table_storage(con),
    }
    for name in sorted(wanted):
        con.register(relations[name], builders[name]())


def ddl_parts(
    con: duckdb.DuckDBPyConnection,
) -> tuple[dict[tuple[str, str, str], list[tuple[str, str]]], dict[tuple[str, str, str], str | None]]:
    """For TABLES' ddl (tableddl.py): each table's (option_name, option_value) as TABLE_OPTIONS
    lists them, and each view's query as VIEWS shows it."""
    options = _ddl_options(con)
    listed: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for r in _table_options(con, options).to_pylist():
        listed.setdefault((r["table_catalog"], r["table_schema"], r["table_name"]), []).append(
            (r["option_name"], r["option_value"])
        )
    views = {
        (r["table_catalog"], r["table_schema"], r["table_name"]): r["view_definition"]
        for r in _views(con, options).to_pylist()
    }
    return listed, views


def _table(
    rows: list[tuple], names: tuple[str, ...], ints: tuple[str, ...] = (), string_lists: tuple[str, ...] = ()
) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    types = {n: pa.int64() for n in ints} | {n: pa.list_(pa.string()) for n in string_lists}
    return pa.table({n: pa.array(list(c), type=types.get(n, pa.string())) for n, c in zip(names, columns, strict=True)})


def _ddl_options(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(project, dataset, table) -> the REST fields DDL stored for it, for tables that exist."""
    rows = con.execute(
        f"SELECT o.schema_name, o.table_name, o.options FROM {CATALOG}.ddl_options o "
        "WHERE o.table_name <> '' AND EXISTS (SELECT 1 FROM duckdb_tables() t WHERE t.schema_name = o.schema_name "
        "AND t.table_name = o.table_name UNION ALL SELECT 1 FROM duckdb_views() v "
        "WHERE v.schema_name = o.schema_name AND v.view_name = o.table_name)"
    ).fetchall()
    out = {}
    for schema_name, table, text in rows:
        parts = split_schema(schema_name)
        if parts is not None:
            out[(*parts, table)] = json.loads(text)
    return out


def _views(con: duckdb.DuckDBPyConnection, options: dict[tuple[str, str, str], dict[str, Any]]) -> pa.Table:
    rows = []
    found = con.execute(
        "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary "
        "AND database_name = current_database() ORDER BY schema_name, view_name"
    ).fetchall()
    for schema_name, view in found:
        parts = split_schema(schema_name)
        if parts is None:
            continue
        query = ((options.get((*parts, view)) or {}).get("view") or {}).get("query")
        rows.append((*parts, view, query, None, "YES"))
    names = ("table_catalog", "table_schema", "table_name", "view_definition", "check_option", "use_standard_sql")
    return _table(rows, names)


def _string_literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _table_options(con: duckdb.DuckDBPyConnection, options: dict[tuple[str, str, str], dict[str, Any]]) -> pa.Table:
    """One row per option set, valued as GoogleSQL literals (BigQuery's option_value)."""
    comments = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE comment IS NOT NULL AND comment <> '' "
        "UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views() WHERE NOT internal "
        "AND comment IS NOT NULL AND comment <> ''"
    ).fetchall()
    expires = con.execute(
        f"SELECT schema_name, table_name, strftime(expires AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') "
        f"FROM {CATALOG}.table_features WHERE expires IS NOT NULL AND table_name <> ''"
    ).fetchall()
    by_table: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for schema_name, table, comment in comments:
        parts = split_schema(schema_name)
        if parts is not None:
            by_table.setdefault((*parts, table), []).append(("description", "STRING", _string_literal(comment)))
    for key, fields in options.items():
        found = by_table.setdefault(key, [])
        if fields.get("friendlyName"):
            found.append(("friendly_name", "STRING", _string_literal(fields["friendlyName"])))
        if fields.get("labels"):
            found.append(("labels", "ARRAY<STRUCT<STRING, STRING>>", _labels_literal(fields["labels"])))
        expiration_ms = (fields.get("timePartitioning") or {}).get("expirationMs")
        if expiration_ms:
            days = int(expiration_ms) / 86_400_000
            found.append(("partition_expiration_days", "FLOAT64", f"{days:g}"))
        if fields.get("requirePartitionFilter"):
            found.append(("require_partition_filter", "BOOL", "true"))
    for schema_name, table, at in expires:
        parts = split_schema(schema_name)
        if parts is not None:
            by_table.setdefault((*parts, table), []).append(("expiration_timestamp", "TIMESTAMP", f'TIMESTAMP "{at}"'))
    rows = [(*key, *option) for key, found in sorted(by_table.items()) for option in found]
    names = ("table_catalog", "table_schema", "table_name", "option_name", "option_type", "option_value")
    return _table(rows, names)


def _labels_literal(labels: dict[str, str]) -> str:
    return "[" + ", ".join(f"STRUCT({_string_literal(k)}, {_string_literal(v)})" for k, v in labels.items()) + "]"


def _schemata_options(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """One row per option set on a dataset (description, friendly_name, labels,
    default_table_expiration_days), valued as GoogleSQL literals."""
    from .ddlopts import stored

    found = con.execute(
        f"SELECT d.schema_name, d.labels, d.description, f.default_expiration_ms FROM {CATALOG}.datasets d "
        f"LEFT JOIN {CATALOG}.table_features f ON f.schema_name = d.schema_name AND f.table_name = '' "
        "ORDER BY d.schema_name"
    ).fetchall()
    rows: list[tuple] = []
    for schema_name, labels, description, expiration_ms in found:
        parts = split_schema(schema_name)
        if parts is None:
            continue
        fields = {"description": description, "labels": json.loads(labels or "{}")} | stored(con, *parts)
        if fields.get("description"):
            rows.append((*parts, "description", "STRING", _string_literal(fields["description"])))
        if fields.get("friendlyName"):
            rows.append((*parts, "friendly_name", "STRING", _string_literal(fields["friendlyName"])))
        if fields.get("labels"):
            rows.append((*parts, "labels", "ARRAY<STRUCT<STRING, STRING>>", _labels_literal(fields["labels"])))
        if expiration_ms:
            rows.append((*parts, "default_table_expiration_days", "FLOAT64", repr(expiration_ms / 86_400_000)))
    return _table(rows, ("catalog_name", "schema_name", "option_name", "option_type", "option_value"))


def column_comments(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], str]:
    """(DuckDB schema, table, column) -> the column's description, for the columns that have one."""
    return {
        (schema_name, table, column): comment
        for schema_name, table, column, comment in con.execute(
            "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
            "WHERE comment IS NOT NULL AND comment <> '' AND database_name = current_database()"
        ).fetchall()
    }


def _column_field_paths(
    con: duckdb.DuckDBPyConnection, columns: list[Column], type_sql: Callable[[dict], str]
) -> pa.Table:
    """A row per column and per nested field (`a.b`), with the column's description."""
    comments = column_comments(con)
    rows: list[tuple] = []
    options: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}

    def walk(key: tuple[str, str, str], column: str, path: str, field: dict, description: str | None) -> None:
        if key not in options:
            options[key] = fieldopts.stored(con, *key)
        tags = (options[key].get(path.lower(), {}).get("policyTags") or {}).get("names") or []
        rows.append((*key, column, path, type_sql(field), description, None, None, [str(t) for t in tags]))
        for child in field.get("fields") or [] if field["type"] == "RECORD" else []:
            child_path = f"{path}.{child['name']}"
            nested = options[key].get(child_path.lower(), {}).get(fieldopts.NESTED_DESCRIPTION)
            walk(key, column, child_path, child, nested or child.get("description"))

    from .googlesql import duckdb_schema

    for project, dataset, table, column, _, field in columns:
        description = comments.get((duckdb_schema(project, dataset), table, column))
        walk((project, dataset, table), column, column, field, description)
    names = (
        "table_catalog",
        "table_schema",
        "table_name",
        "column_name",
        "field_path",
        "data_type",
        "description",
        "collation_name",
        "rounding_mode",
        "policy_tags",
    )
    return _table(rows, names, string_lists=("policy_tags",))


def constraint_names(table: str, constraints: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(name, PRIMARY KEY | FOREIGN KEY, foreign key) of a table's keys: the primary key is
    `table.pk$`, a foreign key `table.name` or, unnamed, `table.fk$N`, as BigQuery's views show them."""
    out: list[tuple[str, str, dict[str, Any] | None]] = []
    if (constraints.get("primaryKey") or {}).get("columns"):
        out.append((f"{table}.pk$", "PRIMARY KEY", None))
    for n, key in enumerate(constraints.get("foreignKeys") or [], start=1):
        out.append((f"{table}.{key.get('name') or f'fk${n}'}", "FOREIGN KEY", key))
    return out


def _table_constraints(options: dict[tuple[str, str, str], dict[str, Any]]) -> pa.Table:
    rows = []
    for (project, dataset, table), fields in sorted(options.items()):
        for name, kind, _ in constraint_names(table, fields.get("tableConstraints") or {}):
            rows.append((project, dataset, name, project, dataset, table, kind, "NO", "NO", "NO"))
    names = (
        "constraint_catalog",
        "constraint_schema",
        "constraint_name",
        "table_catalog",
        "table_schema",
        "table_name",
        "constraint_type",
        "is_deferrable",
        "initially_deferred",
        "enforced",
    )
    return _table(rows, names)


def _key_column_usage(options: dict[tuple[str, str, str], dict[str, Any]]) -> pa.Table:
    primary = {
        key: [c.lower() for c in ((f.get("tableConstraints") or {}).get("primaryKey") or {}).get("columns") or []]
        for key, f in options.items()
    }
    rows: list[tuple] = []
    for (project, dataset, table), fields in sorted(options.items()):
        constraints = fields.get("tableConstraints") or {}
        for name, _, foreign in constraint_names(table, constraints):
            head = (project, dataset, name, project, dataset, table)
            if foreign is None:
                for i, column in enumerate(constraints["primaryKey"]["columns"], start=1):
                    rows.append((*head, column, i, None))
                continue
            ref = foreign["referencedTable"]
            keys = primary.get((ref.get("projectId"), ref.get("datasetId"), ref.get("tableId")), [])
            for i, pair in enumerate(foreign["columnReferences"], start=1):
                referenced = pair["referencedColumn"].lower()
                position = keys.index(referenced) + 1 if referenced in keys else None
                rows.append((*head, pair["referencingColumn"], i, position))
    names = (
        "constraint_catalog",
        "constraint_schema",
        "constraint_name",
        "table_catalog",
        "table_schema",
        "table_name",
        "column_name",
        "ordinal_position",
        "position_in_unique_constraint",
    )
    return _table(rows, names, ints=("ordinal_position", "position_in_unique_constraint"))


def _constraint_column_usage(options: dict[tuple[str, str, str], dict[str, Any]]) -> pa.Table:
    """A row per column a key uses: a primary key's own columns, and for a foreign key the
    columns it references, in the referenced table's row (BigQuery's page shows `orders.o_okey`
    used by `orders.pk$` and by `lineitem.lineitem_order`)."""
    rows: list[tuple] = []
    for (project, dataset, table), fields in sorted(options.items()):
        constraints = fields.get("tableConstraints") or {}
        for name, _, foreign in constraint_names(table, constraints):
            if foreign is None:
                for column in constraints["primaryKey"]["columns"]:
                    rows.append((project, dataset, table, column, project, dataset, name))
                continue
            ref = foreign["referencedTable"]
            for pair in foreign["columnReferences"]:
                used = (ref.get("projectId"), ref.get("datasetId"), ref.get("tableId"), pair["referencedColumn"])
                rows.append((*used, project, dataset, name))
    names = (
        "table_catalog",
        "table_schema",
        "table_name",
        "column_name",
        "constraint_catalog",
        "constraint_schema",
        "constraint_name",
    )
    return _table(sorted(rows), names)


_ROUTINE_TYPES = {
    "SCALAR_FUNCTION": "FUNCTION",
    "AGGREGATE_FUNCTION": "AGGREGATE FUNCTION",
    "TABLE_VALUED_FUNCTION": "TABLE FUNCTION",
    "PROCEDURE": "PROCEDURE",
}


def _argument_type(argument: dict[str, Any]) -> str | None:
    from .routines import type_text

    if str(argument.get("argumentKind") or "").upper() == "ANY_TYPE":
        return "ANY TYPE"
    return type_text(argument.get("dataType"))


def _routine_ddl(r: dict[str, Any], name: str) -> str:
    """A CREATE statement for a stored routine (rebuilt from its resource)."""
    from .routines import type_text

    args = ", ".join(
        f"{a['name']} {_argument_type(a)}{' NOT AGGREGATE' if a.get('isAggregate') is False else ''}"
        for a in r.get("arguments") or []
    )
    kind = r.get("routineType")
    body = r.get("definitionBody", "")
    if kind == "PROCEDURE":
        modes = ", ".join(
            f"{(a.get('mode') or 'IN').upper()} {a['name']} {_argument_type(a)}" for a in r.get("arguments") or []
        )
        return f"CREATE PROCEDURE `{name}`({modes})\n{body};"
    returns = type_text(r.get("returnType"))
    prefix = {"TABLE_VALUED_FUNCTION": "TABLE ", "AGGREGATE_FUNCTION": "AGGREGATE "}.get(str(kind), "")
    head = f"CREATE {prefix}FUNCTION `{name}`({args})"
    head += f" RETURNS {returns}" if returns else ""
    if r.get("language") == "JAVASCRIPT":
        return f'{head} LANGUAGE js AS r"""{body}""";'
    return f"{head}\nAS ({body});" if kind != "TABLE_VALUED_FUNCTION" else f"{head}\nAS {body};"


def _routines(con: duckdb.DuckDBPyConnection) -> pa.Table:
    import datetime as dt

    from .routines import every_resource, type_text

    rows = []
    for r in every_resource(con):
        ref = r["routineReference"]
        project, dataset, routine = ref["projectId"], ref["datasetId"], ref["routineId"]
        created = dt.datetime.fromtimestamp(int(r["creationTime"]) / 1000, dt.UTC)
        altered = dt.datetime.fromtimestamp(int(r["lastModifiedTime"]) / 1000, dt.UTC)
        javascript = r.get("language") == "JAVASCRIPT"
        rows.append(
            (
                project,
                dataset,
                routine,
                project,
                dataset,
                routine,
                _ROUTINE_TYPES.get(r.get("routineType", ""), r.get("routineType")),
                type_text(r.get("returnType")),
                "EXTERNAL" if javascript else "SQL",
                r.get("definitionBody"),
                "JAVASCRIPT" if javascript else None,
                None,
                None,
                created,
                altered,
                _routine_ddl(r, f"{project}.{dataset}.{routine}"),
                None,
            )
        )
    names = (
        "specific_catalog",
        "specific_schema",
        "specific_name",
        "routine_catalog",
        "routine_schema",
        "routine_name",
        "routine_type",
        "data_type",
        "routine_body",
        "routine_definition",
        "external_language",
        "is_deterministic",
        "security_type",
        "created",
        "last_altered",
        "ddl",
        "connection",
    )
    times = ("created", "last_altered")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pa.table(
        {
            n: pa.array(list(c), type=pa.timestamp("us", tz="UTC") if n in times else pa.string())
            for n, c in zip(names, columns, strict=True)
        }
    ).rename_columns(list(names))


def _routine_options(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """A row per option set on a routine: its description (JavaScript libraries, the other
    option, are refused when a routine is created)."""
    from .routines import every_resource

    rows: list[tuple] = []
    for r in every_resource(con):
        ref = r["routineReference"]
        key = (ref["projectId"], ref["datasetId"], ref["routineId"])
        if r.get("description"):
            rows.append((*key, "description", "STRING", _string_literal(r["description"])))
    names = ("specific_catalog", "specific_schema", "specific_name", "option_name", "option_type", "option_value")
    return _table(sorted(rows), names)


def _parameters(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """A row per argument (1-based), and one (position 0) for a function's declared result type."""
    from .routines import every_resource, type_text

    rows: list[tuple] = []
    for r in every_resource(con):
        ref = r["routineReference"]
        head = (ref["projectId"], ref["datasetId"], ref["routineId"])
        procedure = r.get("routineType") == "PROCEDURE"
        returns = type_text(r.get("returnType"))
        if returns and not procedure:
            rows.append((*head, 0, None, "YES", None, returns, None, None))
        for i, a in enumerate(r.get("arguments") or [], start=1):
            mode = (a.get("mode") or "IN").upper() if procedure else None
            rows.append((*head, i, mode, "NO", a["name"], _argument_type(a), None, None))
    names = (
        "specific_catalog",
        "specific_schema",
        "specific_name",
        "ordinal_position",
        "parameter_mode",
        "is_result",
        "parameter_name",
        "data_type",
        "parameter_default",
        "is_aggregate",
    )
    return _table(rows, names, ints=("ordinal_position",))


_TABLE_REF = pa.struct([("project_id", pa.string()), ("dataset_id", pa.string()), ("table_id", pa.string())])
_JOB_COLUMNS = [
    ("creation_time", pa.timestamp("us", tz="UTC")),
    ("project_id", pa.string()),
    ("project_number", pa.int64()),
    ("user_email", pa.string()),
    ("job_id", pa.string()),
    ("job_type", pa.string()),
    ("statement_type", pa.string()),
    ("priority", pa.string()),
    ("start_time", pa.timestamp("us", tz="UTC")),
    ("end_time", pa.timestamp("us", tz="UTC")),
    ("query", pa.string()),
    ("state", pa.string()),
    ("reservation_id", pa.string()),
    ("total_bytes_processed", pa.int64()),
    ("total_slot_ms", pa.int64()),
    (
        "error_result",
        pa.struct(
            [("reason", pa.string()), ("location", pa.string()), ("debug_info", pa.string()), ("message", pa.string())]
        ),
    ),
    ("cache_hit", pa.bool_()),
    ("destination_table", _TABLE_REF),
    ("referenced_tables", pa.list_(_TABLE_REF)),
    ("labels", pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))),
    ("parent_job_id", pa.string()),
    ("total_bytes_billed", pa.int64()),
    ("transaction_id", pa.string()),
    ("location", pa.string()),
]


def jobs_table(resources: list[dict[str, Any]]) -> pa.Table:
    """INFORMATION_SCHEMA.JOBS (BigQuery's columns, those the emulator has values for) from job
    resources; newest first."""
    import datetime as dt

    def when(ms: Any) -> dt.datetime | None:
        return dt.datetime.fromtimestamp(int(ms) / 1000, dt.UTC) if ms not in (None, "") else None

    def number(value: Any) -> int | None:
        return int(value) if value not in (None, "") else None

    def ref(r: Any) -> dict[str, Any] | None:
        if not isinstance(r, dict):
            return None
        return {"project_id": r.get("projectId"), "dataset_id": r.get("datasetId"), "table_id": r.get("tableId")}

    rows = []
    for res in reversed(resources):
        reference = res.get("jobReference") or {}
        config = res.get("configuration") or {}
        stats = res.get("statistics") or {}
        query_stats = stats.get("query") or {}
        status = res.get("status") or {}
        kind = str(config.get("jobType") or next((k for k in ("query", "load", "extract", "copy") if k in config), ""))
        query = config.get("query") or {}
        error = status.get("errorResult")
        rows.append(
            {
                "creation_time": when(stats.get("creationTime")),
                "project_id": reference.get("projectId"),
                "project_number": None,
                "user_email": res.get("user_email"),
                "job_id": reference.get("jobId"),
                "job_type": kind.upper() or None,
                "statement_type": query_stats.get("statementType"),
                "priority": query.get("priority") or ("INTERACTIVE" if kind.upper() == "QUERY" else None),
                "start_time": when(stats.get("startTime")),
                "end_time": when(stats.get("endTime")),
                "query": query.get("query"),
                "state": status.get("state"),
                "reservation_id": None,
                "total_bytes_processed": number(
                    stats.get("totalBytesProcessed") or query_stats.get("totalBytesProcessed")
                ),
                "total_slot_ms": number(stats.get("totalSlotMs") or query_stats.get("totalSlotMs")),
                "error_result": {
                    "reason": error.get("reason"),
                    "location": error.get("location"),
                    "debug_info": error.get("debugInfo"),
                    "message": error.get("message"),
                }
                if isinstance(error, dict)
                else None,
                "cache_hit": query_stats.get("cacheHit"),
                "destination_table": ref(
                    query.get("destinationTable") or (config.get("load") or {}).get("destinationTable")
                ),
                "referenced_tables": [ref(t) for t in query_stats.get("referencedTables") or []],
                "labels": [{"key": k, "value": v} for k, v in (config.get("labels") or {}).items()],
                "parent_job_id": stats.get("parentJobId"),
                "total_bytes_billed": number(query_stats.get("totalBytesBilled")),
                "transaction_id": (stats.get("transactionInfo") or {}).get("transactionId"),
                "location": reference.get("location"),
            }
        )
    schema = pa.schema(_JOB_COLUMNS)
    return pa.Table.from_pylist(rows, schema=schema)


def _sizes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int, int | None, int, int]]:
    """(project, dataset, table, kind 1 table | 2 view, created in epoch ms, rows, logical bytes)
    of every table and view, counted now."""
    from . import dryrun
    from .googlesql import duckdb_table

    found = con.execute(
        "SELECT r.schema_name, r.name, r.kind, epoch_ms(m.created) FROM ("
        "SELECT schema_name, table_name AS name, 1 AS kind FROM duckdb_tables() WHERE NOT temporary "
        "AND database_name = current_database() UNION ALL SELECT schema_name, view_name, 2 FROM duckdb_views() "
        "WHERE NOT temporary AND NOT internal AND database_name = current_database()) r "
        "LEFT JOIN _llmops_catalog.tables m ON m.schema_name = r.schema_name AND m.table_name = r.name "
        "ORDER BY r.schema_name, r.name"
    ).fetchall()
    out = []
    for schema_name, name, kind, created in found:
        parts = split_schema(schema_name)
        if parts is None:
            continue
        count = size = 0
        if kind == 1:
            count = con.execute(f"SELECT count(*) FROM {duckdb_table(*parts, name)}").fetchall()[0][0]
            size = dryrun.table_bytes(con, *parts, name)
        out.append((parts[0], parts[1], name, kind, created, count, size))
    return out


def _meta_tables(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """`__TABLES__`: one row per table and view, times in epoch milliseconds, type 1 (table) or 2 (view)."""
    from .googlesql import META_TABLES

    rows = [(p, d, t, created, created, count, size, kind) for p, d, t, kind, created, count, size in _sizes(con)]
    names = META_TABLES["__TABLES__"]
    return _table(rows, names, ints=("creation_time", "last_modified_time", "row_count", "size_bytes", "type"))


_TIME = pa.timestamp("us", tz="UTC")
_TABLE_STORAGE = pa.schema(
    [
        ("project_id", pa.string()),
        ("project_number", pa.int64()),
        ("table_catalog", pa.string()),
        ("table_schema", pa.string()),
        ("table_name", pa.string()),
        ("creation_time", _TIME),
        ("total_rows", pa.int64()),
        ("total_partitions", pa.int64()),
        ("total_logical_bytes", pa.int64()),
        ("active_logical_bytes", pa.int64()),
        ("long_term_logical_bytes", pa.int64()),
        ("current_physical_bytes", pa.int64()),
        ("total_physical_bytes", pa.int64()),
        ("active_physical_bytes", pa.int64()),
        ("long_term_physical_bytes", pa.int64()),
        ("time_travel_physical_bytes", pa.int64()),
        ("storage_last_modified_time", _TIME),
        ("deleted", pa.bool_()),
        ("table_type", pa.string()),
        ("managed_table_type", pa.string()),
        ("fail_safe_physical_bytes", pa.int64()),
        ("last_metadata_index_refresh_time", _TIME),
        ("table_deletion_reason", pa.string()),
        ("table_deletion_time", _TIME),
    ]
)


def _table_storage(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """TABLE_STORAGE: rows and logical bytes of every table (all of it active; the emulator keeps
    no physical, long-term or time-travel storage figures, so those are 0), and a row with
    `deleted` TRUE for each table dropped within the time travel window (restorable)."""
    import datetime as dt

    def when(created: int | None) -> dt.datetime | None:
        return None if created is None else dt.datetime.fromtimestamp(created / 1000, dt.UTC)

    rows = [
        {
            "project_id": p,
            "project_number": None,
            "table_catalog": p,
            "table_schema": d,
            "table_name": t,
            "creation_time": when(created),
            "total_rows": count,
            "total_partitions": None,
            "total_logical_bytes": size,
            "active_logical_bytes": size,
            "long_term_logical_bytes": 0,
            "current_physical_bytes": 0,
            "total_physical_bytes": 0,
            "active_physical_bytes": 0,
            "long_term_physical_bytes": 0,
            "time_travel_physical_bytes": 0,
            "storage_last_modified_time": when(created),
            "deleted": False,
            "table_type": "BASE TABLE",
            "managed_table_type": "NATIVE",
            "fail_safe_physical_bytes": 0,
        }
        for p, d, t, kind, created, count, size in _sizes(con)
        if kind == 1
    ]
    from .history import dropped_tables

    for schema_name, table, created, dropped, reason in dropped_tables(con):
        parts = split_schema(schema_name)
        if parts is None:
            continue
        zero = dict.fromkeys((n for n in _TABLE_STORAGE.names if n.endswith("_bytes")), 0)
        rows.append(
            {
                **zero,
                "project_id": parts[0],
                "table_catalog": parts[0],
                "table_schema": parts[1],
                "table_name": table,
                "creation_time": created,
                "deleted": True,
                "table_type": "BASE TABLE",
                "managed_table_type": "NATIVE",
                "table_deletion_reason": reason,
                "table_deletion_time": dropped,
            }
        )
    return pa.Table.from_pylist(rows, schema=_TABLE_STORAGE)


def _indexes(con: duckdb.DuckDBPyConnection, kind: str) -> pa.Table:
    """VECTOR_INDEXES / SEARCH_INDEXES: every index ACTIVE and covering all rows (searches here are
    exact, so an index is complete at once)."""
    from .indexes import every_index

    rows = []
    for schema_name, table, name, found, _, options, ddl, created in every_index(con):
        parts = split_schema(schema_name)
        if parts is None or found != kind:
            continue
        row: tuple = (*parts, table, name, "ACTIVE", created, created, created, None, None, ddl, 100, 0, None, None)
        if kind == "SEARCH":
            row = (*row, str(options.get("analyzer") or "LOG_ANALYZER").upper())
        rows.append(row)
    names = [
        "index_catalog",
        "index_schema",
        "table_name",
        "index_name",
        "index_status",
        "creation_time",
        "last_modification_time",
        "last_refresh_time",
        "disable_time",
        "disable_reason",
        "ddl",
        "coverage_percentage",
        "unindexed_row_count",
        "total_logical_bytes",
        "total_storage_bytes",
    ]
    if kind == "SEARCH":
        names.append("analyzer")
    types = {
        "creation_time": pa.timestamp("us", tz="UTC"),
        "last_modification_time": pa.timestamp("us", tz="UTC"),
        "last_refresh_time": pa.timestamp("us", tz="UTC"),
        "disable_time": pa.timestamp("us", tz="UTC"),
        "coverage_percentage": pa.int64(),
        "unindexed_row_count": pa.int64(),
        "total_logical_bytes": pa.int64(),
        "total_storage_bytes": pa.int64(),
    }
    schema = pa.schema([(n, types.get(n, pa.string())) for n in names])
    return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows], schema=schema)
