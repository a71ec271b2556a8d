"""GoogleSQL (BigQuery's dialect) translated to DuckDB SQL, plus BigQuery's type system.

The translation is sqlglot's (`read="bigquery", write="duckdb"`) with fix-ups for what a
BigQuery user writes and sqlglot leaves to the target: `project.dataset.table` names (backticked
or plain, hyphens included) mapped onto DuckDB schemas, `INFORMATION_SCHEMA` views, `@name` and
`?` parameters, temporary SQL functions, wildcard tables, BigQuery's `f0_` names for unnamed
columns, and clear errors for constructs the local warehouse cannot run.

Storage mapping: BigQuery dataset `project.dataset` is the DuckDB schema named exactly
`"project.dataset"` (one quoted identifier, e.g. `"bigquery-public-data.stackoverflow"`), and a
table keeps its name inside it. Dataset names cannot contain dots, so the last dot splits the
schema name back into project and dataset.

Translation depends only on the SQL text, the default project/dataset and parameter types, so it
is cached. Anything that depends on the catalog (INFORMATION_SCHEMA rows, the tables a wildcard
matches) is left as a named placeholder relation the engine provides on its connection.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError, UnsupportedError

from ...core.errors import NotFoundError, QueryError
from . import bignumerics, census, generation, geography, picotimestamps
from .census import find_all
from .coltypes import TableTypes, annotate, needs_types, schema_mapping, sum_operands
from .decimalliterals import coerce_temporal_literals, decimal_fits, decimal_literal_types
from .functions import hll_supported, used_udfs
from .int64literals import literal_column_names, tag_literals, widen_literals
from .mlscalars import supported as ml_scalar_supported
from .nancompare import rewrite_nan_comparisons, tag_comparisons
from .nanorder import rewrite_nan_orderings, tag_orderings
from .semantics import rewrite_semantics
from .stringparams import PARAMETER, STRING_PARAMETER, VARIABLE, coerce_string_parameters
from .structs import (
    explode_struct_unnests,
    fieldwise_struct_comparisons,
    positional_struct_values,
    rewrite_anonymous_structs,
    top_level_value_table,
)
from .timecasts import rewrite_time_casts
from .udfarguments import PLAIN_ARGUMENT

# sqlglot logs a warning for every BigQuery-only table option it drops (PARTITION BY, CLUSTER BY,
# OPTIONS); those have no meaning on DuckDB and the noise would reach the user's terminal.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


# ----------------------------------------------------------------------------- errors


class BigQueryError(QueryError):
    """A query error with BigQuery's error `reason` (invalidQuery, notFound, duplicate, invalid),
    so the REST server can map it to the HTTP status BigQuery uses."""

    reason = "invalidQuery"

    def __init__(self, message: str, *, fix: str | None = None, reason: str | None = None):
        super().__init__(message, fix=fix)
        if reason:
            self.reason = reason


class BigQueryNotFound(BigQueryError, NotFoundError):
    """A dataset, table, view or function that does not exist (reason notFound)."""

    reason = "notFound"


class BigQueryDuplicate(BigQueryError):
    """Something that already exists (reason duplicate)."""

    reason = "duplicate"


class BigQueryInvalid(BigQueryError):
    """Invalid input data, e.g. a row that does not match its table (reason invalid)."""

    reason = "invalid"


LIST_TABLES_FIX = "list tables with: SELECT table_name FROM `{project}.{dataset}.INFORMATION_SCHEMA.TABLES`"


def table_not_found(project: str, dataset: str, table: str, location: str | None) -> BigQueryNotFound:
    """BigQuery's words for a table a query names that does not exist."""
    where = f" was not found in location {location}" if location else ""
    return BigQueryNotFound(
        f"Not found: Table {project}:{dataset}.{table}{where}",
        fix=LIST_TABLES_FIX.format(project=project, dataset=dataset),
    )


def dataset_not_found(project: str, dataset: str) -> BigQueryNotFound:
    """BigQuery's words for a dataset a query names that does not exist."""
    return BigQueryNotFound(f"Not found: Dataset {project}:{dataset}", fix=LIST_DATASETS_FIX)


LIST_DATASETS_FIX = (
    "list datasets with: SELECT schema_name FROM `region-us.INFORMATION_SCHEMA.SCHEMATA`; "
    "the public tables are in `bigquery-public-data.stackoverflow`"
)


# ----------------------------------------------------------------------------- names


def duckdb_schema(project: str, dataset: str) -> str:
    """The DuckDB schema that holds BigQuery dataset `project.dataset`."""
    return f"{project}.{dataset}"


def split_schema(schema_name: str) -> tuple[str, str] | None:
    """`"project.dataset"` back to (project, dataset); None for schemas that are not datasets."""
    project, dot, dataset = schema_name.rpartition(".")
    if not dot or not project or not dataset:
        return None
    return project, dataset


def quote_ident(name: str) -> str:
    """A DuckDB quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def duckdb_table(project: str, dataset: str, table: str) -> str:
    """The quoted DuckDB name of BigQuery table `project.dataset.table`."""
    return f"{quote_ident(duckdb_schema(project, dataset))}.{quote_ident(table)}"


def bq_name(project: str, dataset: str, table: str | None = None) -> str:
    """How BigQuery spells a name in SQL: `project.dataset.table`."""
    return f"{project}.{dataset}" + (f".{table}" if table else "")


_DATASET_RE = re.compile(r"^[A-Za-z0-9_]{1,1024}$")
_TABLE_RE = re.compile(r"^[\w\- $]{1,1024}$", re.UNICODE)


def check_dataset_name(dataset: str) -> None:
    if not _DATASET_RE.match(dataset or ""):
        raise BigQueryInvalid(
            f"invalid dataset name {dataset!r}",
            fix="dataset names use letters, digits and underscores only",
            reason="invalid",
        )


def check_table_name(table: str) -> None:
    if not _TABLE_RE.match(table or ""):
        raise BigQueryInvalid(
            f"invalid table name {table!r}",
            fix="table names use letters, digits, underscores, dashes and spaces",
            reason="invalid",
        )


# ----------------------------------------------------------------------------- types

_BQ_TO_DUCKDB = {
    "STRING": "VARCHAR",
    "BYTES": "BLOB",
    "INT64": "BIGINT",
    "INTEGER": "BIGINT",
    "FLOAT64": "DOUBLE",
    "FLOAT": "DOUBLE",
    "NUMERIC": "DECIMAL(38,9)",
    "DECIMAL": "DECIMAL(38,9)",
    # DuckDB's widest decimal is 38 digits; BIGNUMERIC (76.76) is narrowed to 38 with scale 18.
    "BIGNUMERIC": "DECIMAL(38,18)",
    "BIGDECIMAL": "DECIMAL(38,18)",
    "BOOL": "BOOLEAN",
    "BOOLEAN": "BOOLEAN",
    "TIMESTAMP": "TIMESTAMPTZ",
    "DATETIME": "TIMESTAMP",
    "DATE": "DATE",
    "TIME": "TIME",
    "JSON": "JSON",
    "INTERVAL": "INTERVAL",
    # DuckDB's core GEOMETRY (WKB); results leave as WKT text (geography.text_relation)
    "GEOGRAPHY": "GEOMETRY",
}

STANDARD_TYPE = {
    "INTEGER": "INT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "STRUCT": "RECORD",
    "DECIMAL": "NUMERIC",
    "BIGDECIMAL": "BIGNUMERIC",
}
"""Legacy/alias BigQuery type names -> the standard names this engine reports."""


def normalize_field(f: dict[str, Any]) -> dict[str, Any]:
    """A schema field with a standard type name and an explicit mode."""
    if "name" not in f or "type" not in f:
        raise BigQueryInvalid(f"schema field {f!r} needs a name and a type", fix="give every field name and type")
    t = str(f["type"]).upper()
    t = STANDARD_TYPE.get(t, t)
    if t not in _BQ_TO_DUCKDB and t not in ("RECORD", "RANGE"):
        raise BigQueryInvalid(
            f"unknown type {f['type']!r} for field {f['name']!r}",
            fix="use a BigQuery type: STRING INT64 FLOAT64 BOOL NUMERIC BIGNUMERIC BYTES DATE DATETIME TIME TIMESTAMP JSON RECORD",
        )
    mode = str(f.get("mode") or "NULLABLE").upper()
    if mode not in ("NULLABLE", "REQUIRED", "REPEATED"):
        raise BigQueryInvalid(
            f"unknown mode {f.get('mode')!r} for field {f['name']!r}", fix="use NULLABLE, REQUIRED or REPEATED"
        )
    out: dict[str, Any] = {"name": f["name"], "type": t, "mode": mode}
    if t == "RECORD":
        sub = f.get("fields") or []
        if not sub:
            raise BigQueryInvalid(f"RECORD field {f['name']!r} has no fields", fix="list its fields")
        out["fields"] = [normalize_field(s) for s in sub]
    if t == "RANGE":
        from . import ranges

        out.update(ranges.field_extras(f))
    if t == "TIMESTAMP" and picotimestamps.precision_of(f) == 12:
        out["timestampPrecision"] = "12"
    if f.get("description"):
        out["description"] = f["description"]
    return out


def bq_field_to_duckdb(f: dict[str, Any], *, top_level: bool = True) -> str:
    """The DuckDB column type for a (normalized) BigQuery schema field; REQUIRED adds NOT NULL
    at the top level only (DuckDB has no nullability inside STRUCTs)."""
    if f["type"] == "RECORD":
        inner = ", ".join(f"{quote_ident(s['name'])} {bq_field_to_duckdb(s, top_level=False)}" for s in f["fields"])
        base = f"STRUCT({inner})"
    elif f["type"] == "RANGE":
        from . import ranges

        base = ranges.duckdb_type(ranges.element_of_field(f))
    elif picotimestamps.is_pico(f):
        base = picotimestamps.DUCKDB_TYPE
    else:
        base = _BQ_TO_DUCKDB[f["type"]]
    if f.get("mode") == "REPEATED":
        base += "[]"
    elif f.get("mode") == "REQUIRED" and top_level:
        base += " NOT NULL"
    return base


def duckdb_type_to_field(name: str, dtype: Any, *, nullable: bool = True) -> dict[str, Any]:
    """A BigQuery schema field for a DuckDB column type (a DuckDBPyType, or its string form).

    DuckDB types with no BigQuery twin take the nearest one: every integer width is INT64,
    FLOAT is FLOAT64, UUID/ENUM/BIT are STRING, a MAP is a REPEATED RECORD of key/value.
    """
    type_id = getattr(dtype, "id", None)
    text = str(dtype)
    if type_id is None:
        import duckdb

        dtype = duckdb.sqltype(text)
        type_id = dtype.id
    if type_id in ("list", "array"):
        child = dtype.children[0][1]
        inner = duckdb_type_to_field(name, child)
        if inner["mode"] == "REPEATED":
            # BigQuery has no array of arrays; the inner array becomes a RECORD with one field.
            inner = {"name": name, "type": "RECORD", "mode": "NULLABLE", "fields": [{**inner, "name": "element"}]}
        inner["mode"] = "REPEATED"
        return inner
    if type_id == "struct":
        from . import ranges

        if (range_field := ranges.field_of_struct(name, dtype, nullable)) is not None:
            return range_field
        if (pico_field := picotimestamps.field_of_struct(name, dtype, nullable)) is not None:
            return pico_field
        if (wide_field := bignumerics.field_of_struct(name, dtype, nullable)) is not None:
            return wide_field
        fields = [duckdb_type_to_field(n, t) for n, t in dtype.children]
        return {"name": name, "type": "RECORD", "mode": "NULLABLE" if nullable else "REQUIRED", "fields": fields}
    if type_id == "map":
        key_t, value_t = (c[1] for c in dtype.children)
        fields = [duckdb_type_to_field("key", key_t), duckdb_type_to_field("value", value_t)]
        return {"name": name, "type": "RECORD", "mode": "REPEATED", "fields": fields}
    return {"name": name, "type": _scalar_type(type_id, text), "mode": "NULLABLE" if nullable else "REQUIRED"}


def _scalar_type(type_id: str, text: str) -> str:
    upper = text.upper()
    if upper == "JSON":
        return "JSON"
    if type_id in (
        "bigint",
        "integer",
        "smallint",
        "tinyint",
        "ubigint",
        "uinteger",
        "usmallint",
        "utinyint",
        "hugeint",
        "uhugeint",
    ):
        return "INT64"
    if type_id in ("double", "float"):
        return "FLOAT64"
    if type_id == "decimal":
        m = re.match(r"DECIMAL\((\d+),\s*(\d+)\)", upper)
        width, scale = (int(m.group(1)), int(m.group(2))) if m else (18, 3)
        return "NUMERIC" if scale <= 9 and width - scale <= 29 else "BIGNUMERIC"
    if type_id == "boolean":
        return "BOOL"
    if type_id in ("timestamp with time zone",):
        return "TIMESTAMP"
    if type_id in ("timestamp", "timestamp_s", "timestamp_ms", "timestamp_ns"):
        return "DATETIME"
    if type_id == "date":
        return "DATE"
    if type_id in ("time", "time with time zone"):
        return "TIME"
    if type_id == "blob":
        return "BYTES"
    if type_id == "interval":
        return "INTERVAL"
    if type_id == "geometry":
        return "GEOGRAPHY"
    if type_id == "null":
        return "INT64"  # BigQuery's type of an untyped NULL (`SELECT NULL`)
    return "STRING"


def bq_field_to_arrow(f: dict[str, Any]):
    """The Arrow type holding a (normalized) BigQuery field's values."""
    import pyarrow as pa

    t = f["type"]
    if t == "RECORD":
        base = pa.struct([pa.field(s["name"], bq_field_to_arrow(s)) for s in f["fields"]])
    elif t == "RANGE":
        from . import ranges

        base = ranges.arrow_type(f)
    elif picotimestamps.is_pico(f):
        base = picotimestamps.arrow_type()
    else:
        base = {
            "STRING": pa.string(),
            "GEOGRAPHY": pa.string(),
            "JSON": pa.string(),
            "INTERVAL": pa.string(),
            "BYTES": pa.binary(),
            "INT64": pa.int64(),
            "FLOAT64": pa.float64(),
            "NUMERIC": pa.decimal128(38, 9),
            "BIGNUMERIC": pa.decimal128(38, 18),
            "BOOL": pa.bool_(),
            "TIMESTAMP": pa.timestamp("us", tz="UTC"),
            "DATETIME": pa.timestamp("us"),
            "DATE": pa.date32(),
            "TIME": pa.time64("us"),
        }[t]
    return pa.list_(base) if f.get("mode") == "REPEATED" else base


