"""Table, view and dataset options set by DDL, shown by the tables and datasets resources.

Translation: `CREATE TABLE ... PARTITION BY ... CLUSTER BY ... OPTIONS(...)` (its BigQuery-only
parts), `ALTER {TABLE|VIEW|MATERIALIZED VIEW|SCHEMA} ... SET OPTIONS(...)`, `ALTER TABLE ...
ALTER COLUMN c SET OPTIONS(description = ...)` and `ALTER TABLE ... RENAME TO t`; a CREATE TABLE's
column defaults, type parameters and NOT NULL fields inside STRUCTs become field options
(fieldopts.py).

Catalog: `_llmops_catalog.ddl_options` holds, per table (per dataset with table_name ''), the REST
fields the DDL set (`labels`, `friendlyName`, `description`, `timePartitioning`, ...; a null
value hides the field). The resources apply them over what REST calls stored, and a REST update
of a field forgets the DDL's value of it, so the later change wins either way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from . import constraints, fieldopts, history, partitioning, tablelike, typeparams
from .catalog import CATALOG, forget_rows
from .googlesql import (
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

REPORTED = {
    "ALTER_TABLE_SET_OPTIONS": "ALTER_TABLE",
    "ALTER_VIEW_SET_OPTIONS": "ALTER_VIEW",
    "ALTER_MATERIALIZED_VIEW_SET_OPTIONS": "ALTER_MATERIALIZED_VIEW",
    "ALTER_SCHEMA_SET_OPTIONS": "ALTER_SCHEMA",
    "ALTER_COLUMN_SET_OPTIONS": "ALTER_TABLE",
    "ALTER_TABLE_RENAME": "ALTER_TABLE",
    "ALTER_TABLE_CONSTRAINTS": "ALTER_TABLE",
    "CREATE_TABLE_LIKE": "CREATE_TABLE",
}
"""Statement types `run` executes -> the statementType BigQuery reports for them."""
STATEMENTS = frozenset(REPORTED)


def reported(statement_type: str) -> str:
    """The statementType a job shows for a statement (this module's own types are internal)."""
    return REPORTED.get(statement_type, statement_type)


_MARK = "llmops:ddlopts"

_COMMON = {"description", "friendly_name", "labels", "expiration_timestamp", "tags"}
KNOWN_OPTIONS = {
    "TABLE": _COMMON
    | {
        "partition_expiration_days",
        "require_partition_filter",
        "kms_key_name",
        "default_rounding_mode",
        "enable_change_history",
        "max_staleness",
        "enable_fine_grained_mutations",
        "storage_uri",
        "file_format",
        "table_format",
    },
    "VIEW": _COMMON | {"privacy_policy"},
    "MATERIALIZED VIEW": _COMMON
    | {
        "enable_refresh",
        "refresh_interval_minutes",
        "max_staleness",
        "allow_non_incremental_definition",
        "kms_key_name",
    },
    "SCHEMA": {
        "description",
        "friendly_name",
        "labels",
        "tags",
        "default_table_expiration_days",
        "default_partition_expiration_days",
        "default_kms_key_name",
        "default_rounding_mode",
        "is_case_insensitive",
        "max_time_travel_hours",
        "storage_billing_model",
        "location",
    },
    "COLUMN": {"description", "rounding_mode", "data_policies"},
}
"""The options BigQuery takes per object; those not mapped to a REST field are accepted and kept out."""
_REST_NAMES = {"description": "description", "friendly_name": "friendlyName", "labels": "labels"}
_LABEL = re.compile(r"^[\w-]{0,63}$")
_ALTER_COMMAND = re.compile(
    r"^\s*(?P<kind>MATERIALIZED\s+VIEW|SCHEMA|TABLE|VIEW)\s+(?P<exists>IF\s+EXISTS\s+)?"
    r"(?P<name>(?:`[^`]+`|[\w\-:]+)(?:\.(?:`[^`]+`|[\w\-:]+))*)\s+"
    r"(?P<rest>.*?)\s*;?\s*$",
    re.I | re.S,
)
_COLUMN_OPTIONS = re.compile(
    r"^ALTER\s+COLUMN\s+(?P<ifexists>IF\s+EXISTS\s+)?(?P<col>`[^`]+`|\w+)\s+SET\s+OPTIONS\s*\((?P<body>.*)\)$",
    re.I | re.S,
)
_SET_OPTIONS = re.compile(r"^SET\s+OPTIONS\s*\((?P<body>.*)\)$", re.I | re.S)


# ---------------------------------------------------------------------- values


def _value(node: exp.Expression) -> Any:
    """A literal OPTIONS value as Python; any other expression as its GoogleSQL text."""
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.name
        text = node.name
        return float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return -_value(node.this)
    if isinstance(node, exp.Array):
        return [_value(e) for e in node.expressions]
    if isinstance(node, (exp.Tuple, exp.Struct)):
        return tuple(_value(e) for e in node.expressions)
    return node.sql("bigquery")


def parse_options(props: list[exp.Expression], kind: str) -> dict[str, Any]:
    """OPTIONS(name = value, ...) as {name: value}; BigQueryInvalid naming an option `kind` lacks."""
    out: dict[str, Any] = {}
    for p in props:
        if not isinstance(p, exp.Property) or p.args.get("value") is None:
            continue
        name = p.name.lower()
        if name not in KNOWN_OPTIONS[kind]:
            raise BigQueryInvalid(
                f"Invalid {kind.lower()} option: {name}",
                fix=f"use one of {', '.join(sorted(KNOWN_OPTIONS[kind]))}",
                reason="invalidQuery",
            )
        value = _value(p.args["value"])
        if name == "expiration_timestamp" and value is not None:
            value = p.args["value"].sql("bigquery")  # an expression, evaluated when the statement runs
        wanted = _OPTION_TYPES.get(name)
        if value is not None and wanted is not None and not _is(value, wanted):
            raise BigQueryInvalid(
                f"{kind.lower().capitalize()} option {name} must be a {wanted}, not {p.args['value'].sql('bigquery')}",
                fix=f"write {name} = <{wanted}>",
                reason="invalidQuery",
            )
        out[name] = value
    return out


_OPTION_TYPES = {
    "require_partition_filter": "BOOL",
    "enable_refresh": "BOOL",
    "allow_non_incremental_definition": "BOOL",
    "is_case_insensitive": "BOOL",
    "enable_change_history": "BOOL",
    "enable_fine_grained_mutations": "BOOL",
    "partition_expiration_days": "FLOAT64",
    "default_table_expiration_days": "FLOAT64",
    "default_partition_expiration_days": "FLOAT64",
    "refresh_interval_minutes": "FLOAT64",
    "max_time_travel_hours": "INT64",
}


def _is(value: Any, wanted: str) -> bool:
    if wanted == "BOOL":
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return wanted == "FLOAT64" or isinstance(value, int)


def parse_body(body: str, kind: str) -> dict[str, Any]:
    try:
        node = sqlglot.parse_one(f"CREATE TABLE _o._o (x INT64) OPTIONS({body})", read="bigquery")
    except SqlglotError:
        raise BigQueryError(f"invalid OPTIONS({body.strip()[:80]})", fix="write OPTIONS(name = value, ...)") from None
    props = node.args.get("properties")
    return parse_options(list(props.expressions) if props else [], kind)


def labels_of(value: Any) -> dict[str, str] | None:
    """OPTIONS(labels = [('k', 'v'), ...]) as a dict; BigQueryInvalid for a malformed one."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(t, tuple) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in value
    ):
        raise BigQueryInvalid(
            "labels option must be an array of (STRING, STRING) pairs", fix="write labels = [('key', 'value')]"
        )
    for k, v in value:
        if not k or not _LABEL.match(k) or not _LABEL.match(v) or k != k.lower() or v != v.lower():
            raise BigQueryInvalid(
                f"Invalid label ({k!r}, {v!r})",
                fix="keys and values are lowercase letters, digits, '_' or '-', up to 63 characters",
            )
    return dict(value)


def rest_fields(options: dict[str, Any]) -> dict[str, Any]:
    """The REST fields that description, friendly_name and labels options set (None clears)."""
    out: dict[str, Any] = {}
    for name, field in _REST_NAMES.items():
        if name in options:
            value = options[name]
            if name == "labels":
                value = labels_of(value)
            elif value is not None and not isinstance(value, str):
                raise BigQueryInvalid(f"{name} option must be a STRING", fix=f"write {name} = '...'")
            out[field] = value
    return out


def mview_refresh(options: dict[str, Any]) -> dict[str, Any]:
    """{"mviewRefresh": ...}: the materializedView fields enable_refresh and
    refresh_interval_minutes set (kept beside the other DDL fields; `resources` merges them)."""
    out: dict[str, Any] = {}
    if options.get("enable_refresh") is not None:
        out["enableRefresh"] = bool(options["enable_refresh"])
    if options.get("refresh_interval_minutes") is not None:
        interval = round(float(options["refresh_interval_minutes"]) * 60_000)
        if not 60_000 <= interval <= 7 * 24 * 3_600_000:
            raise BigQueryInvalid(
                "refresh_interval_minutes must be between 1 minute and 7 days",
                fix="give a number of minutes from 1 to 10080",
                reason="invalidQuery",
            )
        out["refreshIntervalMs"] = str(interval)
    return {"mviewRefresh": out} if out else {}


def object_fields(options: dict[str, Any], kind: str) -> dict[str, Any]:
    """The REST fields the OPTIONS of a CREATE VIEW, MATERIALIZED VIEW, SNAPSHOT TABLE or a
    clone set (description, friendly_name, labels; a materialized view's refresh settings)."""
    fields = rest_fields(options)
    if kind == "MATERIALIZED VIEW":
        fields.update(mview_refresh(options))
    return fields


# ---------------------------------------------------------------------- translation


def translate(stmt: exp.Expression, ctx: Any) -> Statement | None:
    """A Statement for the DDL this module handles; None for any other statement."""
    from .googlesql import _translate_statement

    if isinstance(stmt, exp.Create) and str(stmt.kind).upper() == "TABLE" and not stmt.meta.get(_MARK):
        return _translate_create(stmt, ctx)
    if isinstance(stmt, exp.Alter):
        actions = stmt.args.get("actions") or []
        kind = str(stmt.args.get("kind") or "TABLE").upper()
        if kind == "TABLE" and len(actions) > 1:
            from .alteractions import several_actions

            def one(single: exp.Expression) -> Statement | None:
                return translate(single, ctx) or _translate_statement(single, ctx)

            combined = several_actions(stmt, one)
            if combined is not None:
                return combined
        if kind == "TABLE":
            keys = constraints.alter_statement(stmt, _resolve(stmt.this.sql("bigquery"), ctx))
            if keys is not None:
                return keys
        if len(actions) == 1 and isinstance(actions[0], exp.AlterSet) and actions[0].expressions:
            props = actions[0].expressions[0]
            if props is None or isinstance(props, exp.Properties):  # sqlglot reads an empty OPTIONS() as None
                options = parse_options(list(props.expressions) if props else [], kind)
                return _alter(stmt.this.sql("bigquery"), kind, bool(stmt.args.get("exists")), options, ctx)
        if kind == "TABLE" and len(actions) == 1 and not stmt.meta.get(_COLUMNS_MARK):
            kept = _column_change(actions[0])
            if kept is not None:
                stmt.meta[_COLUMNS_MARK] = True  # translated once more below, as plain DuckDB DDL
                inner = _translate_statement(stmt, ctx)
                return replace(inner, options={**inner.options, **kept})
        if actions and all(isinstance(a, exp.ColumnDef) for a in actions):
            for action in actions:
                kinds = [c.args.get("kind") for c in action.args.get("constraints") or []]
                if any(isinstance(k, exp.DefaultColumnConstraint) for k in kinds):
                    raise BigQueryInvalid(
                        f"Cannot add column {action.name} with a default value to an existing table",
                        fix=f"add it without DEFAULT, then ALTER TABLE ... ALTER COLUMN {action.name} SET DEFAULT ...",
                        reason="invalidQuery",
                    )
                if any(isinstance(k, exp.NotNullColumnConstraint) for k in kinds):
                    raise BigQueryInvalid(
                        f"Cannot add column {action.name} in REQUIRED mode (NOT NULL) to an existing table",
                        fix="add it without NOT NULL; a REQUIRED field can be added inside a new STRUCT column",
                        reason="invalidQuery",
                    )
            required, nested_descriptions = take_nested_field_options(list(actions))
            # ADD COLUMN c STRING(10): the parameters are kept for the schema (DuckDB cannot add a CHECK)
            params = typeparams.typed_columns(actions, check=False)
            for name, mode in typeparams.rounding_modes(list(actions)).items():
                params[name] = {**params.get(name, {}), **mode}
            for path in required:
                params[path] = {**params.get(path, {}), **fieldopts.required_mark()}
            for path, nested in nested_descriptions.items():
                params[path] = {**params.get(path, {}), "description": nested}
            described = {
                a.name: text
                for a in actions
                for c in a.args.get("constraints") or []
                if isinstance(c.args.get("kind"), exp.Properties)
                and (text := parse_options(list(c.args["kind"].expressions), "COLUMN").get("description")) is not None
            }
            if params or described:
                for a in actions:  # the engine's ALTER has no column OPTIONS (and this runs once)
                    for c in list(a.args.get("constraints") or []):
                        if isinstance(c.args.get("kind"), exp.Properties):
                            c.pop()
                inner = _translate_statement(stmt, ctx)
                return replace(
                    inner, options={**inner.options, "added_params": params, "added_descriptions": described}
                )
            return None
        if len(actions) == 1 and isinstance(actions[0], exp.AlterRename) and kind == "TABLE":
            new = actions[0].this
            if not isinstance(new, exp.Table) or new.args.get("db") is not None:
                raise BigQueryInvalid(
                    "ALTER TABLE ... RENAME TO takes a table name without a dataset",
                    fix="write RENAME TO new_name (the table stays in its dataset)",
                )
            target = _resolve(stmt.this.sql("bigquery"), ctx)
            return Statement(
                sql="",
                statement_type="ALTER_TABLE_RENAME",
                target=target,
                tables=(target,),
                options={"new_name": new.name, "if_exists": bool(stmt.args.get("exists"))},
            )
        return None
    if isinstance(stmt, exp.Command) and str(stmt.this).upper() == "ALTER":
        m = _ALTER_COMMAND.match(str(stmt.expression))
        if not m:
            return None
        kind = re.sub(r"\s+", " ", m.group("kind").upper())
        rest = m.group("rest")
        if kind == "TABLE":
            from .alteractions import several_renames

            renames = several_renames(str(stmt.expression))
            if renames is not None:
                return translate(renames, ctx)
        set_opts = _SET_OPTIONS.match(rest)
        if set_opts:
            options = parse_body(set_opts.group("body"), kind)
            return _alter(m.group("name"), kind, bool(m.group("exists")), options, ctx)
        col = _COLUMN_OPTIONS.match(rest)
        if col and kind == "TABLE":
            options = parse_body(col.group("body"), "TABLE")
            unknown = set(options) - {"description"}
            if unknown:
                raise BigQueryInvalid(
                    f"Invalid column option: {sorted(unknown)[0]}",
                    fix="ALTER COLUMN ... SET OPTIONS takes description (the emulator's only column option)",
                )
            target = _resolve(m.group("name"), ctx)
            return Statement(
                sql="",
                statement_type="ALTER_COLUMN_SET_OPTIONS",
                target=target,
                tables=(target,),
                options={
                    "column": col.group("col").strip("`"),
                    "description": options.get("description"),
                    "if_exists": bool(m.group("exists")),
                    "column_if_exists": bool(col.group("ifexists")),
                },
            )
    return None


_COLUMNS_MARK = "llmops:columns"


def _column_change(action: exp.Expression) -> dict[str, Any] | None:
    """What an ALTER TABLE action changes in the columns' field options, for `after_alter`:
    `moved_columns` [(old, new)] for `RENAME COLUMN old TO new`, [(old, None)] for `DROP COLUMN
    old` (defaults, type parameters, nested REQUIRED marks and policy tags follow the column);
    `column_defaults` {column: GoogleSQL text, or None} for `ALTER COLUMN c SET DEFAULT e` /
    `DROP DEFAULT` (the field's defaultValueExpression)."""
    if isinstance(action, exp.RenameColumn) and action.args.get("to") is not None:
        return {"moved_columns": [(action.this.name, action.args["to"].name)]}
    if isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() == "COLUMN":
        columns = action.args.get("tables") or []
        return {"moved_columns": [(c.name, None) for c in columns]}
    if isinstance(action, exp.AlterColumn):
        default = action.args.get("default")
        if default is not None:
            return {
                "column_defaults": {action.name: None if isinstance(default, exp.Null) else default.sql("bigquery")}
            }
        if action.args.get("drop") and not action.args.get("allow_null"):
            return {"column_defaults": {action.name: None}}
    return None


def _resolve(text: str, ctx: Any) -> tuple[str, str, str]:
    from .tablekinds import _resolve_name

    return _resolve_name(text, ctx)


def _alter(name: str, kind: str, if_exists: bool, options: dict[str, Any], ctx: Any) -> Statement:
    if kind == "SCHEMA":
        parts = [p for p in name.strip("`").split(".") if p]
        if len(parts) == 1:
            target = (ctx.project, parts[0], "")
        elif len(parts) == 2:
            target = (parts[0], parts[1], "")
        else:
            raise BigQueryError(f"invalid dataset name {name!r}", fix="write it as project.dataset or dataset")
    else:
        target = _resolve(name, ctx)
    fields = rest_fields(options)
    if kind == "MATERIALIZED VIEW":
        fields.update(mview_refresh(options))
    extra: dict[str, Any] = {"kind": kind, "if_exists": if_exists, "fields": fields}
    if "expiration_timestamp" in options:
        value = options["expiration_timestamp"]
        extra["expiration_sql"] = None if value is None else _timestamp_sql(str(value), ctx)
    if kind == "TABLE":
        part = {k: options[k] for k in ("partition_expiration_days", "require_partition_filter") if k in options}
        extra["partition_options"] = part
    if kind == "SCHEMA":
        extra.update(schema_options(options))
    return Statement(
        sql="",
        statement_type=f"ALTER_{kind.replace(' ', '_')}_SET_OPTIONS",
        target=target,
        tables=(target,) if target[2] else (),
        options=extra,
    )


def schema_options(options: dict[str, Any]) -> dict[str, Any]:
    """What a dataset's OPTIONS set, for `apply_schema_options`: its REST fields and, where
    default_table_expiration_days is given, the default expiration in ms (None clears)."""
    fields = rest_fields(options)
    out: dict[str, Any] = {"fields": fields}
    if "default_table_expiration_days" in options:
        days = options["default_table_expiration_days"]
        ms = None if days is None else round(float(days) * 86_400_000)
        if ms is not None and ms < 3_600_000:  # refused before anything is created or changed
            raise BigQueryInvalid(
                "default_table_expiration_days must be at least 1/24 (one hour)", fix="give a longer expiration"
            )
        out["default_expiration_ms"] = ms
        fields["defaultTableExpirationMs"] = None if ms is None else str(ms)
    return out


def apply_schema_options(con: duckdb.DuckDBPyConnection, project: str, dataset: str, o: dict[str, Any]) -> None:
    """Keep what `schema_options` read (CREATE SCHEMA and ALTER SCHEMA ... SET OPTIONS)."""
    from .tablekinds import _set

    if "default_expiration_ms" in o:
        _set(con, duckdb_schema(project, dataset), "", default_expiration_ms=o["default_expiration_ms"])
    if o.get("fields"):
        store(con, project, dataset, "", o["fields"])


def _timestamp_sql(text: str, ctx: Any) -> str:
    from .tablekinds import _expression_sql

    return _expression_sql(text, ctx, "expiration_timestamp")


def _translate_create(stmt: exp.Create, ctx: Any) -> Statement | None:
    from .googlesql import _translate_statement

    props = stmt.args.get("properties")
    items = list(props.expressions) if props else []
    if any(isinstance(p, exp.ExternalProperty) for p in items):
        raise BigQueryError(
            "CREATE EXTERNAL TABLE is not supported by the local warehouse (it keeps no external data sources)",
            fix="load the files into a table instead: a load job (client.load_table_from_uri) reads gs:// files",
        )
    by = next((p for p in items if isinstance(p, exp.PartitionedByProperty)), None)
    cluster = next((p for p in items if isinstance(p, exp.ClusterProperty)), None)
    names = {p.name.lower() for p in items if isinstance(p, exp.Property) and p.args.get("value") is not None}
    keys = constraints.take_from_create(stmt, ctx)
    params = typeparams.typed_columns(stmt.this.expressions if isinstance(stmt.this, exp.Schema) else [])
    for name, mode in typeparams.rounding_modes(
        stmt.this.expressions if isinstance(stmt.this, exp.Schema) else []
    ).items():
        params[name] = {**params.get(name, {}), **mode}
    for name, text in column_defaults(stmt).items():
        params[name] = {**params.get(name, {}), "defaultValueExpression": text}
    required, nested_descriptions = take_nested_field_options(
        stmt.this.expressions if isinstance(stmt.this, exp.Schema) else []
    )
    for path, text in nested_descriptions.items():
        params[path] = {**params.get(path, {}), "description": text}
    if required and any(isinstance(p, exp.TemporaryProperty) for p in items):
        raise BigQueryError(
            f"a NOT NULL field inside a STRUCT of a temporary table ({required[0]}) is not supported by the "
            "local warehouse (it enforces nested REQUIRED fields on dataset tables only)",
            fix="create the table in a dataset, or leave the NOT NULL out",
        )
    for path in required:
        params[path] = {**params.get(path, {}), **fieldopts.required_mark()}
    described = column_descriptions(stmt)
    like = tablelike.like_source(stmt)
    if by is None and cluster is None and not names and not params and not described and keys is None and like is None:
        return None
    options = parse_options([p for p in items if isinstance(p, exp.Property)], "TABLE")
    columns = [c.name for c in cluster.expressions] if cluster is not None else []
    spec = partitioning.spec(by.this if by is not None else None, columns)
    fields = {**partitioning.options_fields(options, spec), **rest_fields(options)}
    fields.pop("description", None)  # a CREATE's description is the table's comment
    if options.get("default_rounding_mode") is not None:  # the REST field; writtenvalues.py rounds by it
        default_mode = str(options["default_rounding_mode"]).upper()
        if default_mode not in typeparams.ROUNDING_MODES:
            raise BigQueryInvalid(
                f"Invalid default_rounding_mode {default_mode}",
                fix=f"use one of {', '.join(typeparams.ROUNDING_MODES)}",
            )
        fields["defaultRoundingMode"] = default_mode
    if keys is not None:
        fields["tableConstraints"] = keys
    if like is not None:
        return tablelike.translate(stmt, like, fields, spec.get("_columns"), options, ctx)
    if isinstance(stmt.this, exp.Schema) and stmt.expression is None:
        defs = {c.name: c.args["kind"].sql("bigquery") for c in stmt.this.expressions if isinstance(c, exp.ColumnDef)}
        partitioning.check(spec, defs)
        spec.pop("_columns", None)
    keep = [p for p in items if not isinstance(p, (exp.PartitionedByProperty, exp.ClusterProperty))]
    stmt.set("properties", exp.Properties(expressions=keep) if keep else None)
    stmt.meta[_MARK] = True
    inner = _translate_statement(stmt, ctx)
    extra = {"ddl_fields": fields, "ddl_check": spec.get("_columns"), "field_params": params}
    return replace(inner, options={**inner.options, **extra, "column_descriptions": described})


def _constraint_kinds(stmt: exp.Create) -> Iterator[tuple[exp.ColumnDef, Any]]:
    """(column, constraint kind) of each constraint in a CREATE TABLE's column list."""
    columns = stmt.this.expressions if isinstance(stmt.this, exp.Schema) else []
    for column in columns:
        if isinstance(column, exp.ColumnDef):
            for constraint in column.args.get("constraints") or []:
                yield column, constraint.args.get("kind")


def column_defaults(stmt: exp.Create) -> dict[str, str]:
    """Lower-case column -> the GoogleSQL text of its `DEFAULT expr` in a CREATE TABLE's column
    list: the REST field's defaultValueExpression and INFORMATION_SCHEMA.COLUMNS' column_default."""
    return {
        column.name.lower(): kind.this.sql("bigquery")
        for column, kind in _constraint_kinds(stmt)
        if isinstance(kind, exp.DefaultColumnConstraint)
    }


def take_nested_not_null(stmt: exp.Create) -> list[str]:
    """The dotted paths (lower case) of the STRUCT fields a CREATE TABLE's column list declares
    NOT NULL (`rec STRUCT<a INT64 NOT NULL>`, `reps ARRAY<STRUCT<x INT64 NOT NULL>>`: REQUIRED
    fields inside RECORDs), with the NOT NULLs taken out of the types: DuckDB's STRUCT fields take
    no constraint (a syntax error), so the modes live in the field options (fieldopts.py) and
    nestedrequired.py enforces them."""
    columns = stmt.this.expressions if isinstance(stmt.this, exp.Schema) else []
    return take_nested_field_options(columns)[0]


def take_nested_field_options(columns: list[exp.Expression]) -> tuple[list[str], dict[str, str]]:
    """For column definitions: the paths of their STRUCT fields declared NOT NULL, and the
    descriptions their `OPTIONS(description = ...)` give (`rec STRUCT<a INT64 NOT NULL
    OPTIONS(description = 'x')>`), both taken out of the types (DuckDB's STRUCT fields take
    neither); kept as field options (fieldopts.py)."""
    paths: list[str] = []
    descriptions: dict[str, str] = {}
    for column in columns:
        if isinstance(column, exp.ColumnDef) and isinstance(column.args.get("kind"), exp.DataType):
            _take_nested(column.args["kind"], column.name.lower() + ".", paths, descriptions)
    return paths, descriptions


def _take_nested(kind: exp.DataType, prefix: str, paths: list[str], descriptions: dict[str, str]) -> None:
    """Collect (and remove) the NOT NULLs and OPTIONS of the STRUCT fields in `kind`, at any
    depth; an ARRAY's STRUCT fields have the array's path (REST's `reps.x`)."""
    if kind.this == exp.DataType.Type.ARRAY:
        for element in kind.expressions:
            if isinstance(element, exp.DataType):
                _take_nested(element, prefix, paths, descriptions)
        return
    if kind.this != exp.DataType.Type.STRUCT:
        return
    for field in kind.expressions:
        if not isinstance(field, exp.ColumnDef):
            continue
        path = prefix + field.name.lower()
        found = field.args.get("constraints") or []
        kept = []
        for c in found:
            constraint = c.args.get("kind")
            if isinstance(constraint, exp.NotNullColumnConstraint):
                paths.append(path)
            elif isinstance(constraint, exp.Properties):
                text = parse_options(list(constraint.expressions), "COLUMN").get("description")
                if text is not None:
                    descriptions[path] = str(text)
            else:
                kept.append(c)
        if len(kept) < len(found):
            field.set("constraints", kept or None)
        if isinstance(field.args.get("kind"), exp.DataType):
            _take_nested(field.args["kind"], path + ".", paths, descriptions)


def column_descriptions(stmt: exp.Create) -> dict[str, str]:
    """Column -> its `OPTIONS(description = '...')` in a CREATE TABLE's column list."""
    out: dict[str, str] = {}
    for column, kind in _constraint_kinds(stmt):
        if isinstance(kind, exp.Properties):
            text = parse_options(list(kind.expressions), "COLUMN").get("description")
            if text is not None:
                out[column.name] = str(text)
    return out


# ---------------------------------------------------------------------- catalog


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the options table (once per engine, when it opens)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.ddl_options (schema_name VARCHAR, table_name VARCHAR, "
        "options JSON, PRIMARY KEY (schema_name, table_name))"
    )


def stored(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str = "") -> dict[str, Any]:
    """The REST fields DDL set on a table (a dataset with table '')."""
    rows = con.execute(
        f"SELECT options FROM {CATALOG}.ddl_options WHERE schema_name = ? AND table_name = ?",
        [duckdb_schema(project, dataset), table],
    ).fetchall()
    return json.loads(rows[0][0]) if rows else {}


def store(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, fields: dict[str, Any]) -> None:
    """Set REST fields (None hides the field) over those stored before."""
    merged = {**stored(con, project, dataset, table), **fields}
    con.execute(
        f"INSERT OR REPLACE INTO {CATALOG}.ddl_options VALUES (?, ?, ?)",
        [duckdb_schema(project, dataset), table, json.dumps(merged)],
    )


def forget(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str | None = None) -> None:
    """A dropped or recreated table (a dropped dataset, `table` None) loses its DDL options."""
    forget_rows(con, "ddl_options", project, dataset, table)


def forget_fields(engine: BigQueryEngine, project: str, dataset: str, table: str, names: Any) -> None:
    """A REST update set these fields: the DDL's values of them no longer apply."""
    with engine.connection() as con:
        have = stored(con, project, dataset, table)
        if not any(n in have for n in names):
            return
        kept = {k: v for k, v in have.items() if k not in names}
        forget(con, project, dataset, table)
        if kept:
            store(con, project, dataset, table, kept)


def mirror(
    engine: BigQueryEngine, project: str, dataset: str, table: str, updated: dict[str, Any], resource: dict[str, Any]
) -> None:
    """After a REST update of `updated` fields: keep the resulting resource's labels, friendly
    name and description where the engine's INFORMATION_SCHEMA option views read them
    (TABLE_OPTIONS, SCHEMATA_OPTIONS)."""
    fields = {k: resource.get(k) or None for k in ("labels", "friendlyName")}
    with engine.connection() as con:
        if not table:
            fields["description"] = resource.get("description") or None
        elif "description" in updated:  # a table's description is its engine comment
            kind = "VIEW" if resource.get("type") in ("VIEW", "MATERIALIZED_VIEW") else "TABLE"
            text = updated["description"]
            quoted = "NULL" if not text else "'" + str(text).replace("'", "''") + "'"
            con.execute(f"COMMENT ON {kind} {duckdb_table(project, dataset, table)} IS {quoted}")
        store(con, project, dataset, table, fields)


def fields_of(engine: BigQueryEngine, project: str, dataset: str, table: str = "") -> dict[str, Any]:
    """stored() through the engine's connection (for the REST resources)."""
    with engine.connection() as con:
        return stored(con, project, dataset, table)


def apply(resource: dict[str, Any], fields: dict[str, Any]) -> None:
    """Set DDL fields on a REST resource; a None value removes the field."""
    for k, v in fields.items():
        if v is None or v == {}:
            resource.pop(k, None)
        else:
            resource[k] = v


# ---------------------------------------------------------------------- execution


def after_create(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement) -> None:
    """Keep a CREATE TABLE's partitioning, clustering, labels and friendly name."""
    fields = stmt.options.get("ddl_fields")
    project, dataset, table = stmt.target  # type: ignore[misc]
    for column, text in (stmt.options.get("column_descriptions") or {}).items():
        quoted = "'" + text.replace("'", "''") + "'"
        con.execute(f"COMMENT ON COLUMN {duckdb_table(project, dataset, table)}.{quote_ident(column)} IS {quoted}")
    for column in stmt.options.get("required_columns") or ():  # a CTAS column list's NOT NULL
        try:
            con.execute(
                f"ALTER TABLE {duckdb_table(project, dataset, table)} ALTER COLUMN {quote_ident(column)} SET NOT NULL"
            )
        except duckdb.ConstraintException:
            _drop_created(con, project, dataset, table)
            raise BigQueryInvalid(
                f"Required field {column} cannot be null", fix=f"filter out or replace the NULL values of {column}"
            ) from None
    params = stmt.options.get("field_params")
    if params:
        con.execute(
            f"INSERT OR REPLACE INTO {CATALOG}.field_options VALUES (?, ?, ?)",
            [duckdb_schema(project, dataset), table, json.dumps(params)],
        )
        fieldopts.set_missing_defaults(engine, con, project, dataset, table, params)
        if stmt.statement_type == "CREATE_TABLE_AS_SELECT":  # a column list's STRING(L), NUMERIC(P, S)
            from . import writtenvalues

            try:
                writtenvalues.store_rows(con, project, dataset, table)
            except duckdb.Error:
                _drop_created(con, project, dataset, table)
                raise
        if fieldopts.required_inside(params):  # a CTAS's rows must fill the nested REQUIRED fields
            from . import nestedrequired

            try:
                nestedrequired.check_dml(
                    con, project, dataset, table, nestedrequired.rules(engine, con, project, dataset, table)
                )
            except BigQueryError:
                _drop_created(con, project, dataset, table)
                raise
    if not fields:
        return
    needs = stmt.options.get("ddl_check")
    keys = fields.get("tableConstraints")
    if needs or keys:  # CREATE TABLE ... AS SELECT: the columns are known only now
        info = engine._table_info(con, project, dataset, table)
        try:
            if needs:
                partitioning.check({**fields, "_columns": needs}, {f["name"]: f["type"] for f in info["schema"]})
            if keys:
                constraints.check_columns(keys, {f["name"]: f["type"] for f in info["schema"]})
                constraints.check_references(engine, con, project, dataset, table, keys)
        except BigQueryError:
            _drop_created(con, project, dataset, table)
            raise
    store(con, project, dataset, table, fields)


def _drop_created(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> None:
    """Undo a CREATE TABLE whose result breaks what the statement declared."""
    from .tablekinds import forget as forget_table

    try:
        con.execute(f"DROP TABLE IF EXISTS {duckdb_table(project, dataset, table)}")
    except duckdb.TransactionException:  # a failed statement aborted the CREATE OR REPLACE's transaction,
        return  # whose rollback undoes the create
    forget_table(con, project, dataset, table)


def after_alter(con: duckdb.DuckDBPyConnection, stmt: Statement) -> None:
    """Keep the type parameters and descriptions of columns an ALTER TABLE ... ADD COLUMN added;
    move a renamed column's field options to its new name, drop a dropped column's."""
    project, dataset, table = stmt.target  # type: ignore[misc]
    for column, text in (stmt.options.get("added_descriptions") or {}).items():
        have = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? AND column_name = ? "
            "AND database_name = current_database()",
            [duckdb_schema(project, dataset), table, column],
        ).fetchall()
        if have and not have[0][0]:  # IF NOT EXISTS on a described column keeps its own
            quoted = "'" + str(text).replace("'", "''") + "'"
            con.execute(f"COMMENT ON COLUMN {duckdb_table(project, dataset, table)}.{quote_ident(column)} IS {quoted}")
    added = stmt.options.get("added_params")
    moved = stmt.options.get("moved_columns") or []
    defaults = stmt.options.get("column_defaults") or {}
    if not added and not moved and not defaults:
        return
    schema = duckdb_schema(project, dataset)
    rows = con.execute(
        f"SELECT options FROM {CATALOG}.field_options WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchall()
    options = json.loads(rows[0][0]) if rows else {}
    for old_name, new_name in moved:
        old, new = old_name.lower(), new_name.lower() if new_name else None
        for path in [p for p in options if p == old or p.startswith(old + ".")]:
            kept = options.pop(path)
            if new is not None:
                options[new + path[len(old) :]] = kept
    for column, text in defaults.items():
        entry = options.pop(column.lower(), {})
        entry.pop("defaultValueExpression", None)
        if text is not None:
            entry["defaultValueExpression"] = text
        if entry:
            options[column.lower()] = entry
    options.update({k: v for k, v in (added or {}).items() if k not in options})  # IF NOT EXISTS keeps a column's own
    con.execute(
        f"INSERT OR REPLACE INTO {CATALOG}.field_options VALUES (?, ?, ?)", [schema, table, json.dumps(options)]
    )


def run(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement) -> Any:
    """Execute ALTER ... SET OPTIONS, ALTER COLUMN ... SET OPTIONS or ALTER TABLE ... RENAME TO."""
    from .engine import EMPTY, QueryResult
    from .tablekinds import _set, check_writable

    project, dataset, table = stmt.target  # type: ignore[misc]
    o = stmt.options
    kind = o.get("kind", "TABLE")
    done = QueryResult(table=EMPTY, schema=[], statement_type=reported(stmt.statement_type), target=stmt.target)
    if stmt.statement_type == "CREATE_TABLE_LIKE":
        return tablelike.run(engine, con, stmt, done)
    if kind == "SCHEMA":
        if not engine._dataset_exists(con, project, dataset):
            if o.get("if_exists"):
                return done
            engine._require_dataset(con, project, dataset)
        apply_schema_options(con, project, dataset, o)
        return done
    engine._require_dataset(con, project, dataset)
    if table not in engine._table_names(con, project, dataset):
        if o.get("if_exists"):
            return done
        engine._table_info(con, project, dataset, table)  # raises Not found
    info = engine._table_info(con, project, dataset, table)
    actual = (info.get("features") or {}).get("type") or info["type"]
    if stmt.statement_type == "ALTER_TABLE_RENAME":
        if (((info.get("features") or {}).get("ddl_fields") or {}).get("tableConstraints") or {}).get("primaryKey"):
            raise BigQueryInvalid(
                f"Table {project}:{dataset}.{table} has a primary key: tables with primary key constraints cannot be renamed",
                fix="drop the primary key first (ALTER TABLE ... DROP PRIMARY KEY), rename, then add it again",
                reason="invalidQuery",
            )
        return _rename(engine, con, stmt, actual, done)
    wanted = {"TABLE": ("TABLE", "SNAPSHOT"), "VIEW": ("VIEW",), "MATERIALIZED VIEW": ("MATERIALIZED_VIEW",)}[kind]
    if actual not in wanted:
        shown = actual.replace("_", " ").lower()
        raise BigQueryInvalid(
            f"ALTER {kind} cannot be used on {project}:{dataset}.{table}, which is a {shown}",
            fix=f"use ALTER {shown.upper()}",
            reason="invalidQuery",
        )
    if stmt.statement_type == "ALTER_TABLE_CONSTRAINTS":
        constraints.run_alter(engine, con, stmt, info)
        return done
    if stmt.statement_type == "ALTER_COLUMN_SET_OPTIONS":
        names = {f["name"].lower(): f["name"] for f in info["schema"]}
        column = names.get(str(o["column"]).lower())
        if column is None:
            if o.get("column_if_exists"):
                return done
            raise BigQueryInvalid(
                f"Column not found: {o['column']} in table {project}:{dataset}.{table}",
                fix="name a column of the table",
                reason="invalidQuery",
            )
        text = "NULL" if o["description"] is None else "'" + str(o["description"]).replace("'", "''") + "'"
        con.execute(f"COMMENT ON COLUMN {duckdb_table(project, dataset, table)}.{quote_ident(column)} IS {text}")
        return done
    fields = dict(o["fields"])
    part = o.get("partition_options") or {}
    if part:
        have = (info.get("features") or {}).get("ddl_fields") or {}
        if not have.get("timePartitioning") and not have.get("rangePartitioning"):
            raise BigQueryInvalid(
                "partition options are only allowed on a partitioned table",
                fix="create the table with PARTITION BY",
                reason="invalidQuery",
            )
        if "partition_expiration_days" in part:
            tp = dict(have.get("timePartitioning") or {})
            if not tp:
                raise BigQueryInvalid(
                    "partition_expiration_days is only allowed on a time-partitioned table",
                    fix="leave the option out",
                    reason="invalidQuery",
                )
            days = part["partition_expiration_days"]
            tp.pop("expirationMs", None)
            if days is not None:
                tp["expirationMs"] = str(round(float(days) * 86_400_000))
            fields["timePartitioning"] = tp
        if "require_partition_filter" in part:
            value = part["require_partition_filter"]
            fields["requirePartitionFilter"] = None if value is None else bool(value)
    if "description" in fields and actual in ("TABLE", "SNAPSHOT", "VIEW", "MATERIALIZED_VIEW"):
        word = "VIEW" if info["type"] == "VIEW" else "TABLE"
        text = "NULL" if fields["description"] is None else "'" + fields["description"].replace("'", "''") + "'"
        con.execute(f"COMMENT ON {word} {duckdb_table(project, dataset, table)} IS {text}")
    if "expiration_sql" in o:
        try:
            expires = None if o["expiration_sql"] is None else history.timestamp(con, o["expiration_sql"])
        except BigQueryError:
            raise BigQueryInvalid(
                "expiration_timestamp must be a TIMESTAMP", fix="write expiration_timestamp = TIMESTAMP '2030-01-01'"
            ) from None
        _set(con, duckdb_schema(project, dataset), table, expires=expires)
    if actual == "SNAPSHOT" and set(fields) - {"description", "labels", "friendlyName"}:
        check_writable(con, project, dataset, table)
    if "mviewRefresh" in fields:  # one refresh option set leaves the other as it was
        fields["mviewRefresh"] = {
            **stored(con, project, dataset, table).get("mviewRefresh", {}),
            **fields["mviewRefresh"],
        }
    store(con, project, dataset, table, fields)
    return done


def _rename(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, stmt: Statement, actual: str, done: Any) -> Any:
    project, dataset, table = stmt.target  # type: ignore[misc]
    new = str(stmt.options["new_name"])
    if actual != "TABLE":
        raise BigQueryInvalid(
            f"ALTER TABLE ... RENAME TO cannot rename {project}:{dataset}.{table}, which is a {actual.lower()}",
            fix="rename tables only; recreate a view under the new name",
            reason="invalidQuery",
        )
    if new in engine._table_names(con, project, dataset):
        raise BigQueryDuplicate(f"Already Exists: Table {project}:{dataset}.{new}", fix="choose another name")
    schema = duckdb_schema(project, dataset)
    con.execute(f"ALTER TABLE {duckdb_table(project, dataset, table)} RENAME TO {quote_ident(new)}")
    catalogs = con.execute(
        "SELECT table_name FROM duckdb_columns() WHERE schema_name = ? AND column_name IN ('schema_name', 'table_name') "
        "AND database_name = current_database() GROUP BY table_name HAVING count(*) = 2",
        [CATALOG],
    ).fetchall()
    for (catalog,) in catalogs:
        con.execute(
            f"UPDATE {CATALOG}.{quote_ident(catalog)} SET table_name = ? WHERE schema_name = ? AND table_name = ?",
            [new, schema, table],
        )
    return replace(done, target=(project, dataset, new))
