"""The local BigQuery: GoogleSQL on DuckDB, with BigQuery's catalog, types and row semantics.

Storage: one DuckDB database (a file, or memory). BigQuery dataset `project.dataset` is the DuckDB
schema `"project.dataset"`; its tables keep their names (see googlesql.py). Dataset location and
creation times live in the schema `_llmops_catalog`; descriptions are DuckDB comments.

Connections: with a file path, each call opens the file and closes it afterwards, so pipeline
subprocesses can share the file (DuckDB lets one process hold it at a time; a call that finds it
locked retries for a while). `keep_open=True` (the REST server) or an in-memory database holds
one database open and gives each call its own cursor.

The public tables `bigquery-public-data.stackoverflow.posts_questions` and `posts_answers` are
created from the package data on first open if missing.

Sandbox (see sandbox.py): once that bootstrap is done, the database is locked down (no file,
network or extension access, configuration locked), so user SQL cannot reach the host. Exports
are written by the engine's ExportWriter, only under `gcs_root` (gs:// URIs) or `local_root`
(paths and file:// URIs; None refuses them, as the emulator's HTTP API does).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import decimal
import functools
import json
import os
import re
import threading
import time
import uuid
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import duckdb
import pyarrow as pa

from ...core.errors import LlmopsError, QueryError
from . import (
    bignumerics,
    binderwords,
    bytescalls,
    catalog,
    coltypes,
    ddloperation,
    ddlopts,
    dmlforms,
    dryrun,
    fieldaccess,
    fieldopts,
    gapfill,
    geography,
    history,
    infoschema,
    ingestiontime,
    intervals,
    jsonorder,
    ml,
    nestedadditions,
    nestedrequired,
    partitiondecorators,
    partitionfilters,
    partitioning,
    picotimestamps,
    ranges,
    routines,
    rowaccess,
    rowerrorwords,
    storedarrays,
    tableddl,
    tablekinds,
    temporalrange,
    udfs,
    unpadded_base64,
    viewrefs,
    widecolumns,
    writtenvalues,
)
from .catalog import ms as created_ms
from .datetext import padded
from .googlesql import (
    FARM_FINGERPRINT_BYTES_UDF,
    FARM_FINGERPRINT_UDF,
    INFO_SCHEMA_VIEWS,
    LIST_TABLES_FIX,
    BigQueryDuplicate,
    BigQueryError,
    BigQueryInvalid,
    BigQueryNotFound,
    Script,
    Statement,
    bq_field_to_arrow,
    bq_field_to_duckdb,
    bq_name,
    check_dataset_name,
    check_table_name,
    dataset_not_found,
    duckdb_parameter,
    duckdb_schema,
    duckdb_table,
    duckdb_type_to_field,
    normalize_field,
    output_names,
    quote_ident,
    split_schema,
    table_not_found,
    translate,
)
from .sandbox import ExportWriter, QueryControl, QueryLimits, json_line_batches, lock_down

if TYPE_CHECKING:
    from .sessions import Session

__all__ = [
    "BigQueryDuplicate",
    "BigQueryEngine",
    "BigQueryError",
    "BigQueryInvalid",
    "BigQueryNotFound",
    "QueryControl",
    "QueryError",
    "QueryLimits",
    "QueryResult",
]

PUBLIC_PROJECT = "bigquery-public-data"
PUBLIC_DATASET = "stackoverflow"
PUBLIC_TABLES = ("posts_questions", "posts_answers")
CATALOG_SCHEMA = catalog.CATALOG
LOCK_WAIT_SECONDS = 60.0


@dataclass
class QueryResult:
    """What one query (or script) produced; `table` is empty for DDL, DML and EXPORT DATA."""

    table: pa.Table
    schema: list[dict]
    statement_type: str
    num_dml_affected_rows: int | None = None
    export: dict | None = None
    target: tuple[str, str, str] | None = None
    """(project, dataset, table) a DDL or DML statement wrote."""
    children: tuple = ()
    """For a procedural script: the `scripting.ChildStatement`s it ran (BigQuery's child jobs)."""
    referenced: tuple[tuple[str, str, str], ...] = ()
    """(project, dataset, table) of the tables and views a SELECT read (`referencedTables`)."""
    cacheable: bool = False
    """A single SELECT, alone, that reads only tables (no views, routines, models, wildcard
    tables, INFORMATION_SCHEMA, time travel, anonymous results or row access policies): BigQuery's
    query cache may answer it again while the catalog generation stays (see querycache.py)."""
    tables_expire: dt.datetime | None = None
    """For a cacheable result: the earliest expiration time of any table when it ran."""
    ddl_operation: str | None = None
    """CREATE, SKIP, REPLACE or DROP: what a DDL statement on a table, view or dataset did."""


EMPTY = pa.table({})

_ROUTINE_CALLS = "routine calls"
"""The mark of a view that calls a routine (a `"project.dataset".name(` call) among the UDFs
views call."""
_CATALOG_PROBE = (
    f"SELECT EXISTS (SELECT 1 FROM {rowaccess.CATALOG}.row_access_policies), "
    f"(SELECT min(expires) FROM {tablekinds.CATALOG}.table_features WHERE table_name <> ''), "
    "(SELECT list([schema_name, view_name]) FROM duckdb_views() WHERE NOT internal), "
    "(SELECT list([schema_name, table_name, json_extract_string(options, '$.requirePartitionFilter'), "
    "coalesce(json_extract_string(options, '$.timePartitioning.field'), "
    f"json_extract_string(options, '$.rangePartitioning.field'))]) FROM {catalog.CATALOG}.ddl_options "
    "WHERE table_name <> '' AND (json_extract_string(options, '$.requirePartitionFilter') IS NOT NULL "
    "OR json_extract_string(options, '$.timePartitioning.field') IS NOT NULL "
    "OR json_extract_string(options, '$.rangePartitioning.field') IS NOT NULL))"
)
"""Whether any row access policy exists, the earliest table expiration time (see
tablekinds.drop_expired), the views (schema, name), and the require_partition_filter options and
partitioning columns DDL set (schema, table, 'true'/'false'/NULL, column), in one catalog read."""
_VIEW_UDFS = (
    f"SELECT list_distinct(flatten(list(regexp_extract_all(lower(sql), '{routines.ENGINE_UDF_CALL.pattern}')))) "
    '|| CASE WHEN bool_or(regexp_matches(sql, \'"[^"]+\\.[^"]+"\\."?[A-Za-z_][A-Za-z0-9_]*"?\\(\')) '
    f"THEN ['{_ROUTINE_CALLS}'] ELSE [] END FROM duckdb_views() WHERE NOT internal"
)
"""The engine's UDFs that views call, and `_ROUTINE_CALLS` when one calls a routine: a view keeps
its translated SQL, and the query that reads it names none of them. (Asked only where views
exist: a view's SQL text costs DuckDB ~0.6 ms to produce for its own internal views too.)"""


@functools.cache
def _every_engine_udf() -> frozenset[str]:
    """The UDFs a routine's body may have been translated to (all but the ML ones)."""
    return udfs.GOOGLESQL_UDFS | geography.udf_names() | {FARM_FINGERPRINT_UDF, FARM_FINGERPRINT_BYTES_UDF}


def _model_expired(meta: str | None) -> bool:
    """Whether a model's expirationTime (models.patch, milliseconds) has passed: BigQuery deletes it then."""
    expires = json.loads(meta).get("expirationTime") if meta else None
    return expires is not None and int(expires) <= int(time.time() * 1000)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BigQueryEngine:
    """BigQuery's SQL, catalog and row semantics over one DuckDB database."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        default_project: str = "llmops-local",
        gcs_root: str | Path | None = None,
        local_root: str | Path | None = None,
        keep_open: bool = False,
        limits: QueryLimits | None = None,
        data_roots: tuple[str | Path, ...] = (),
    ):
        self.path = Path(path).expanduser().resolve() if path is not None else None
        self.data_roots = tuple(Path(r).expanduser().resolve() for r in data_roots)
        """Folders the engine's own views read and write (the prediction log's segment files).
        User SQL still cannot name a file: the translator refuses every table function."""
        self.default_project = default_project
        self.gcs_root = Path(gcs_root).expanduser().resolve() if gcs_root is not None else None
        self.local_root = Path(local_root).expanduser().resolve() if local_root is not None else None
        self.limits = limits or QueryLimits()
        self._writer = ExportWriter(r for r in (self.gcs_root, self.local_root) if r is not None)
        self._db: duckdb.DuckDBPyConnection | None = None
        self._lent: tuple[duckdb.DuckDBPyConnection, int] | None = None
        """The file opened by `kept_open`, and the thread whose calls use it meanwhile."""
        self._ready = False
        self._udfs_on_db = False
        self._ml = ml.ModelCatalog()
        self._ml_on_db = False
        self._googlesql_udfs_on_db = False
        self._geography_udfs_on_db = False
        self._lock = threading.Lock()
        self._changes = threading.RLock()
        """Held by every statement that is not a query and every catalog call, so that concurrent
        requests take turns: DuckDB fails the later of two conflicting changes ("Conflict on
        update", "write-write conflict") and a check-then-create would race. Queries do not wait."""
        self._catalog_generation = 0
        self.file_loads: Callable[[str, dict], dict] | None = None
        """Runs a load configuration (project, REST `configuration.load`) -> its statistics, for
        LOAD DATA (set by the emulator, whose load jobs read gs:// objects)."""
        self.end_session: Callable[[str], None] | None = None
        """Ends a session by id, for `CALL BQ.ABORT_SESSION` (set by the emulator, which keeps
        sessions; the local warehouse has none)."""
        self.job_resources: Callable[[], list[dict]] | None = None
        """The REST resources of the jobs run so far, for INFORMATION_SCHEMA.JOBS (set by the
        emulator, which keeps jobs; the local warehouse has none and refuses the view)."""
        """Bumped before and after every use of a connection that may write the catalog."""
        self._generation_lock = threading.Lock()
        self._probe: tuple[int, bool, dt.datetime | None, frozenset[str], frozenset[tuple[str, str]]] | None = None
        """The last catalog probe: (generation, any row access policy, earliest table expiry,
        the UDFs views call, the views by (DuckDB schema, name))."""
        self._partition_rules: dict[tuple[str, str], tuple[bool | None, str | None]] = {}
        """require_partition_filter as DDL set it (None: not set) and the partitioning column, per
        (DuckDB schema, table), from the last probe."""
        self.rest_table_fields: Callable[[str, str, str], tuple[dict[str, Any], str]] | None = None
        """A table's fields set through REST and the creation time (ms) they belong to, for the
        table options the engine enforces (set by the emulator, which keeps REST fields)."""
        self._pico_probe: tuple[int, frozenset[tuple[str, str, str]]] | None = None
        """The tables with a TIMESTAMP(12) column as of a catalog generation (`_pico_tables`)."""
        self._wide_probe: tuple[int, dict[tuple[str, str, str], dict[str, tuple[str, str]]]] | None = None
        """Tables' wide BIGNUMERIC columns as of a catalog generation (`_wide_bignumerics`)."""
        self._locations: tuple[int, dict[str, str]] = (-1, {})
        """Dataset locations (DuckDB schema -> location) as of a catalog generation."""
        if self.path is None:
            self._db = duckdb.connect(":memory:")
        elif keep_open:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open_file()

    # ------------------------------------------------------------------ connections

    def _open_file(self) -> duckdb.DuckDBPyConnection:
        assert self.path is not None
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                msg = str(exc)
                if "lock" in msg.lower() and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                raise BigQueryError(
                    f"cannot open the warehouse file {self.path}: {msg.splitlines()[0]}",
                    fix="close other programs using it, or choose another workspace",
                ) from None

    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection as `connection()` gives, for a call that only reads: it does not wait for
        other threads' changes (it may still drop expired tables, which takes its turn)."""
        with self._writing(), self._connection() as con:
            yield con

    @contextlib.contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A sandboxed DuckDB connection for one call (UTC time zone), closed afterwards; other
        threads' catalog calls and changes wait for it."""
        with self._changes, self._writing(), self._connection() as con:
            yield con

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Around work that may change the catalog: a cached probe made before it, or while it
        runs, is not used afterwards."""
        self._bump()
        try:
            yield
        finally:
            self._bump()

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Around a statement that changes tables or the catalog: one at a time (see `_changes`)."""
        with self._changes, self._writing():
            yield

    def _bump(self) -> None:
        with self._generation_lock:
            self._catalog_generation += 1

    @contextlib.contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        held, lent = self._db, self._lent
        if lent is not None and lent[1] != threading.get_ident():
            lent = None  # kept open for another thread's calls
        if held is not None:
            con = held.cursor()
        elif lent is not None:
            # the connection itself, not a cursor: a Python function registered on a cursor
            # stays in the database's catalog after the cursor closes, and calling it then crashes
            con = lent[0]
        else:
            if self.path is None:
                raise BigQueryError("the engine is closed", fix="create a new BigQueryEngine")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = self._open_file()
        try:
            if not self._ready:
                with self._lock:
                    if not self._ready:
                        self._ensure_ready(con)
                        tablekinds.ensure_catalog(con)
                        if held is not None:
                            lock_down(held, self.limits, allowed_directories=self.data_roots)
                        self._ready = True
            if held is None:
                lock_down(con, self.limits, allowed_directories=self.data_roots)  # a fresh database
            yield con
        finally:
            if lent is None:
                con.close()

    @contextlib.contextmanager
    def kept_open(self) -> Iterator[None]:
        """This thread's calls made inside share one opening of the database file (each
        otherwise opens and closes it, some 30 ms); other processes wait for the file until the
        block ends."""
        if self._db is not None or self._lent is not None or self.path is None:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lent = (self._open_file(), threading.get_ident())
        try:
            yield
        finally:
            lent, self._lent = self._lent, None
            lent[0].close()

    def close(self) -> None:
        """Close the held database, if any; safe to call twice. A call still running on one of
        its cursors (a job the emulator's shutdown did not wait for) is interrupted first: DuckDB
        refuses to close a connection in use, and the process would abort when it exits."""
        self._writer.close()
        if self._db is not None:
            deadline = time.monotonic() + 10
            while True:
                try:
                    self._db.close()
                    break
                except duckdb.ConnectionException:
                    break  # closed already (a refused close can still close it)
                except duckdb.Error:
                    if time.monotonic() > deadline:
                        raise
                try:
                    self._db.interrupt()
                except duckdb.ConnectionException:
                    break
                time.sleep(0.05)
            self._db = None

    def __enter__(self) -> BigQueryEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ bootstrap

    def _ensure_ready(self, con: duckdb.DuckDBPyConnection) -> None:
        have = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = ?",
                [duckdb_schema(PUBLIC_PROJECT, PUBLIC_DATASET)],
            ).fetchall()
        }
        have_catalog = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ?", [CATALOG_SCHEMA]
        ).fetchall()[0][0]
        if have_catalog >= 2 and all(t in have for t in PUBLIC_TABLES):
            return
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {CATALOG_SCHEMA}")
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {CATALOG_SCHEMA}.datasets ("
                "schema_name VARCHAR PRIMARY KEY, location VARCHAR, created TIMESTAMPTZ, labels JSON, description VARCHAR)"
            )
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {CATALOG_SCHEMA}.tables ("
                "schema_name VARCHAR, table_name VARCHAR, created TIMESTAMPTZ, PRIMARY KEY (schema_name, table_name))"
            )
            self._create_public_tables(con, have)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _create_public_tables(self, con: duckdb.DuckDBPyConnection, have: set[str]) -> None:
        root = resources.files("llmops") / "data" / "stackoverflow"
        schemas = json.loads((root / "schema.json").read_text(encoding="utf-8"))
        schema_name = duckdb_schema(PUBLIC_PROJECT, PUBLIC_DATASET)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema_name)}")
        self._record_dataset(con, PUBLIC_PROJECT, PUBLIC_DATASET, "US")
        for table in PUBLIC_TABLES:
            if table in have:
                continue
            fields = [normalize_field(f) for f in schemas[table]]
            with resources.as_file(root / f"{table}.jsonl") as data_path:
                # Timestamps are read as text and cast: BigQuery writes them with a " UTC" suffix
                # and an optional fraction, which DuckDB's TIMESTAMPTZ cast understands.
                columns = ", ".join(
                    f"{quote_ident(f['name'])}: '{'VARCHAR' if f['type'] == 'TIMESTAMP' else bq_field_to_duckdb(f)}'"
                    for f in fields
                )
                select = ", ".join(
                    f"CAST({quote_ident(f['name'])} AS {bq_field_to_duckdb(f)}) AS {quote_ident(f['name'])}"
                    for f in fields
                )
                con.execute(
                    f"CREATE TABLE {duckdb_table(PUBLIC_PROJECT, PUBLIC_DATASET, table)} AS "
                    f"SELECT {select} FROM read_json(?, format = 'newline_delimited', columns = {{{columns}}})",
                    [str(data_path)],
                )
            self._record_table(con, PUBLIC_PROJECT, PUBLIC_DATASET, table)

    def _record_dataset(
        self,
        con,
        project: str,
        dataset: str,
        location: str | None,
        labels: dict | None = None,
        description: str | None = None,
    ) -> None:
        con.execute(
            f"INSERT OR IGNORE INTO {CATALOG_SCHEMA}.datasets VALUES (?, ?, ?, ?, ?)",
            [duckdb_schema(project, dataset), location or "US", _now(), json.dumps(labels or {}), description],
        )

    def _record_table(self, con, project: str, dataset: str, table: str) -> None:
        con.execute(
            f"INSERT OR REPLACE INTO {CATALOG_SCHEMA}.tables VALUES (?, ?, ?)",
            [duckdb_schema(project, dataset), table, _now()],
        )
        if project != PUBLIC_PROJECT:
            tablekinds.on_created(con, project, dataset, table)

    # ------------------------------------------------------------------ SQL

    def translate(self, sql: str, *, default_project: str | None = None, default_dataset: str | None = None) -> str:
        """The DuckDB SQL a GoogleSQL query runs as."""
        script = self._translate(sql, default_project=default_project, default_dataset=default_dataset)
        if not any(s.gap_fills for s in script.statements):
            return script.sql
        # a GAP_FILL is written out for its input's column types, which DuckDB describes
        with self._controlled(None) as (con, _):
            self._prepare(con, script)
            statements = []
            for stmt in script.statements:
                try:
                    statements.append(gapfill.expanded(con, stmt))
                except duckdb.Error as exc:
                    raise self._reword(con, exc, stmt) from None
        return dataclasses.replace(script, statements=tuple(statements)).sql

    def _translate(
        self,
        sql: str,
        *,
        default_project: str | None,
        default_dataset: str | None,
        param_types: Mapping[str, str] | None = None,
        functions: frozenset[str] = frozenset(),
        con: duckdb.DuckDBPyConnection | None = None,
        temp_tables: frozenset[str] = frozenset(),
        session_dataset: str | None = None,
    ) -> Script:
        """`con`: where the column types of the tables a statement reads are looked up when a
        rewrite depends on them (coltypes.py); without it those rewrites keep their refusals.
        `session_dataset`: a session's hidden dataset of temporary tables (session_tables.py).
        A script that reads a table with a TIMESTAMP(12) column is translated again knowing it
        (picosql.py)."""
        options: dict[str, Any] = {
            "default_project": default_project or self.default_project,
            "default_dataset": default_dataset,
            "param_types": dict(param_types or {}),
            "functions": functions,
            "temp_tables": temp_tables,
            "session_dataset": session_dataset,
            "max_bytes": self.limits.max_query_bytes,
            "max_tokens": self.limits.max_query_tokens,
            "column_types": (lambda tables: coltypes.column_types(con, tables)) if con is not None else None,
        }
        try:
            script = translate(sql, **options)
        except BigQueryError as exc:
            # a BIGNUMERIC literal beyond DECIMAL(38, 18) that a write stores or a filter compares;
            # no other error is planned around (a query over the size limits must stay refused)
            if con is None or "BIGNUMERIC" not in str(exc):
                raise
            try:
                planned = self._wide_plan(con, sql, options)
            except BigQueryError:
                raise exc from None  # the statement's own error says more than a plan's refusal
            if planned is None or not planned.changed:
                raise
            return self._translate_planned(planned, options, frozenset())
        if con is None:
            return script
        read = {t for s in script.statements for t in (*s.tables, *([s.target] if s.target else []))}
        pico_tables = self._pico_tables(con, read) if read else frozenset()
        planned = self._plan_wide(con, sql, script, read, options)
        bignumerics.check_bodies(con, sql, default_dataset)
        if planned is not None and planned.changed:
            return self._translate_planned(planned, options, pico_tables)
        return translate(sql, **options, pico_tables=pico_tables) if pico_tables else script

    def _check_wide_reads(
        self, con: duckdb.DuckDBPyConnection, sql: str, read: set[tuple[str, str, str]], dataset: str | None
    ) -> None:
        """The named refusal of a statement that would meet a wide BIGNUMERIC column (bignumerics.py)."""
        if read and (wide := self._wide_bignumerics(con, read)):
            bignumerics.check_reads(sql, wide)
        bignumerics.check_bodies(con, sql, dataset)

    def _plan_wide(
        self,
        con: duckdb.DuckDBPyConnection,
        sql: str,
        script: Script,
        read: set[tuple[str, str, str]],
        options: dict[str, Any],
    ) -> widecolumns.Plan | None:
        """The plan of a statement that reads a wide BIGNUMERIC column, or INSERTs/UPDATEs a
        table with a BIGNUMERIC column (widecolumns.py); the named refusal of one that would
        meet a wide column other than where it is served; None where nothing changes."""
        wide = self._wide_bignumerics(con, read) if read else {}
        writes = (
            len(script.statements) == 1
            and script.statements[0].statement_type in ("INSERT", "UPDATE", "MERGE")
            and (target := script.statements[0].target) is not None
            and widecolumns.may_write(sql)
            and any(t in (widecolumns.NARROW, widecolumns.WIDE) for _, t in self._columns_of(con, target).values())
        )
        if not wide and not writes:
            return None
        planned = self._wide_plan(con, sql, options)
        if planned is None and wide:
            bignumerics.check_reads(sql, wide)
        return planned

    def _wide_plan(self, con: duckdb.DuckDBPyConnection, sql: str, options: dict[str, Any]) -> widecolumns.Plan | None:
        from .googlesql import flatten_table_name

        project, dataset = options["default_project"], options["default_dataset"]

        def resolve(table: Any) -> tuple[str, str, str] | None:
            parts = flatten_table_name(table)
            if len(parts) == 3:
                return (parts[0], parts[1], parts[2])
            if len(parts) == 2 and project:
                return (project, parts[0], parts[1])
            if len(parts) == 1 and project and dataset:
                return (project, dataset, parts[0])
            return None

        def types_of(ref: tuple[str, str, str]) -> Mapping[str, tuple[str, str]] | None:
            return self._columns_of(con, ref) or None

        def widen(ref: tuple[str, str, str], column: str) -> str:
            bignumerics.check_no_readers(con, ref[1], ref[2], column)
            if bignumerics.has_check(con, ref[0] + "." + ref[1], ref[2], column):  # BIGNUMERIC(P, S)
                return bignumerics.rebuild_entry(duckdb_table(*ref), column)
            return bignumerics.widen_column_sql(duckdb_table(*ref), column)

        return widecolumns.plan(sql, types_of, resolve, widen)

    def _translate_planned(
        self, planned: widecolumns.Plan, options: dict[str, Any], pico_tables: frozenset[tuple[str, str, str]]
    ) -> Script:
        """The planned statement translated, each placeholder's DuckDB text put back."""
        script = translate(planned.sql, **options, pico_tables=pico_tables)
        statements = tuple(
            dataclasses.replace(s, sql=planned.substitute(s.sql), widen=tuple(planned.widen)) for s in script.statements
        )
        if "__bnw_" in "".join(s.sql for s in statements) or len(statements) != 1:
            raise bignumerics.unsupported("this use of a value")  # a placeholder the translator moved
        return dataclasses.replace(script, statements=statements, udfs=script.udfs | frozenset(planned.udfs))

    def _columns_of(self, con: duckdb.DuckDBPyConnection, ref: tuple[str, str, str]) -> dict[str, tuple[str, str]]:
        """A table's columns, lower-case name -> (name, DuckDB type), in order; {} when it is
        missing. Each table is bound (~0.1 ms, the catalog only); a held database keeps the
        answers for a catalog generation, a file (another process may change it) does not."""
        generation = self._catalog_generation
        if self._db is None or self._wide_probe is None or self._wide_probe[0] != generation:
            self._wide_probe = (generation, {})
        known = self._wide_probe[1]
        if ref not in known:
            try:
                rel = con.table(duckdb_table(*ref))
            except duckdb.Error:
                return {}  # a missing table: the statement's own error comes when it runs
            known[ref] = {c.lower(): (c, str(t)) for c, t in zip(rel.columns, rel.types, strict=True)}
        return known[ref]

    def _wide_bignumerics(self, con: duckdb.DuckDBPyConnection, read: set[tuple[str, str, str]]) -> dict[str, set[str]]:
        """Those of `read` with a wide BIGNUMERIC column (bignumerics.py): lower-case table name ->
        its wide columns."""
        wide: dict[str, set[str]] = {}
        for ref in read:
            columns = {c for c, (_, t) in self._columns_of(con, ref).items() if t == bignumerics.DUCKDB_TYPE}
            if columns:
                wide.setdefault(ref[2].lower(), set()).update(columns)
        return wide

    def _pico_tables(
        self, con: duckdb.DuckDBPyConnection, read: set[tuple[str, str, str]]
    ) -> frozenset[tuple[str, str, str]]:
        """Those of `read` (project, dataset, table) with a TIMESTAMP(12) column. A held database
        is looked at once per catalog generation (see `_probe_catalog`); a file, which another
        process may change, table by table (binding a table reads only the catalog, ~0.1 ms)."""
        if self._db is None:
            found = set()
            for project, dataset, table in read:
                try:
                    types = con.table(duckdb_table(project, dataset, table)).types
                except duckdb.Error:
                    continue  # a missing table: the statement's own error comes when it runs
                if any(picotimestamps.MICROS in str(t) for t in types):
                    found.add((project, dataset, table))
            return frozenset(found)
        generation = self._catalog_generation
        cached = self._pico_probe
        if cached is None or cached[0] != generation:
            rows = con.execute(
                "SELECT DISTINCT schema_name, table_name FROM duckdb_columns() "
                "WHERE database_name = current_database() AND contains(data_type, ?)",
                [picotimestamps.MICROS],
            ).fetchall()
            every = frozenset((*parts, table) for schema, table in rows if (parts := split_schema(schema)))
            cached = self._pico_probe = (generation, every)
        return cached[1] & read

    def session_connection(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own for a session (see sessions.py), which its caller closes; its
        temporary tables and functions live there. Needs an engine that holds its database."""
        if self._db is None:
            raise BigQueryError(
                "sessions need an engine that keeps its database open", fix="open the engine with keep_open=True"
            )
        with self._connection():
            pass  # makes the database ready (catalog, sandbox) on first use
        return self._db.cursor()

    @contextlib.contextmanager
    def _controlled(
        self,
        control: QueryControl | None,
        *,
        writes: bool = True,
        session: duckdb.DuckDBPyConnection | None = None,
    ) -> Iterator[tuple[duckdb.DuckDBPyConnection, QueryControl]]:
        """A connection whose query `control` can interrupt, under the engine's time limit.
        `writes=False`: the caller marks what it runs that may write (`_writing`) itself.
        `session`: a session's own connection, used instead of a fresh one."""
        control = control or QueryControl()
        limit = self.limits.timeout_s
        if limit is not None and (control.timeout_s is None or control.timeout_s > limit):
            control.timeout_s = limit
        if session is not None:
            opened: contextlib.AbstractContextManager[duckdb.DuckDBPyConnection] = _kept(self, session)
        else:
            opened = self.connection() if writes else self._connection()
        try:
            with opened as con:
                control.attach(con)
                try:
                    control.check()
                    yield con, control
                except (LlmopsError, duckdb.Error):
                    if control.reason is not None:
                        raise control.error() from None
                    raise
        finally:
            control.finish()

    def query(
        self,
        sql: str,
        params: Mapping[str, Any] | Sequence[Any] | None = None,
        *,
        default_project: str | None = None,
        default_dataset: str | None = None,
        param_types: Mapping[str, str] | None = None,
        control: QueryControl | None = None,
        session: Session | None = None,
        location: str | None = None,
    ) -> QueryResult:
        """Run a GoogleSQL query or script; the result of its last statement (of a procedural
        script: its last SELECT's, see scripting.py).

        `control` cancels it from another thread; the engine's time limit (or a shorter one on
        `control`) stops it with a `timeout` error. In a `session` its temporary tables,
        functions, variables and transaction carry over from the session's earlier queries.
        A `location` refuses (BigQueryNotFound, before anything runs) a query that reads or
        writes a dataset of another location; procedural scripts and sessions are not checked."""
        if param_types is None and isinstance(params, Mapping):
            param_types = _struct_param_types(params)
        params, param_types = bignumerics.wide_parameters(params, param_types)
        if rowaccess.is_policy_ddl(sql):
            return rowaccess.run_ddl(self, sql, default_project=default_project, default_dataset=default_dataset)

        from . import scripting
        from .script_parser import needs_interpreter

        if session is not None:
            return scripting.run_in_session(
                self,
                session,
                sql,
                params,
                default_project=default_project,
                default_dataset=default_dataset,
                param_types=param_types,
                control=control,
            )
        if needs_interpreter(sql):
            return scripting.run_script(
                self,
                sql,
                params,
                default_project=default_project,
                default_dataset=default_dataset,
                param_types=param_types,
                control=control,
            )
        with self._controlled(control, writes=False) as (con, ctl):
            return self._execute(
                con,
                ctl,
                sql,
                params,
                default_project=default_project,
                default_dataset=default_dataset,
                param_types=param_types,
                location=location,
                alone=True,
            )

    def _execute(
        self,
        con: duckdb.DuckDBPyConnection,
        ctl: QueryControl,
        sql: str,
        params: Mapping[str, Any] | Sequence[Any] | None,
        *,
        default_project: str | None,
        default_dataset: str | None,
        param_types: Mapping[str, str] | None,
        functions: frozenset[str] = frozenset(),
        temp_tables: frozenset[str] = frozenset(),
        location: str | None = None,
        session_dataset: str | None = None,
        in_transaction: bool = False,
        alone: bool = False,
    ) -> QueryResult:
        """Translate and run SQL statements on `con`; `functions` and `temp_tables` are temporary
        functions and tables an earlier statement of the same script (or session) created;
        `in_transaction`: `con` is in the script's open transaction; `alone`: the SQL is a whole
        query, neither in a session nor a statement of a procedural script."""
        script = self._translate(
            sql,
            default_project=default_project,
            default_dataset=default_dataset,
            param_types=param_types,
            functions=functions,
            con=con,
            temp_tables=temp_tables,
            session_dataset=session_dataset,
        )
        if alone and len(script.statements) == 1 and _creates_temporary_table(script.statements[0]):
            # a temporary table outlives its statement only in a script or a session
            raise BigQueryError(
                "Use of CREATE TEMPORARY TABLE requires a script or session",
                fix="run it in a session (create_session) or in a script with the statements that use it",
            )
        if location:
            self._check_location(con, script, location)
        bound = _bind(script, params)
        reads = all(s.statement_type == "SELECT" for s in script.statements)
        several = len(script.statements) > 1
        texts = _statement_texts(sql, len(script.statements)) if several else []
        children: list[Any] = []
        with contextlib.nullcontext() if reads else self.changing():
            policies = self._prepare(con, script)
            result: QueryResult | None = None
            for i, (stmt, values) in enumerate(zip(script.statements, bound)):
                ctl.check()
                if several and script.time_travel:
                    # AS OF is resolved when its statement runs, after the script's earlier changes
                    history.define_views(con, script.time_travel, used_by=stmt)
                try:
                    existed = ddloperation.target_existed(con, stmt)
                    result = self._run(
                        con, stmt, values, ctl, policies=policies or several, in_transaction=in_transaction
                    )
                    if existed is not None:
                        result = replace(result, ddl_operation=ddloperation.performed(stmt, existed))
                except LlmopsError as exc:
                    if several:
                        exc.script_children = (*children, _child(texts[i], None, exc))  # type: ignore[attr-defined]
                    raise
                if several:
                    children.append(_child(texts[i], result))
        assert result is not None
        if several:
            # a script: BigQuery's parent job, each statement one of its child jobs
            return replace(result, statement_type=script.statement_type, children=tuple(children))
        if alone and result.statement_type == "SELECT":
            reusable, expires = self._reusable(con, script)
            if reusable:
                return replace(result, cacheable=True, tables_expire=expires)
        return result

    def _reusable(self, con: duckdb.DuckDBPyConnection, script: Script) -> tuple[bool, dt.datetime | None]:
        """Whether a single SELECT's result depends only on the tables it reads as they are now
        (see `QueryResult.cacheable`), and the earliest table expiration time then."""
        stmt = script.statements[0]
        if (
            self._db is None
            or script.info_schema
            or script.wildcards
            or script.time_travel
            or stmt.models
            or any(u.startswith(routines.ROUTINE_MARK) for u in script.udfs)
        ):
            return False, None
        if not stmt.tables:
            return True, None
        policies, expiry, _ = self._probe_catalog(con)
        views = self._probe[4] if self._probe is not None else None
        if policies or views is None:
            return False, None
        for project, dataset, table in stmt.tables:
            if dataset.startswith("_") or (duckdb_schema(project, dataset), table) in views:
                return False, None  # anonymous results, session tables, views
        return True, expiry

    @property
    def generation(self) -> int:
        """A number every change to the database moves (see `_writing`): results read at one
        generation hold while it stays."""
        return self._catalog_generation

    def dry_run(
        self,
        sql: str,
        params: Mapping[str, Any] | Sequence[Any] | None = None,
        *,
        default_project: str | None = None,
        default_dataset: str | None = None,
        param_types: Mapping[str, str] | None = None,
        session: Session | None = None,
    ) -> dryrun.DryRun:
        """Check a query without running it: its result schema (a single SELECT) and an
        estimate of the bytes it reads (see dryrun.py); missing tables are errors. In a
        `session` its temporary tables and functions are known."""
        with self._controlled(None, session=session.con if session else None) as (con, _):
            script = self._translate(
                sql,
                default_project=default_project,
                default_dataset=default_dataset,
                param_types=param_types,
                con=con,
                functions=frozenset(session.temp_functions) if session else frozenset(),
                temp_tables=frozenset(session.temp_tables) if session else frozenset(),
                session_dataset=session.temp_dataset if session else None,
            )
            bound = _bind(script, params)
            self._prepare(con, script)
            if any(stmt.models for stmt in script.statements):
                statements = tuple(self._with_models(con, s) if s.models else s for s in script.statements)
                script = dataclasses.replace(script, statements=statements)
            schema: list[dict] = []
            last = script.statements[-1]
            try:
                if len(script.statements) == 1 and last.statement_type == "SELECT":
                    last = gapfill.expanded(con, last)
                    schema = dryrun.describe(con, last.sql, bound[-1])
                total, tables = dryrun.estimate_bytes(con, script, sql, self._table_names)
            except duckdb.Error as exc:
                raise self._reword(con, exc, last) from None
            created: set[tuple[str, str, str] | None] = set()
            for stmt in script.statements:
                if stmt.statement_type.startswith("CREATE"):
                    created.add(stmt.target)
                for ref in stmt.tables:
                    if ref not in created and not ref[2].endswith("*"):
                        self._table_info(con, *ref)  # a missing table: the real run's error
        return dryrun.DryRun(schema, script.statement_type, total, tables)

    def export(
        self,
        sql: str,
        destination: str | Path,
        *,
        format: str = "jsonl",
        params: Mapping[str, Any] | Sequence[Any] | None = None,
        default_project: str | None = None,
        default_dataset: str | None = None,
    ) -> dict:
        """Write a query's rows to one file, atomically: {"uris", "rows", "files"}.

        `destination` is gs://B/NAME when the engine has a gcs_root, or a plain path or file://
        URI under its local_root; a '*' in its name becomes the shard number 000000000000.
        """
        script = self._translate(sql, default_project=default_project, default_dataset=default_dataset)
        if len(script.statements) != 1 or script.statements[0].statement_type != "SELECT":
            raise BigQueryError("export needs a single SELECT query", fix="pass one SELECT statement")
        bound = _bind(script, params)
        with self._controlled(None) as (con, ctl):
            self._check_wide_reads(con, sql, {t for s in script.statements for t in s.tables}, default_dataset)
            self._prepare(con, script)
            try:
                stmt = gapfill.expanded(con, script.statements[0])
            except duckdb.Error as exc:
                raise self._reword(con, exc, script.statements[0]) from None
            return self._copy_to(con, stmt, bound[0], str(destination), ctl, format=format)

    def stream_json_lines(
        self,
        sql: str,
        consume: Callable[[pa.RecordBatch], None],
        *,
        lines: Mapping[str, Sequence[str]],
        params: Mapping[str, Any] | Sequence[Any] | None = None,
        batch_rows: int = 2048,
    ) -> None:
        """Hand a SELECT's rows to `consume` as Arrow batches, each `lines` entry rendered as the
        JSON line EXPORT DATA would write, newline included (`sandbox.json_line_batches`), for
        trusted code that writes the files itself (data preparation splits one scan into several
        files)."""
        with self._controlled(None) as (con, ctl):
            # with `con`, a CAST of a column to STRING whose type is known is a plain cast
            script = self._translate(sql, default_project=None, default_dataset=None, con=con)
            if len(script.statements) != 1 or script.statements[0].statement_type != "SELECT":
                raise BigQueryError("streaming needs a single SELECT query", fix="pass one SELECT statement")
            stmt, values = script.statements[0], _bind(script, params)[0]
            self._prepare(con, script)
            try:
                stmt = gapfill.expanded(con, stmt)
                rel = con.sql(stmt.sql, params=values) if values else con.sql(stmt.sql)
                rel = ranges.relation_with_null_bounds(rel)
                if any(bignumerics.FIELD in str(t) for t in rel.types):
                    raise bignumerics.unsupported("JSON lines of the query's rows")
                if any(picotimestamps.MICROS in str(t) for t in rel.types):
                    raise BigQueryError(
                        "JSON lines of a TIMESTAMP(12) column are not supported by the local warehouse",
                        fix="select CAST(column AS STRING) (twelve digits) or CAST(column AS TIMESTAMP)",
                    )
                if any(str(t) == "JSON" for t in rel.types):
                    self.register_udfs(con, {jsonorder.SORTED_JSON_UDF})  # the lines' JSON sorted (jsonexport.py)
                for batch in json_line_batches(rel, lines, batch_rows):
                    ctl.check()
                    consume(batch)
            except duckdb.Error as exc:
                raise self._reword(con, exc, stmt) from None

    # ------------------------------------------------------------------ execution

    def _prepare(self, con: duckdb.DuckDBPyConnection, script: Script) -> bool:
        """Register what `script` needs on `con` and drop the expired tables it reads; whether
        any row access policy exists (when it reads tables), for `_run`."""
        tables = {t for s in script.statements for t in s.tables}
        policies, expiry, needed = False, None, script.udfs
        if tables:
            policies, expiry, view_udfs = self._probe_catalog(con)
            needed = needed | view_udfs
        if _ROUTINE_CALLS in needed or any(u.startswith(routines.ROUTINE_MARK) for u in script.udfs):
            # a routine's macro calls the UDFs its body was translated to, which no query names
            needed = needed | _every_engine_udf()
        self.register_udfs(con, needed)
        if any(u.startswith(routines.ROUTINE_MARK) for u in script.udfs):
            routines.prepare(self, con, script.udfs)
        if needed is not script.udfs:
            routines.prepare_called_by_views(self, con, needed - script.udfs, every=_ROUTINE_CALLS in needed)
        if script.info_schema:
            self._register_information_schema(con, script.info_schema)
        for wc in script.wildcards:
            self._define_wildcard(con, wc)
        if expiry is not None and expiry <= _now():
            with self._writing():
                tablekinds.drop_expired(self, con, tables)
        if tables:
            for stmt in script.statements:
                partitionfilters.refuse_unfiltered(stmt, lambda ref: self._partition_filter_column(con, ref))
        if len(script.statements) == 1:
            history.define_views(con, script.time_travel)
        return policies

    def register_udfs(self, con: duckdb.DuckDBPyConnection, needed: frozenset[str] | set[str]) -> None:
        """Register the engine's UDFs among `needed` (each family at once) where `con` sees them."""
        if FARM_FINGERPRINT_UDF in needed:
            if self._db is None:
                _register_farm_fingerprint(con)
            else:
                # Cursors of a held database share its catalog, and a function registered on a
                # cursor dies with it: register once, on the held connection itself.
                with self._lock:
                    if not self._udfs_on_db:
                        _register_farm_fingerprint(self._db)
                        self._udfs_on_db = True
        if ml.ML_UDFS & needed:
            if self._db is None:
                self._ml.register(con)
            else:
                with self._lock:
                    if not self._ml_on_db:
                        self._ml.register(self._db)
                        self._ml_on_db = True
        if udfs.GOOGLESQL_UDFS & needed:
            if self._db is None:
                udfs.register(con)
            else:
                with self._lock:
                    if not self._googlesql_udfs_on_db:
                        udfs.register(self._db)
                        self._googlesql_udfs_on_db = True
        if geography.udf_names() & needed:
            if self._db is None:
                geography.register(con)
            else:
                with self._lock:
                    if not self._geography_udfs_on_db:
                        geography.register(self._db)
                        self._geography_udfs_on_db = True

    def _probe_catalog(self, con: duckdb.DuckDBPyConnection) -> tuple[bool, dt.datetime | None, frozenset[str]]:
        """Whether any row access policy exists, the earliest table expiration time and the
        engine UDFs that views call; from the last probe while nothing has written since (with a
        held database, every writer is in this process and marks its work with `_writing`)."""
        generation = self._catalog_generation
        cached = self._probe
        if cached is not None and cached[0] == generation and self._db is not None:
            return cached[1], cached[2], cached[3]
        policies, expiry, views, rules = con.execute(_CATALOG_PROBE).fetchall()[0]
        view_udfs = frozenset(con.execute(_VIEW_UDFS).fetchall()[0][0] or ()) if views else frozenset()
        self._partition_rules = {
            (s, t): (None if required is None else required == "true", column) for s, t, required, column in rules or ()
        }
        self._probe = (generation, bool(policies), expiry, view_udfs, frozenset((s, v) for s, v in views or ()))
        return bool(policies), expiry, view_udfs

    def _partition_filter_column(self, con: duckdb.DuckDBPyConnection, ref: tuple[str, str, str]) -> str | None:
        """The column a query over table `ref` must filter on (require_partition_filter), or None.
        DDL's setting wins over REST's: a later REST change of the option forgets DDL's."""
        project, dataset, table = ref
        required, column = self._partition_rules.get((duckdb_schema(project, dataset), table), (None, None))
        fields: dict[str, Any] = {}
        if self.rest_table_fields is not None:
            fields, created = self.rest_table_fields(project, dataset, table)
            rest_rule = partitionfilters.rule_column(fields) is not None or (
                column is not None and partitionfilters.requires_filter(fields)
            )
            if (required is None and not rest_rule) or created != self._created_ms(con, project, dataset, table):
                fields = {}  # no rule there, or fields of an earlier table of that name
        if required is not None:
            if not required:
                return None
            fields = {**fields, "requirePartitionFilter": True}
            if column:
                return column
        if (
            column is not None
            and partitionfilters.rule_column(fields) is None
            and partitionfilters.requires_filter(fields)
        ):
            return column  # REST's option on a table DDL partitioned
        return partitionfilters.rule_column(fields)

    def _rest_layout(self, con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict[str, Any]]:
        """Per (DuckDB schema, table): the partitioning and clustering fields REST set (tables.insert,
        tables.patch, a job's destination)."""
        if self.rest_table_fields is None:
            return {}
        out: dict[tuple[str, str], dict[str, Any]] = {}
        found = con.execute(f"SELECT schema_name, table_name, created FROM {CATALOG_SCHEMA}.tables").fetchall()
        for schema, table, created in found:
            parts = split_schema(schema)
            if parts is None:
                continue
            fields, when = self.rest_table_fields(*parts, table)
            kept: dict[str, Any] = {k: fields[k] for k in partitioning.LAYOUT_FIELDS if k in fields}
            if kept and when == created_ms(created):
                out[(schema, table)] = kept
        return out

    def _layouts(self, con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict[str, Any]]:
        """Per (DuckDB schema, table): its partitioning and clustering fields, DDL's over REST's."""
        out = {key: dict(fields) for key, fields in self._rest_layout(con).items()}
        for schema, table, text in con.execute(
            f"SELECT schema_name, table_name, options FROM {catalog.CATALOG}.ddl_options WHERE table_name <> ''"
        ).fetchall():
            ddl = {k: v for k, v in json.loads(text).items() if k in partitioning.LAYOUT_FIELDS}
            if ddl:
                out.setdefault((schema, table), {}).update(ddl)
        return out

    def _created_ms(self, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> str:
        found = con.execute(
            f"SELECT created FROM {CATALOG_SCHEMA}.tables WHERE schema_name = ? AND table_name = ?",
            [duckdb_schema(project, dataset), table],
        ).fetchall()
        return created_ms(found[0][0] if found else None)

    def _check_location(self, con: duckdb.DuckDBPyConnection, script: Script, location: str) -> None:
        """BigQueryNotFound, as BigQuery answers a job sent to `location`, for a dataset of another."""
        datasets = {(p, d) for stmt in script.statements for p, d, _ in stmt.tables}
        datasets |= {stmt.target[:2] for stmt in script.statements if stmt.target}
        if not datasets:
            return
        known = self._dataset_locations(con)
        for p, d in sorted(datasets):
            have = known.get(duckdb_schema(p, d))
            if have is not None and have.lower() != location.lower():
                raise BigQueryNotFound(f"Not found: Dataset {p}:{d} was not found in location {location}", fix="")

    def dataset_location(self, project: str, dataset: str) -> str | None:
        """A dataset's location, or None if there is no such dataset; read without marking the
        catalog as written (the cached probes stay valid)."""
        with self._connection() as con:
            return self._dataset_locations(con).get(duckdb_schema(project, dataset))

    def _dataset_locations(self, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
        """Every dataset's location by DuckDB schema, from the last read while nothing has written since."""
        generation = self._catalog_generation
        seen, known = self._locations
        if seen != generation or self._db is None:
            rows = con.execute(f"SELECT schema_name, location FROM {CATALOG_SCHEMA}.datasets").fetchall()
            known = {schema: str(have or "US") for schema, have in rows}
            self._locations = (generation, known)
        return known

    def _run(
        self,
        con: duckdb.DuckDBPyConnection,
        stmt: Statement,
        values: Any,
        control: QueryControl,
        *,
        policies: bool = True,
        in_transaction: bool = False,
    ) -> QueryResult:
        """`policies`: False when the caller found no row access policy just before (the
        filters are then not looked up again). `in_transaction`: `con` is in a script's open
        transaction (a failed statement's caller rolls that back)."""
        try:
            if stmt.models:
                stmt = self._with_models(con, stmt)
            stmt = gapfill.expanded(con, stmt)
            if stmt.statement_type == "EXPORT_DATA":
                return self._export_data(con, stmt, values, control)
            if stmt.statement_type == "LOAD_DATA":
                return self._load_data(stmt)
            if stmt.statement_type == "SELECT":
                sql = rowaccess.guard(con, stmt) if policies else stmt.sql
                if _FAST_ROWS and not _ROW_SOURCE.search(sql):
                    fast = _sourceless_select(con, sql, values)
                    if fast is not None:
                        return fast
                rel = con.sql(sql, params=values) if values else con.sql(sql)
                names = output_names(rel.columns)
                schema = [duckdb_type_to_field(n, t) for n, t in zip(names, rel.types)]
                table = _result_arrow(rel, names)
                from . import nullarrays

                nullarrays.check(table)
                temporalrange.check(table)
                return QueryResult(
                    table=table, schema=schema, statement_type="SELECT", referenced=tuple(dict.fromkeys(stmt.tables))
                )
            if stmt.statement_type in ("CREATE_SCHEMA", "DROP_SCHEMA"):
                return self._schema_statement(con, stmt)
            if stmt.statement_type in ("CREATE_MODEL", "DROP_MODEL"):
                return self._model_statement(con, stmt, values)
            if stmt.statement_type in tablekinds.STATEMENTS:
                return tablekinds.run(self, con, stmt)
            required: nestedrequired.Rules = []
            if stmt.statement_type in nestedrequired.WRITES and stmt.target is not None and stmt.target[2]:
                required = nestedrequired.rules(self, con, *stmt.target)
            # a refused CREATE [OR REPLACE] TABLE (a NOT NULL column given a NULL, ...) leaves the
            # table it would have replaced as it was, as BigQuery's does
            replacing = stmt.statement_type.startswith("CREATE_TABLE")
            # rolled back below when the write leaves a nested REQUIRED field NULL or fails after
            # widening a BIGNUMERIC column (widecolumns.py)
            transaction = bool(required or stmt.widen or replacing) and not in_transaction
            if transaction:
                con.execute("BEGIN TRANSACTION")
            try:
                affected, stmt, arrays_after = self._write(con, stmt, values)
                if (arrays_after or storedarrays.may_leave_null(stmt)) and stmt.target and stmt.target[2]:
                    storedarrays.empty_null_arrays(con, *stmt.target)
                if required and stmt.target is not None:
                    nestedrequired.check_dml(con, stmt.target[0], stmt.target[1], stmt.target[2], required)
                if replacing:
                    self._after_write(con, stmt)
            except BaseException:
                if transaction:
                    con.execute("ROLLBACK")
                raise
            if transaction:
                con.execute("COMMIT")
            if not replacing:
                self._after_write(con, stmt)
            created = self._created_table_schema(con, stmt)
            return QueryResult(
                table=_empty_table(created),
                schema=created,
                statement_type=stmt.statement_type,
                num_dml_affected_rows=affected,
                target=stmt.target,
            )
        except duckdb.Error as exc:
            raise self._reword(con, exc, stmt) from None

    def _after_write(self, con: duckdb.DuckDBPyConnection, stmt: Statement) -> None:
        """Record a created table and apply what its statement declared (tablekinds.after_statement)."""
        if stmt.target is not None and stmt.statement_type.startswith(("CREATE_TABLE", "CREATE_VIEW")):
            if not tablekinds.kept(con, stmt):  # IF NOT EXISTS on an existing table changes nothing
                self._record_table(con, *stmt.target)
        if stmt.target is not None and stmt.target[2]:
            tablekinds.after_statement(self, con, stmt)

    def _widen(self, con: duckdb.DuckDBPyConnection, stmt: Statement) -> None:
        """Make wide the BIGNUMERIC columns a write needs wide (widecolumns.py), in its transaction."""
        for alter in stmt.widen:
            try:
                if alter.startswith(bignumerics.REBUILD):  # a BIGNUMERIC(P, S) column: its table rebuilt
                    target, column = alter.removeprefix(bignumerics.REBUILD).split("\t")
                    alter = bignumerics.rebuild_sql(con, target, column)
                con.execute(alter)
            except duckdb.Error:
                assert stmt.target is not None
                raise bignumerics.unsupported(
                    f"storing a BIGNUMERIC column of table {stmt.target[2]} (a column with a constraint)"
                ) from None

    def _write(
        self, con: duckdb.DuckDBPyConnection, stmt: Statement, values: Any
    ) -> tuple[int | None, Statement, bool]:
        """Run a statement that is not a query: the rows a DML statement changed, the statement
        run (its written values as BigQuery stores them, writtenvalues.py) and whether its NULL
        top-level ARRAYs are to be made `[]` after it."""
        if stmt.target is not None and stmt.target[2]:
            tablekinds.before_statement(self, con, stmt)
        if stmt.target is not None and stmt.statement_type.startswith(("CREATE_TABLE", "CREATE_VIEW")):
            self._require_dataset(con, stmt.target[0], stmt.target[1])
        self._widen(con, stmt)  # before the values are prepared: a wide column's are written as they are
        stmt, arrays_after = writtenvalues.prepare(con, stmt)
        cur = con.execute(stmt.sql, values) if values else con.execute(stmt.sql)
        if stmt.statement_type in ("INSERT", "UPDATE", "DELETE", "MERGE"):
            rows = cur.fetchall()
            return int(rows[0][0]) if rows else 0, stmt, arrays_after
        return None, stmt, arrays_after

    def _load_data(self, stmt: Statement) -> QueryResult:
        if self.file_loads is None:
            raise BigQueryError(
                "LOAD DATA is not supported by the local warehouse: it has no object storage to read files from",
                fix="run it through the emulator (llmops emulator start), whose load jobs read its gs:// objects",
            )
        project = stmt.target[0] if stmt.target else self.default_project
        self.file_loads(project, stmt.options["load"])
        return QueryResult(table=EMPTY, schema=[], statement_type="LOAD_DATA", target=stmt.target)

    def _created_table_schema(self, con: duckdb.DuckDBPyConnection, stmt: Statement) -> list[dict]:
        """CREATE TABLE (and CTAS) answer with the new table's columns and no rows, as BigQuery does."""
        if stmt.target is None or stmt.statement_type not in ("CREATE_TABLE", "CREATE_TABLE_AS_SELECT"):
            return []
        return list(self._table_info(con, *stmt.target)["schema"])

    def _models_table(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {CATALOG_SCHEMA}.models (schema_name VARCHAR, model_name VARCHAR, "
            "endpoint VARCHAR, connection VARCHAR, created TIMESTAMPTZ, spec VARCHAR, meta VARCHAR, "
            "modified TIMESTAMPTZ, PRIMARY KEY (schema_name, model_name))"
        )
        # spec (a trained model, bqml_train's JSON), meta (models.patch's fields), modified: added
        # to a catalog written before they existed (read first: no catalog write when they are there)
        have = {
            str(r[0])
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = 'models'",
                [CATALOG_SCHEMA],
            ).fetchall()
        }
        for column, kind in (("spec", "VARCHAR"), ("meta", "VARCHAR"), ("modified", "TIMESTAMPTZ")):
            if column not in have:
                con.execute(f"ALTER TABLE {CATALOG_SCHEMA}.models ADD COLUMN {column} {kind}")

    def _model_statement(self, con: duckdb.DuckDBPyConnection, stmt: Statement, values: Any = None) -> QueryResult:
        """CREATE MODEL (remote, or trained on a query), DROP MODEL: rows of the engine's model catalog."""
        project, dataset, model = stmt.target  # type: ignore[misc]
        self._require_dataset(con, project, dataset)
        self._models_table(con)
        key = [duckdb_schema(project, dataset), model]
        found = con.execute(
            f"SELECT count(*) FROM {CATALOG_SCHEMA}.models WHERE schema_name = ? AND model_name = ?", key
        ).fetchall()[0][0]
        name = f"{project}.{dataset}.{model}"
        if stmt.statement_type == "DROP_MODEL":
            if not found and not stmt.options.get("if_exists"):
                raise BigQueryNotFound(
                    f"Not found: Model {name}", fix="check the model name, or use DROP MODEL IF EXISTS"
                )
            con.execute(f"DELETE FROM {CATALOG_SCHEMA}.models WHERE schema_name = ? AND model_name = ?", key)
        elif found and stmt.options.get("if_not_exists"):
            pass
        elif found and not stmt.options.get("replace"):
            raise BigQueryDuplicate(f"Already Exists: Model {name}", fix="use CREATE OR REPLACE MODEL")
        else:
            spec = self._train(con, stmt, values) if "training" in stmt.options else None
            now = _now()
            con.execute(
                f"INSERT OR REPLACE INTO {CATALOG_SCHEMA}.models "
                "(schema_name, model_name, endpoint, connection, created, spec, meta, modified) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [*key, stmt.options.get("endpoint"), stmt.options.get("connection"), now, spec, "{}", now],
            )
        return QueryResult(table=EMPTY, schema=[], statement_type=stmt.statement_type)

    def _train(self, con: duckdb.DuckDBPyConnection, stmt: Statement, values: Any) -> str:
        """The trained model's spec (JSON) from running the training query."""
        from . import bqml_calls, bqml_train

        sql = rowaccess.guard(con, stmt)
        rel = con.sql(sql, params=values) if values else con.sql(sql)
        names = output_names(rel.columns)
        bqml_calls.check_training_input(names)
        kinds = {n: duckdb_type_to_field(n, t)["type"] for n, t in zip(names, rel.types, strict=True)}
        if any(bignumerics.FIELD in str(t) for t in rel.types):
            raise bignumerics.unsupported("training a model on a value")
        table = rel.to_arrow_table()
        columns = {n: table.column(i).to_pylist() for i, n in enumerate(names)}
        return json.dumps(bqml_train.train(columns, kinds, stmt.options["training"]))

    def list_models(self, project: str, dataset: str, model: str | None = None) -> list[dict[str, Any]]:
        """The dataset's models (one, or none, with `model`): {model, endpoint, connection, created,
        modified, spec (a trained model's, else None), meta (models.patch's fields)}."""
        with self.reading() as con:
            self._require_dataset(con, project, dataset)
            self._models_table(con)
            where, args = "schema_name = ?", [duckdb_schema(project, dataset)]
            if model is not None:
                where, args = where + " AND model_name = ?", [*args, model]
            rows = con.execute(
                f"SELECT model_name, endpoint, connection, created, spec, meta, modified FROM {CATALOG_SCHEMA}.models "
                f"WHERE {where} ORDER BY model_name",
                args,
            ).fetchall()
        return [
            {
                "model": m,
                "endpoint": e,
                "connection": c,
                "created": t,
                "spec": json.loads(spec) if spec else None,
                "meta": json.loads(meta) if meta else {},
                "modified": changed or t,
            }
            for m, e, c, t, spec, meta, changed in rows
            if not _model_expired(meta)
        ]

    def patch_model(self, project: str, dataset: str, model: str, meta: dict[str, Any]) -> None:
        """Replace a model's models.patch fields (description, friendlyName, labels, expirationTime)."""
        with self.connection() as con:
            self._models_table(con)
            con.execute(
                f"UPDATE {CATALOG_SCHEMA}.models SET meta = ?, modified = ? WHERE schema_name = ? AND model_name = ?",
                [json.dumps(meta), _now(), duckdb_schema(project, dataset), model],
            )

    def _with_models(self, con: duckdb.DuckDBPyConnection, stmt: Statement) -> Statement:
        """`stmt` once the models it calls are checked, with calls of trained models written out
        from the models as they are now (bqml_calls.expand)."""
        self._check_models(con, stmt.models)
        if not any(use.kind == "trained" for use in stmt.models):
            return stmt
        from .bqml_calls import expand

        if "VIEW" in stmt.statement_type:
            # the view would keep the weights of today's model, not read the model it names
            raise BigQueryError(
                "a view over a trained model (ML.PREDICT, ML.EVALUATE, ML.WEIGHTS, ML.TRAINING_INFO) "
                "is not supported by the local warehouse",
                fix="run the ML function in the query itself, or save its rows with CREATE TABLE ... AS",
            )
        return dataclasses.replace(stmt, sql=expand(stmt.sql, self._ml.trained))

    def _check_models(self, con: duckdb.DuckDBPyConnection, uses: tuple[ml.ModelUse, ...]) -> None:
        """Every model a statement calls exists and is of the kind its function needs."""
        self._models_table(con)
        for use in uses:
            rows = con.execute(
                f"SELECT endpoint, spec, meta FROM {CATALOG_SCHEMA}.models WHERE schema_name = ? AND model_name = ?",
                [duckdb_schema(use.project, use.dataset), use.model],
            ).fetchall()
            if not rows or _model_expired(rows[0][2]):
                raise BigQueryNotFound(
                    f"Not found: Model {use.ref}",
                    fix="create it first: CREATE MODEL ... OPTIONS(model_type = 'linear_reg') AS SELECT ..."
                    if use.kind == "trained"
                    else "create it first: CREATE MODEL ... REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = '...')",
                )
            endpoint, spec, _ = rows[0]
            if use.kind == "trained":
                if not spec:
                    raise BigQueryInvalid(
                        f"Model {use.ref} is a remote model; this function needs a trained model "
                        "(CREATE MODEL ... OPTIONS(model_type = 'linear_reg') AS SELECT ...)",
                        fix="call ML.GENERATE_TEXT or ML.GENERATE_EMBEDDING on a remote model",
                    )
                self._ml.trained[use.ref] = json.loads(spec)
                continue
            if not endpoint:
                raise BigQueryInvalid(
                    f"Model {use.ref} is a trained model; this function needs a remote model",
                    fix="create a remote model: CREATE MODEL ... REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = '...')",
                )
            endpoint = str(endpoint)
            if ml.endpoint_kind(endpoint) != use.kind:
                need = "an embedding model (text-embedding-*)" if use.kind == "embedding" else "a Gemini model"
                raise BigQueryInvalid(
                    f"Model {use.ref} (endpoint {endpoint}) cannot be used here: this function needs {need}",
                    fix="create a model with a suitable endpoint and call that",
                )
            self._ml.endpoints[use.ref] = endpoint

    def _schema_statement(self, con: duckdb.DuckDBPyConnection, stmt: Statement) -> QueryResult:
        project, dataset, _ = stmt.target  # type: ignore[misc]
        exists = self._dataset_exists(con, project, dataset)
        if stmt.statement_type == "CREATE_SCHEMA":
            if exists and "IF NOT EXISTS" not in stmt.sql.upper():
                raise BigQueryDuplicate(
                    f"dataset `{project}.{dataset}` already exists", fix="use CREATE SCHEMA IF NOT EXISTS"
                )
            con.execute(stmt.sql)
            if not exists:
                self._record_dataset(con, project, dataset, stmt.options.get("location"))
                ddlopts.apply_schema_options(con, project, dataset, stmt.options)
        else:
            if not exists and "IF EXISTS" not in stmt.sql.upper():
                raise dataset_not_found(project, dataset)
            if exists and " CASCADE" not in stmt.sql.upper() and self._table_names(con, project, dataset):
                raise BigQueryError(
                    f"Dataset {project}:{dataset} is still in use",
                    fix="use DROP SCHEMA ... CASCADE to delete its tables",
                    reason="resourceInUse",
                )
            if exists:
                tablekinds.before_dataset_drop(self, con, project, dataset)
            con.execute(stmt.sql)
            con.execute(
                f"DELETE FROM {CATALOG_SCHEMA}.datasets WHERE schema_name = ?", [duckdb_schema(project, dataset)]
            )
            tablekinds.forget_dataset(con, project, dataset)
        return QueryResult(table=EMPTY, schema=[], statement_type=stmt.statement_type)

    def _reword(self, con: duckdb.DuckDBPyConnection, exc: duckdb.Error, stmt: Statement | None) -> LlmopsError:
        """A DuckDB error as one line in BigQuery's terms."""
        text = str(exc)
        first = text.splitlines()[0] if text else type(exc).__name__
        first = re.sub(r"^[A-Za-z ]+ Error: ", "", first).strip()
        first = re.sub(r"^Python exception occurred while executing the UDF: ValueError: ", "", first)
        first = first.replace(picotimestamps.DUCKDB_TYPE, "TIMESTAMP(12)")
        hint = next((ln.strip() for ln in text.splitlines()[1:] if ln.strip().startswith("Did you mean")), None)
        if isinstance(exc, duckdb.PermissionException):
            return BigQueryError(
                "the local warehouse cannot read or write host files, change settings or load extensions",
                fix="query tables by name; export with EXPORT DATA to gs:// (or the workspace from the CLI)",
            )
        if isinstance(exc, duckdb.InterruptException):
            return BigQueryError("the query was interrupted", fix="run it again", reason="stopped")
        checked = isinstance(exc, duckdb.ConstraintException) and re.search(r"\(Error: Field .+\)$", first)
        if bignumerics.FIELD in text and not checked:  # DuckDB met the opaque wide struct (a table function's, say)
            return bignumerics.unsupported("this use of a value")
        wide = re.match(
            r'(?:Could not (?:cast value|convert string)|Casting value) "?([^"\s]+?)"? to (?:type )?DECIMAL\(38,\s*18\)',
            first,
        )
        if wide and _beyond_engine_bignumeric(wide.group(1)):  # BigQuery's BIGNUMERIC holds it, the engine's not
            return BigQueryError(
                f"the BIGNUMERIC value {wide.group(1)} (more than 20 integer digits) is not supported by the "
                "local warehouse",
                fix="keep BIGNUMERIC values within 20 integer and 18 decimal digits, or run on BigQuery",
            )
        ext = re.search(r"extension '?\"?([A-Za-z0-9_]+)", first) if "extension" in first.lower() else None
        if ext:
            return BigQueryError(
                f"this query needs the DuckDB extension {ext.group(1)!r}, which the local warehouse does not have",
                fix="rewrite the query without that function, or run it on BigQuery",
            )
        if isinstance(exc, duckdb.CatalogException) and stmt is not None:
            for project, dataset, table in stmt.tables:
                if stmt.statement_type.startswith("CREATE") and (project, dataset, table) == stmt.target:
                    continue  # the table being created
                if not self._dataset_exists(con, project, dataset):
                    return dataset_not_found(project, dataset)
                if table.endswith("*"):
                    continue
                if table not in self._table_names(con, project, dataset):
                    return table_not_found(
                        project, dataset, table, self._dataset_locations(con).get(duckdb_schema(project, dataset))
                    )
            gone = viewrefs.missing_error(con, first, stmt.tables)
            if gone is not None:
                return gone
            m = re.search(r"(?:Scalar|Aggregate|Table) Function with name (\S+) does not exist", first)
            if m:
                name = m.group(1).strip('"').upper()
                return BigQueryError(
                    f"function {name} is not supported by the local warehouse",
                    fix="use a GoogleSQL function the local warehouse supports, or run on BigQuery",
                )
            if stmt.target and "does not exist" in first:
                project, dataset, table = stmt.target
                if not self._dataset_exists(con, project, dataset):
                    return dataset_not_found(project, dataset)
                return table_not_found(
                    project, dataset, table, self._dataset_locations(con).get(duckdb_schema(project, dataset))
                )
            if "already exists" in first:
                return BigQueryDuplicate(first, fix="use CREATE OR REPLACE or IF NOT EXISTS")
            return BigQueryError(first, fix=hint or "check the names in the query")
        if isinstance(exc, duckdb.BinderException):
            pseudo = ingestiontime.named_in(first)
            if pseudo is not None and stmt is not None:
                refused = ingestiontime.pseudo_column_error(self._layouts(con), pseudo, stmt.tables)
                if refused is not None:
                    return refused
            m = re.search(r'Referenced column "?([^"\s]+)"? (?:was )?not found', first)
            if m:
                return BigQueryError(
                    f"Unrecognized name: {m.group(1)}", fix=hint or "check the column names in the query"
                )
            unknown_bytes = bytescalls.unknown_bytes_error(first)
            if unknown_bytes is not None:
                return unknown_bytes
            m = re.match(r"Macro (\w+)\(\) does not support the supplied arguments", first)
            if m:  # a SQL function (temporary or persistent) called with arguments it does not take
                return BigQueryError(
                    f"No matching signature for function {m.group(1)}",
                    fix="call it with the number of arguments its CREATE FUNCTION lists",
                )
            m = re.search(r"No function matches the given name and argument types '(\w+)\((.*?)\)'", first)
            names = {**udfs.GOOGLESQL_NAME, **geography.googlesql_names()}
            if m and m.group(1) in names:
                # An engine UDF's own name means nothing to the user: name the GoogleSQL function.
                return BigQueryError(
                    f"No matching signature for function {names[m.group(1)]} for argument types: {m.group(2)}",
                    fix=hint or "check the argument types (see the GoogleSQL function reference)",
                )
            return (
                binderwords.reworded(first)
                or fieldaccess.reworded(con, first, stmt.sql if stmt is not None else None)
                or BigQueryError(first, fix=hint or "check the query's names and types")
            )
        if isinstance(exc, duckdb.ParserException):
            return BigQueryError(
                f"the local warehouse cannot run this query: {first}",
                fix="the construct is probably not supported locally; simplify the query or run on BigQuery",
            )
        if isinstance(exc, duckdb.InvalidInputException) and writtenvalues.beyond_parameters(first):
            return BigQueryInvalid(first, fix="shorten the value or widen the column's type parameters")
        if isinstance(exc, duckdb.ConstraintException):
            raised = re.search(r"\(Error: (.+)\)$", first)  # ERROR() in a CHECK: ddlopts' type parameters
            if raised:
                return BigQueryInvalid(raised.group(1), fix="shorten the value or widen the column's type parameters")
            return BigQueryInvalid(first, fix="check the values against the table's REQUIRED fields")
        if isinstance(exc, duckdb.InvalidInputException) and (field_error := dmlforms.not_a_struct(first)):
            return field_error
        if isinstance(exc, duckdb.InvalidInputException) and "parameter" in first.lower():
            return BigQueryError(first, fix="pass a value for every @parameter")
        if isinstance(exc, duckdb.IOException):
            return BigQueryError(first, fix="check that the path exists and is writable")
        if first.startswith(("Overflow in HUGEINT addition", "Overflow in SUM of DECIMAL")):
            # a DECIMAL(38, s) sum's running total (or its total, of which an AVG's value may
            # still fit) passed 38 digits: summing wider on every query costs ~80x, so these
            # sums are refused
            return BigQueryError(
                "a NUMERIC/BIGNUMERIC SUM or AVG whose running total passes 38 digits (with the scale) is not supported by the "
                "local warehouse (BigQuery answers where the final value fits, else fails with an overflow)",
                fix="sum fewer or smaller values per group, or CAST to FLOAT64 first",
            )
        return BigQueryError(first, fix=hint or "check the query")

    # ------------------------------------------------------------------ INFORMATION_SCHEMA, wildcards

    def _catalog_columns(self, con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, int, dict]]:
        """(project, dataset, table, column, position, BigQuery field) of every dataset column."""
        rows = con.execute(
            "SELECT schema_name, table_name, column_name, column_index, is_nullable, data_type "
            "FROM duckdb_columns() WHERE NOT internal AND schema_name LIKE '%.%' "
            "AND database_name = current_database() ORDER BY schema_name, table_name, column_index"
        ).fetchall()
        out = []
        for schema_name, table_name, column, index, nullable, data_type in rows:
            parts = split_schema(schema_name)
            if parts is not None:
                field = duckdb_type_to_field(column, con.sqltype(data_type), nullable=nullable)
                out.append((parts[0], parts[1], table_name, column, int(index), field))
        return out

    def _register_information_schema(self, con: duckdb.DuckDBPyConnection, views: frozenset[str]) -> None:
        if "MATERIALIZED_VIEWS" in views:
            views = views | {"TABLES"}
        split = "regexp_extract({}schema_name, '^(.*)\\.([^.]*)$', {})"
        relations = (
            "SELECT schema_name, table_name, 'BASE TABLE' AS table_type, comment FROM duckdb_tables() "
            "WHERE NOT temporary AND schema_name LIKE '%.%' "
            "UNION ALL SELECT schema_name, view_name, 'VIEW', comment FROM duckdb_views() "
            "WHERE NOT temporary AND NOT internal AND schema_name LIKE '%.%'"
        )
        columns = self._catalog_columns(con) if {"TABLES", "COLUMNS"} & views else []
        if "TABLES" in views:
            # BigQuery's ddl column: the statement that recreates the table or view
            table_options, view_queries = infoschema.ddl_parts(con)
            ddl = tableddl.ddl_table(con, columns, self._layouts(con), table_options, view_queries, field_type_sql)
            ddl_name = INFO_SCHEMA_VIEWS["TABLES"] + "_ddl"
            con.register(ddl_name, ddl)
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {quote_ident(INFO_SCHEMA_VIEWS['TABLES'])} AS "
                f"SELECT {split.format('r.', 1)} AS table_catalog, {split.format('r.', 2)} AS table_schema, r.table_name, "
                f"{tablekinds.INFO_SCHEMA_TYPE} AS table_type, "
                f"CASE r.table_type WHEN 'BASE TABLE' THEN 'NATIVE' END AS managed_table_type, "
                f"CASE WHEN r.table_type = 'BASE TABLE' AND f.kind IS DISTINCT FROM 'SNAPSHOT' THEN 'YES' ELSE 'NO' END "
                f"AS is_insertable_into, 'NO' AS is_fine_grained_mutations_enabled, "
                f"'NO' AS is_typed, 'NO' AS is_change_history_enabled, m.created AS creation_time, "
                f"{tablekinds.INFO_SCHEMA_BASE}, "
                "CAST(NULL AS VARCHAR) AS replica_source_catalog, CAST(NULL AS VARCHAR) AS replica_source_schema, "
                "CAST(NULL AS VARCHAR) AS replica_source_name, CAST(NULL AS VARCHAR) AS replication_status, "
                "CAST(NULL AS VARCHAR) AS replication_error, "
                "d.ddl AS ddl, "
                f"CAST(NULL AS VARCHAR) AS default_collation_name, CAST(NULL AS JSON) AS sync_status, "
                "CAST(NULL AS TIMESTAMPTZ) AS upsert_stream_apply_watermark "
                f"FROM ({relations}) r LEFT JOIN {CATALOG_SCHEMA}.tables m "
                f"ON m.schema_name = r.schema_name AND m.table_name = r.table_name "
                f"LEFT JOIN {quote_ident(ddl_name)} d ON d.schema_name = r.schema_name AND d.table_name = r.table_name "
                f"LEFT JOIN {tablekinds.CATALOG}.table_features f "
                f"ON f.schema_name = r.schema_name AND f.table_name = r.table_name "
                f"ORDER BY table_catalog, table_schema, r.table_name"
            )
        if "MATERIALIZED_VIEWS" in views:
            _register_materialized_views(con)
        if "ROW_ACCESS_POLICIES" in views:
            tablekinds.register_row_access_policies(con, INFO_SCHEMA_VIEWS["ROW_ACCESS_POLICIES"])
        if "TABLE_SNAPSHOTS" in views:
            tablekinds.register_table_snapshots(con, INFO_SCHEMA_VIEWS["TABLE_SNAPSHOTS"])
        if "PARTITIONS" in views:
            tablekinds.register_partitions(con, INFO_SCHEMA_VIEWS["PARTITIONS"], self._rest_layout(con))
        if "SCHEMATA" in views:
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {quote_ident(INFO_SCHEMA_VIEWS['SCHEMATA'])} AS "
                f"SELECT {split.format('s.', 1)} AS catalog_name, {split.format('s.', 2)} AS schema_name, "
                f"CAST(NULL AS VARCHAR) AS schema_owner, m.created AS creation_time, m.created AS last_modified_time, "
                f"coalesce(m.location, 'US') AS location, CAST(NULL AS VARCHAR) AS ddl, "
                f"CAST(NULL AS VARCHAR) AS default_collation_name "
                f"FROM (SELECT DISTINCT schema_name FROM duckdb_schemas() WHERE schema_name LIKE '%.%' "
                f"AND database_name = current_database()) s "
                f"LEFT JOIN {CATALOG_SCHEMA}.datasets m USING (schema_name) ORDER BY catalog_name, schema_name"
            )
        if "COLUMNS" in views:
            names = (
                "table_catalog",
                "table_schema",
                "table_name",
                "column_name",
                "ordinal_position",
                "is_nullable",
                "data_type",
                "is_generated",
                "generation_expression",
                "is_stored",
                "is_hidden",
                "is_updatable",
                "is_system_defined",
                "is_partitioning_column",
                "clustering_ordinal_position",
                "collation_name",
                "column_default",
                "rounding_mode",
                "policy_tags",
            )
            out: dict[str, list] = {k: [] for k in names}
            layouts = self._layouts(con)
            options: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
            for project, dataset, table, column, index, field in columns:
                if (project, dataset, table) not in options:
                    options[project, dataset, table] = fieldopts.stored(con, project, dataset, table)
                column_options = options[project, dataset, table].get(column.lower(), {})
                default = column_options.get("defaultValueExpression")
                tags = (column_options.get("policyTags") or {}).get("names") or []
                partitioned, clustered_at = _column_layout(
                    layouts.get((duckdb_schema(project, dataset), table)), column
                )
                values = (
                    project,
                    dataset,
                    table,
                    column,
                    index,
                    "NO" if field["mode"] == "REQUIRED" else "YES",
                    field_type_sql(field),
                    "NEVER",  # is_generated: only automatically generated embedding columns are ALWAYS
                    None,
                    None,
                    "NO",
                    None,  # is_updatable: always NULL
                    "NO",
                    partitioned,
                    clustered_at,
                    "NULL",
                    "NULL" if default is None else default,
                    column_options.get("roundingMode"),
                    [str(t) for t in tags],
                )
                for key, value in zip(names, values):
                    out[key].append(value)
            ints = ("ordinal_position", "clustering_ordinal_position")
            types = {k: pa.int64() for k in ints} | {"policy_tags": pa.list_(pa.string())}
            arrow = pa.table({k: pa.array(v, type=types.get(k, pa.string())) for k, v in out.items()})
            con.register(INFO_SCHEMA_VIEWS["COLUMNS"], arrow)
        infoschema.register(
            con, views, INFO_SCHEMA_VIEWS, lambda: columns or self._catalog_columns(con), field_type_sql
        )
        if "JOBS" in views:
            if self.job_resources is None:
                raise BigQueryError(
                    "INFORMATION_SCHEMA.JOBS is not supported by the local warehouse: it runs queries, not jobs",
                    fix="query it through the emulator (llmops emulator start), which keeps its jobs",
                )
            con.register(INFO_SCHEMA_VIEWS["JOBS"], infoschema.jobs_table(self.job_resources()))

    def _define_wildcard(self, con: duckdb.DuckDBPyConnection, wc) -> None:
        names = sorted(t for t in self._table_names(con, wc.project, wc.dataset) if t.startswith(wc.prefix))
        if not self._dataset_exists(con, wc.project, wc.dataset):
            raise dataset_not_found(wc.project, wc.dataset)
        if not names:
            raise BigQueryNotFound(
                f"no table matches `{bq_name(wc.project, wc.dataset, wc.prefix + '*')}`",
                fix=LIST_TABLES_FIX.format(project=wc.project, dataset=wc.dataset),
            )
        parts = _wildcard_parts(con, wc.project, wc.dataset, wc.prefix, names)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(wc.relation)} AS " + " UNION ALL BY NAME ".join(parts))

    # ------------------------------------------------------------------ exports

    def _resolve_destination(self, uri: str) -> tuple[Path, str]:
        """(local file path, the URI to report) for an export destination, which must fall
        under gcs_root (gs://) or local_root (a path or file://); BigQueryError otherwise."""
        shard = "000000000000"
        if uri.startswith("gs://"):
            if self.gcs_root is None:
                raise BigQueryError(
                    f"cannot export to {uri}: this local warehouse has no object storage",
                    fix="export to a path in the workspace",
                )
            reported = uri.replace("*", shard, 1)
            bucket, _, name = reported[len("gs://") :].partition("/")
            if not _BUCKET_NAME.fullmatch(bucket) or not _safe_relative(name):
                raise BigQueryError(f"invalid export uri {uri!r}", fix="write gs://BUCKET/path/file-*.json")
            return _inside(self.gcs_root, self.gcs_root / bucket / name, uri), reported
        if self.local_root is None:
            raise BigQueryError(
                f"cannot export to {uri!r}: the emulator exports only to its Cloud Storage",
                fix="write uri='gs://BUCKET/path/file-*.json'",
            )
        if uri.startswith("file://"):
            parsed = urlparse(uri)
            if parsed.netloc not in ("", "localhost"):
                raise BigQueryError(f"cannot export to {uri}: not a local file URI", fix="write file:///absolute/path")
            uri = unquote(parsed.path)
        if "://" in uri:
            raise BigQueryError(f"cannot export to {uri}: unsupported scheme", fix="use a workspace path or gs://")
        given = Path(uri.replace("*", shard, 1)).expanduser()
        if ".." in given.parts or "\0" in uri:
            raise BigQueryError(
                f"invalid export path {uri!r}: '..' is not allowed", fix="write a path in the workspace"
            )
        path = _inside(self.local_root, given if given.is_absolute() else self.local_root / given, uri)
        return path, str(path)

    def _copy_to(
        self,
        con: duckdb.DuckDBPyConnection,
        stmt: Statement,
        values: Any,
        destination: str,
        control: QueryControl,
        *,
        format: str = "jsonl",
        header: bool = True,
        delimiter: str = ",",
        compression: str | None = None,
        overwrite: bool = True,
        query_sql: str | None = None,
        avro_logical_types: bool = False,
    ) -> dict:
        fmt = format.lower()
        options = {
            "jsonl": "FORMAT json",
            "json": "FORMAT json",
            "csv": f"FORMAT csv, HEADER {'true' if header else 'false'}, DELIMITER {_sql_string(delimiter)}",
            "parquet": "FORMAT parquet",
            "avro": "",
        }.get(fmt)
        if options is None:
            raise BigQueryError(f"unknown export format {format!r}", fix="use jsonl, csv, parquet or avro")
        path, reported = self._resolve_destination(destination)
        if not compression and fmt not in ("parquet", "avro") and path.suffix.lower() == ".gz":
            compression = "GZIP"  # the temporary name hides the suffix DuckDB would go by
        codec = _avro_codec(compression) if fmt == "avro" else "null"
        if fmt != "avro" and compression and compression.upper() not in ("NONE", ""):
            if compression.upper() not in ("GZIP", "SNAPPY", "ZSTD"):
                raise BigQueryError(f"unknown export compression {compression!r}", fix="use GZIP, SNAPPY or ZSTD")
            options += f", COMPRESSION {compression.lower()}"
        if path.exists() and not overwrite:
            raise BigQueryDuplicate(
                f"export destination {reported} already exists", fix="add overwrite=true to OPTIONS"
            )
        if path.is_dir() or path.is_symlink():
            raise BigQueryError(f"export destination {reported} is not a file", fix="choose another name")
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            sql = query_sql or stmt.sql
            rel = con.sql(sql, params=values) if values else con.sql(sql)
            rel = ranges.relation_with_null_bounds(rel)
            if fmt not in ("parquet", "avro"):
                rel = geography.text_relation(rel)  # BigQuery's WKT, `POINT(1 2)`, as extract jobs write it
            if any(bignumerics.FIELD in str(t) for t in rel.types):
                raise bignumerics.unsupported("an export")
            if any(picotimestamps.MICROS in str(t) for t in rel.types):
                raise BigQueryError(
                    "an export of a TIMESTAMP(12) column is not supported by the local warehouse",
                    fix="export CAST(column AS STRING) (twelve digits) or CAST(column AS TIMESTAMP)",
                )
            json_columns = [c for c, t in zip(rel.columns, rel.types, strict=True) if str(t).upper() == "JSON"]
            if fmt == "avro":
                rows = self._write_avro(rel, tmp, control, logical_types=avro_logical_types, codec=codec)
            else:
                rows = self._writer.write(rel, tmp, options, control, json_columns=json_columns)
            os.replace(tmp, path)
        except OSError as exc:
            raise BigQueryError(
                f"cannot write export to {reported}: {exc.strerror or exc}",
                fix="choose a destination folder you can write",
            ) from None
        except duckdb.IOException as exc:
            first = str(exc).splitlines()[0]
            raise BigQueryError(
                f"cannot write export to {reported}: {first}", fix="choose a destination folder you can write"
            ) from None
        except duckdb.Error as exc:
            raise self._reword(con, exc, stmt) from None
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        return {"uris": [reported], "rows": rows, "files": 1}

    def _write_avro(
        self, rel: duckdb.DuckDBPyRelation, path: Path, control: QueryControl, *, logical_types: bool, codec: str
    ) -> int:
        """An Avro object container file of the relation's rows, BigQuery's Avro types (avro_out.py)."""
        from .avro_out import write_file

        if not any(path == r or r in path.parents for r in self._writer.roots):
            raise BigQueryError(f"cannot export to {path.name}: outside the export folders", fix="export to gs://")
        fields = [duckdb_type_to_field(n, t) for n, t in zip(rel.columns, rel.types)]
        control.check()
        return write_file(path, rel.to_arrow_reader(64 * 1024), fields, logical_types=logical_types, codec=codec)

    def _export_data(
        self, con: duckdb.DuckDBPyConnection, stmt: Statement, values: Any, control: QueryControl
    ) -> QueryResult:
        o = stmt.export_options
        info = self._copy_to(
            con,
            stmt,
            values,
            str(o["uri"]),
            control,
            format=o["format"],
            header=_truthy(o.get("header", False)),
            delimiter=str(o.get("field_delimiter", ",")),
            compression=o.get("compression"),
            overwrite=_truthy(o.get("overwrite", False)),
            query_sql=stmt.export_query,
            avro_logical_types=_truthy(o.get("use_avro_logical_types", False)),
        )
        return QueryResult(table=EMPTY, schema=[], statement_type="EXPORT_DATA", export=info)

    # ------------------------------------------------------------------ catalog

    def _dataset_exists(self, con, project: str, dataset: str) -> bool:
        return bool(
            con.execute(
                "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ? AND database_name = current_database()",
                [duckdb_schema(project, dataset)],
            ).fetchall()[0][0]
        )

    def _require_dataset(self, con, project: str, dataset: str) -> None:
        if not self._dataset_exists(con, project, dataset):
            raise dataset_not_found(project, dataset)

    def _table_names(self, con, project: str, dataset: str) -> list[str]:
        schema = duckdb_schema(project, dataset)
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND database_name = current_database() "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = ? AND NOT internal "
            "AND database_name = current_database()",
            [schema, schema],
        ).fetchall()
        return [r[0] for r in rows]

    def _dataset_info(self, con, project: str, dataset: str) -> dict:
        row = con.execute(
            f"SELECT location, created, labels, description FROM {CATALOG_SCHEMA}.datasets WHERE schema_name = ?",
            [duckdb_schema(project, dataset)],
        ).fetchall()[:1]
        location, created, labels, description = row[0] if row else ("US", None, "{}", None)
        return {
            "project": project,
            "dataset": dataset,
            "location": location or "US",
            "created": created,
            "labels": json.loads(labels) if isinstance(labels, str) else (labels or {}),
            "description": description,
        }

    def create_dataset(
        self,
        project: str,
        dataset: str,
        *,
        exists_ok: bool = False,
        location: str = "US",
        description: str | None = None,
        labels: dict | None = None,
    ) -> dict:
        """Create dataset `project.dataset`; BigQueryDuplicate if it exists and not exists_ok."""
        check_dataset_name(dataset)
        with self.connection() as con:
            if self._dataset_exists(con, project, dataset):
                if not exists_ok:
                    raise BigQueryDuplicate(
                        f"dataset `{project}.{dataset}` already exists", fix="pass exists_ok or choose another name"
                    )
                return self._dataset_info(con, project, dataset)
            con.execute(f"CREATE SCHEMA {quote_ident(duckdb_schema(project, dataset))}")
            self._record_dataset(con, project, dataset, location, labels, description)
            return self._dataset_info(con, project, dataset)

    def get_dataset(self, project: str, dataset: str) -> dict:
        """Dataset metadata: project, dataset, location, created, labels, description."""
        with self.reading() as con:
            self._require_dataset(con, project, dataset)
            return self._dataset_info(con, project, dataset)

    def list_datasets(self, project: str) -> list[dict]:
        """The datasets of `project`, sorted by name."""
        with self.reading() as con:
            rows = con.execute(
                "SELECT DISTINCT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
                "AND starts_with(schema_name, ?) ORDER BY schema_name",
                [project + "."],
            ).fetchall()
            out = []
            for (schema_name,) in rows:
                parts = split_schema(schema_name)
                if parts and parts[0] == project:
                    out.append(self._dataset_info(con, *parts))
            return out

    def delete_dataset(self, project: str, dataset: str, *, delete_contents: bool = False) -> None:
        """Delete a dataset; fails if it holds tables unless delete_contents."""
        with self.connection() as con:
            self._require_dataset(con, project, dataset)
            if self._table_names(con, project, dataset) and not delete_contents:
                raise BigQueryError(
                    f"dataset `{project}.{dataset}` is not empty", fix="pass delete_contents to delete its tables too"
                )
            schema = duckdb_schema(project, dataset)
            tablekinds.before_dataset_drop(self, con, project, dataset)
            con.execute(f"DROP SCHEMA {quote_ident(schema)} CASCADE")
            con.execute(f"DELETE FROM {CATALOG_SCHEMA}.datasets WHERE schema_name = ?", [schema])
            con.execute(f"DELETE FROM {CATALOG_SCHEMA}.tables WHERE schema_name = ?", [schema])
            tablekinds.forget_dataset(con, project, dataset)

    def column_fields(self, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str) -> list[dict]:
        """A table's or view's columns as BigQuery schema fields (with their descriptions)."""
        cols = con.execute(
            "SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ? AND database_name = current_database() ORDER BY column_index",
            [duckdb_schema(project, dataset), table],
        ).fetchall()
        fields = []
        for name, data_type, nullable, col_comment in cols:
            if name == tablekinds.NO_SCHEMA_COLUMN:
                continue
            f = duckdb_type_to_field(name, con.sqltype(data_type), nullable=nullable)
            if col_comment:
                f["description"] = col_comment
            fields.append(f)
        return fields

    def _table_info(self, con, project: str, dataset: str, table: str) -> dict:
        tablekinds.drop_expired(self, con, [(project, dataset, table)])
        schema = duckdb_schema(project, dataset)
        kind_row = con.execute(
            "SELECT 'TABLE', comment, estimated_size FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
            "AND database_name = current_database() "
            "UNION ALL SELECT 'VIEW', comment, NULL FROM duckdb_views() WHERE schema_name = ? AND view_name = ? "
            "AND database_name = current_database()",
            [schema, table, schema, table],
        ).fetchall()[:1]
        if not kind_row:
            if not self._dataset_exists(con, project, dataset):
                raise dataset_not_found(project, dataset)
            raise table_not_found(
                project, dataset, table, self._dataset_locations(con).get(duckdb_schema(project, dataset))
            )
        kind, comment, _ = kind_row[0]
        fields = self.column_fields(con, project, dataset, table)
        num_rows = (
            con.execute(f"SELECT count(*) FROM {duckdb_table(project, dataset, table)}").fetchall()[0][0]
            if kind == "TABLE"
            else 0
        )
        created = con.execute(
            f"SELECT created FROM {CATALOG_SCHEMA}.tables WHERE schema_name = ? AND table_name = ?", [schema, table]
        ).fetchall()[:1]
        return {
            "project": project,
            "dataset": dataset,
            "table": table,
            "type": kind,
            "schema": fields,
            "num_rows": int(num_rows),
            "created": created[0][0] if created else None,
            "description": comment or None,
            "features": tablekinds.describe(con, project, dataset, table),
        }

    def create_table(
        self,
        project: str,
        dataset: str,
        table: str,
        schema: list[dict],
        *,
        exists_ok: bool = False,
        description: str | None = None,
    ) -> dict:
        """Create an empty table with a BigQuery schema; BigQueryDuplicate if it exists."""
        check_table_name(table)
        fields = [normalize_field(f) for f in schema]
        with self.connection() as con:
            self._require_dataset(con, project, dataset)
            if table in self._table_names(con, project, dataset):
                if not exists_ok:
                    raise BigQueryDuplicate(
                        f"table `{bq_name(project, dataset, table)}` already exists",
                        fix="pass exists_ok or choose another name",
                    )
                return self._table_info(con, project, dataset, table)
            self._create_table(con, project, dataset, table, fields)
            if description:
                con.execute(f"COMMENT ON TABLE {duckdb_table(project, dataset, table)} IS {_sql_string(description)}")
            return self._table_info(con, project, dataset, table)

    def _create_table(
        self,
        con,
        project: str,
        dataset: str,
        table: str,
        fields: list[dict],
        *,
        replace: bool = False,
        record: bool = True,
    ) -> None:
        if not fields:
            fields = [tablekinds.NO_SCHEMA_FIELD]
        cols = ", ".join(f"{quote_ident(f['name'])} {bq_field_to_duckdb(f)}" for f in fields)
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
        con.execute(f"{verb} {duckdb_table(project, dataset, table)} ({cols})")
        for f in fields:
            if f.get("description"):
                con.execute(
                    f"COMMENT ON COLUMN {duckdb_table(project, dataset, table)}.{quote_ident(f['name'])} "
                    f"IS {_sql_string(f['description'])}"
                )
        if record:
            self._record_table(con, project, dataset, table)

    def get_table(self, project: str, dataset: str, table: str) -> dict:
        """Table metadata: schema (BigQuery fields), num_rows, type TABLE|VIEW, created, description."""
        with self.reading() as con:
            return self._table_info(con, project, dataset, table)

    def table_bytes(self, project: str, dataset: str, table: str) -> int:
        """A table's logical size as BigQuery counts it (see dryrun.py); 0 for a view."""
        with self.reading() as con:
            return dryrun.table_bytes(con, project, dataset, table)

    def list_tables(self, project: str, dataset: str) -> list[dict]:
        """The tables and views of a dataset, sorted by name: {project, dataset, table, type, created}."""
        with self.reading() as con:
            self._require_dataset(con, project, dataset)
            tablekinds.drop_expired(self, con, [(project, dataset, None)])
            features = tablekinds.kinds(con, project, dataset)
            schema = duckdb_schema(project, dataset)
            rows = con.execute(
                "SELECT r.name, r.kind, m.created FROM ("
                "SELECT table_name AS name, 'TABLE' AS kind FROM duckdb_tables() WHERE schema_name = $s "
                "AND database_name = current_database() "
                "UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE schema_name = $s AND NOT internal "
                "AND database_name = current_database()) r "
                f"LEFT JOIN {CATALOG_SCHEMA}.tables m ON m.schema_name = $s AND m.table_name = r.name ORDER BY r.name",
                {"s": schema},
            ).fetchall()
            return [
                {
                    "project": project,
                    "dataset": dataset,
                    "table": n,
                    "type": k,
                    "created": c,
                    "features": features.get(n, {}),
                }
                for n, k, c in rows
            ]

    def all_tables(self) -> list[tuple[str, str, str]]:
        """(project, dataset, table) of every table and view, sorted."""
        with self.reading() as con:
            rows = con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary "
                "AND database_name = current_database() UNION ALL SELECT schema_name, view_name FROM duckdb_views() "
                "WHERE NOT temporary AND NOT internal AND database_name = current_database()"
            ).fetchall()
        out = []
        for schema_name, name in rows:
            parts = split_schema(schema_name)
            if parts:
                out.append((*parts, name))
        return sorted(out)

    def delete_table(self, project: str, dataset: str, table: str) -> None:
        """Drop a table or view (a table stays restorable for 7 days, see `dropped_table_rows`);
        BigQueryNotFound if missing."""
        with self.connection() as con:
            info = self._table_info(con, project, dataset, table)
            if info["type"] == "TABLE":
                history.before_drop(con, project, dataset, table, info["schema"])
            con.execute(f"DROP {'VIEW' if info['type'] == 'VIEW' else 'TABLE'} {duckdb_table(project, dataset, table)}")
            tablekinds.forget(con, project, dataset, table)

    def dropped_table_rows(
        self, project: str, dataset: str, table: str, at_ms: int
    ) -> tuple[pa.Table, list[dict]] | None:
        """The rows and BigQuery schema at `at_ms` (0: the oldest kept) of a table of this name
        dropped within the last 7 days, as a copy from `table@<time>` restores it; None if none was."""
        with self.reading() as con:
            self._require_dataset(con, project, dataset)
            version = history.dropped_version(con, project, dataset, table, at_ms)
            if version is None:
                return None
            names = [f["name"] for f in version.fields]
            if not names:
                return pa.table({}), []
            rel = con.sql(f"SELECT {', '.join(quote_ident(n) for n in names)} FROM {version.relation}")
            return _result_arrow(rel, names), version.fields

    def update_table_schema(self, project: str, dataset: str, table: str, schema: list[dict]) -> dict:
        """Add the new columns of `schema` (BigQuery only allows adding NULLABLE/REPEATED
        columns and relaxing REQUIRED to NULLABLE); existing columns keep their types."""
        fields = [normalize_field(f) for f in schema]
        with self.connection() as con:
            info = self._table_info(con, project, dataset, table)
            if fields and tablekinds.has_no_schema(con, project, dataset, table):
                # its first schema may be anything (the table has no rows); the table keeps its identity
                self._create_table(con, project, dataset, table, fields, replace=True, record=False)
                return self._table_info(con, project, dataset, table)
            have = {f["name"].lower(): f for f in info["schema"]}
            given = {f["name"].lower() for f in fields}
            dropped = [n for n in have if n not in given]
            if dropped:
                raise BigQueryInvalid(
                    f"the new schema of `{bq_name(project, dataset, table)}` drops field {dropped[0]!r}",
                    fix="a schema update may only add fields or relax REQUIRED to NULLABLE",
                )
            target = duckdb_table(project, dataset, table)
            for f in fields:
                old = have.get(f["name"].lower())
                if old is None:
                    if f["mode"] == "REQUIRED":
                        raise BigQueryInvalid(f"cannot add REQUIRED field {f['name']!r}", fix="add it as NULLABLE")
                    con.execute(f"ALTER TABLE {target} ADD COLUMN {quote_ident(f['name'])} {bq_field_to_duckdb(f)}")
                elif old["mode"] == "REQUIRED" and f["mode"] == "NULLABLE":
                    con.execute(f"ALTER TABLE {target} ALTER COLUMN {quote_ident(old['name'])} DROP NOT NULL")
                elif _type_name(old) != _type_name(f) or (old["mode"] == "REPEATED") != (f["mode"] == "REPEATED"):
                    raise BigQueryInvalid(
                        f"field {f['name']!r} changed type from {_type_name(old)} to {_type_name(f)}",
                        fix="a schema update may only add fields or relax REQUIRED to NULLABLE",
                    )
                for path, sub in nestedadditions.additions("", old, f) if old else []:
                    con.execute(f"ALTER TABLE {target} ADD COLUMN {path} {bq_field_to_duckdb(sub)}")
                if f.get("description") and f.get("description") != (old or {}).get("description"):
                    con.execute(
                        f"COMMENT ON COLUMN {target}.{quote_ident(f['name'])} IS {_sql_string(f['description'])}"
                    )
                elif old and old.get("description") and not f.get("description"):
                    # the new schema replaces the old one: a description it leaves out is removed
                    con.execute(f"COMMENT ON COLUMN {target}.{quote_ident(old['name'])} IS NULL")
            return self._table_info(con, project, dataset, table)

    # ------------------------------------------------------------------ rows

    def insert_rows(
        self,
        project: str,
        dataset: str,
        table: str,
        rows: list[dict],
        *,
        skip_invalid: bool = False,
        ignore_unknown: bool = False,
        partition: str | None = None,
    ) -> list[dict]:
        """Stream JSON rows (BigQuery's JSON representation) into a table; return per-row errors.

        As BigQuery's insertAll: an invalid row gets reason "invalid"; unless `skip_invalid`, one
        invalid row stops the whole request and every other row gets reason "stopped". With
        `partition` (a `table$20240101` decorator) a row of another partition is invalid.
        """
        with self.connection() as con:
            info = self._table_info(con, project, dataset, table)
            if info["type"] != "TABLE":
                raise BigQueryInvalid(f"`{bq_name(project, dataset, table)}` is a view", fix="insert into a table")
            tablekinds.check_writable(con, project, dataset, table)
            pid = None
            if partition is not None:
                pid = partitiondecorators.streamed_partition_id(self, con, project, dataset, table, partition)
            fields = fieldopts.with_nested_modes(info["schema"], info["features"].get("field_options") or {})
            good: list[dict] = []
            given: list[dict] = []
            indexes: list[int] = []
            errors: list[dict] = []
            for i, row in enumerate(rows):
                try:
                    good.append(convert_row(row, fields, ignore_unknown=ignore_unknown))
                    given.append(row)
                    indexes.append(i)
                except RowError as exc:
                    errors.append(
                        {
                            "index": i,
                            "errors": [
                                {"reason": "invalid", "location": exc.location, "debugInfo": "", "message": exc.message}
                            ],
                        }
                    )
            if errors and not skip_invalid:
                # BigQuery lists the invalid rows first, then the rows they stopped
                bad = {e["index"] for e in errors}
                stopped = [
                    {"index": i, "errors": [{"reason": "stopped", "location": "", "debugInfo": "", "message": ""}]}
                    for i in range(len(rows))
                    if i not in bad
                ]
                return errors + stopped
            if good:
                fieldopts.fill_defaults(con, project, dataset, table, given, good)
                arrow = bignumerics.table_from_rows(
                    good,
                    pa.schema(
                        [pa.field(f["name"], bignumerics.write_arrow_type(f, bq_field_to_arrow(f))) for f in fields]
                    ),
                )
                if pid is not None and partition is not None:
                    stray = partitiondecorators.stray_rows(con, arrow, pid, partition)
                    if stray:
                        errors = sorted(
                            errors + [partitiondecorators.stray_row_error(indexes[k], partition) for k in stray],
                            key=lambda e: e["index"],
                        )
                        if not skip_invalid:
                            bad = {e["index"] for e in errors}
                            stopped = [
                                {
                                    "index": i,
                                    "errors": [{"reason": "stopped", "location": "", "debugInfo": "", "message": ""}],
                                }
                                for i in range(len(rows))
                                if i not in bad
                            ]
                            return errors + stopped
                        left_out = set(stray)
                        arrow = arrow.filter(pa.array([k not in left_out for k in range(len(good))]))
                self._insert_arrow(con, project, dataset, table, arrow)
            return errors

    def _insert_arrow(self, con, project: str, dataset: str, table: str, data: pa.Table) -> None:
        name = f"__bq_load_{uuid.uuid4().hex[:8]}"
        data = bignumerics.fit_to_table(
            con, duckdb_table(project, dataset, table), dataset, table, data
        )  # wide BIGNUMERICs
        con.register(name, data)
        try:
            cols = ", ".join(quote_ident(c) for c in data.column_names)
            select = cols
            if "struct" in str(data.schema):
                select = ranges.infinite_bounds_sql(data.column_names, con.table(name).types)
            source = f"SELECT {select} FROM {quote_ident(name)}"
            # loaded values stored as BigQuery stores them: rounded to a NUMERIC(P, S)'s scale, ...
            source = writtenvalues.loaded(con, project, dataset, table, data.column_names, source)
            con.execute(f"INSERT INTO {duckdb_table(project, dataset, table)} ({cols}) {source}")
        except duckdb.BinderException as exc:
            first = str(exc).splitlines()[0]
            m = re.search(r'column with name "?([^"\s]+)"?', first) or re.search(r'column "([^"]+)"', first)
            raise BigQueryInvalid(
                f"cannot load into `{bq_name(project, dataset, table)}`: "
                + (f"no such field: {m.group(1)}" if m else first),
                fix="match the data's columns to the table schema",
            ) from None
        except (duckdb.ConversionException, duckdb.ConstraintException, duckdb.InvalidInputException) as exc:
            if isinstance(exc, duckdb.InvalidInputException) and not writtenvalues.beyond_parameters(
                str(exc).splitlines()[0].removeprefix("Invalid Input Error: ")
            ):
                raise
            raise BigQueryInvalid(
                f"cannot load into `{bq_name(project, dataset, table)}`: "
                + str(exc).splitlines()[0].removeprefix("Invalid Input Error: "),
                fix="match the data's types and REQUIRED fields to the table schema",
            ) from None
        finally:
            with contextlib.suppress(duckdb.Error):
                con.unregister(name)

    def load_table(
        self,
        project: str,
        dataset: str,
        table: str,
        data: pa.Table,
        *,
        mode: str = "append",
        schema: list[dict] | None = None,
        partition: str | None = None,
    ) -> int:
        """Load an Arrow table; mode append | replace | empty (BigQuery's WRITE_APPEND,
        WRITE_TRUNCATE, WRITE_EMPTY). A missing table is created from `schema` or the data.
        With `partition` (a `table$20240101` decorator's) only that partition of an existing
        partitioned table is written, and every row must belong to it."""
        if mode not in ("append", "replace", "empty"):
            raise BigQueryInvalid(f"unknown load mode {mode!r}", fix="use append, replace or empty")
        check_table_name(table)
        fields = [normalize_field(f) for f in schema] if schema else None
        if partition is not None:
            return self._load_partition(project, dataset, table, data, mode, partition)
        with self.connection() as con:
            self._require_dataset(con, project, dataset)
            exists = table in self._table_names(con, project, dataset)
            if exists:
                tablekinds.check_writable(con, project, dataset, table)
            con.execute("BEGIN TRANSACTION")
            try:
                # a table created without a schema takes the load's, keeping its identity (labels, expiration)
                keep = exists and tablekinds.has_no_schema(con, project, dataset, table)
                if keep:
                    con.execute(f"DROP TABLE {duckdb_table(project, dataset, table)}")
                    exists = False
                if exists:
                    history.before_change(con, project, dataset, table)
                if exists and mode == "empty":
                    n = con.execute(f"SELECT count(*) FROM {duckdb_table(project, dataset, table)}").fetchall()[0][0]
                    if n:
                        # BigQuery's words for WRITE_EMPTY into a table with rows (pandas-gbq's
                        # to_gbq(if_exists="fail") reads them to raise TableCreationError)
                        raise BigQueryDuplicate(
                            f"Already Exists: Table {project}:{dataset}.{table}",
                            fix="the table has rows: write with WRITE_APPEND or WRITE_TRUNCATE (mode append or replace)",
                        )
                if exists and mode == "replace" and fields:
                    self._create_table(con, project, dataset, table, fields, replace=True)
                elif not exists or mode == "replace":
                    # replacing without a schema: the data's own (a Parquet or ORC file's) replaces the table's
                    if fields:
                        self._create_table(con, project, dataset, table, fields, record=not keep)
                    else:
                        name = f"__bq_load_{uuid.uuid4().hex[:8]}"
                        data = bignumerics.narrow_columns(data)  # DuckDB reads no decimal256
                        con.register(name, data)
                        try:
                            verb = "CREATE OR REPLACE TABLE" if exists else "CREATE TABLE"
                            con.execute(
                                f"{verb} {duckdb_table(project, dataset, table)} AS SELECT * FROM {quote_ident(name)}"
                            )
                        finally:
                            con.unregister(name)
                        if not keep and not exists:
                            self._record_table(con, project, dataset, table)
                        con.execute("COMMIT")
                        return data.num_rows
                self._append_checked(con, project, dataset, table, data)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return data.num_rows

    def _append_checked(
        self, con: duckdb.DuckDBPyConnection, project: str, dataset: str, table: str, data: pa.Table
    ) -> None:
        """Append loaded rows, refusing those that leave a REQUIRED field inside a RECORD NULL."""
        self._insert_arrow(con, project, dataset, table, data)
        required = nestedrequired.rules(self, con, project, dataset, table)
        if required:
            nestedrequired.check_load(con, project, dataset, table, required)

    def _load_partition(self, project: str, dataset: str, table: str, data: pa.Table, mode: str, partition: str) -> int:
        with self.connection() as con:
            self._table_info(con, project, dataset, table)  # Not found
            tablekinds.check_writable(con, project, dataset, table)
            pid = partitiondecorators.partition_id(self, con, project, dataset, table, partition)
            name = f"__bq_load_{uuid.uuid4().hex[:8]}"
            known = partitiondecorators.layout_and_columns(self, con, project, dataset, table)[1]
            # the check reads the data's own columns of the table (not a decimal256 one DuckDB
            # cannot read); one the data lacks is NULL in the table: selected so
            kept = [
                c
                for c in data.column_names
                if c.lower() in known and not pa.types.is_decimal256(data.schema.field(c).type)
            ]
            columns = {c.lower() for c in data.column_names}
            nulls = ", ".join(f"NULL AS {quote_ident(c)}" for c in sorted(set(known) - columns))
            con.register(name, data.select(kept))
            try:
                relation = f"(SELECT *{', ' + nulls if nulls else ''} FROM {quote_ident(name)})"
                partitiondecorators.check_rows(con, relation, pid, partition)
            finally:
                con.unregister(name)
            target = duckdb_table(project, dataset, table)
            con.execute("BEGIN TRANSACTION")
            try:
                history.before_change(con, project, dataset, table)
                if mode == "empty":
                    n = con.execute(f"SELECT count(*) FROM {target} WHERE ({pid}) = ?", [partition]).fetchall()[0][0]
                    if n:
                        raise BigQueryDuplicate(
                            f"Already Exists: partition {partition} of table {project}:{dataset}.{table} has rows",
                            fix="write with WRITE_APPEND or WRITE_TRUNCATE",
                        )
                if mode == "replace":
                    con.execute(f"DELETE FROM {target} WHERE ({pid}) = ?", [partition])
                self._append_checked(con, project, dataset, table, data)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return data.num_rows

    def delete_partition(self, project: str, dataset: str, table: str, partition: str) -> int:
        """Delete the rows of one partition (`tables.delete` of `table$20240101`); how many."""
        with self.connection() as con:
            self._table_info(con, project, dataset, table)
            tablekinds.check_writable(con, project, dataset, table)
            pid = partitiondecorators.partition_id(self, con, project, dataset, table, partition)
            con.execute("BEGIN TRANSACTION")
            try:
                history.before_change(con, project, dataset, table)
                rows = con.execute(
                    f"DELETE FROM {duckdb_table(project, dataset, table)} WHERE ({pid}) = ?", [partition]
                ).fetchall()
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return int(rows[0][0]) if rows else 0


