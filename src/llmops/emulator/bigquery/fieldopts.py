"""Schema field options the engine's columns do not carry: `defaultValueExpression`, `policyTags`,
`maxLength`, `precision`, `scale`, `roundingMode`, `collation`, `dataPolicies`.

They are kept per table in `_llmops_catalog.field_options` (a field's dotted path to its options)
and shown in the tables resource. So is a nested field's REQUIRED mode, which DuckDB's STRUCT
fields cannot carry; insertAll, DML and loads refuse rows that leave such a field NULL
(nestedrequired.py). A top-level field's `defaultValueExpression` is applied, as on
BigQuery: it is the DuckDB column's DEFAULT (DML `INSERT` without the column) and fills the field
in `insertAll` rows that omit it. The other options are kept, not enforced.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import duckdb

from .catalog import CATALOG, forget_rows
from .googlesql import BigQueryError, BigQueryInvalid, duckdb_schema, duckdb_table, quote_ident

if TYPE_CHECKING:
    from .engine import BigQueryEngine

OPTIONS = (
    "defaultValueExpression",
    "policyTags",
    "maxLength",
    "precision",
    "scale",
    "roundingMode",
    "collation",
    "dataPolicies",
)


_INT64_OPTIONS = ("maxLength", "precision", "scale")
_MODE_UNSET = "modeUnset"
"""The mark of a field created without a `mode`: BigQuery shows it back without one."""
_REQUIRED_INSIDE = "requiredInRecord"
"""The mark of a REQUIRED field inside a RECORD (a top-level one is its column's NOT NULL)."""
_MARKS = (_MODE_UNSET, _REQUIRED_INSIDE)
NESTED_DESCRIPTION = "description"
"""The key of a field's description inside a RECORD (a top-level column's is its engine comment)."""


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Create the options table (once per engine, when it opens)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CATALOG}.field_options (schema_name VARCHAR, table_name VARCHAR, "
        "options JSON, PRIMARY KEY (schema_name, table_name))"
    )


def forget(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str | None = None) -> None:
    """A dropped or recreated table (or dropped dataset, `table` None) loses its field options."""
    forget_rows(con, "field_options", project, dataset, table)


def of_fields(fields: Any, prefix: str = "") -> dict[str, dict[str, Any]]:
    """The options in REST `schema.fields`, by dotted field path (lower case)."""
    out: dict[str, dict[str, Any]] = {}
    for f in fields if isinstance(fields, list) else []:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            continue
        path = prefix + f["name"].lower()
        opts: dict[str, Any] = {k: f[k] for k in OPTIONS if not _empty(f.get(k))}
        if prefix and not _empty(f.get("description")):
            opts[NESTED_DESCRIPTION] = f["description"]
        if f.get("mode") is None:
            opts[_MODE_UNSET] = True
        elif prefix and str(f["mode"]).upper() == "REQUIRED":
            opts[_REQUIRED_INSIDE] = True
        if opts:
            out[path] = opts
        out.update(of_fields(f.get("fields"), path + "."))
    return out


def _empty(value: Any) -> bool:
    """Unset, as BigQuery reads it: `policyTags: {names: []}` clears the tags."""
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return value in (None, "", [])


def stored(con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> dict[str, dict[str, Any]]:
    """The options recorded for a table, by dotted field path."""
    rows = con.execute(
        f"SELECT options FROM {CATALOG}.field_options WHERE schema_name = ? AND table_name = ?",
        [duckdb_schema(project, dataset), table],
    ).fetchall()
    return json.loads(rows[0][0]) if rows else {}


def record(engine: BigQueryEngine, project: str, dataset: str, table: str, fields: Any) -> dict[str, dict[str, Any]]:
    """Replace a table's field options with those of REST `fields` and set its column defaults;
    BigQueryInvalid (nothing changed) for a default that is not a constant expression of GoogleSQL."""
    options = of_fields(fields)
    with engine.connection() as con:
        columns = {
            name.lower(): name
            for (name,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "AND database_name = current_database()",
                [duckdb_schema(project, dataset), table],
            ).fetchall()
        }
        defaults = {
            columns[path]: _default_sql(engine, con, path, opts["defaultValueExpression"])
            for path, opts in options.items()
            if "defaultValueExpression" in opts and path in columns
        }
        target = duckdb_table(project, dataset, table)
        before = {p for p, o in stored(con, project, dataset, table).items() if "defaultValueExpression" in o}
        for path in before - set(defaults):
            if path in columns:
                con.execute(f"ALTER TABLE {target} ALTER COLUMN {quote_ident(columns[path])} DROP DEFAULT")
        for name, sql in defaults.items():
            con.execute(f"ALTER TABLE {target} ALTER COLUMN {quote_ident(name)} SET DEFAULT {sql}")
        con.execute(
            f"INSERT OR REPLACE INTO {CATALOG}.field_options VALUES (?, ?, ?)",
            [duckdb_schema(project, dataset), table, json.dumps(options)],
        )
    return options


def set_missing_defaults(
    engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, options: Any
) -> None:
    """Give the DuckDB columns their recorded defaults where they have none: a `CREATE TABLE t
    (c T DEFAULT e, ...) AS SELECT ...` builds its table from the query, which drops them (a
    later INSERT that omits c, or `SET c = DEFAULT`, wrote NULL)."""
    wanted = {p: o["defaultValueExpression"] for p, o in options.items() if "defaultValueExpression" in o}
    if not wanted:
        return
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database() AND column_default IS NULL",
        [duckdb_schema(project, dataset), table],
    ).fetchall()
    target = duckdb_table(project, dataset, table)
    for (name,) in rows:
        if name.lower() in wanted:
            sql = _default_sql(engine, con, name.lower(), wanted[name.lower()])
            con.execute(f"ALTER TABLE {target} ALTER COLUMN {quote_ident(name)} SET DEFAULT {sql}")


