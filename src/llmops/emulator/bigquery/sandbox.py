"""What user SQL may do on the local BigQuery, and the limits it runs under.

The sandbox is built by construction, in two layers:

1. DuckDB itself: every database that runs user SQL has `enable_external_access = false` and
   `lock_configuration = true` (set once the engine's own bootstrap is done), so no statement can
   read, write, attach, install or load anything on the host, nor change a setting back.
2. The translator: only the GoogleSQL statement kinds it knows are translated, and the DuckDB
   SQL it generates may call only the functions in `allowed_functions()` (DuckDB's scalar,
   aggregate and window functions, less those that reveal the host or the session). Table
   functions are refused outright; GoogleSQL's only table-valued form is UNNEST.

The engine's own file I/O (EXPORT DATA, extract jobs) goes through `ExportWriter`: the rows stream
as Arrow from the sandboxed database into a separate in-memory DuckDB whose only allowed folders
are the export roots (the emulated Cloud Storage, or the CLI's workspace).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa

from . import geography, jsonexport, udfs
from .gapfill import MARKER as GAP_FILL_MARKER
from .googlesql import DEFAULT_MAX_QUERY_BYTES, DEFAULT_MAX_QUERY_TOKENS, BigQueryError
from .jsonorder import SORTED_JSON_UDF
from .ml import ML_UDFS
from .udfs import GOOGLESQL_UDFS

DEFAULT_QUERY_TIMEOUT_S = 6 * 3600.0
"""BigQuery's job execution limit; the emulator and the CLI may set a shorter one."""


@dataclass(frozen=True)
class QueryLimits:
    """Bounds on one query: text size, token count, wall time, and the database's memory."""

    max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES
    max_query_tokens: int = DEFAULT_MAX_QUERY_TOKENS
    timeout_s: float | None = DEFAULT_QUERY_TIMEOUT_S
    memory_limit: str | None = None
    """DuckDB's memory_limit for the whole database ("4GB"); None keeps DuckDB's (80% of RAM)."""
    threads: int | None = None


# ---------------------------------------------------------------------- DuckDB configuration


def lock_down(con: duckdb.DuckDBPyConnection, limits: QueryLimits, *, allowed_directories: Iterable[Path] = ()) -> None:
    """Turn off host access on the database of `con` and lock its configuration (for good)."""
    locked = con.execute("SELECT current_setting('lock_configuration')").fetchall()[0][0]
    if locked:
        return
    statements = [
        "SET GLOBAL TimeZone = 'UTC'",  # BigQuery's TIMESTAMP is UTC
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        # DuckDB's progress bar writes to the process's stdout (a `--json` command's); cursors
        # inherit this, and it cannot be changed once the configuration is locked.
        "SET enable_progress_bar = false",
    ]
    if limits.memory_limit:
        statements.append(f"SET memory_limit = {_literal(limits.memory_limit)}")
    if limits.threads:
        statements.append(f"SET threads = {int(limits.threads)}")
    dirs = [str(Path(d).resolve()) for d in allowed_directories]
    if dirs:
        statements.append("SET allowed_directories = [" + ", ".join(_literal(d) for d in dirs) + "]")
    statements += ["SET enable_external_access = false", "SET lock_configuration = true"]
    try:
        for sql in statements:
            con.execute(sql)
    except duckdb.Error as exc:
        raise BigQueryError(
            f"cannot configure the local warehouse: {str(exc).splitlines()[0]}",
            fix="check the query memory limit setting (e.g. 4GB)",
        ) from None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------- function allowlist

# Parser-level forms DuckDB does not list in duckdb_functions(); the translator emits them.
_SPECIAL_FORMS = frozenset(
    {"cast", "try_cast", "try", "coalesce", "ifnull", "extract", "grouping", "columns", "exists", "unnest", "unpack"}
)
_REFUSED_PREFIXES = ("__", "pg_", "has_", "current_", "json_serialize", "json_deserialize", "json_execute")
_REFUSED = frozenset(
    {
        "getvariable",
        "in_search_path",
        "version",
        "sleep_ms",
        "write_log",
        "parse_duckdb_log_message",
        "txid_current",
        "nextval",
        "currval",
        "format_pg_type",
        "map_to_pg_oid",
        "map_type_id_to_pg_oid",
        "stats",
    }
)


