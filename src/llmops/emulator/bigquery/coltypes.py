"""The types of the arguments of GoogleSQL calls whose answer depends on them.

Some GoogleSQL functions answer differently by argument type where DuckDB has one function
(`DATE_TRUNC` keeps a TIMESTAMP's type; `DATE - DATE` is an INTERVAL; `JSON_QUERY` of a STRING is
a STRING; `LEFT` of BYTES counts bytes). When the query text does not show an argument's type,
sqlglot's optimizer (`qualify` + `annotate_types`) infers it from the schemas of the tables the
statement reads (given by the engine, BigQuery types) and the types of query parameters. The
inferred type is kept on the argument node (`known_type`), and a rewrite that relies on it is
wrapped in a `typeof()` check (`checked`) that DuckDB folds when it binds the query: an inference
that were ever wrong is an error, never a different answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlglot import exp

TYPE_KEY = "bq_type"
_TAG = "bq_type_tag"

# DuckDB's typeof() of each BigQuery type a rewrite may rely on
DUCKDB_TYPEOF = {
    "TIMESTAMP": "TIMESTAMP WITH TIME ZONE",
    "DATETIME": "TIMESTAMP",
    "DATE": "DATE",
    "TIME": "TIME",
    "BYTES": "BLOB",
    "STRING": "VARCHAR",
    "JSON": "JSON",
    "INT64": "BIGINT",
}

_T = exp.DataType.Type
_KINDS = {
    _T.TIMESTAMPTZ: "TIMESTAMP",
    _T.TIMESTAMPLTZ: "TIMESTAMP",
    _T.TIMESTAMP: "DATETIME",
    _T.DATETIME: "DATETIME",
    _T.DATE: "DATE",
    _T.TIME: "TIME",
    _T.VARBINARY: "BYTES",
    _T.BINARY: "BYTES",
    _T.BLOB: "BYTES",
    _T.VARCHAR: "STRING",
    _T.TEXT: "STRING",
    _T.CHAR: "STRING",
    _T.NCHAR: "STRING",
    _T.NVARCHAR: "STRING",
    _T.JSON: "JSON",
    _T.BIGINT: "INT64",
    _T.INT: "INT64",
}

_BYTES_CALLS = (exp.Left, exp.Right, exp.Pad, exp.Reverse, exp.ToCodePoints, exp.StrPosition)
_JSON_CALLS = (exp.JSONExtract, exp.JSONExtractArray)


def _candidates(stmt: exp.Expression) -> list[exp.Expression]:
    """Arguments whose type would choose a rewrite and that are not literals."""
    out: list[exp.Expression] = []
    for node in stmt.find_all(exp.DateTrunc, exp.Sub, *_BYTES_CALLS, *_JSON_CALLS):
        if isinstance(node, exp.Sub):
            if any(isinstance(a, (exp.Literal, exp.Interval)) for a in (node.this, node.expression)):
                continue  # a number or an interval: the subtraction's meaning is plain
            args = [node.this, node.expression]
        else:
            args = [node.this]
        if isinstance(node, exp.StrPosition):
            args.append(node.args.get("substr"))
        out += [a for a in args if isinstance(a, exp.Expression) and not isinstance(a, exp.Literal)]
    return out


def needs_types(stmt: exp.Expression) -> bool:
    """Whether `stmt` calls a function whose rewrite depends on a non-literal argument's type."""
    return bool(_candidates(stmt))


def known_type(node: exp.Expression | None) -> str | None:
    """The BigQuery type `annotate` inferred for `node` (TIMESTAMP, DATE, BYTES, ...), or None."""
    return node.meta.get(TYPE_KEY) if isinstance(node, exp.Expression) and node._meta else None


def annotate(stmt: exp.Expression, schemas: Mapping[str, Mapping[str, Mapping[str, str]]]) -> None:
    """Record on the candidate arguments of `stmt` the types sqlglot infers for them.

    `schemas`: DuckDB schema name ("project.dataset") -> table -> column -> BigQuery type. A
    statement the optimizer cannot follow leaves every type unknown."""
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    originals = _candidates(stmt)
    for i, node in enumerate(originals):
        node.meta[_TAG] = i
    try:
        schema = MappingSchema(dict(schemas), dialect="bigquery")
        copy = qualify(
            stmt.copy(),
            schema=schema,
            dialect="bigquery",
            validate_qualify_columns=False,
            quote_identifiers=False,
            identify=False,
        )
        annotate_types(copy, schema=schema, dialect="bigquery")
    except (SqlglotError, KeyError, ValueError, TypeError, AttributeError):
        return  # the types stay unknown: the rewrites keep their named refusals
    finally:
        for node in originals:
            node.meta.pop(_TAG, None)
    for node in copy.walk():
        i = node.meta.get(_TAG) if node._meta else None
        if i is None:
            continue
        kind = _KINDS.get(node.type.this) if node.type is not None else None
        if kind is not None:
            originals[i].meta[TYPE_KEY] = kind


def checked(new: exp.Expression, *operands: tuple[exp.Expression, str]) -> exp.Expression:
    """`new`, guarded by DuckDB checking that each operand has the inferred BigQuery type."""
    conds = [
        exp.EQ(
            this=exp.Anonymous(this="typeof", expressions=[value.copy()]),
            expression=exp.Literal.string(DUCKDB_TYPEOF[kind]),
        )
        for value, kind in operands
    ]
    message = exp.Literal.string("the local warehouse inferred a wrong argument type; please report this query")
    return exp.Case(
        ifs=[exp.If(this=exp.and_(*conds), true=new)],
        default=exp.Anonymous(this="error", expressions=[message]),
    )


def field_type(field: Mapping[str, Any]) -> str:
    """A BigQuery schema field's type as GoogleSQL writes it (`ARRAY<STRUCT<a INT64>>`)."""
    if field["type"] == "RECORD":
        inner = ", ".join(f"`{f['name']}` {field_type(f)}" for f in field["fields"])
        base = f"STRUCT<{inner}>"
    else:
        base = field["type"]
    return f"ARRAY<{base}>" if field.get("mode") == "REPEATED" else base


TableTypes = tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...]
"""((project, dataset, table, ((column, BigQuery type), ...)), ...): hashable, for the cache."""


def column_types(con: Any, tables: Iterable[tuple[str, str, str]]) -> TableTypes:
    """The BigQuery column types of `tables` (those that exist) in DuckDB connection `con`."""
    import duckdb

    from .googlesql import duckdb_schema, duckdb_type_to_field

    wanted = {(duckdb_schema(p, d), t): (p, d, t) for p, d, t in tables if t and not t.endswith("*")}
    if not wanted:
        return ()
    pairs = list(wanted)
    where = " OR ".join("(schema_name = ? AND table_name = ?)" for _ in pairs)
    rows = con.execute(
        "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        f"WHERE database_name = current_database() AND ({where}) ORDER BY column_index",
        [v for pair in pairs for v in pair],
    ).fetchall()
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema_name, table, column, data_type in rows:
        try:
            f = duckdb_type_to_field(column, duckdb.sqltype(data_type))
        except (duckdb.Error, KeyError, ValueError):
            continue
        found.setdefault((schema_name, table), []).append((column, field_type(f)))
    return tuple((*wanted[key], tuple(cols)) for key, cols in found.items())


def schema_mapping(types: TableTypes) -> dict[str, dict[str, dict[str, str]]]:
    """`column_types`' answer as `annotate`'s schema mapping (keyed by DuckDB schema name)."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for project, dataset, table, cols in types:
        out.setdefault(f"{project}.{dataset}", {})[table] = dict(cols)
    return out