def check(engine: BigQueryEngine, fields: Any) -> None:
    """BigQueryInvalid naming the first `defaultValueExpression` of REST `fields` that does not run."""
    defaults = [(p, o["defaultValueExpression"]) for p, o in of_fields(fields).items() if "defaultValueExpression" in o]
    if defaults:
        with engine.connection() as con:
            for path, expression in defaults:
                _default_sql(engine, con, path, expression)


def _default_sql(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection, name: str, expression: Any) -> str:
    """The DuckDB expression of a GoogleSQL default, checked by evaluating it once."""
    if not isinstance(expression, str) or not expression.strip():
        raise BigQueryInvalid(f"defaultValueExpression of field {name!r} is empty", fix="give an expression")
    try:
        script = engine._translate(f"SELECT ({expression}) AS v", default_project=None, default_dataset=None)
        sql = script.statements[0].sql if len(script.statements) == 1 else ""
        if not sql.startswith("SELECT ") or " FROM " in sql.upper():
            raise BigQueryError("not a constant expression", fix="")
        con.execute(sql).fetchall()
    except (BigQueryError, duckdb.Error) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BigQueryInvalid(
            f"invalid defaultValueExpression of field {name!r} ({expression}): {first}",
            fix="use a literal or a function such as CURRENT_TIMESTAMP() or GENERATE_UUID()",
        ) from None
    return "(" + sql[len("SELECT ") :].removesuffix(" AS v") + ")"


def fill_defaults(
    con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, given: list[dict], rows: list[dict]
) -> None:
    """Give `rows` (converted from the `given` JSON rows) the defaults of the top-level fields they omit."""
    options = stored(con, project, dataset, table)
    wanted = {p for p, o in options.items() if "defaultValueExpression" in o and "." not in p}
    if not wanted or not rows:
        return
    columns = con.execute(
        "SELECT column_name, column_default FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database() AND column_default IS NOT NULL",
        [duckdb_schema(project, dataset), table],
    ).fetchall()
    for name, default in columns:
        if name.lower() not in wanted:
            continue
        missing = [i for i, src in enumerate(given) if name.lower() not in {k.lower() for k in src}]
        if not missing:
            continue
        # one value per row: GENERATE_UUID() differs per row, CURRENT_TIMESTAMP() is the request's
        values = con.execute(f"SELECT {default} FROM range({len(missing)})").fetchall()
        for i, (value,) in zip(missing, values, strict=True):
            rows[i][name] = value


def merge(api_fields: list[dict[str, Any]], options: dict[str, dict[str, Any]], prefix: str = "") -> None:
    """Make REST `schema.fields` show the recorded options (in place), by field path."""
    for f in api_fields:
        path = prefix + str(f.get("name", "")).lower()
        for k in OPTIONS:
            f.pop(k, None)
        if prefix:
            f.pop(NESTED_DESCRIPTION, None)
        own = options.get(path, {})
        f.update({k: v for k, v in own.items() if k not in _MARKS})
        if own.get(_MODE_UNSET) and f.get("mode") == "NULLABLE":
            del f["mode"]
        if prefix and f.get("mode") in ("NULLABLE", "REQUIRED"):
            f["mode"] = "REQUIRED" if own.get(_REQUIRED_INSIDE) else "NULLABLE"
        for k in _INT64_OPTIONS:
            if isinstance(f.get(k), int) and not isinstance(f[k], bool):
                f[k] = str(f[k])  # the resource's INT64 values are strings (clients may send numbers)
        if isinstance(f.get("fields"), list):
            merge(f["fields"], options, path + ".")


def with_nested_modes(fields: list[dict[str, Any]], options: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Engine schema `fields` with the recorded REQUIRED modes of fields inside RECORDs (a copy)."""
    return [_with_modes(f, options, "") for f in fields]


def required_inside(options: dict[str, dict[str, Any]]) -> bool:
    """Whether recorded `options` (stored()) mark a field inside a RECORD REQUIRED."""
    return any(o.get(_REQUIRED_INSIDE) for o in options.values())


def required_mark() -> dict[str, Any]:
    """The options that mark a field inside a RECORD REQUIRED (DDL's `STRUCT<a INT64 NOT NULL>`)."""
    return {_REQUIRED_INSIDE: True}


def _with_modes(f: dict[str, Any], options: dict[str, dict[str, Any]], prefix: str) -> dict[str, Any]:
    path = prefix + str(f["name"]).lower()
    out = dict(f)
    if prefix and options.get(path, {}).get(_REQUIRED_INSIDE) and out.get("mode") == "NULLABLE":
        out["mode"] = "REQUIRED"
    if f.get("fields"):
        out["fields"] = [_with_modes(s, options, path + ".") for s in f["fields"]]
    return out