def bq_type_to_duckdb(type_name: str) -> str:
    """A scalar BigQuery type name (e.g. a query parameter's type) to DuckDB's."""
    t = STANDARD_TYPE.get(type_name.upper(), type_name.upper())
    if t in _BQ_TO_DUCKDB:
        return _BQ_TO_DUCKDB[t]
    from . import ranges

    if (element := ranges.element_of_type(t)) is not None:
        return ranges.duckdb_type(element)
    try:
        return exp.DataType.build(type_name, dialect="bigquery").sql("duckdb")
    except SqlglotError:
        raise BigQueryError(
            f"unknown parameter type {type_name!r}", fix="use a BigQuery type such as STRING or INT64"
        ) from None


# ----------------------------------------------------------------------------- translation

INFO_SCHEMA_VIEWS = {
    "TABLES": "__bq_information_schema_tables",
    "COLUMNS": "__bq_information_schema_columns",
    "SCHEMATA": "__bq_information_schema_schemata",
    "MATERIALIZED_VIEWS": "__bq_information_schema_materialized_views",
    "ROW_ACCESS_POLICIES": "__bq_information_schema_row_access_policies",
    "PARTITIONS": "__bq_information_schema_partitions",
    "VIEWS": "__bq_information_schema_views",
    "TABLE_OPTIONS": "__bq_information_schema_table_options",
    "TABLE_SNAPSHOTS": "__bq_information_schema_table_snapshots",
    "SCHEMATA_OPTIONS": "__bq_information_schema_schemata_options",
    "CONSTRAINT_COLUMN_USAGE": "__bq_information_schema_constraint_column_usage",
    "ROUTINE_OPTIONS": "__bq_information_schema_routine_options",
    "COLUMN_FIELD_PATHS": "__bq_information_schema_column_field_paths",
    "TABLE_CONSTRAINTS": "__bq_information_schema_table_constraints",
    "KEY_COLUMN_USAGE": "__bq_information_schema_key_column_usage",
    "ROUTINES": "__bq_information_schema_routines",
    "PARAMETERS": "__bq_information_schema_parameters",
    "JOBS": "__bq_information_schema_jobs",
    "JOBS_BY_PROJECT": "__bq_information_schema_jobs",
    "JOBS_BY_USER": "__bq_information_schema_jobs",
    "VECTOR_INDEXES": "__bq_information_schema_vector_indexes",
    "SEARCH_INDEXES": "__bq_information_schema_search_indexes",
    "TABLE_STORAGE": "__bq_information_schema_table_storage",
    "TABLE_STORAGE_BY_PROJECT": "__bq_information_schema_table_storage",
    "__TABLES__": "__bq_meta_tables",
}
"""INFORMATION_SCHEMA view -> the relation name the engine registers on its connection."""


@dataclass(frozen=True)
class Wildcard:
    """A wildcard table (`dataset.prefix*`): the engine defines `relation` as the union of the
    matching tables, with the rest of the name as column `_TABLE_SUFFIX`."""

    relation: str
    project: str
    dataset: str
    prefix: str


@dataclass(frozen=True)
class Statement:
    """One translated statement of a (possibly multi-statement) GoogleSQL script."""

    sql: str
    """DuckDB SQL ("" for EXPORT DATA, whose query is `export_query`)."""
    statement_type: str
    """BigQuery's statement type: SELECT, INSERT, CREATE_TABLE, EXPORT_DATA, ..."""
    target: tuple[str, str, str] | None = None
    """(project, dataset, table) a DDL/DML statement writes; (project, dataset, "") for schemas."""
    tables: tuple[tuple[str, str, str], ...] = ()
    """Every BigQuery table the statement names, for clear not-found errors."""
    export_query: str | None = None
    export_options: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    """DDL OPTIONS(...) given (location, description), lower-cased keys."""
    params: tuple[str, ...] = ()
    """Named parameters the statement uses, in order of first use."""
    positional: int = 0
    """How many positional (?) parameters the statement uses."""
    models: tuple[Any, ...] = ()
    """Remote models (`ml.ModelUse`) the statement calls; the engine checks them first."""
    filtered: frozenset[str] = frozenset()
    """Lower-cased columns some WHERE filters on alone (`partitionfilters.filtered_columns`)."""
    gap_fills: tuple[Any, ...] = ()
    """GAP_FILL calls (`gapfill.GapFill`) whose SQL the engine writes out when the statement runs,
    once DuckDB has described their input."""
    widen: tuple[str, ...] = ()
    """ALTERs that make BIGNUMERIC columns wide before the write runs, in its transaction
    (widecolumns.py)."""


@dataclass(frozen=True)
class Script:
    """A translated GoogleSQL script: its statements and what the engine must provide."""

    statements: tuple[Statement, ...]
    named_params: tuple[str, ...]
    positional_params: int
    info_schema: frozenset[str]
    wildcards: tuple[Wildcard, ...]
    udfs: frozenset[str]
    """Python functions to register on the connection (e.g. farm_fingerprint)."""
    time_travel: tuple[Any, ...] = ()
    """Tables read FOR SYSTEM_TIME AS OF (`history.TimeTravel`); the engine defines each relation."""
    wants_types: bool = False
    """A rewrite depends on the type of a table's column, which translating without the tables'
    schemas left unknown (see `translate`'s `column_types`)."""

    @property
    def sql(self) -> str:
        return ";\n".join(s.sql or f"-- EXPORT DATA\n{s.export_query}" for s in self.statements)

    @property
    def statement_type(self) -> str:
        kinds = [s.statement_type for s in self.statements if s.statement_type != "CREATE_FUNCTION"]
        if len(self.statements) == 1:
            return self.statements[0].statement_type
        return "SCRIPT" if len(kinds) != 1 else kinds[0]


FARM_FINGERPRINT_UDF = "__bq_farm_fingerprint"
FARM_FINGERPRINT_BYTES_UDF = "__bq_farm_fingerprint_bytes"
"""FARM_FINGERPRINT of BYTES (DuckDB's Python UDFs have one signature each); the engine registers
both where `Script.udfs` names FARM_FINGERPRINT_UDF."""

DEFAULT_MAX_QUERY_BYTES = 1024 * 1024
"""BigQuery's own limit on GoogleSQL query text (1,024K characters)."""
DEFAULT_MAX_QUERY_TOKENS = 100_000
"""Far more than hand-written SQL has; bounds the translator's time and memory (about 5 s)."""

_UNSUPPORTED_STATEMENTS = {
    exp.Declare: "DECLARE (procedural scripting)",
    exp.Set: "SET (procedural scripting)",
}


def _unsupported(what: str) -> BigQueryError:
    return BigQueryError(
        f"{what} is not supported by the local warehouse",
        fix="rewrite the query without it, or run it on BigQuery (profile gcp)",
    )


def translate(
    sql: str,
    *,
    default_project: str = "llmops-local",
    default_dataset: str | None = None,
    param_types: dict[str, str] | None = None,
    max_bytes: int | None = DEFAULT_MAX_QUERY_BYTES,
    max_tokens: int | None = DEFAULT_MAX_QUERY_TOKENS,
    functions: frozenset[str] = frozenset(),
    column_types: Callable[[tuple[tuple[str, str, str], ...]], TableTypes] | None = None,
    temp_tables: frozenset[str] = frozenset(),
    session_dataset: str | None = None,
    pico_tables: frozenset[tuple[str, str, str]] = frozenset(),
) -> Script:
    """Translate a GoogleSQL script to DuckDB; raises BigQueryError naming what is wrong.

    `functions`, `temp_tables`: temporary functions and tables an earlier statement of the same
    script created (a bare name may name them).
    `session_dataset`: in a session, the hidden dataset that holds its temporary tables
    (session_tables.py).
    `column_types`: the BigQuery column types of tables (`coltypes.column_types`), asked only
    when the script calls a function whose answer depends on a column's type, or reads one of
    `pico_tables`, the tables with a TIMESTAMP(12) column (picosql.py).

    Text over `max_bytes` (UTF-8) or with more than about `max_tokens` tokens is refused before
    it is parsed, so the cost of translation stays bounded."""
    check_query_size(sql, max_bytes=max_bytes, max_tokens=max_tokens)
    if temp_tables:  # carried with the functions, which every cache key holds
        functions = functions | {_TEMP_TABLE_MARK + name.lower() for name in temp_tables}
    if session_dataset:
        functions = functions | {_SESSION_DATASET_MARK + session_dataset}
    if pico_tables:
        functions = functions | {_PICO_TABLE_MARK + ".".join(t) for t in pico_tables}
    types_key = tuple(sorted((param_types or {}).items()))  # STRUCT field names keep their case
    # an extract job's EXPORT DATA is translated apart, so a user's same text is still checked
    run = _translate if len(sql) > _CACHE_MAX_CHARS or EXTRACT_JOB.get() else _translate_cached
    if column_types is None:
        return run(sql, default_project, default_dataset, types_key, functions)
    key = (sql, default_project, default_dataset, types_key, functions)
    cached = run is _translate_cached
    asked = _tables_asked.get(key) if cached else None
    if asked is None:
        # First sight: one pass, which asks for a statement's column types when it needs them.
        answers: list[tuple[tuple[tuple[str, str, str], ...], TableTypes]] = []

        def ask(tables: tuple[tuple[str, str, str], ...]) -> TableTypes:
            answers.append((tables, column_types(tables)))
            return answers[-1][1]

        script = _translate(sql, default_project, default_dataset, types_key, functions, ask=ask)
        if not script.wants_types:
            if cached:
                _tables_asked.put(key, answers[0][0] if answers else ())
                if answers:
                    _typed_scripts.put((key, answers[0][1]), script)
            return script
        # a script of several statements stopped each that needs types: asked for below
    elif not asked:
        return run(sql, default_project, default_dataset, types_key, functions, None, True)
    else:
        # Seen before: translated with the tables' present column types (again if they changed).
        found = column_types(asked)
        return _typed_scripts.get((key, found)) or run(
            sql, default_project, default_dataset, types_key, functions, found
        )
    # a first pass stops each statement that needs its tables' column types at that point
    script = run(sql, default_project, default_dataset, types_key, functions, None, True)
    if not script.wants_types:
        return script
    found = column_types(tuple(dict.fromkeys(t for s in script.statements for t in s.tables)))
    return run(sql, default_project, default_dataset, types_key, functions, found)


class _BoundedMap:
    """A dict that forgets its oldest entries beyond `size`; safe across threads."""

    def __init__(self, size: int) -> None:
        self._size, self._items, self._lock = size, dict[Any, Any](), threading.Lock()

    def get(self, key: Any) -> Any:
        return self._items.get(key)

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                del self._items[next(iter(self._items))]


_tables_asked = _BoundedMap(512)
"""Query text (and translation options) -> the tables whose column types its first translation
asked for, () if none."""
_typed_scripts = _BoundedMap(512)
"""(query text and options, the column types asked for) -> the one-pass translation."""


_CACHE_MAX_CHARS = 64 * 1024
"""Longer queries are not cached: 512 cached megabyte-sized keys would hold half a gigabyte."""
_STRINGS_AND_COMMENTS = re.compile(
    r"""'{3}.*?'{3}|"{3}.*?"{3}|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|--[^\n]*|#[^\n]*|/\*.*?\*/""",
    re.DOTALL,
)
_TOKENS = re.compile(r"\w+|[^\w\s]")