ENGINE_UDFS = ML_UDFS | GOOGLESQL_UDFS | geography.udf_names() | {GAP_FILL_MARKER}
"""Python functions the engine itself registers (trusted code): BigQuery ML's embeddings and
text generation (ML.GENERATE_TEXT, the AI.GENERATE functions), and the GoogleSQL functions DuckDB lacks (`udfs.py`: SHA512, BASE32, NET.*). They read no files or settings. (And the GAP_FILL
marker, which the engine replaces by SQL before the statement runs: gapfill.py.)"""


@lru_cache(maxsize=1)
def allowed_functions() -> frozenset[str]:
    """Lower-case names of the DuckDB functions translated GoogleSQL may call."""
    with duckdb.connect(":memory:") as con:
        rows = con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() "
            "WHERE function_type IN ('scalar', 'aggregate', 'window', 'macro')"
        ).fetchall()
    names = {str(r[0]).lower() for r in rows}
    # A name that is also a table function must be refused there; the translator refuses every
    # table function call, so the scalar meaning is the only one left.
    return frozenset(n for n in names if n not in _REFUSED and not n.startswith(_REFUSED_PREFIXES)) | _SPECIAL_FORMS


@lru_cache(maxsize=1)
def aggregate_functions() -> frozenset[str]:
    """Lower-case names of DuckDB's aggregate functions."""
    with duckdb.connect(":memory:") as con:
        rows = con.execute("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'")
        return frozenset(str(r[0]).lower() for r in rows.fetchall())


def check_function_name(name: str, extra: frozenset[str] = frozenset()) -> None:
    """Raise BigQueryError unless `name` (as the generator wrote it) is an allowed function."""
    bare = name.strip().strip('"').lower()
    if bare in extra or bare in allowed_functions() or bare in ENGINE_UDFS:
        return
    shown = bare.upper() if bare.isidentifier() else repr(name[:100])
    raise BigQueryError(
        f"function {shown} is not supported by the local warehouse",
        fix="use a GoogleSQL function the local warehouse supports (it runs none that read files or settings)",
    )


# ---------------------------------------------------------------------- cancellation and time limits


