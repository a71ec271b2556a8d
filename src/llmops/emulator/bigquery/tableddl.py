"""INFORMATION_SCHEMA.TABLES' `ddl` column: the statement that recreates a table or view, as
BigQuery writes it (its page's examples):

    CREATE TABLE `p.d.t`
    (
      id INT64 NOT NULL OPTIONS(description="the key"),
      name STRING(10) DEFAULT "x"
    )
    PARTITION BY DATE(ts)
    CLUSTER BY name
    OPTIONS(
      labels=[("team", "ml")]
    );

    CREATE VIEW `p.d.v`
    AS SELECT 100 AS id;

Column descriptions, NOT NULL, defaults and type parameters, partitioning, clustering and the
table's options (those TABLE_OPTIONS lists) are written; fields nested in a STRUCT are written
by their type only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa

from . import fieldopts
from .catalog import CATALOG

Column = tuple[str, str, str, str, int, dict]


def ddl_table(
    con: duckdb.DuckDBPyConnection,
    columns: list[Column],
    layouts: dict[tuple[str, str], dict[str, Any]],
    options: dict[tuple[str, str, str], list[tuple[str, str]]],
    views: dict[tuple[str, str, str], str | None],
    type_sql: Callable[[dict], str],
) -> pa.Table:
    """(schema_name, table_name, ddl) of every dataset table and view. `options` are each
    table's (option_name, GoogleSQL value) as TABLE_OPTIONS lists them; `views` each view's query."""
    from .infoschema import column_comments

    comments = column_comments(con)
    kinds = dict(
        ((s, t), (k, q))
        for s, t, k, q in con.execute(
            f"SELECT schema_name, table_name, kind, mview_query FROM {CATALOG}.table_features WHERE table_name <> ''"
        ).fetchall()
    )
    by_table: dict[tuple[str, str, str], list[str]] = {}
    field_options: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
    for project, dataset, table, column, _, field in columns:
        key = (project, dataset, table)
        if key not in field_options:
            field_options[key] = fieldopts.stored(con, *key)
        schema = f"{project}.{dataset}"
        line = f"  {column} {_typed(field, field_options[key].get(column.lower(), {}), type_sql)}"
        if field["mode"] == "REQUIRED":
            line += " NOT NULL"
        default = field_options[key].get(column.lower(), {}).get("defaultValueExpression")
        if default is not None:
            line += f" DEFAULT {default}"
        description = comments.get((schema, table, column))
        if description:
            line += f" OPTIONS(description={json.dumps(description, ensure_ascii=False)})"
        by_table.setdefault(key, []).append(line)
    rows: list[tuple[str, str, str]] = []
    for (project, dataset, table), lines in by_table.items():
        schema = f"{project}.{dataset}"
        name = f"`{project}.{dataset}.{table}`"
        kind, mview_query = kinds.get((schema, table), (None, None))
        tail = _options(options.get((project, dataset, table), []))
        if (project, dataset, table) in views or kind == "MATERIALIZED_VIEW":
            word = "MATERIALIZED VIEW" if kind == "MATERIALIZED_VIEW" else "VIEW"
            query = mview_query if kind == "MATERIALIZED_VIEW" else views[(project, dataset, table)]
            if query:
                rows.append((schema, table, f"CREATE {word} {name}{tail}\nAS {query};"))
            continue
        fields = {c[5]["name"].lower(): c[5] for c in columns if c[:3] == (project, dataset, table)}
        layout = _layout(layouts.get((schema, table)) or {}, fields)
        rows.append((schema, table, f"CREATE TABLE {name}\n(\n" + ",\n".join(lines) + f"\n){layout}{tail};"))
    names = ("schema_name", "table_name", "ddl")
    return pa.table({n: pa.array([r[i] for r in rows], type=pa.string()) for i, n in enumerate(names)})


def _typed(field: dict, options: dict[str, Any], type_sql: Callable[[dict], str]) -> str:
    text = type_sql(field)
    if field.get("mode") == "REPEATED" or field["type"] == "RECORD":
        return text
    if options.get("maxLength"):
        return f"{text}({options['maxLength']})"
    if options.get("precision"):
        scale = f", {options['scale']}" if options.get("scale") is not None else ""
        return f"{text}({options['precision']}{scale})"
    return text


def _layout(fields: dict[str, Any], columns: dict[str, dict]) -> str:
    out = ""
    time, rng = fields.get("timePartitioning"), fields.get("rangePartitioning")
    if time:
        unit = str(time.get("type") or "DAY").upper()
        field = time.get("field")
        if not field:
            out += (
                "\nPARTITION BY _PARTITIONDATE"
                if unit == "DAY"
                else f"\nPARTITION BY TIMESTAMP_TRUNC(_PARTITIONTIME, {unit})"
            )
        else:
            kind = str((columns.get(str(field).lower()) or {}).get("type") or "TIMESTAMP")
            if kind == "DATE":
                out += f"\nPARTITION BY {field}" if unit == "DAY" else f"\nPARTITION BY DATE_TRUNC({field}, {unit})"
            elif unit == "DAY":
                out += f"\nPARTITION BY DATE({field})"
            else:
                out += f"\nPARTITION BY {kind}_TRUNC({field}, {unit})"
    elif rng and rng.get("field"):
        r = rng.get("range") or {}
        out += f"\nPARTITION BY RANGE_BUCKET({rng['field']}, GENERATE_ARRAY({r.get('start')}, {r.get('end')}, {r.get('interval')}))"
    clustering = (fields.get("clustering") or {}).get("fields") or []
    if clustering:
        out += "\nCLUSTER BY " + ", ".join(clustering)
    return out


def _options(found: list[tuple[str, str]]) -> str:
    if not found:
        return ""
    # TABLE_OPTIONS writes labels as [STRUCT("k", "v")], a DDL statement as [("k", "v")]
    items = [
        f"  {name}={value.replace('STRUCT(', '(')}" if name == "labels" else f"  {name}={value}"
        for name, value in found
    ]
    return "\nOPTIONS(\n" + ",\n".join(items) + "\n)"