def check_query_size(sql: str, *, max_bytes: int | None, max_tokens: int | None) -> None:
    """Refuse query text that is too long, or has too many tokens, without parsing it."""
    if max_bytes is not None and len(sql) > max_bytes // 4 and len(sql.encode("utf-8", "surrogatepass")) > max_bytes:
        raise BigQueryError(
            f"The query is too large. The maximum query length is {max_bytes // 1024}K characters "
            "(UTF-8 bytes), including comments and white space",
            fix="shorten the query, e.g. load long value lists into a table and join it",
        )
    if max_tokens is not None and len(sql) > max_tokens:
        # Strings and comments are one token each; count what remains (regexes run in C).
        count = len(_TOKENS.findall(_STRINGS_AND_COMMENTS.sub("''", sql)))
        if count > max_tokens:
            raise BigQueryError(
                f"The query has too many tokens ({count:,}; the limit is {max_tokens:,})",
                fix="shorten the query, e.g. load long value lists into a table and join it",
            )


def _translate(
    sql: str,
    default_project: str,
    default_dataset: str | None,
    param_types: tuple[tuple[str, str], ...],
    functions: frozenset[str] = frozenset(),
    table_types: TableTypes | None = None,
    ask_types: bool = False,
    ask: Callable[[tuple[tuple[str, str, str], ...]], TableTypes] | None = None,
) -> Script:
    """`ask`: for a single statement, asked for the column types of its tables when it needs
    them (a script of several statements is stopped as with `ask_types`)."""
    try:
        return _translate_parsed(
            sql, default_project, default_dataset, param_types, functions, table_types, ask_types, ask
        )
    except RecursionError:
        raise BigQueryError(
            "The query is nested too deeply to translate", fix="flatten nested expressions or subqueries"
        ) from None
    finally:
        census.forget()  # its tree, which the translation no longer needs


_translate_cached = lru_cache(maxsize=512)(_translate)


def _translate_parsed(
    sql: str,
    default_project: str,
    default_dataset: str | None,
    param_types: tuple[tuple[str, str], ...],
    functions: frozenset[str] = frozenset(),
    table_types: TableTypes | None = None,
    ask_types: bool = False,
    ask: Callable[[tuple[tuple[str, str, str], ...]], TableTypes] | None = None,
) -> Script:
    if not sql or not sql.strip():
        raise BigQueryError("the query is empty", fix="write a SELECT statement")
    from .aifunctions import protect as protect_ai_calls
    from .arities import check_arities
    from .arrayindexes import mark_bare_subscripts
    from .bqml_calls import protect as protect_ml_calls
    from .castformat import protect
    from .castformat import restore as restore_cast_formats
    from .dateparts import check_date_parts
    from .foreignsyntax import check_foreign_syntax
    from .jsonobjectarrays import protect as protect_json_object_arrays
    from .keywordnames import (
        mark_subscripted_names,
        quote_keywords_after_dots,
        quote_operator_words,
        restore_subscripted_names,
    )
    from .parenjoins import unwrap_leading_unnest_joins
    from .pathoffsets import unnest_offset_paths
    from .pipeoperators import apply_pipe_markers, parenthesize_set_operands, rewrite_pipe_operators
    from .privacyclauses import check_privacy_clauses
    from .quantified import protect as protect_quantifiers
    from .rawbytes import raw_bytes_as_escaped
    from .safecalls import unwrap_safe_paths, wrap_safe_paths
    from .udfnames import mark_udf_calls

    original = sql
    from .functionnames import check_function_names

    check_function_names(sql, frozenset(f.upper() for f in functions))  # the user's text, before any rewrite
    from .rangesessions import table_arguments

    sql = raw_bytes_as_escaped(sql)
    sql = rewrite_pipe_operators(
        unnest_offset_paths(
            unwrap_leading_unnest_joins(quote_keywords_after_dots(quote_operator_words(table_arguments(sql))))
        )
    )
    check_privacy_clauses(sql)
    from .routines import refuse_aggregate_functions

    refuse_aggregate_functions(sql)
    try:
        parsed_text = protect_ml_calls(protect_ai_calls(protect_json_object_arrays(protect_quantifiers(protect(sql)))))
        dialect = sqlglot.Dialect.get_or_raise("bigquery")
        tokens = dialect.tokenize(parsed_text)
        check_arities(tokens, parsed_text, frozenset(f.upper() for f in functions))
        check_date_parts(tokens, parsed_text, frozenset(f.upper() for f in functions))
        check_foreign_syntax(tokens, parsed_text)
        tokens = mark_subscripted_names(wrap_safe_paths(mark_udf_calls(tokens, functions)))
        # a Semicolon holds only comments (`SELECT 1; -- note`), which BigQuery skips
        parsed = [
            s for s in dialect.parser().parse(tokens, parsed_text) if s is not None and not isinstance(s, exp.Semicolon)
        ]
    except ParseError as exc:
        from . import ranges

        ranges.check_sessionize(sql)
        from .aifunctions import served
        from .pipeoperators import refuse_pipe_operators

        refuse_pipe_operators(sql)
        for ml in _ML_CALL.finditer(sql):
            if not (ml.group(1).upper() == "AI" and served(ml.group(2))):
                raise _unsupported(f"{ml.group(1).upper()}.{ml.group(2).upper()}") from None
        raise BigQueryError(_parse_error_line(exc, sql), fix="check the SQL syntax near that position") from None
    except TokenError as exc:
        raise BigQueryError(f"syntax error: {str(exc).splitlines()[0]}", fix="check quotes and brackets") from None
    if not parsed:
        raise BigQueryError("the query is empty", fix="write a SELECT statement")
    from .viewtext import view_query

    # a view's text as written (the positions refer to the parsed text: when it was changed, none)
    view_texts = [view_query(tree, original if parsed_text == original else "") for tree in parsed]
    if '""' in original and _EMPTY_JSON_KEY.search(original):
        _refuse_empty_json_keys(parsed)
    if "$" in original:
        from .jsonpathops import refuse_unsupported_operators

        for tree in parsed:
            refuse_unsupported_operators(tree)
    if "-" in sql:
        from .dashednames import refuse_dashed_routine_names

        for tree in parsed:
            refuse_dashed_routine_names(tree)
    for tree in parsed:
        _drop_token_positions(tree)
        restore_cast_formats(tree)
        unwrap_safe_paths(tree)
        restore_subscripted_names(tree)
        mark_bare_subscripts(tree)
        if "|>" in sql:
            parenthesize_set_operands(tree)
            apply_pipe_markers(tree)
    _refuse_bare_from_query(sql, parsed)
    ctx = _Context(default_project, default_dataset, dict(param_types))
    ctx.temp_functions.update(f for f in functions if not f.startswith("\x00"))
    ctx.script_temp_tables.update(f[len(_TEMP_TABLE_MARK) :] for f in functions if f.startswith(_TEMP_TABLE_MARK))
    session_dataset = next(
        (f[len(_SESSION_DATASET_MARK) :] for f in functions if f.startswith(_SESSION_DATASET_MARK)), None
    )
    ctx.table_types, ctx.ask_types = table_types, ask_types
    ctx.pico_tables = frozenset(f[len(_PICO_TABLE_MARK) :] for f in functions if f.startswith(_PICO_TABLE_MARK))
    if ask is not None:
        if len(parsed) == 1:
            ctx.ask = ask
        else:
            ctx.ask_types = True
    for s in parsed:
        if isinstance(s, exp.Create) and str(s.kind).upper() == "TABLE" and _is_temporary(s):
            node = s.this.this if isinstance(s.this, exp.Schema) else s.this
            _check_temporary_table_name(node)
            ctx.script_temp_tables.add(node.name.lower())
    if session_dataset:
        from .session_tables import qualify

        for s in parsed:
            qualify(cast(exp.Expression, s), ctx.project, session_dataset, ctx.script_temp_tables)
    statements = []
    for s, view_text in zip(parsed, view_texts, strict=True):
        named_before, positional_before = len(ctx.named_params), ctx.positional
        created = s.copy() if isinstance(s, exp.Create) and str(s.kind).upper() == "TABLE" else None
        stmt = _translate_statement(cast(exp.Expression, s), ctx)
        if view_text is not None:
            stmt = replace(stmt, options={**stmt.options, "view_query": view_text})
        if created is not None:
            _learn_created_table(created, stmt, ctx)
        statements.append(
            replace(
                stmt,
                params=tuple(dict.fromkeys(ctx.named_params[named_before:])),
                positional=ctx.positional - positional_before,
            )
        )
    return Script(
        statements=tuple(statements),
        named_params=tuple(dict.fromkeys(ctx.named_params)),
        positional_params=ctx.positional,
        info_schema=frozenset(ctx.info_schema),
        wildcards=tuple(ctx.wildcards),
        udfs=frozenset(ctx.udfs),
        time_travel=tuple(ctx.time_travel),
        wants_types=ctx.wants_types,
    )


_EMPTY_JSON_KEY = re.compile(r"""'\$[^'\n]*\.""(?=['.\[])|"\$[^"\n]*\.\\"\\"(?=["\.\[])""")
"""A JSONPath string literal with an empty quoted key (`'$.""'`, `"$.\"\""`)."""


def _refuse_empty_json_keys(parsed: list[exp.Expr]) -> None:
    """The text has a JSONPath literal with an empty key: refused where a JSON function reads a
    path, as sqlglot's parser drops the key (`$.""` became `$`, the whole document)."""
    for tree in parsed:
        if tree.find(exp.JSONPath) is not None:
            raise BigQueryError(
                'a JSONPath with an empty key ($."") is not supported by the local warehouse '
                "(its parser reads it as $, the whole document)",
                fix="read the member with a JSON subscript, json[''] (PARSE_JSON(text)[''] for a STRING)",
            )


_TEMP_TABLE_MARK = "\x00table:"
"""Marks a temporary table's name among `translate`'s functions (no function name has a NUL)."""
_SESSION_DATASET_MARK = "\x00session:"
"""Marks the session's hidden dataset among `translate`'s functions."""
_PICO_TABLE_MARK = "\x00pico:"
"""Marks a table with a TIMESTAMP(12) column ("project.dataset.table") among `translate`'s functions."""

_POSITION_KEYS = ("line", "col", "start", "end")


def _drop_token_positions(tree: exp.Expr) -> None:
    """Forget where in the text each identifier and literal was: nothing after parsing reads it,
    and every copy of a node deep-copied it (a third of a translation's time went to copying)."""
    for node in tree.walk():
        meta = node._meta
        if meta:
            for key in _POSITION_KEYS:
                meta.pop(key, None)
            if not meta:
                node._meta = None


_ML_CALL = re.compile(r"\b(ML|AI|VECTOR_SEARCH)\s*\.\s*([A-Za-z_]+)\s*\(", re.IGNORECASE)
_TOKEN_REPR = re.compile(r"<Token token_type: [^,]+, text: (.*?), line: .*?>")


def _describe_token(text: str) -> str:
    """A token as GoogleSQL's errors name it: keyword WHERE, integer literal "3", identifier x."""
    from sqlglot.tokens import Tokenizer

    if re.fullmatch(r"\d+", text):
        return f'integer literal "{text}"'
    if re.fullmatch(r"\d*\.\d+(e[+-]?\d+)?|\d+e[+-]?\d+", text, re.IGNORECASE):
        return f'floating point literal "{text}"'
    if text[:1] in ("'", '"'):
        return f"string literal {text}"
    if re.fullmatch(r"[A-Za-z_]\w*", text):
        return f"keyword {text.upper()}" if text.upper() in Tokenizer.KEYWORDS else f"identifier {text}"
    return f'"{text}"'


def _parse_error_line(exc: ParseError, sql: str = "") -> str:
    """BigQuery's wording for a parse error: `Syntax error: Unexpected keyword FROM at [2:1]`."""
    errs = getattr(exc, "errors", None) or []
    if not errs:
        return f"Syntax error: {str(exc).splitlines()[0]}"
    e = errs[0]
    near = (e.get("highlight") or "").strip()
    line, col = int(e.get("line") or 1), int(e.get("col") or 1)
    start = max(col - len(near) + 1, 1)  # sqlglot reports the token's last column, BigQuery its first
    description = str(e.get("description"))
    lines = sql.splitlines()
    rest = "\n".join([lines[line - 1][col:]] + lines[line:]) if 0 < line <= len(lines) else ""
    if description.startswith("Expecting "):
        what = description.removeprefix("Expecting ").strip()
        got = _describe_token(near) if near else "end of input"
        text = f'Expected "{what}" but got {got}'
    elif description.startswith("Required keyword") and not rest.strip():
        text = "Unexpected end of script"
    elif description.startswith(("Required keyword", "Invalid expression")) and near:
        text = f"Unexpected {_describe_token(near)}"
    else:
        text = _TOKEN_REPR.sub(lambda m: repr(m.group(1)), description).replace("'SENTINEL'", "end of input")
        text = re.sub(r"\s*for <class '[^']*'>", "", text)
    return f"Syntax error: {text} at [{line}:{start}]"


def _refuse_bare_from_query(sql: str, parsed: list[Any]) -> None:
    """`FROM FROM t`: sqlglot reads the second FROM as a FROM-first query (`SELECT * FROM t`)
    standing as a table; BigQuery allows a query there only in parentheses and says so."""
    if not any(isinstance(n.this, exp.Query) for s in parsed for n in s.find_all(exp.From, exp.Join)):
        return
    from sqlglot.tokens import TokenType

    tokens = sqlglot.Dialect.get_or_raise("bigquery").tokenize(sql)
    for before, tok in zip(tokens, tokens[1:], strict=False):
        if tok.token_type == TokenType.FROM and before.token_type in (TokenType.FROM, TokenType.JOIN):
            line = sql.count("\n", 0, tok.start) + 1
            column = tok.start - sql.rfind("\n", 0, tok.start)
            raise BigQueryError(
                f"Syntax error: Unexpected keyword FROM at [{line}:{column}]",
                fix="write one FROM before the table, or put a subquery in parentheses",
            )