# ---------------------------------------------------------------------- helpers


def _type_name(f: dict) -> str:
    """A field's type name, TIMESTAMP(12) for a picosecond TIMESTAMP."""
    return "TIMESTAMP(12)" if picotimestamps.is_pico(f) else f["type"]


def field_type_sql(f: dict) -> str:
    """A schema field's type as GoogleSQL writes it: INT64, ARRAY<STRUCT<a STRING>>, ..."""
    if f["type"] == "RECORD":
        inner = ", ".join(f"{s['name']} {field_type_sql(s)}" for s in f["fields"])
        base = f"STRUCT<{inner}>"
    elif f["type"] == "RANGE":
        base = ranges.type_sql(ranges.element_of_field(f))
    else:
        base = _type_name(f)
    return f"ARRAY<{base}>" if f.get("mode") == "REPEATED" else base


def _avro_codec(compression: str | None) -> str:
    """fastavro's codec for an Avro export's compression (BigQuery offers DEFLATE and SNAPPY)."""
    import importlib.util

    name = (compression or "NONE").upper()
    if name in ("NONE", ""):
        return "null"
    if name == "DEFLATE":
        return "deflate"
    if name == "SNAPPY":
        # fastavro writes snappy blocks with cramjam (or python-snappy), which the emulator extra installs
        if importlib.util.find_spec("cramjam") is None and importlib.util.find_spec("snappy") is None:
            raise BigQueryError(
                "Avro export compression SNAPPY needs the cramjam package (in the emulator extra)",
                fix="pip install 'llmops[emulator]', or use DEFLATE",
            )
        return "snappy"
    raise BigQueryError(
        f"Avro export compression {compression!r} is not supported by the emulator",
        fix="use DEFLATE, SNAPPY or no compression",
    )


