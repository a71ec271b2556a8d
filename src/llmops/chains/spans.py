"""The span log: one row per step of every chain run (and one for the run itself), readable
in GoogleSQL as `llmops.spans`.

With the local `duckdb` warehouse spans go to an append-only segment store next to the
prediction log (`<workspace>/logs/spans/segments/*.jsonl`, the same writer as
`llmops.monitoring.store`) and the warehouse reads them through a view; with any other
warehouse they are inserted into the table. A run's spans are written with one write when the
run ends, so a trace is never seen half-written.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import LlmopsError

if TYPE_CHECKING:
    from ..core.interfaces import Warehouse
    from ..core.session import Session

SPANS_TABLE = "llmops.spans"
SCHEMA_VERSION = 1

COLUMNS: tuple[tuple[str, str], ...] = (
    ("schema_version", "INT64"),
    ("trace_id", "STRING"),
    ("span_id", "STRING"),
    ("parent_span_id", "STRING"),
    ("chain", "STRING"),
    ("step", "STRING"),
    ("kind", "STRING"),
    ("model", "STRING"),
    ("status", "STRING"),
    ("error", "STRING"),
    ("started", "TIMESTAMP"),
    ("latency_ms", "FLOAT64"),
    ("input", "STRING"),
    ("output", "STRING"),
    ("prompt_tokens", "INT64"),
    ("output_tokens", "INT64"),
    ("max_safety_score", "FLOAT64"),
    ("blocked", "BOOL"),
    ("request_id", "STRING"),
    ("grounding_score", "FLOAT64"),
    ("attributes", "STRING"),
)
"""A span: OpenTelemetry-style ids (32 and 16 hex digits); `status` is OK, ERROR or BLOCKED;
`request_id` joins a generate step to its row in `llmops.predictions`; `attributes` is JSON."""

_DUCKDB = {"STRING": "VARCHAR", "TIMESTAMP": "TIMESTAMPTZ", "BOOL": "BOOLEAN", "FLOAT64": "DOUBLE", "INT64": "BIGINT"}
_ensured: set[str] = set()
_lock = threading.Lock()


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def log_dir(workspace: str | os.PathLike[str]) -> Path:
    """Where a workspace's span log lives (next to `logs/predictions`)."""
    return Path(workspace) / "logs" / "spans"


def view_sql(directory: Path, view: str) -> str:
    """DuckDB DDL of the view over the span segments."""
    cols = ", ".join(f"{n}: '{'VARCHAR' if k == 'TIMESTAMP' else _DUCKDB[k]}'" for n, k in COLUMNS)
    select = ", ".join(f"CAST({n} AS TIMESTAMPTZ) AS {n}" if k == "TIMESTAMP" else n for n, k in COLUMNS)
    segs = _sql_str(directory / "segments" / "*.jsonl*")
    return (
        f"CREATE OR REPLACE VIEW {view} AS SELECT {select} FROM read_json({segs}, "
        f"format = 'newline_delimited', columns = {{{cols}}}, ignore_errors = true)"
    )


class SpanLog:
    """The span table of a warehouse (BigQuery and any non-local warehouse)."""

    def __init__(self, warehouse: Warehouse, key: str):
        self.warehouse = warehouse
        self.key = key

    def ensure_table(self) -> None:
        with _lock:
            if self.key in _ensured:
                return
        cols = ",\n  ".join(f"{n} {k}" for n, k in COLUMNS)
        self.warehouse.query(
            f"CREATE SCHEMA IF NOT EXISTS `llmops`;\nCREATE TABLE IF NOT EXISTS `{SPANS_TABLE}` ({cols});"
        )
        with _lock:
            _ensured.add(self.key)

    def write(self, rows: Sequence[Mapping[str, Any]]) -> int:
        self.ensure_table()
        return self.warehouse.insert_rows(SPANS_TABLE, rows) if rows else 0

    def trace(self, trace_id: str) -> list[dict[str, Any]]:
        """The spans of the trace whose id is or starts with `trace_id`, in start order."""
        self.ensure_table()
        names = ", ".join(n for n, _ in COLUMNS)
        sql = (
            f"SELECT {names} FROM `{SPANS_TABLE}` WHERE STARTS_WITH(trace_id, @id) "
            "ORDER BY started, parent_span_id IS NOT NULL, span_id"
        )
        rows = self.warehouse.query(sql, {"id": trace_id}).to_pylist()
        for r in rows:
            if isinstance(r.get("attributes"), str):
                r["attributes"] = json.loads(r["attributes"])
            if hasattr(r.get("started"), "isoformat"):
                r["started"] = r["started"].isoformat()
        return rows


class SegmentSpanLog(SpanLog):
    """The local warehouse's span log: a segment store read through a view."""

    def __init__(self, warehouse: Warehouse, workspace: Path, key: str):
        super().__init__(warehouse, key)
        from ..monitoring import store

        self.directory = log_dir(workspace)
        self._writer = store.writer(self.directory)

    def ensure_table(self) -> None:
        with _lock:
            if self.key in _ensured:
                return
        from ..emulator.bigquery.googlesql import duckdb_table

        (self.directory / "segments").mkdir(parents=True, exist_ok=True)
        (self.directory / "segments" / "seg-0-empty.jsonl").touch()
        engine = self.warehouse.engine  # type: ignore[attr-defined]
        dataset, name = SPANS_TABLE.split(".")
        engine.create_dataset(engine.default_project, dataset, exists_ok=True)
        with engine.connection() as con:
            con.execute(view_sql(self.directory, duckdb_table(engine.default_project, dataset, name)))
        with _lock:
            _ensured.add(self.key)

    def write(self, rows: Sequence[Mapping[str, Any]]) -> int:
        self.ensure_table()
        return self._writer.append(rows)

    def trace(self, trace_id: str) -> list[dict[str, Any]]:
        try:
            return super().trace(trace_id)
        except LlmopsError:  # the view was dropped or the workspace moved: recreate it once
            with _lock:
                _ensured.discard(self.key)
            return super().trace(trace_id)


_logs: dict[tuple[str, ...], SpanLog] = {}


def span_log(session: Session) -> SpanLog:
    """The span log of a session's warehouse."""
    s = session.settings
    key = (s.warehouse, str(s.workspace), str(id(session.warehouse)))
    log = _logs.get(key)
    if log is None or log.warehouse is not session.warehouse:
        name = f"{s.warehouse}:{s.workspace}:{getattr(session.warehouse, 'project', '')}"
        if s.warehouse == "duckdb" and hasattr(session.warehouse, "engine"):
            log = SegmentSpanLog(session.warehouse, Path(s.workspace), name)
        else:
            log = SpanLog(session.warehouse, name)
        _logs[key] = log
    return log


def tree(spans: Sequence[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    """`(depth, span)` in depth-first order, children in start order; spans whose parent is
    missing are roots."""
    ids = {s["span_id"] for s in spans}
    children: dict[str | None, list[Mapping[str, Any]]] = {}
    for s in spans:
        parent = s.get("parent_span_id")
        children.setdefault(parent if parent in ids else None, []).append(s)
    out: list[tuple[int, Mapping[str, Any]]] = []

    def walk(parent: str | None, depth: int) -> None:
        for s in children.get(parent, []):
            out.append((depth, s))
            walk(s["span_id"], depth + 1)

    walk(None, 0)
    return out