def _check_temporary_table_name(table: exp.Expression) -> None:
    """A temporary table is named alone or as `_SESSION.t` ("don't use a project or dataset
    qualifier in the table name", multi-statement queries page)."""
    db, catalog = table.args.get("db"), table.args.get("catalog")
    if catalog is not None or (db is not None and db.name.upper() != "_SESSION"):
        raise BigQueryError(
            f"Temporary table {table.sql(dialect='bigquery')} must not be qualified with a project or dataset",
            fix=f"name it alone: CREATE TEMP TABLE {table.name} (or _SESSION.{table.name})",
        )


def _is_temporary(create: exp.Create) -> bool:
    props = create.args.get("properties")
    return bool(props and any(isinstance(p, exp.TemporaryProperty) for p in props.expressions))


class _Context:
    def __init__(self, project: str, dataset: str | None, param_types: dict[str, str]):
        self.project = project
        # A default dataset in another project than the job's comes as "project.dataset"; it
        # qualifies bare table names only (`dataset.table` stays in the job's project).
        dataset_project, _, dataset_name = (dataset or "").rpartition(".")
        self.dataset_project = dataset_project or project
        self.dataset: str | None = dataset_name or None
        self.param_types = param_types
        self.named_params: list[str] = []
        self.positional = 0
        self.info_schema: set[str] = set()
        self.wildcards: list[Wildcard] = []
        self.udfs: set[str] = set()
        self.script_temp_tables: set[str] = set()
        # schema ("project.dataset"; "" for temp tables) -> table -> column -> BigQuery type
        self.created_types: dict[str, dict[str, dict[str, str]]] = {}
        self.temp_functions: set[str] = set()
        self.time_travel: list[Any] = []
        self.table_types: TableTypes | None = None
        self.wants_types = False
        self.ask_types = False
        self.ask: Callable[[tuple[tuple[str, str, str], ...]], TableTypes] | None = None
        self.pico_tables: frozenset[str] = frozenset()
        """"project.dataset.table" of the tables with a TIMESTAMP(12) column (picosql.py)."""


def flatten_table_name(table: exp.Table) -> list[str]:
    return _flatten_table_name(table)


def _flatten_table_name(table: exp.Table) -> list[str]:
    parts: list[str] = []
    for key in ("catalog", "db", "this"):
        node = table.args.get(key)
        if node is None:
            continue
        if isinstance(node, exp.Dot):
            names = [p.name for p in node.flatten()]
        else:
            names = [node.name]
        for name in names:
            if not name:
                continue
            # `domain.com:project` keeps its dots; other parts were backticked as a whole.
            parts.extend([name] if ":" in name else name.split("."))
    return parts


def _generate(node: exp.Expression, allowed: frozenset[str] = frozenset()) -> str:
    """DuckDB SQL for a translated node; every function it calls must be allowed (see sandbox.py)."""
    from .sandbox import check_function_name

    try:
        sql, called = generation.generate(node)
    except UnsupportedError as exc:
        what = re.sub(r"\s*(is )?not supported.*$", "", str(exc).splitlines()[0]).rstrip(".")
        raise _unsupported(what or "a construct in this query") from None
    for name in dict.fromkeys(called):
        check_function_name(name, allowed | {FARM_FINGERPRINT_UDF, FARM_FINGERPRINT_BYTES_UDF})
    return sql


_GOOGLESQL_STATEMENTS = tuple(
    cls
    for cls in (
        exp.Query,
        exp.Insert,
        exp.Update,
        exp.Delete,
        exp.Merge,
        exp.Create,
        exp.Drop,
        getattr(exp, "Alter", None),
        getattr(exp, "AlterTable", None),
        getattr(exp, "TruncateTable", None),
        exp.Export,
    )
    if cls is not None
)

_ALLOWED_KINDS = {
    exp.Create: ("TABLE", "VIEW", "SCHEMA", "FUNCTION", "MODEL"),
    exp.Drop: ("TABLE", "VIEW", "SCHEMA", "FUNCTION", "MODEL"),
}


def _check_statement_kind(stmt: exp.Expression) -> None:
    for cls, kinds in _ALLOWED_KINDS.items():
        if isinstance(stmt, cls):
            kind = str(stmt.args.get("kind") or "TABLE").upper()
            if kind not in kinds:
                raise _unsupported(f"{type(stmt).__name__.upper()} {kind}")
    if isinstance(stmt, exp.Insert) and not isinstance(stmt.this, (exp.Table, exp.Schema)):
        raise _unsupported("INSERT into anything but a table")


def _check_table_functions(stmt: exp.Expression) -> None:
    """GoogleSQL reads tables by name and arrays with UNNEST; a function in FROM would be a
    DuckDB table function (read_csv, glob, query...), which the local warehouse never runs."""
    for table in stmt.find_all(exp.Table):
        this = table.this
        if this is None or isinstance(this, exp.Identifier) or table.meta.get("routine:"):
            continue  # (a routine: a persistent table function, see routines.rewrite_calls)
        fn = this if isinstance(this, exp.Func) else this.find(exp.Func)
        if fn is None:
            continue
        name = fn.name if isinstance(fn, exp.Anonymous) else fn.sql_name()
        raise BigQueryError(
            f"table function {str(name).upper()} is not supported by the local warehouse",
            fix="query tables by name (`dataset.table`) and arrays with UNNEST",
        )


def _translate_statement(stmt: exp.Expression, ctx: _Context) -> Statement:
    for cls, what in _UNSUPPORTED_STATEMENTS.items():
        if isinstance(stmt, cls):
            raise _unsupported(what)
    from .gapfill import rewrite as rewrite_gap_fills

    # before any rewrite: each call's input is translated as a query of its own
    fills = rewrite_gap_fills(stmt, lambda query: _translate_statement(query, ctx))
    if fills:
        done = _translate_statement(stmt, ctx)
        read = tuple(dict.fromkeys([*done.tables, *(t for f in fills for t in f.tables)]))
        return replace(done, tables=read, gap_fills=(*done.gap_fills, *fills))
    from .groupby import (
        compute_keys_from_grouped_columns,
        group_by_all_without_keys,
        resolve_group_by_aliases,
        resolve_grouping_ordinals,
    )

    _number_positional_parameters(stmt)  # before any rewrite copies one
    from .tablepaths import resolve_table_path_qualifiers

    resolve_table_path_qualifiers(stmt)  # before any rewrite reads a column's qualifier
    from .bitwiseorder import regroup_bitwise_operators

    regroup_bitwise_operators(stmt)  # GoogleSQL's precedence, before any rewrite reads the tree
    from .subqueryaggregates import bind_outer_aggregates

    bind_outer_aggregates(stmt)  # before the UNNEST aliases are rewritten
    from .castchecks import refuse_json_casts

    refuse_json_casts(stmt)  # before any rewrite writes casts of its own
    resolve_grouping_ordinals(stmt)  # copies SELECT expressions: before they are tagged
    resolve_group_by_aliases(stmt)
    from .havingminmax import rewrite_having_min_max

    rewrite_having_min_max(stmt)
    group_by_all_without_keys(stmt)
    compute_keys_from_grouped_columns(stmt)
    from .volatilewindows import hoist_volatile_window_keys

    hoist_volatile_window_keys(stmt)
    tag_literals(stmt)  # before any rewrite adds SQL of its own
    tag_comparisons(stmt, ctx.param_types)
    tag_orderings(stmt)
    from . import tablekinds

    special = tablekinds.translate_ddl(stmt, ctx)
    if special is not None:
        return special
    if isinstance(stmt, exp.LoadData):
        from . import loaddata

        return loaddata.translate(stmt, ctx)
    if isinstance(stmt, exp.Command):
        word = str(stmt.this).upper()
        raise _unsupported(f"the {word} statement")
    if not isinstance(stmt, _GOOGLESQL_STATEMENTS):
        raise _unsupported(f"the {type(stmt).__name__.upper()} statement")
    _check_statement_kind(stmt)
    top_level_value_table(stmt)
    from .structstars import mark_field_stars, mark_value_row

    mark_field_stars(stmt)
    mark_value_row(stmt)

    if isinstance(stmt, exp.Create) and stmt.kind == "FUNCTION":
        return _translate_function(stmt, ctx)

    if isinstance(stmt, exp.Export):
        return _translate_export(stmt, ctx)

    from . import ml

    if isinstance(stmt, (exp.Create, exp.Drop)) and str(stmt.args.get("kind") or "").upper() == "MODEL":
        if isinstance(stmt, exp.Create) and stmt.expression is not None:
            from .bqml_calls import translate_create

            return translate_create(stmt, ctx.project, ctx.dataset, lambda q: _translate_statement(q, ctx))
        return ml.translate_model_ddl(stmt, ctx.project, ctx.dataset)
    models = ml.rewrite_calls(stmt, ctx.project, ctx.dataset)
    from . import aifunctions

    if aifunctions.rewrite_calls(stmt) or models:
        ctx.udfs.update(ml.ML_UDFS)
    from . import ddl, routines

    routines.rewrite_calls(stmt, ctx)
    from . import rangesessions

    rangesessions.rewrite(stmt)  # before the table names are read: its input is a subquery
    required = ddl.ctas_with_columns(stmt)

    cte_names = {cte.alias_or_name.lower() for cte in stmt.find_all(exp.CTE)}
    tables: list[tuple[str, str, str]] = []
    target: tuple[str, str, str] | None = None
    options = _ddl_options(stmt)
    if required:
        options["required_columns"] = required

    if isinstance(stmt, exp.Delete) and not stmt.this and stmt.args.get("tables"):
        # BigQuery's `DELETE dataset.table WHERE ...` (FROM is optional there, not in DuckDB)
        tables_ = stmt.args["tables"]
        stmt.set("tables", None)
        stmt.set("this", tables_[0])

    if isinstance(stmt, (exp.Create, exp.Drop)) and str(stmt.args.get("kind") or "").upper() == "SCHEMA":
        node = stmt.this if isinstance(stmt, exp.Create) else (stmt.args.get("tables") or [stmt.this])[0]
        names = _flatten_table_name(node) if isinstance(node, exp.Table) else [node.name]
        if len(names) == 1:
            project, dataset = ctx.project, names[0]
        elif len(names) == 2:
            project, dataset = names
        else:
            raise BigQueryError(
                f"invalid dataset name {'.'.join(names)!r}", fix="write it as project.dataset or dataset"
            )
        check_dataset_name(dataset)
        schema_node = exp.Table(this=exp.to_identifier(duckdb_schema(project, dataset), quoted=True))
        if isinstance(stmt, exp.Create):
            from .ddlopts import parse_options, schema_options

            props = stmt.args.get("properties")
            options.update(schema_options(parse_options(list(props.expressions) if props else [], "SCHEMA")))
            stmt.set("this", schema_node)
            stmt.set("properties", None)
        else:
            stmt.set("tables", [schema_node])
        target = (project, dataset, "")
        kind = "CREATE_SCHEMA" if isinstance(stmt, exp.Create) else "DROP_SCHEMA"
        return Statement(sql=_generate(stmt), statement_type=kind, target=target, options=options)

    _check_unsupported_nodes(stmt)
    _check_table_functions(stmt)
    from .joinmethods import read_join_words
    from .limitclauses import check_limit_offset

    read_join_words(stmt)
    check_limit_offset(stmt)
    from .seriessteps import check_series_steps

    check_series_steps(stmt)
    from .lazybranches import guard_untaken_generators

    guard_untaken_generators(stmt)
    from .partitionfilters import filtered_columns
    from .windowrules import refuse_frames_where_not_allowed

    filtered = filtered_columns(stmt)  # before rewrites reshape the WHEREs

    refuse_frames_where_not_allowed(stmt)
    from .cteorder import order_recursive_ctes

    order_recursive_ctes(stmt)
    from .volatilectes import evaluate_volatile_ctes_per_reference

    evaluate_volatile_ctes_per_reference(stmt)
    from .aggforms import separate_random_aggregates
    from .arrayliterals import refuse_nested_arrays
    from .operandtypes import check_operand_types
    from .quantified import rewrite_quantified_likes
    from .setops import positional_struct_fields, rewrite_set_operations
    from .setoptypes import check_set_operation_types

    refuse_nested_arrays(stmt)
    separate_random_aggregates(stmt)
    rewrite_quantified_likes(stmt)
    if isinstance(stmt, (exp.Update, exp.Delete)):
        from .dmlforms import require_where

        require_where(stmt)
    if isinstance(stmt, (exp.Update, exp.Merge)):
        from .dmlforms import merge_insert_row, rewrite_field_assignments
        from .dmlmatches import check_single_source_rows

        rewrite_field_assignments(stmt)
        merge_insert_row(stmt)
        check_single_source_rows(stmt)

    rewrite_set_operations(stmt)
    check_set_operation_types(stmt)  # by name made positional; before rewrites hide the literals
    check_operand_types(stmt)
    positional_struct_fields(stmt)
    from .arrayliterals import tuples_as_structs
    from .arraypaths import correlated_array_paths
    from .bytescast import strings_to_bytes
    from .intervaltext import canonical_interval_literals
    from .jsonaccess import first_json_object_keys, lift_json_literal_paths
    from .jsonobjectarrays import rewrite_json_object_arrays
    from .pivotcolumns import name_pivot_columns, split_pivot_aggregates
    from .safecalls import safe_window_calls, tag_safe_arguments
    from .truncliterals import coerce_trunc_literals

    correlated_array_paths(stmt)
    safe_window_calls(stmt)
    tag_safe_arguments(stmt)
    lift_json_literal_paths(stmt)
    rewrite_json_object_arrays(stmt)
    first_json_object_keys(stmt)
    tuples_as_structs(stmt)
    strings_to_bytes(stmt)
    coerce_trunc_literals(stmt)
    canonical_interval_literals(stmt)
    _rewrite_tables(stmt, ctx, cte_names, tables)
    _order_unpivot_columns(stmt)
    name_pivot_columns(stmt)
    _rewrite_parameters(stmt, ctx)
    from .orderaliases import order_by_aliases

    order_by_aliases(stmt)  # before the types are learned: an ORDER BY copy would not get them
    if _infer_types(stmt, ctx, tables):
        # its column types are asked for, then the script is translated again (see `translate`)
        return Statement(sql="", statement_type=_statement_type(stmt), tables=tuple(tables))
    coerce_string_parameters(stmt)
    from .extractparts import check_extracts
    from .operandtypes import check_array_casts, check_string_comparisons

    check_extracts(stmt)  # after a STRING parameter is coerced to the type EXTRACT takes

    check_string_comparisons(stmt)  # `int_col = '5'`, now that the column's type is known
    from .decimalliterals import coerce_operand_literals

    coerce_operand_literals(stmt)  # `n - 0.1` of a NUMERIC n, now that n's type is known
    from .argumenttypes import check_argument_types

    check_argument_types(stmt)  # before a rewrite of an inner call drops its inferred type
    check_array_casts(stmt)
    from .bignumerictext import check_text_casts, mark_text_casts

    mark_text_casts(stmt)  # while the target is still BIGNUMERIC (_fix_types makes it a DECIMAL)
    from .floatcasts import FLOAT_BIGNUMERIC_UDF, mark_float_casts, rewrite_float_casts

    mark_float_casts(stmt)
    from .jsonaccess import mark_json_subscripts
    from .jsonpointer import pointer_paths
    from .setops import positional_struct_columns
    from .structstars import expand_field_stars, pack_struct_rows

    # after the types are inferred: of the STRUCTs expanded, and of UNNESTs a subquery takes in
    expand_field_stars(stmt)
    pack_struct_rows(stmt)
    positional_struct_columns(stmt)
    mark_json_subscripts(stmt)
    pointer_paths(stmt)
    from .jsonbytes import encode_json_bytes
    from .jsonfloats import encode_json_floats

    encode_json_bytes(stmt)
    encode_json_floats(stmt)
    ctx.udfs.update(geography.rewrite_calls(stmt))
    _rewrite_functions(stmt, ctx)
    from . import ranges
    from .safecalls import later_errors_as_null

    ranges.rewrite(stmt)
    later_errors_as_null(stmt)
    ctx.udfs.update(used_udfs(stmt))
    fieldwise_struct_comparisons(stmt)
    _fix_types(stmt)
    if rewrite_float_casts(stmt):  # before check_text_casts: an unknown type's cast may be text too
        ctx.udfs.add(FLOAT_BIGNUMERIC_UDF)
    check_text_casts(stmt)
    rewrite_nan_comparisons(stmt)
    from .frameoffsets import check_frame_offsets

    check_frame_offsets(stmt)  # before the ORDER BY keys that RANGE offsets count from are negated
    rewrite_nan_orderings(stmt)
    split_pivot_aggregates(stmt)  # last: it splits what the rewrites above made of PIVOT's aggregates
    from .recursionlimit import limit_recursive_ctes

    limit_recursive_ctes(stmt)  # after the rewrites that read or reshape the CTEs' SELECT lists
    from .stablechecks import stable_checks
    from .udfs import RAISE_UDF

    if stable_checks(stmt):  # after every rewrite that adds ERROR calls
        ctx.udfs.add(RAISE_UDF)
    if isinstance(stmt, exp.Query):
        _name_nested_unnamed_columns(stmt)
        _name_unnamed_columns(stmt)

    kind = _statement_type(stmt)
    if kind not in ("SELECT",):
        target = _target_of(stmt, ctx)
    if isinstance(stmt, exp.Create) and stmt.args.get("properties") is not None:
        # BigQuery-only table options (OPTIONS, PARTITION BY, CLUSTER BY) have no DuckDB meaning.
        keep = [p for p in stmt.args["properties"].expressions if isinstance(p, exp.TemporaryProperty)]
        stmt.set("properties", exp.Properties(expressions=keep) if keep else None)
    from .tablesamples import plain_sample_sizes
    from .unnestnames import qualify_unnest_names

    plain_sample_sizes(stmt)
    qualify_unnest_names(stmt)  # after the STRUCT UNNESTs are expanded into their fields
    return Statement(
        sql=_generate(stmt, frozenset(ctx.temp_functions)),
        statement_type=kind,
        target=target,
        tables=tuple(tables),
        options=options,
        models=models,
        filtered=filtered,
    )