def _register_materialized_views(con: duckdb.DuckDBPyConnection) -> None:
    """INFORMATION_SCHEMA.MATERIALIZED_VIEWS over the TABLES view; a materialized view is refreshed
    whenever it is read, so its refresh time and watermark are now."""
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {quote_ident(INFO_SCHEMA_VIEWS['MATERIALIZED_VIEWS'])} AS "
        "SELECT table_catalog, table_schema, table_name, current_timestamp AS last_refresh_time, "
        "current_timestamp AS refresh_watermark, "
        "CAST(NULL AS STRUCT(reason VARCHAR, location VARCHAR, debug_info VARCHAR, message VARCHAR)) "
        "AS last_refresh_status "
        f"FROM {quote_ident(INFO_SCHEMA_VIEWS['TABLES'])} WHERE table_type = 'MATERIALIZED VIEW'"
    )


_FAST_ROWS = True
"""Whether `_sourceless_select` is used (the tests compare it with the general path)."""
_ROW_SOURCE = re.compile(r"\b(?:from|unnest)\b", re.IGNORECASE)
"""Words without which a SELECT reads no table and generates no rows: its result is a few
constant rows (`SELECT @x + 1`, a UNION ALL of such)."""
_PLAIN_ARROW = {
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR": pa.string(),
}
"""DuckDB column types whose Python values become the Arrow column DuckDB's own Arrow output gives."""