class _Deadlines:
    """One daemon thread that expires every QueryControl's time limit: a thread started per
    query cost milliseconds of a small query's latency under load."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, QueryControl]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._sweep_at = 64

    def add(self, control: QueryControl, timeout_s: float) -> None:
        with self._wake:
            if len(self._heap) >= self._sweep_at:  # drop finished queries; amortised O(1)
                self._heap = [e for e in self._heap if not e[2].done.is_set()]
                heapq.heapify(self._heap)
                self._sweep_at = max(64, 2 * len(self._heap))
            heapq.heappush(self._heap, (time.monotonic() + timeout_s, next(self._order), control))
            if self._thread is None or not self._thread.is_alive():  # first use, or a forked child
                self._thread = threading.Thread(target=self._loop, name="query-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is control:
                self._wake.notify()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done.is_set():
                    heapq.heappop(self._heap)  # finished in time
                if not self._heap:
                    self._wake.wait()
                    continue
                deadline, _, control = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            control._expire()


_DEADLINES = _Deadlines()


class QueryControl:
    """A handle on one running query: `cancel()` interrupts it from any thread; a time limit
    interrupts it the same way and says so."""

    def __init__(self, timeout_s: float | None = None):
        self.timeout_s = timeout_s
        self.reason: str | None = None
        self.done = threading.Event()
        self._cons: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()
        self._timed = False

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Interrupt `con` on cancel; a cancel that came first interrupts it at once."""
        with self._lock:
            self._cons.append(con)
            if not self._timed and self.timeout_s is not None:
                self._timed = True
                _DEADLINES.add(self, self.timeout_s)

    def detach(self, con: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            if con in self._cons:
                self._cons.remove(con)

    def cancel(self, reason: str = "cancelled") -> None:
        """Stop the query; later statements of the same script do not start."""
        with self._lock:
            first = self.reason is None
            if first:
                self.reason = reason
        if first:
            # An interrupt that lands between two statements (or before DuckDB starts one) is
            # lost, so keep interrupting until the query has returned.
            threading.Thread(target=self._interrupt_until_done, name="query-cancel", daemon=True).start()

    def _interrupt_until_done(self) -> None:
        while True:
            with self._lock:
                for con in self._cons:
                    try:
                        con.interrupt()
                    except duckdb.Error:  # closed meanwhile
                        pass
            if self.done.wait(0.05):
                return

    def _expire(self) -> None:
        self.cancel("timeout")

    def check(self) -> None:
        """Raise the error for a cancelled or timed-out query, if it was."""
        if self.reason is not None:
            raise self.error()

    def error(self) -> BigQueryError:
        if self.reason == "timeout":
            # BigQuery reports a job past its jobTimeoutMs as a cancelled job (reason "stopped")
            return BigQueryError(
                f"Job execution was cancelled: Job timed out after {self.timeout_s:g}s (the query time limit)",
                fix="make the query cheaper, or raise the limit (EmulatorConfig.query_timeout_s, or jobTimeoutMs)",
                reason="stopped",
            )
        return BigQueryError(
            "Job execution was cancelled: User requested cancellation", fix="run the query again", reason="stopped"
        )

    def finish(self) -> None:
        with self._lock:
            self._cons.clear()
        self.done.set()


# ---------------------------------------------------------------------- trusted export writer


class ExportWriter:
    """A separate in-memory DuckDB that may write only under `roots`; the engine streams a
    sandboxed query's rows into it as Arrow and COPYs them to a file it chose and checked."""

    def __init__(self, roots: Iterable[Path]):
        self.roots = [Path(r).resolve() for r in roots]
        self._db: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    def _database(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._db is None:
                db = duckdb.connect(":memory:")
                udfs.register(db)  # a JSON column's members sorted as the lines are written (jsonexport.py)
                lock_down(db, QueryLimits(), allowed_directories=self.roots)
                self._db = db
            return self._db

    def write(
        self,
        rel: duckdb.DuckDBPyRelation,
        path: Path,
        options: str,
        control: QueryControl | None = None,
        *,
        json_columns: Iterable[str] = (),
    ) -> int:
        """COPY the relation's rows to `path` (already checked to be under a root); the row count."""
        if not any(path == r or r in path.parents for r in self.roots):
            raise BigQueryError(f"cannot export to {path.name}: outside the export folders", fix="export to gs://")
        con = self._database().cursor()
        if control is not None:
            control.attach(con)
        name = "__bq_export_source"
        try:
            con.register(name, rel.to_arrow_reader(64 * 1024))
            json_set = set(json_columns)
            if options.startswith("FORMAT json"):
                # BigQuery's lines: NULL fields left out, <, >, & escaped (jsonexport.py)
                select = f"{jsonexport.line_sql(rel.columns, [str(t) for t in rel.types], json_set)} AS line"
                options = jsonexport.LINE_OPTIONS + options.removeprefix("FORMAT json")
            else:
                # JSON columns cross Arrow as text; cast them back so they are written as JSON values,
                # their members sorted by key as BigQuery keeps them (jsonorder.py); a CSV cell of
                # BYTES, TIMESTAMP or NUMERIC as extract jobs write it
                csv = options.startswith("FORMAT csv")
                items = []
                for c, t in zip(rel.columns, rel.types, strict=True):
                    text = jsonexport.csv_text(_ident(c), str(t)) if csv else None
                    if c in json_set:
                        items.append(f"CAST({SORTED_JSON_UDF}(CAST({_ident(c)} AS VARCHAR)) AS JSON) AS {_ident(c)}")
                    elif text is not None:
                        items.append(f"{text} AS {_ident(c)}")
                    else:
                        items.append(_ident(c))
                select = ", ".join(items)
            cur = con.execute(f"COPY (SELECT {select} FROM {_ident(name)}) TO {_literal(str(path))} ({options})")
            return int(cur.fetchall()[0][0])
        finally:
            if control is not None:
                control.detach(con)
            con.close()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def json_line_batches(
    rel: duckdb.DuckDBPyRelation, lines: Mapping[str, Sequence[str]], batch_rows: int = 2048
) -> pa.RecordBatchReader:
    """The relation's rows as Arrow batches in which each `lines` entry (output name -> columns)
    replaces its columns by one string column: the line, newline included, that an export in
    JSON format writes for them (`jsonexport.line_sql`: NULL fields left out, `<`, `>`, `&`
    escaped, as BigQuery's EXPORT DATA writes them). Columns in no entry pass through unchanged."""
    used = {c for cols in lines.values() for c in cols}
    select = [_ident(c) for c in rel.columns if c not in used]
    types = {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}
    for name, cols in lines.items():
        line = jsonexport.line_sql(cols, [types[c] for c in cols], [c for c in cols if types[c] == "JSON"])
        # The newline appended here, on DuckDB's threads, cost less than appending it in Arrow
        # on the caller's (1,000,000 questions: 0.5 CPU-s less in all, a twentieth off the wall time).
        select.append(f"{line} || chr(10) AS {_ident(name)}")
    return rel.project(", ".join(select)).to_arrow_reader(batch_rows)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