def _ddl_options(stmt: exp.Expression) -> dict[str, Any]:
    props = stmt.args.get("properties") if isinstance(stmt, exp.Create) else None
    out: dict[str, Any] = {}
    if not props:
        return out
    if isinstance(stmt, exp.Create) and str(stmt.kind).upper() == "VIEW":
        from .ddlopts import object_fields, parse_options

        kind = "MATERIALIZED VIEW" if stmt.meta.get(MATERIALIZED) else "VIEW"
        out["ddl_fields"] = object_fields(parse_options(list(props.expressions), kind), kind)
    for p in props.expressions:
        if isinstance(p, exp.Property) and p.args.get("value") is not None:
            key = p.name.lower()
            val = p.args["value"]
            out[key] = val.name if isinstance(val, exp.Literal) else val.sql("bigquery")
        elif isinstance(p, exp.LocationProperty):
            out["location"] = p.this.name
    return out


MATERIALIZED = "llmops:materialized"
"""Meta mark of a CREATE MATERIALIZED VIEW translated as a CREATE VIEW (tablekinds)."""


def _statement_type(stmt: exp.Expression) -> str:
    if isinstance(stmt, exp.Query):
        return "SELECT"
    if isinstance(stmt, exp.Insert):
        return "INSERT"
    if isinstance(stmt, exp.Update):
        return "UPDATE"
    if isinstance(stmt, exp.Delete):
        return "DELETE"
    if isinstance(stmt, exp.Merge):
        return "MERGE"
    if isinstance(stmt, exp.TruncateTable):
        return "TRUNCATE_TABLE"
    if isinstance(stmt, exp.Alter):
        return "ALTER_TABLE"
    if isinstance(stmt, exp.Create):
        kind = str(stmt.kind or "").upper()
        if kind == "VIEW":
            return "CREATE_VIEW"
        if kind == "TABLE":
            return "CREATE_TABLE_AS_SELECT" if stmt.expression is not None else "CREATE_TABLE"
        return f"CREATE_{kind}"
    if isinstance(stmt, exp.Drop):
        return f"DROP_{str(stmt.kind or 'TABLE').upper()}"
    return type(stmt).__name__.upper()


def _target_of(stmt: exp.Expression, ctx: _Context) -> tuple[str, str, str] | None:
    node = (
        stmt.this
        if isinstance(stmt, (exp.Create, exp.Drop, exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Alter))
        else None
    )
    if isinstance(stmt, exp.TruncateTable):
        node = stmt.expressions[0] if stmt.expressions else None
    if isinstance(stmt, exp.Drop) and stmt.args.get("tables"):
        node = stmt.args["tables"][0]
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        schema = node.args.get("db")
        if schema is not None:
            split = split_schema(schema.name)
            if split:
                return (*split, node.name)
    return None


def _check_unsupported_nodes(stmt: exp.Expression) -> None:
    if stmt.find(exp.Predict) is not None:
        raise _unsupported("ML.PREDICT")
    if isinstance(stmt, exp.Insert | exp.Update | exp.Delete | exp.Merge) and stmt.args.get("returning"):
        # GoogleSQL's DML has no RETURNING (PostgreSQL's): DuckDB ran the write and dropped the clause
        raise BigQueryError(
            "Syntax error: Unexpected keyword RETURNING", fix="BigQuery's DML returns no rows: SELECT them after it"
        )
    for node in stmt.walk():
        if isinstance(node, exp.Table):
            version = node.args.get("version")
            if version is not None and str(version.args.get("kind") or "").upper() != "AS OF":
                raise _unsupported(f"FOR SYSTEM_TIME {version.args.get('kind')}")
            if node.db.upper() in ("ML", "AI", "VECTOR_SEARCH") and not node.catalog:
                fn = node.this  # a table function sqlglot knows (AI.GENERATE_TABLE) has no name
                name = fn.sql_name() if isinstance(fn, exp.Func) and not isinstance(fn, exp.Anonymous) else node.name
                raise _unsupported(f"{node.db.upper()}.{name.upper()}")
        if isinstance(node, exp.Dot) and isinstance(node.this, exp.Identifier | exp.Column):
            head = node.this.name.upper()
            if head in ("ML", "AI", "KEYS", "AEAD", "NET", "HLL_COUNT", "S2", "ST", "KLL_QUANTILES", "OBJ"):
                fn = node.expression
                name = (
                    fn.sql_name()
                    if isinstance(fn, exp.Func) and not isinstance(fn, exp.Anonymous)
                    else getattr(fn, "name", "")
                )
                name = str(name).upper()
                if head == "HLL_COUNT" and hll_supported(name) or head == "ML" and ml_scalar_supported(name):
                    continue  # rewritten by functions.rewrite_function_calls
                raise _unsupported(f"{head}.{name.removeprefix(head + '_')}")
        if isinstance(node, exp.Anonymous):
            name = str(node.this).upper()
            if name.startswith(("ML.", "AI.", "NET.", "KEYS.", "AEAD.", "HLL_COUNT.", "KLL_QUANTILES.", "OBJ.")):
                raise _unsupported(name)
        if isinstance(node, exp.In) and any(isinstance(e, exp.Unnest) for e in node.expressions):
            # GoogleSQL's IN takes UNNEST(array) without parentheses; in a value list DuckDB
            # would unnest it into rows of the query (one answer per element)
            raise BigQueryError(
                "Syntax error: Unexpected keyword UNNEST in an IN list",
                fix="write x IN UNNEST(array), without the parentheses",
            )


def _rewrite_tables(
    stmt: exp.Expression, ctx: _Context, cte_names: set[str], tables: list, local: set[str] | None = None
) -> None:
    for table in find_all(stmt, exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # table functions and the like
        names = _flatten_table_name(table)
        if not names:
            continue
        if local and len(names) > 1 and names[0].lower() in local:
            continue  # a path from a function's parameter or alias, not a table
        if len(names) == 2 and names[0].upper() == "_SESSION":
            if names[1].lower() not in ctx.script_temp_tables:
                raise BigQueryNotFound(
                    f"Not found: Table _SESSION.{names[1]} (no temporary table of that name in this session or script)",
                    fix="create it first with CREATE TEMP TABLE, in the same script or session",
                )
            table.set("db", None)
            continue  # _SESSION names the session's (or script's) temporary tables
        if len(names) == 1:
            low = names[0].lower()
            if low in cte_names or low in ctx.script_temp_tables:
                continue  # a CTE or a temp table of this script
            if ctx.dataset is None:
                # As BigQuery: each call is a fresh session, so a bare name can only be a CTE or a
                # temp table of this script; on DuckDB it would reach a system view
                # (duckdb_settings, pragma_database_list) or a file (a replacement scan).
                raise BigQueryError(
                    f'Table "{names[0]}" must be qualified with a dataset (e.g. dataset.table)',
                    fix="write `dataset.table` or `project.dataset.table`, or set a default dataset",
                )
            if low.upper() == "INFORMATION_SCHEMA":
                continue
        upper = [n.upper() for n in names]
        if "INFORMATION_SCHEMA" in upper:
            _replace_info_schema(table, names, upper.index("INFORMATION_SCHEMA"), ctx)
            continue
        dataset: str | None
        if len(names) == 3:
            project, dataset, name = names
        elif len(names) == 2:
            project, (dataset, name) = ctx.project, names
        elif len(names) == 1:
            project, dataset, name = ctx.dataset_project, ctx.dataset, names[0]
        else:
            raise BigQueryError(
                f"invalid table name {'.'.join(names)!r}",
                fix="write it as `project.dataset.table` or `dataset.table`",
            )
        if dataset is None:
            raise BigQueryError(
                f"table name {name!r} names no dataset", fix="write `dataset.table` or set a default dataset"
            )
        if name.upper() in META_TABLES:
            _replace_meta_table(table, project, dataset, name.upper(), ctx)
            continue
        if name.endswith("*"):
            wc = Wildcard(f"__bq_wildcard_{len(ctx.wildcards)}", project, dataset, name[:-1])
            ctx.wildcards.append(wc)
            alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name[:-1] or dataset))
            table.set("catalog", None)
            table.set("db", None)
            table.set("this", exp.to_identifier(wc.relation, quoted=True))
            table.set("alias", alias)
            tables.append((project, dataset, name))
            _exclude_table_suffix_from_star(table)
            continue
        tables.append((project, dataset, name))
        if table.args.get("version") is not None:
            from .tablekinds import rewrite_time_travel

            rewrite_time_travel(table, project, dataset, name, ctx)
            continue
        table.set("catalog", None)
        table.set("db", exp.to_identifier(duckdb_schema(project, dataset), quoted=True))
        table.set("this", exp.to_identifier(name, quoted=True))