def _sourceless_select(con: duckdb.DuckDBPyConnection, sql: str, values: Any) -> QueryResult | None:
    """A SELECT without FROM or UNNEST, run as one statement: DuckDB's Arrow output of a
    relation costs a bind and a second statement, a fixed ~0.2 ms of a small query. None when a
    column is not of a plain type (INT64, FLOAT64, BOOL, STRING): the relation path converts
    those (GEOGRAPHY's WKT text, for one)."""
    cur = con.execute(sql, values) if values else con.execute(sql)
    types = [d[1] for d in cur.description]
    arrow = [_PLAIN_ARROW.get(str(t)) for t in types]
    if any(a is None for a in arrow):
        abort = getattr(con, "abort", None)  # duckdb 2 refuses other work while a result is pending
        if abort is not None:
            abort()
        return None
    names = output_names([d[0] for d in cur.description])
    rows = cur.fetchall()
    table = pa.Table.from_arrays([pa.array([r[i] for r in rows], type=a) for i, a in enumerate(arrow)], names=names)
    schema = [duckdb_type_to_field(n, t) for n, t in zip(names, types)]
    return QueryResult(table=table, schema=schema, statement_type="SELECT")


def _empty_table(fields: list[dict]) -> pa.Table:
    """No rows, with one column per BigQuery field (an encoder walks the columns the schema names)."""
    if not fields:
        return EMPTY
    return pa.schema([pa.field(f["name"], bq_field_to_arrow(f)) for f in fields]).empty_table()