def _order_unpivot_columns(stmt: exp.Expression) -> None:
    """BigQuery's UNPIVOT puts the value columns before the name column, DuckDB's after it:
    `x UNPIVOT(v FOR n IN (...)) AS u` becomes `(SELECT * EXCLUDE (n), n FROM x UNPIVOT(...)) AS u`."""
    for pivot in find_all(stmt, exp.Pivot):
        source = pivot.parent
        fields = pivot.args.get("fields") or []
        if not pivot.args.get("unpivot") or not isinstance(source, (exp.Table, exp.Subquery)) or len(fields) != 1:
            continue
        name = fields[0].this
        if not isinstance(name, exp.Identifier):
            continue
        alias = pivot.args.get("alias") or source.args.get("alias")
        alias_name = alias.name if alias is not None else (source.name if isinstance(source, exp.Table) else "")
        pivot.set("alias", None)
        inner = source.copy()
        inner.set("alias", None)
        star = exp.Star(**{"except_" if "except_" in exp.Star.arg_types else "except": [exp.column(name.copy())]})
        sub = exp.select(star, exp.column(name.copy())).from_(inner)
        source.replace(
            exp.Subquery(this=sub, alias=exp.TableAlias(this=exp.to_identifier(alias_name)) if alias_name else None)
        )


def _exclude_table_suffix_from_star(table: exp.Table) -> None:
    """BigQuery's `_TABLE_SUFFIX` is a pseudo-column: `SELECT *` over a wildcard leaves it out."""
    select = table.find_ancestor(exp.Select)
    if select is None:
        return
    for star in select.expressions:
        if isinstance(star, exp.Star):
            excepts = list(star.args.get("except_") or star.args.get("except") or [])
            excepts.append(exp.column("_TABLE_SUFFIX"))
            key = "except_" if "except_" in star.arg_types else "except"
            star.set(key, excepts)


META_TABLES = {
    "__TABLES__": (
        "project_id",
        "dataset_id",
        "table_id",
        "creation_time",
        "last_modified_time",
        "row_count",
        "size_bytes",
        "type",
    ),
    "__TABLES_SUMMARY__": ("project_id", "dataset_id", "table_id", "creation_time", "type"),
}
"""BigQuery's legacy meta-tables of a dataset (`dataset.__TABLES__`) -> their columns."""


def _replace_meta_table(table: exp.Table, project: str, dataset: str, name: str, ctx: _Context) -> None:
    ctx.info_schema.add("__TABLES__")
    cond = exp.and_(
        exp.column("project_id").eq(exp.Literal.string(project)),
        exp.column("dataset_id").eq(exp.Literal.string(dataset)),
    )
    sub = exp.select(*META_TABLES[name]).from_(exp.to_identifier(INFO_SCHEMA_VIEWS["__TABLES__"], quoted=True))
    alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
    table.replace(exp.Subquery(this=sub.where(cond), alias=alias))


_VIEW_SCOPE_COLUMNS = {
    "ROUTINES": ("specific_catalog", "specific_schema"),
    "PARAMETERS": ("specific_catalog", "specific_schema"),
    "ROUTINE_OPTIONS": ("specific_catalog", "specific_schema"),
    "SCHEMATA_OPTIONS": ("catalog_name", "schema_name"),
    "VECTOR_INDEXES": ("index_catalog", "index_schema"),
    "SEARCH_INDEXES": ("index_catalog", "index_schema"),
}
"""INFORMATION_SCHEMA views whose project and dataset columns are not table_catalog/table_schema."""


def _replace_info_schema(table: exp.Table, names: list[str], at: int, ctx: _Context) -> None:
    qualifier = names[:at]
    rest = names[at + 1 :]
    if len(rest) != 1 or rest[0].upper() not in INFO_SCHEMA_VIEWS or rest[0].startswith("__"):
        view = ".".join(rest) or "(none)"
        raise BigQueryError(
            f"INFORMATION_SCHEMA.{view.upper()} is not supported by the local warehouse",
            fix="use INFORMATION_SCHEMA." + ", ".join(sorted(v for v in INFO_SCHEMA_VIEWS if not v.startswith("__"))),
        )
    view = rest[0].upper()
    project, dataset = ctx.project, None
    if len(qualifier) == 1:
        if qualifier[0].lower().startswith("region-"):
            pass
        else:
            dataset = qualifier[0]
    elif len(qualifier) == 2:
        project = qualifier[0]
        if not qualifier[1].lower().startswith("region-"):
            dataset = qualifier[1]
    elif len(qualifier) == 0:
        project, dataset = ctx.dataset_project, ctx.dataset
    else:
        raise BigQueryError(
            f"invalid INFORMATION_SCHEMA name {'.'.join(names)!r}",
            fix="write `project.dataset.INFORMATION_SCHEMA.TABLES`",
        )
    jobs = view.startswith("JOBS")
    regional = jobs or view.startswith("TABLE_STORAGE")
    if (view in ("SCHEMATA", "SCHEMATA_OPTIONS") or regional) and dataset is not None and len(qualifier) != 0:
        raise BigQueryError(
            f"INFORMATION_SCHEMA.{view} is qualified by project or region, not by dataset",
            fix=f"write `region-us.INFORMATION_SCHEMA.{view}` or `project.region-us.INFORMATION_SCHEMA.{view}`",
        )
    if jobs:
        view, dataset = "JOBS", None
    elif regional:
        view, dataset = "TABLE_STORAGE", None
    ctx.info_schema.add(view)
    relation = INFO_SCHEMA_VIEWS[view]
    cond: exp.Expr
    if view == "SCHEMATA":
        cond = exp.column("catalog_name").eq(exp.Literal.string(project))
        schema = "schema_name"
    elif view == "JOBS":
        cond = exp.column("project_id").eq(exp.Literal.string(project))
    else:
        catalog, schema = _VIEW_SCOPE_COLUMNS.get(view, ("table_catalog", "table_schema"))
        cond = exp.column(catalog).eq(exp.Literal.string(project))
        if dataset is not None:
            cond = cond.and_(exp.column(schema).eq(exp.Literal.string(dataset)))
    if dataset is None and view != "JOBS":
        # a session's hidden dataset (its temporary tables) is not listed, as datasets.list leaves it out
        hidden = exp.Anonymous(
            this="starts_with", expressions=[exp.column(schema), exp.Literal.string(HIDDEN_DATASET_PREFIX)]
        )
        cond = cond.and_(exp.Not(this=hidden))
    sub = exp.select("*").from_(exp.to_identifier(relation, quoted=True)).where(cond)
    alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(rest[0].upper()))
    table.replace(exp.Subquery(this=sub, alias=alias))


HIDDEN_DATASET_PREFIX = "_session_"
"""How the hidden dataset holding a session's temporary tables is named (sessions.py)."""

SESSION_USER = "emulator@llmops.local"
"""What SESSION_USER() answers: the principal the emulator's jobs report (`user_email`)."""
_SYSTEM_VARIABLES = {"project_id", "dataset_id", "time_zone", "session_id", "dataset_project_id"}
_SESSION_FUNCTIONS = (exp.CurrentCatalog, exp.CurrentSchema, exp.CurrentDatabase, exp.CurrentUser)


def _rewrite_system_variables(stmt: exp.Expression, ctx: _Context) -> None:
    """`@@project_id` (the job's project), `@@dataset_id` (the default dataset, else NULL),
    `@@time_zone` ('UTC'), `@@session_id` and `@@dataset_project_id` (NULL: a session's
    queries have theirs bound by scripting.py); DuckDB's catalog functions (which would answer its internal names)
    and other system variables are refused by name."""
    for fn in stmt.find_all(*_SESSION_FUNCTIONS):
        name = fn.sql_name()
        raise BigQueryError(
            f"Function not found: {name} (GoogleSQL has none; @@project_id and @@dataset_id name the "
            "project and the default dataset)",
            fix="use @@project_id for the project and @@dataset_id for the default dataset",
        )
    for user in find_all(stmt, exp.SessionUser):
        user.replace(exp.Literal.string(SESSION_USER))  # DuckDB's would answer 'duckdb'
    for node in find_all(stmt, exp.Parameter):
        if not isinstance(node.this, exp.Parameter):
            continue
        name = node.this.name.lower()
        if name not in _SYSTEM_VARIABLES:
            raise _unsupported(f"the system variable @@{name}")
        value = {"project_id": ctx.project, "dataset_id": ctx.dataset, "time_zone": "UTC"}.get(name)
        node.replace(
            exp.cast(exp.null(), exp.DataType.build("VARCHAR")) if value is None else exp.Literal.string(value)
        )


def duckdb_parameter(name: str) -> str:
    r"""The DuckDB name of query parameter @`name`: itself, or an ASCII spelling of a name that is
    not a plain identifier (`@\`好\``, `@\`a b\``), since duckdb's `sql(params=)` finds only `$word`
    markers (a quoted `$"好"` went unbound: "Parameter/argument count mismatch")."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else "__bq_param_" + name.encode().hex()


def _parameter_name(name: str) -> exp.Expression:
    return exp.var(duckdb_parameter(name))


_POSITION = "bq_position"


def _is_positional(node: exp.Expression) -> bool:
    return isinstance(node, exp.Placeholder) and node.name in ("", "?")


def _number_positional_parameters(stmt: exp.Expression) -> None:
    """Number the statement's `?` parameters in the order written (1, 2, ...), kept on copies."""
    for n, node in enumerate((p for p in stmt.find_all(exp.Placeholder, bfs=False) if _is_positional(p)), 1):
        node.meta[_POSITION] = n


def _rewrite_parameters(stmt: exp.Expression, ctx: _Context) -> None:
    _rewrite_system_variables(stmt, ctx)
    count = highest = 0
    for node in list(stmt.find_all(exp.Parameter, exp.Placeholder, bfs=False)):
        if isinstance(node, exp.Placeholder):
            if not _is_positional(node):
                name = node.name
            else:
                # DuckDB's numbered $n: a rewrite that copied an operand (`x = ?` guarded for
                # NaN, `x IN UNNEST(?)`) reads the same value where a copied `?` would ask for one more
                count += 1
                n = node.meta.get(_POSITION, count) if node._meta else count
                highest = max(highest, n)
                node.replace(exp.Parameter(this=exp.var(str(n))))
                continue
        else:
            name = node.name
        ctx.named_params.append(name)
        new: exp.Expression = exp.Parameter(this=_parameter_name(name))
        if ctx.param_types.get(name) == bignumerics.PARAM_TYPE:
            # a BIGNUMERIC value beyond DECIMAL(38, 18), bound as its scaled integer (bignumerics.py)
            if not bignumerics.is_top_level_item(node, stmt):
                raise bignumerics.unsupported(
                    f"script variable {name[3:]}" if name.startswith("_v_") else f"query parameter @{name}"
                )
            new = bignumerics.parameter_node(new)
        elif name in ctx.param_types:
            new = exp.cast(new, exp.DataType.build(bq_type_to_duckdb(ctx.param_types[name]), dialect="duckdb"))
            if ctx.param_types[name].upper() == "STRING":
                # a parameter coerces to DATE, ... where compared with one, a script variable does not (stringparams.py)
                new.meta[STRING_PARAMETER] = VARIABLE if name.startswith("_v_") else PARAMETER
        node.replace(new)
    ctx.positional += highest
    if ctx.positional and ctx.named_params:
        raise BigQueryError("the query mixes @named and ? positional parameters", fix="use one kind of parameter")


def _infer_types(stmt: exp.Expression, ctx: _Context, tables: list[tuple[str, str, str]]) -> bool:
    """Learn the argument types that type-dependent rewrites need (see coltypes.py). True when
    the statement reads tables whose column types are to be asked for first (`Script.wants_types`)."""
    from . import picosql

    pico = picosql.named(stmt) or any(".".join(t) in ctx.pico_tables for t in tables)
    needed = needs_types(stmt) or pico
    created = ctx.created_types
    unknown = [t for t in tables if t[2] not in created.get(f"{t[0]}.{t[1]}", {})]
    if not needed and unknown and ctx.table_types is None and ctx.ask is not None and sum_operands(stmt):
        # `d + n` of columns: DuckDB adds only its 32-bit INTEGER to a DATE. Asked for where it
        # costs no second pass (one statement, first sight); a script keeps the limitation.
        ctx.table_types = ctx.ask(tuple(dict.fromkeys(tables)))
    if not needed and not _sum_types_at_hand(stmt, ctx, unknown):
        return False
    if needed and unknown and ctx.table_types is None:
        if ctx.ask is None:
            ctx.wants_types = ctx.wants_types or ctx.ask_types
            return ctx.ask_types  # without a way to ask, the types stay unknown (named refusals)
        ctx.table_types = ctx.ask(tuple(dict.fromkeys(tables)))
    mapping = schema_mapping(ctx.table_types or ())
    for schema, by_table in created.items():
        mapping.setdefault(schema, {}).update(by_table)
    for wc in ctx.wildcards:
        # the statement reads a wildcard as a bare relation named after it
        cols = mapping.get(f"{wc.project}.{wc.dataset}", {}).get(f"{wc.prefix}*")
        if cols:
            mapping.setdefault("", {})[wc.relation] = cols
    annotate(stmt, mapping)
    if pico:
        picosql.rewrite(stmt, mapping)
    return False


def _sum_types_at_hand(stmt: exp.Expression, ctx: _Context, unknown: list[tuple[str, str, str]]) -> bool:
    """Whether `stmt` adds values of types the text does not show (`d + n`, coltypes.sum_operands)
    that are known without asking for tables' types: a column the statement selects from an
    integer literal (DuckDB's BIGINT, which it does not add to a DATE), or tables of known types."""
    operands = sum_operands(stmt)
    if not operands:
        return False
    if ctx.table_types is not None or (ctx.created_types and not unknown):
        return True
    names = literal_column_names(stmt)
    return any(isinstance(a, exp.Column) and a.name.lower() in names for a in operands)


def _learn_created_table(original: exp.Create, stmt: Statement, ctx: _Context) -> None:
    """Record the BigQuery column types of a table the script creates (its column list, or what
    sqlglot infers for its query's columns), so later statements of the same script that call
    type-dependent functions on its columns know them (the table does not exist yet when the
    script is translated). A temporary table is keyed by its bare name."""
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.schema import MappingSchema

    target = original.this
    cols: dict[str, str] = {}
    if isinstance(target, exp.Schema):
        for col in target.expressions:
            kind = col.args.get("kind") if isinstance(col, exp.ColumnDef) else None
            if isinstance(kind, exp.DataType):
                cols[col.name] = kind.sql("bigquery")
    query = original.expression
    if not cols and isinstance(query, exp.Query):
        mapping: dict[str, Any] = dict(schema_mapping(ctx.table_types or ()))
        for schema, by_table in ctx.created_types.items():
            mapping.setdefault(schema, {}).update(by_table)
        try:
            typed = annotate_types(
                query.copy(), schema=MappingSchema(dict(mapping), dialect="bigquery"), dialect="bigquery"
            )
        except (SqlglotError, ValueError, KeyError):
            return
        for sel in typed.selects if isinstance(typed, exp.Query) else []:
            if sel.type is not None and sel.type.this != exp.DataType.Type.UNKNOWN and sel.alias_or_name:
                cols[sel.alias_or_name] = sel.type.sql("bigquery")
    table = target.this if isinstance(target, exp.Schema) else target
    if not cols or not isinstance(table, exp.Table):
        return
    key = f"{stmt.target[0]}.{stmt.target[1]}" if stmt.target else ""
    name = stmt.target[2] if stmt.target else table.name
    ctx.created_types.setdefault(key, {})[name] = cols


def _int64_elements(array: exp.Array) -> None:
    """An array literal's integer elements as INT64: DuckDB types `[1, -2]` INTEGER[], so
    `x * x` over its elements overflowed 32 bits and BIT_COUNT(-1) counted 32 bits. Casting the
    first integer literal to BIGINT is enough: DuckDB gives the list its elements' widest type
    (BIGINT, or DOUBLE/DECIMAL beside a FLOAT64/NUMERIC element), at one node per array."""
    for element in array.expressions:
        inner = element.this if isinstance(element, exp.Neg) else element
        if isinstance(inner, exp.Literal) and not inner.is_string and inner.this.isdigit():
            # the negated literal as a whole: -9223372036854775808 is INT64, its digits are not
            element.replace(exp.cast(element.copy(), exp.DataType.build("BIGINT")))
            return
        if isinstance(inner, exp.Cast) and inner.to.this == exp.DataType.Type.BIGINT:
            return  # an operand of wide literal arithmetic, already INT64


_CALENDAR_PARTS = frozenset({"WEEK", "ISOWEEK", "MONTH", "QUARTER", "YEAR", "ISOYEAR"})


def _calendar_part(unit: exp.Expression | None) -> bool:
    """WEEK(<weekday>), WEEK, MONTH, ...: parts TIMESTAMP_DIFF takes only with DATETIME arguments."""
    return isinstance(unit, exp.WeekStart) or (unit is not None and unit.name.upper() in _CALENDAR_PARTS)


def _timestamp_diff_by_calendar(node: exp.TimestampDiff) -> exp.Expression:
    """TIMESTAMP_DIFF of DATETIMEs by a calendar part is DATETIME_DIFF; of TIMESTAMPs BigQuery fails."""
    unit = node.args["unit"]
    part = unit.sql("bigquery").upper()
    by_datetime = exp.DatetimeDiff(
        this=node.this.copy(), expression=node.expression.copy(), unit=unit.copy(), date_part_boundary=True
    )
    message = f"TIMESTAMP_DIFF does not support the {part} date part when the argument is TIMESTAMP type"
    is_datetime = exp.and_(
        *(
            exp.EQ(
                this=exp.Anonymous(this="typeof", expressions=[a.copy()]), expression=exp.Literal.string("TIMESTAMP")
            )
            for a in (node.this, node.expression)
        )
    )
    failed = exp.Anonymous(this="error", expressions=[exp.Literal.string(message)])
    return exp.Case(ifs=[exp.If(this=is_datetime, true=by_datetime)], default=failed)


_DECIMALS = (exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL)
_BIGNUMERIC_INTEGER_DIGITS = 20  # the engine's BIGNUMERIC is DECIMAL(38, 18)


def _exact_decimal_literal(node: exp.Literal, coerced: str | None = None) -> bool:
    """A number literal CAST (or SAFE_CAST) to NUMERIC/BIGNUMERIC, an element of an
    ARRAY<NUMERIC>[...] constructor, or one coerced to the NUMERIC/BIGNUMERIC `coerced` (see
    decimalliterals.py), becomes the exact decimal it reads as, as BigQuery coerces a
    literal; through FLOAT64 `CAST(123456789.123456789 AS
    NUMERIC)` was -123456789.123456784. Replaces the cast's operand; whether it did."""
    operand: exp.Expression = node
    text = node.this
    if isinstance(node.parent, exp.Neg):
        operand, text = node.parent, "-" + text
    if coerced is not None:
        kind = exp.DataType.Type.BIGDECIMAL if coerced == "BIGNUMERIC" else exp.DataType.Type.DECIMAL
        if coerced == "BIGNUMERIC" and not decimal_fits(text, _BIGNUMERIC_INTEGER_DIGITS):
            raise _unsupported(f"the BIGNUMERIC value {text} (more than {_BIGNUMERIC_INTEGER_DIGITS} integer digits)")
        operand.replace(exp.Cast(this=exp.Literal.string(text), to=exp.DataType(this=kind)))
        return True
    cast = operand.parent
    if isinstance(cast, exp.Array) and isinstance(cast.parent, exp.Cast | exp.TryCast):
        # an element of ARRAY<NUMERIC>[...]: the element cast to the array's element type
        element = cast.parent.to.expressions[0] if cast.parent.to.expressions else None
        if isinstance(element, exp.DataType) and element.is_type(*_DECIMALS):
            operand.replace(exp.Cast(this=exp.Literal.string(text), to=element.copy()))
            return True
        return False
    if not isinstance(cast, exp.Cast | exp.TryCast) or cast.this is not operand or not cast.to.is_type(*_DECIMALS):
        return False
    operand.replace(exp.Literal.string(text))
    return True


_CIVIL_TYPES = (
    exp.DataType.Type.DATE,
    exp.DataType.Type.DATETIME,
    exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPTZ,
)


def _rewrite_functions(stmt: exp.Expression, ctx: _Context) -> None:
    from . import castformat
    from .datefamily import check_unix_calls, dispatch_by_argument_type
    from .divisions import zero_divisor_errors
    from .floatmods import refuse_float_mods
    from .formats import epoch_second_parses
    from .jsonnumbers import rewrite_parse_json_modes
    from .textanalysis import rewrite_bag_of_words
    from .timestampcalls import round_down_epochs, timestamp_literal_arguments
    from .zones import offset_zones_for_icu

    epoch_second_parses(stmt)
    rewrite_parse_json_modes(stmt)
    refuse_float_mods(stmt)  # before the divisor checks rewrite the MODs
    zero_divisor_errors(stmt)
    rewrite_bag_of_words(stmt)
    check_unix_calls(stmt)
    timestamp_literal_arguments(stmt)
    round_down_epochs(stmt)
    coerce_temporal_literals(stmt)
    dispatch_by_argument_type(stmt)

    offset_zones_for_icu(stmt)
    from .castchecks import check_casts
    from .leapseconds import roll_leap_seconds

    check_casts(stmt)
    castformat.rewrite(stmt)
    from .textsearch import rewrite_search_calls

    rewrite_search_calls(stmt, ctx.temp_functions)
    from .numericproducts import exact_numeric_products

    exact_numeric_products(stmt)  # before the overflow checks of rewrite_semantics wrap the products
    rewrite_semantics(stmt)
    rewrite_anonymous_structs(stmt)
    positional_struct_values(stmt)
    explode_struct_unnests(stmt)
    roll_leap_seconds(stmt)
    rewrite_time_casts(stmt)
    from .argchecks import check_arguments

    check_arguments(stmt)
    from .nanaggregates import nan_least, nan_minimums
    from .statsaggregates import exact_decimal_spreads, rewrite_statistics

    nan_minimums(stmt)
    nan_least(stmt)
    exact_decimal_spreads(stmt)
    rewrite_statistics(stmt)
    node: exp.Expr
    for node in find_all(stmt, exp.TimestampDiff):
        # BigQuery counts whole elapsed intervals (DuckDB's date_sub), not boundaries crossed
        # (DuckDB's date_diff): 23:59 -> 00:01 next day is 0 days.
        unit_arg = node.args.get("unit")
        if _calendar_part(unit_arg):
            node.replace(_timestamp_diff_by_calendar(node))
            continue
        unit = (unit_arg.name if unit_arg is not None else "DAY").lower()
        node.replace(exp.Anonymous(this="DATE_SUB", expressions=[exp.Literal.string(unit), node.expression, node.this]))
    for node in find_all(stmt, exp.NetFunc):
        inner = node.this
        raise _unsupported(f"NET.{inner.sql_name() if isinstance(inner, exp.Func) else 'functions'}")
    from .safecalls import rewrite_safe_calls

    rewrite_safe_calls(stmt)
    for node in find_all(stmt, exp.DateTrunc, exp.DateAdd, exp.DateSub):
        # DATE_TRUNC/DATE_ADD/DATE_SUB return DATE in BigQuery; DuckDB's date arithmetic gives TIMESTAMP
        parent = node.parent
        if not (isinstance(parent, exp.Cast) and parent.to.is_type(*_CIVIL_TYPES)):
            # a CAST to a date or time type already gives the call its type (a DATETIME's
            # DATE_TRUNC is cast back to TIMESTAMP); one to another type (`CAST(DATE_ADD(...) AS
            # STRING)`) reads the DATE. Wrapped in place, not as a copy: a call nested inside
            # (found in the same list) must still be in the tree when its turn comes
            # (`DATE_SUB(DATE_TRUNC(DATE_ADD(d, ...)))`)
            cast = exp.Cast(to=exp.DataType.build("DATE"))
            node.replace(cast)
            cast.set("this", node)
    for node in reversed(find_all(stmt, exp.Extract)):  # inner calls first: an outer one is replaced by a copy
        part = node.this.name.upper() if isinstance(node.this, (exp.Var, exp.Identifier)) else ""
        if part == "DAYOFWEEK":  # BigQuery counts Sunday as 1, DuckDB as 0
            node.replace(exp.paren(exp.Add(this=node.copy(), expression=exp.Literal.number(1))))
        elif part == "WEEK":  # BigQuery's WEEK starts on Sunday (0-53), DuckDB's is the ISO week
            node.replace(
                exp.cast(
                    exp.Anonymous(this="STRFTIME", expressions=[node.expression, exp.Literal.string("%U")]),
                    exp.DataType.build("BIGINT"),
                )
            )
    coerced = decimal_literal_types(stmt)
    for node in find_all(stmt, exp.Literal):
        # GoogleSQL's 1.5 and 1e3 are FLOAT64; DuckDB would type them DECIMAL
        if not node.is_string and any(c in node.this for c in ".eE") and not isinstance(node.parent, exp.DataTypeParam):
            if not _exact_decimal_literal(node, coerced.get(id(node))):
                node.replace(exp.cast(node.copy(), exp.DataType.build("DOUBLE")))
    for node in find_all(stmt, exp.Array):
        _int64_elements(node)
    from .bytescalls import farm_fingerprint_call

    for node in find_all(stmt, exp.FarmFingerprint):
        ctx.udfs.add(FARM_FINGERPRINT_UDF)
        node.replace(farm_fingerprint_call(node))