def _result_arrow(rel: duckdb.DuckDBPyRelation, names: list[str]) -> pa.Table:
    """A relation's rows as a query result's Arrow table (GEOGRAPHY as text, checked RANGE and
    INTERVAL values, INT64 sums as int64, JSON members sorted, wide BIGNUMERICs as decimal256), its
    columns named `names`."""
    rel = ranges.relation_with_null_bounds(geography.text_relation(rel))
    rel = intervals.relation_with_checked_intervals(rel)
    table = jsonorder.table_with_sorted_json(_int64_hugeints(rel.to_arrow_table(), rel.types), rel.types)
    return bignumerics.decimal_columns(table.rename_columns(names))


def _int64_hugeints(table: pa.Table, types: list) -> pa.Table:
    """DuckDB sums and counts integers into HUGEINT (128-bit); BigQuery's are INT64, also as a
    STRUCT's field or an ARRAY's element (`STRUCT(SUM(x) AS s)`, `ARRAY_AGG(total)`)."""
    for i, t in enumerate(types):
        field = table.schema.field(i)
        target = _int64_type(t, field.type)
        if target is None:
            continue
        try:
            table = table.set_column(i, field.name, table.column(i).cast(target))
        except pa.ArrowInvalid:
            raise BigQueryError(f"integer overflow in column {field.name}", fix="cast to NUMERIC") from None
    return table