def _fix_types(stmt: exp.Expression) -> None:
    """DuckDB's types where GoogleSQL's differ: INT64 literals, GEOGRAPHY, NUMERIC, BIGNUMERIC."""
    widen_literals(stmt)
    _refuse_picosecond_timestamps(stmt)
    for dt in find_all(stmt, exp.DataType):
        # changed in place: the type annotator shares a CAST's target type with the CAST's own
        # `_type`, which a replace() would reach instead of the target (a BIGNUMERIC in a STRUCT
        # read by UNNEST was cast to sqlglot's DECIMAL(38, 5))
        if dt.this == exp.DataType.Type.GEOGRAPHY:
            _retype(dt, exp.DataType.build("GEOMETRY"))
        elif dt.this == exp.DataType.Type.BIGDECIMAL:
            # sqlglot's DuckDB BIGNUMERIC is DECIMAL(38, 5); the emulator's is DECIMAL(38, 18) everywhere
            _retype(dt, exp.DataType.build(_BQ_TO_DUCKDB["BIGNUMERIC"]))
    # sqlglot turns NUMERIC into a bare DECIMAL, which DuckDB reads as DECIMAL(18,3).
    for dt in find_all(stmt, exp.DataType):
        if dt.this == exp.DataType.Type.DECIMAL and not dt.expressions:
            dt.set(
                "expressions",
                [exp.DataTypeParam(this=exp.Literal.number(38)), exp.DataTypeParam(this=exp.Literal.number(9))],
            )


def _refuse_picosecond_timestamps(stmt: exp.Expression) -> None:
    """A TIMESTAMP(12) that picosql.py left (a statement translated without its tables' types, or a
    routine's body) is refused by name; TIMESTAMP(6) is the plain TIMESTAMP."""
    for dt in find_all(stmt, exp.DataType):
        if dt.this in (exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIMESTAMP) and dt.expressions:
            precision = dt.expressions[0].sql()
            if precision != "6":
                raise _unsupported(f"TIMESTAMP({precision}) (a timestamp with picosecond precision)")


def _retype(dt: exp.DataType, new: exp.DataType) -> None:
    """Make `dt` the type `new`, in place."""
    for key in list(dt.args):
        dt.set(key, None)
    for key, value in new.args.items():
        dt.set(key, value)


ANONYMOUS_COLUMN = re.compile(r"^(\$col\d+|f\d+_)$")


def output_names(names: list[str]) -> list[str]:
    """A result's column names as BigQuery reports them: the anonymous columns of a subquery that
    `SELECT *` passes through (`$colN`) are `f<i>_`, i counting the anonymous columns in order."""
    if not any(n.startswith("$col") for n in names):
        return names
    out, i = [], 0
    for name in names:
        if ANONYMOUS_COLUMN.match(name):
            name, i = f"f{i}_", i + 1
        out.append(name)
    return out


def _name_nested_unnamed_columns(query: exp.Query) -> None:
    """A subquery's or CTE's unnamed columns are `$col1`, `$col2`, ... (BigQuery's internal names;
    DuckDB would name them after their text, which a `SELECT *` above would show)."""
    for select in query.find_all(exp.Select):
        if select is query or select.parent is None or select.args.get("kind"):
            continue  # the outermost SELECT is named below; SELECT AS STRUCT keeps its own names
        if isinstance(select.parent, exp.SetOperation) and select.parent is query:
            continue
        exprs = select.expressions
        if all(_is_named(e) for e in exprs):
            continue
        select.set(
            "expressions",
            [e if _is_named(e) else exp.alias_(e, f"$col{i}", quoted=True) for i, e in enumerate(exprs, start=1)],
        )


def _is_named(e: exp.Expr) -> bool:
    """Whether a SELECT item has a name of its own: an alias, a column, `*`, or a field path
    (`expr.field`); a call of a dataset's function (`dataset.f(x)`, a Dot too) has none."""
    if isinstance(e, exp.Dot):
        return isinstance(e.expression, exp.Identifier)
    return isinstance(e, (exp.Alias, exp.Column, exp.Star))


def _name_unnamed_columns(query: exp.Query) -> None:
    """BigQuery names an unnamed result column `f<i>_` (i counting unnamed columns from 0)."""
    select: exp.Expr = query
    while isinstance(select, exp.SetOperation):
        select = select.this
    if isinstance(select, exp.Subquery):
        select = select.unnest()
    if not isinstance(select, exp.Select):
        return
    i = 0
    named = False
    new: list[exp.Expr] = []
    for e in select.expressions:
        if isinstance(e, (exp.Alias, exp.Column, exp.Star)):
            new.append(e)
            continue
        if _is_named(e) and e.name:
            new.append(exp.alias_(e, e.name, quoted=True))  # `expr.field` is named `field`
            named = True
            continue
        new.append(exp.alias_(e, f"f{i}_", quoted=False))
        i += 1
    if i or named:  # a list of only named items too: `arr[OFFSET(0)].field` alone is `field`
        select.set("expressions", new)


def _type_arguments(body: exp.Expression, params: list[exp.Expression]) -> None:
    """Each use of a typed argument in a function body reads it cast to its declared type: the
    argument coerces as in BigQuery (a STRING literal to a TIMESTAMP argument), and the rewrites
    that depend on an argument's type (DATE_TRUNC, LEFT of BYTES, ...) know it."""
    declared = {
        p.name.lower(): p.args["kind"]
        for p in params
        if isinstance(p.args.get("kind"), exp.DataType)
        and p.args["kind"].this not in (exp.DataType.Type.UNKNOWN, exp.DataType.Type.VARIANT)  # ANY TYPE
    }
    if not declared:
        return
    aliases = {a.lower() for a in _body_aliases(body)}
    for col in list(body.find_all(exp.Column)):
        kind = declared.get(col.name.lower())
        if kind is not None and not col.table and not isinstance(col.parent, exp.Dot):
            cast = exp.Cast(this=col.copy(), to=kind.copy())
            if kind.is_type(exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT, exp.DataType.Type.BIGINT):
                cast.meta[PLAIN_ARGUMENT] = True
            col.replace(cast)
            continue
        # `p.y` of a STRUCT argument `p`: the field of the argument cast to its declared type
        # (a STRUCT meets the type by position: `STRUCT(ts AS x, 1.0)` has the field `y`)
        head, *fields = col.parts
        kind = declared.get(head.name.lower()) if fields else None
        if kind is not None and kind.is_type(exp.DataType.Type.STRUCT) and head.name.lower() not in aliases:
            value: exp.Expression = exp.Paren(this=exp.Cast(this=exp.column(head.copy()), to=kind.copy()))
            for field in fields:
                value = exp.Dot(this=value, expression=field.copy())
            col.replace(value)


def _body_aliases(body: exp.Expression) -> set[str]:
    """The table and range-variable names a function body's queries bring (they hide a
    parameter of the same name in a qualified reference)."""
    names = {t.alias_or_name for t in body.find_all(exp.Table)}
    names |= {a.name for a in body.find_all(exp.TableAlias) if a.name}
    names |= {c.alias for c in body.find_all(exp.CTE) if c.alias}
    return names


def _translate_function(stmt: exp.Create, ctx: _Context) -> Statement:
    udf = stmt.this
    props = stmt.args.get("properties")
    plist = props.expressions if props else []
    if any(isinstance(p, exp.LanguageProperty) for p in plist):
        lang = next(p for p in plist if isinstance(p, exp.LanguageProperty)).name
        raise _unsupported(f"{lang} user-defined functions (LANGUAGE {lang})")
    if not _is_temporary(stmt):
        raise _unsupported("persistent functions (CREATE FUNCTION without TEMP)")
    if not isinstance(udf, exp.UserDefinedFunction) or stmt.expression is None:
        raise BigQueryError("invalid CREATE TEMP FUNCTION", fix="write CREATE TEMP FUNCTION f(x INT64) AS (x + 1)")
    from .routines import refuse_string_body

    refuse_string_body(stmt.expression)
    if isinstance(udf.this, exp.Table) and udf.this.db:
        # a temporary function lives in the script or session, not in a dataset
        raise BigQueryError(
            f"Temporary function {udf.this.sql(dialect='bigquery')} must not be qualified with a dataset",
            fix="name a temporary function by its name alone (CREATE TEMP FUNCTION f ...)",
        )
    name = udf.this.name if isinstance(udf.this, exp.Expression) else str(udf.this)
    params = [p.name for p in udf.expressions]
    body = stmt.expression
    from . import routines

    routines.rewrite_calls(body, ctx)  # a persistent function the body calls: its macro
    _type_arguments(body, udf.expressions)
    _check_unsupported_nodes(body)
    _check_table_functions(body)
    # the tables its subqueries read, named as a query's are (`ds.t`: the function's project);
    # a path from a parameter or an alias (`FROM p.items`) is none
    local = {p.name.lower() for p in udf.expressions} | {n.lower() for n in _body_aliases(body)}
    _rewrite_tables(body, ctx, {cte.alias_or_name.lower() for cte in body.find_all(exp.CTE)}, [], local)
    from .bytescast import strings_to_bytes

    strings_to_bytes(body)  # CAST(str AS BYTES) of an argument: its UTF-8 bytes, as in a query
    _rewrite_parameters(body, ctx)
    ctx.udfs.update(geography.rewrite_calls(body, columns=False))  # ST_* calls, as in a query
    _rewrite_functions(body, ctx)
    from . import ranges

    ranges.rewrite(body)  # RANGE arguments and range functions, as in a query
    ctx.udfs.update(used_udfs(body))  # the macro calls them where the script's queries call it
    _fix_types(body)
    from .udfarguments import bind_arguments_once
    from .unnestnames import qualify_unnest_names

    qualify_unnest_names(body)  # `FROM t CROSS JOIN UNNEST(t.ms) ms WHERE ms <> ''`, as in a query

    body = bind_arguments_once(body, params)
    returns = next((p for p in plist if isinstance(p, exp.ReturnsProperty)), None)
    body_sql = _generate(body, frozenset(ctx.temp_functions))
    if returns is not None and isinstance(returns.this, exp.DataType):
        declared = exp.Paren(this=returns.this.copy())
        ranges.rewrite(declared)  # RETURNS RANGE<DATE>: the range's struct type
        _fix_types(declared)  # NUMERIC, BIGNUMERIC (sqlglot's DECIMAL and DECIMAL(38, 5)), GEOGRAPHY
        body_sql = f"CAST({body_sql} AS {_generate(declared.this)})"
    ctx.temp_functions.add(name.lower())
    sql = f"CREATE OR REPLACE TEMPORARY MACRO {quote_ident(name)}({', '.join(quote_ident(p) for p in params)}) AS ({body_sql})"
    return Statement(sql=sql, statement_type="CREATE_FUNCTION")


EXPORT_FORMATS = {
    "CSV": "csv",
    "JSON": "jsonl",
    "NEWLINE_DELIMITED_JSON": "jsonl",
    "PARQUET": "parquet",
    "AVRO": "avro",
}


EXTRACT_JOB: ContextVar[bool] = ContextVar("EXTRACT_JOB", default=False)
"""True while an extract job runs as EXPORT DATA: its destination may name one file (no '*')."""


def _translate_export(stmt: exp.Export, ctx: _Context) -> Statement:
    opts: dict[str, Any] = {}
    props = stmt.args.get("options")
    for p in props.expressions if props else []:
        if isinstance(p, exp.FileFormatProperty):
            opts["format"] = p.this.name.upper()
        elif isinstance(p, exp.Property):
            val = p.args.get("value")
            if isinstance(val, exp.Boolean):
                opts[p.name.lower()] = bool(val.this)
            elif isinstance(val, exp.Literal):
                opts[p.name.lower()] = val.name
            else:
                opts[p.name.lower()] = val.sql("bigquery") if val is not None else None
    if stmt.args.get("connection"):
        raise _unsupported("EXPORT DATA WITH CONNECTION")
    if not opts.get("uri"):
        raise BigQueryError("EXPORT DATA needs OPTIONS(uri='...')", fix="add uri='gs://bucket/path/*.json' to OPTIONS")
    uri = str(opts["uri"])
    if "://" in uri and not uri.startswith("file://") and uri.count("*") != 1 and not EXTRACT_JOB.get():
        raise BigQueryError(
            f"invalid export uri {uri!r}: EXPORT DATA's uri must be a single-wildcard URI (one '*')",
            fix="write uri='gs://bucket/path/file-*.json'",
        )
    fmt = str(opts.get("format") or "CSV").upper()
    if fmt not in EXPORT_FORMATS:
        raise _unsupported(f"EXPORT DATA format {fmt!r} (CSV, JSON, PARQUET and AVRO are)")
    opts["format"] = EXPORT_FORMATS[fmt]
    query = stmt.this
    inner = _translate_statement(query, ctx)
    return Statement(
        sql="",
        statement_type="EXPORT_DATA",
        tables=inner.tables,
        filtered=inner.filtered,
        export_query=inner.sql,
        export_options=opts,
    )