def _int64_type(duck: Any, arrow: pa.DataType) -> pa.DataType | None:
    """`arrow` (the Arrow type of DuckDB's type `duck`) with each HUGEINT in it int64; None where
    it has none."""
    kind = getattr(duck, "id", "")
    if kind in ("hugeint", "uhugeint"):
        return pa.int64() if pa.types.is_decimal(arrow) else None
    if kind == "list" and (pa.types.is_list(arrow) or pa.types.is_large_list(arrow)):
        element = _int64_type(duck.children[0][1], arrow.value_type)
        if element is None:
            return None
        maker = pa.large_list if pa.types.is_large_list(arrow) else pa.list_
        return maker(arrow.value_field.with_type(element))
    if kind == "struct" and pa.types.is_struct(arrow) and len(duck.children) == arrow.num_fields:
        fields = [arrow.field(j) for j in range(arrow.num_fields)]
        changed = [_int64_type(child, f.type) for (_, child), f in zip(duck.children, fields, strict=True)]
        if all(c is None for c in changed):
            return None
        return pa.struct([f if c is None else f.with_type(c) for f, c in zip(fields, changed, strict=True)])
    return None


def _wildcard_parts(con, project: str, dataset: str, prefix: str, names: list[str]) -> list[str]:
    """One SELECT per table a wildcard matches, each with the columns of the most recently
    created one (BigQuery's wildcard schema; a column an older table lacks is NULL there) and
    the rest of the name as `_TABLE_SUFFIX`. A view among them is an error, as on BigQuery."""
    schema = duckdb_schema(project, dataset)
    views = {
        r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = ?", [schema]).fetchall()
    }
    view = next((n for n in names if n in views), None)
    if view is not None:
        raise BigQueryError(
            f"Views cannot be queried through prefix. First view {project}:{dataset}.{view}.",
            fix="use a longer prefix that matches tables only, or query the view by name",
        )
    created = dict(
        con.execute(
            f"SELECT table_name, created FROM {CATALOG_SCHEMA}.tables WHERE schema_name = ?", [schema]
        ).fetchall()
    )
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    newest = max(names, key=lambda n: (created.get(n) or oldest, n))
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = ? "
        "AND database_name = current_database() ORDER BY column_index",
        [schema],
    ).fetchall():
        columns.setdefault(table, []).append(column)
    parts = []
    for n in names:
        have = {c.lower() for c in columns.get(n, [])}
        cols = ", ".join(
            quote_ident(c) if c.lower() in have else f"NULL AS {quote_ident(c)}" for c in columns.get(newest, [])
        )
        parts.append(
            f"SELECT {cols}, {_sql_string(n[len(prefix) :])} AS _TABLE_SUFFIX FROM {duckdb_table(project, dataset, n)}"
        )
    return parts


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


@contextlib.contextmanager
def _kept(engine: BigQueryEngine, con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A session's connection for one call, which stays open afterwards; anything may write."""
    with engine._writing():
        yield con


def _column_layout(fields: dict[str, Any] | None, column: str) -> tuple[str, int | None]:
    """A column's INFORMATION_SCHEMA.COLUMNS `is_partitioning_column` and `clustering_ordinal_position`."""
    if not fields:
        return "NO", None
    name = column.lower()
    partitioned = any(
        str((fields.get(key) or {}).get("field") or "").lower() == name
        for key in ("timePartitioning", "rangePartitioning")
    )
    clustered = [str(c).lower() for c in (fields.get("clustering") or {}).get("fields") or []]
    return ("YES" if partitioned else "NO"), (clustered.index(name) + 1 if name in clustered else None)


def _statement_texts(sql: str, count: int) -> list[str]:
    """The GoogleSQL text of each of a script's `count` statements (as its child jobs show them);
    empty texts where the script cannot be split that way."""
    from .script_parser import tokenize

    try:
        toks = tokenize(sql)
    except BigQueryError:
        return [""] * count
    texts: list[str] = []
    segment: list[Any] = []
    for tok in [*toks, None]:
        if tok is None or tok.text == ";":
            if segment:
                texts.append(sql[segment[0].start : segment[-1].end])
            segment = []
        else:
            segment.append(tok)
    return texts if len(texts) == count else [""] * count


def _creates_temporary_table(stmt: Statement) -> bool:
    """Whether `stmt` is a CREATE TEMP TABLE (a CREATE TABLE that writes no dataset's table)."""
    return stmt.statement_type in ("CREATE_TABLE", "CREATE_TABLE_AS_SELECT") and stmt.target is None


def _child(text: str, result: QueryResult | None, error: LlmopsError | None = None) -> Any:
    from .scripting import ChildStatement

    return ChildStatement(text, result, error)


def _bind(script: Script, params: Mapping[str, Any] | Sequence[Any] | None) -> list[Any]:
    """Per statement: the dict (named) or list (positional) of values it needs, or None."""
    if script.named_params:
        if params is None or not isinstance(params, Mapping):
            raise BigQueryError(
                f"query parameter @{script.named_params[0]} has no value",
                fix=f"pass it, e.g. --param {script.named_params[0]}=VALUE",
            )
        missing = [p for p in script.named_params if p not in params]
        if missing:
            raise BigQueryError(
                f"query parameter @{missing[0]} has no value", fix=f"pass it, e.g. --param {missing[0]}=VALUE"
            )
    if script.positional_params:
        if params is None or isinstance(params, (Mapping, str, bytes)) or len(params) != script.positional_params:
            given = 0 if params is None or isinstance(params, (Mapping, str, bytes)) else len(params)
            raise BigQueryError(
                f"the query has {script.positional_params} positional (?) parameters but {given} values were given",
                fix="pass one value per ?",
            )
    out: list[Any] = []
    position = 0
    for stmt in script.statements:
        if stmt.params:
            out.append({duckdb_parameter(n): _param_value(params[n]) for n in stmt.params})  # type: ignore[index,call-overload]
        elif stmt.positional:
            out.append([_param_value(v) for v in list(params)[position : position + stmt.positional]])  # type: ignore[arg-type]
            position += stmt.positional
        else:
            out.append(None)
    return out


def _param_value(value: Any) -> Any:
    if isinstance(value, bignumerics.Wide):
        return value.bound()
    if isinstance(value, tuple):
        value = list(value)
    return _int64_value(value)


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _python_type_sql(value: Any) -> str | None:
    """The GoogleSQL type of a Python parameter value (as the bigquery backend sends it), or
    None where it cannot be told (a None, an empty list, a field name that needs quoting)."""
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    simple = {float: "FLOAT64", str: "STRING", bytes: "BYTES", dt.date: "DATE", dt.time: "TIME"}
    if isinstance(value, dt.datetime):
        return "TIMESTAMP" if value.tzinfo is not None else "DATETIME"
    if isinstance(value, decimal.Decimal):
        exponent = value.as_tuple().exponent
        small = isinstance(exponent, int) and -9 <= exponent and abs(value) < 10**29
        return "NUMERIC" if small else "BIGNUMERIC"
    if type(value) in simple:
        return simple[type(value)]
    if isinstance(value, Mapping):
        fields = [(k, _python_type_sql(v)) for k, v in value.items()]
        if not fields or any(t is None or not _IDENTIFIER.match(str(k)) for k, t in fields):
            return None
        return "STRUCT<" + ", ".join(f"{k} {t}" for k, t in fields) + ">"
    if isinstance(value, (list, tuple)):
        items = [v for v in value if v is not None]
        inner = _python_type_sql(items[0]) if items else None
        return f"ARRAY<{inner}>" if inner and not inner.startswith("ARRAY") else None
    return None


def _struct_param_types(params: Mapping[str, Any]) -> dict[str, str] | None:
    """Types for STRUCT parameters (dicts, lists of dicts) given as plain Python values, so
    their INT64 fields are not bound as DuckDB's 32-bit INTEGER."""
    types = {}
    for name, value in params.items():
        first = next((v for v in value if v is not None), None) if isinstance(value, (list, tuple)) else value
        if isinstance(first, Mapping):
            t = _python_type_sql(value)
            if t is not None:
                types[str(name)] = t
    return types or None


def _is_int64(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < (1 << 63)


def _int64_value(value: Any) -> Any:
    """Python ints (and lists of them) bound as BIGINT: DuckDB would bind a small int as a 32-bit
    INTEGER, and GoogleSQL's integers are all INT64."""
    from duckdb.value.constant import Value

    if _is_int64(value):
        return Value(value, _bigint_types()[0])
    if isinstance(value, list) and value and all(v is None or _is_int64(v) for v in value):
        if any(v is not None for v in value):
            return Value(value, _bigint_types()[1])
    return value


@functools.cache
def _bigint_types() -> tuple[Any, Any]:
    """DuckDB's BIGINT and BIGINT[] types, made once. Not from `duckdb.sqltype("BIGINT")` or
    `duckdb.list_type`: those parse on every call and, the first time, open DuckDB's default
    in-memory database (40 ms, paid by the first INT64 query parameter of every process)."""
    from duckdb.sqltypes import BIGINT, DuckDBPyType

    return BIGINT, DuckDBPyType(list[int])


_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")
"""Cloud Storage bucket names: no leading dot, so no `..` and no hidden folders."""


def _safe_relative(name: str) -> bool:
    """An object name that stays where it is put: no empty, `.` or `..` segment, not absolute."""
    parts = name.split("/")
    return bool(name) and "\0" not in name and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


def _inside(root: Path, path: Path, uri: str) -> Path:
    """`path` with symlinks resolved, if it stays under `root`; BigQueryError otherwise."""
    resolved = path.resolve()
    if resolved == root or root not in resolved.parents:
        where = "the workspace" if uri[:5] != "gs://" else "its bucket"
        raise BigQueryError(f"cannot export to {uri!r}: it leads outside {where}", fix="write a path inside it")
    return resolved


def _register_farm_fingerprint(con: duckdb.DuckDBPyConnection) -> None:
    try:
        import farmhash
    except ImportError:
        raise BigQueryError("FARM_FINGERPRINT needs the pyfarmhash package", fix="pip install pyfarmhash") from None

    def chunk(values: pa.Array) -> pa.Array:
        fingerprint = farmhash.fingerprint64
        # unsigned fingerprints read back as INT64: BigQuery returns them signed
        out = array("Q", bytes(8 * values.offset))
        out.extend([0 if v is None else fingerprint(v) for v in values.to_pylist()])
        validity = values.buffers()[0] if values.null_count else None
        return pa.Array.from_buffers(
            pa.int64(), len(values), [validity, pa.py_buffer(out)], null_count=values.null_count, offset=values.offset
        )

    def fingerprints(values: Any) -> Any:  # an Arrow array or chunked array; DuckDB passes either
        # A vector at a time: a call per value took twice as long.
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        return pa.chunked_array([chunk(c) for c in chunks], pa.int64())

    for name, kind in ((FARM_FINGERPRINT_UDF, "VARCHAR"), (FARM_FINGERPRINT_BYTES_UDF, "BLOB")):
        # a STRING is fingerprinted as its UTF-8 bytes (farmhash encodes a str so), BYTES as they are
        with contextlib.suppress(duckdb.Error):
            con.remove_function(name)
        # duckdb's stubs want DuckDBPyType objects and enums; the names work the same
        con.create_function(  # type: ignore[call-overload]
            name,
            fingerprints,
            [kind],
            "BIGINT",
            type="arrow",
            null_handling="special",
        )


class RowError(Exception):
    def __init__(self, location: str, message: str):
        self.location = location
        self.message = message


def _beyond_engine_bignumeric(text: str) -> bool:
    """Whether `text` is a number with more than the engine's 20 BIGNUMERIC integer digits that
    BigQuery's BIGNUMERIC (about 5.8e38) still holds."""
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return False
    return value.is_finite() and 10**20 <= abs(value) < decimal.Decimal("5.7896044618658097711785492504343953926e38")


def convert_row(row: Any, fields: list[dict], *, ignore_unknown: bool, prefix: str = "") -> dict:
    if not isinstance(row, Mapping):
        raise RowError(prefix, f"row {prefix or ''} is not a JSON object".replace("  ", " "))
    by_name = {f["name"].lower(): f for f in fields}
    out: dict[str, Any] = {f["name"]: [] if f["mode"] == "REPEATED" else None for f in fields}
    for key, value in row.items():
        f = by_name.get(str(key).lower())
        if f is None:
            if ignore_unknown:
                continue
            raise RowError(prefix + str(key), f"no such field: {prefix}{key}.")
        out[f["name"]] = _convert_value(value, f, ignore_unknown=ignore_unknown, location=prefix + f["name"])
    for f in fields:
        if f["mode"] == "REQUIRED" and out[f["name"]] is None:
            raise RowError(prefix + f["name"], f"Missing required field: {prefix}{f['name']}.")
    return out


def _convert_value(value: Any, f: dict, *, ignore_unknown: bool, location: str, nested: bool = False) -> Any:
    if f["mode"] == "REPEATED":
        if value is None:
            return []
        if not isinstance(value, list):
            raise RowError(location, f"Expected an array for repeated field {location}.")
        single = {**f, "mode": "NULLABLE"}
        items = [
            _convert_value(v, single, ignore_unknown=ignore_unknown, location=location, nested=True) for v in value
        ]
        if any(v is None for v in items):
            raise RowError(location, f"Array field {location} cannot contain NULL.")
        return items
    if value is None:
        return None
    t = f["type"]
    try:
        if t == "RECORD":
            return convert_row(value, f["fields"], ignore_unknown=ignore_unknown, prefix=location + ".")
        if t == "RANGE":
            return ranges.parse_value(value, f["rangeElementType"]["type"])
        if isinstance(value, (list, dict)) and t != "JSON":
            raise ValueError
        if t in ("STRING", "GEOGRAPHY"):
            if isinstance(value, bool):
                raise ValueError
            return geography.to_wkt(str(value)) if t == "GEOGRAPHY" else str(value)
        if t == "INT64":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                value = int(value)
            n = int(str(value).strip())
            if not -(1 << 63) <= n < (1 << 63):
                raise ValueError
            return n
        if t == "FLOAT64":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if t == "BOOL":
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in ("true", "1"):
                return True
            if s in ("false", "0"):
                return False
            raise ValueError
        if t in ("NUMERIC", "BIGNUMERIC"):
            if isinstance(value, bool):
                raise ValueError
            d = decimal.Decimal(str(value))
            if not d.is_finite():
                raise ValueError
            if t == "BIGNUMERIC":  # 38 decimals; a value beyond DECIMAL(38, 18) is stored wide (bignumerics.py)
                try:
                    return bignumerics.stored_value(d, nested=nested or "." in location)
                except BigQueryError as exc:
                    raise RowError(location, f"{exc.problem} (field {location}).") from None
            # BigQuery rounds half away from zero (ROUNDING_MODE_UNSPECIFIED); the default 28-digit
            # context cannot hold NUMERIC's 38 digits (BIGNUMERIC's 77)
            return d.quantize(
                decimal.Decimal(1).scaleb(-(9 if t == "NUMERIC" else 18)),
                rounding=decimal.ROUND_HALF_UP,
                context=decimal.Context(prec=100),
            )
        if t == "TIMESTAMP":
            return picotimestamps.parse(value) if picotimestamps.is_pico(f) else _parse_timestamp(value)
        if t == "DATETIME":
            return dt.datetime.fromisoformat(padded(str(value).strip()).replace(" ", "T", 1))
        if t == "DATE":
            return dt.date.fromisoformat(padded(str(value).strip()))
        if t == "TIME":
            return dt.time.fromisoformat(padded(str(value).strip()))
        if t == "BYTES":
            if isinstance(value, (bytes, bytearray)):
                return bytes(value)
            return unpadded_base64.decode(str(value))
        if t == "JSON":
            if isinstance(value, str):
                json.loads(value)
                return value
            return json.dumps(value)
        if t == "INTERVAL":
            return _interval_text(str(value))
    except (ValueError, TypeError, ArithmeticError, decimal.InvalidOperation, json.JSONDecodeError):
        pass
    raise RowError(location, rowerrorwords.mismatch(value, t, location))


_ISO_DURATION = re.compile(
    r"^P(?:(?P<Y>[+-]?\d+)Y)?(?:(?P<M>[+-]?\d+)M)?(?:(?P<D>[+-]?\d+)D)?"
    r"(?:T(?:(?P<h>[+-]?\d+)H)?(?:(?P<m>[+-]?\d+)M)?(?:(?P<s>[+-]?\d+(?:\.\d{1,9})?)S)?)?$"
)
_CANONICAL_INTERVAL = re.compile(
    r"^(?P<Y>[+-]?\d+)-(?P<M>\d+) (?P<D>[+-]?\d+) (?P<sign>[+-]?)(?P<h>\d+):(?P<m>\d+):(?P<s>\d+(?:\.\d{1,9})?)$"
)


def _interval_text(value: str) -> str:
    """An INTERVAL as BigQuery reads it in rows and loads (ISO 8601 `P1Y2M3DT4H5M6.5S` with signed
    parts, or its canonical `Y-M D H:M:S[.F]`) in a form DuckDB casts."""
    text = value.strip()
    m = _ISO_DURATION.match(text)
    if m and text != "P" and not text.endswith("T"):
        parts = {k: v or "0" for k, v in m.groupdict().items()}
    elif c := _CANONICAL_INTERVAL.match(text):
        parts = c.groupdict()
        sign = parts.pop("sign")
        months = int(parts["Y"]) * 12 + (-1 if parts["Y"].startswith("-") else 1) * int(parts["M"])
        parts["Y"], parts["M"] = "0", str(months)
        if sign == "-":
            parts = {**parts, "h": f"-{parts['h']}", "m": f"-{parts['m']}", "s": f"-{parts['s']}"}
    else:
        return text  # DuckDB's own interval text ("3 days") still casts
    return (
        f"{parts['Y']} years {parts['M']} months {parts['D']} days "
        f"{parts['h']} hours {parts['m']} minutes {parts['s']} seconds"
    )


_TZ_SUFFIX = re.compile(r"\s*(UTC|Z)$", re.IGNORECASE)


def _parse_timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    text = str(value).strip()
    try:
        return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
    except ValueError:
        pass
    had_utc = bool(_TZ_SUFFIX.search(text))
    text = padded(_TZ_SUFFIX.sub("", text)).replace(" ", "T", 1)
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    elif had_utc:
        raise ValueError
    return parsed.astimezone(dt.UTC)
