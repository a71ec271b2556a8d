"""The prediction log: every prediction made through llmops, whatever the model provider
(in the spirit of simonw/llm's logs.db), readable in GoogleSQL as `llmops.predictions`.

`predict` and `predict_batch` here are the logged way to call `session.model`: they log one
row per prediction, blocked and failed ones included, unless `log=False` or the setting
`log_predictions` is off. With the local `duckdb` warehouse rows go to the append-only segment
store (`llmops.monitoring.store`: well under a millisecond per prediction, from any number of
processes), which the warehouse reads through a view; with any other warehouse (BigQuery) they
are inserted into the table through the `Warehouse` interface. A batch is written at once; so
is everything logged inside a `with batched_log():` block (written when the block ends).

Prompt and response text are logged unless the setting `log_text` is off (`log_text = false`
in the profile, or `LLMOPS_LOG_TEXT=false`); their SHA-256 and lengths are logged always.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError, LlmopsError
from .prompts import current_prompt
from .types import HARM_CATEGORIES, GenerationConfig, Prediction

if TYPE_CHECKING:
    from .interfaces import Warehouse
    from .session import Session

PREDICTIONS_TABLE = "llmops.predictions"
"""`dataset.table` of the log, in the warehouse's default project."""

SCHEMA_VERSION = 2
"""Version of the row layout below (1: the DuckDB table before the segment store)."""

SAFETY_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (f"{c.removeprefix('HARM_CATEGORY_').lower()}_{kind}", c) for c in HARM_CATEGORIES for kind in ("prob", "sev")
)
"""Flattened per-category safety scores: (column, Vertex harm category)."""

COLUMNS: tuple[tuple[str, str], ...] = (
    ("schema_version", "INT64"),
    ("request_id", "STRING"),
    ("created", "TIMESTAMP"),
    ("provider", "STRING"),
    ("model", "STRING"),
    ("endpoint", "STRING"),
    ("prompt_template", "STRING"),
    ("prompt_version", "STRING"),
    ("prompt", "STRING"),
    ("response", "STRING"),
    ("prompt_sha256", "STRING"),
    ("response_sha256", "STRING"),
    ("prompt_chars", "INT64"),
    ("response_chars", "INT64"),
    ("blocked", "BOOL"),
    ("prompt_blocked", "BOOL"),
    ("finish_reason", "STRING"),
    ("error", "STRING"),
    ("latency_ms", "FLOAT64"),
    ("prompt_tokens", "INT64"),
    ("output_tokens", "INT64"),
    ("temperature", "FLOAT64"),
    ("max_output_tokens", "INT64"),
    ("max_safety_score", "FLOAT64"),
    *((name, "FLOAT64") for name, _ in SAFETY_COLUMNS),
    ("safety_ratings", "STRING"),
    ("safety_categories", "STRING"),
    ("citations_count", "INT64"),
    ("citations", "STRING"),
    ("grounding_score", "FLOAT64"),
    ("trace_id", "STRING"),
    ("span_id", "STRING"),
)
"""The log's columns. JSON-valued columns are STRING so that every warehouse takes them."""

JSON_COLUMNS = ("safety_ratings", "safety_categories", "citations")

_ensured: set[tuple[str, str]] = set()
_ensured_lock = threading.Lock()
_pending: ContextVar[dict[tuple[str, str], tuple[Any, list[dict[str, Any]]]] | None] = ContextVar(
    "llmops_pending_log_rows", default=None
)


def create_table_sql(table: str = PREDICTIONS_TABLE) -> str:
    """GoogleSQL creating the log's dataset and table if they do not exist."""
    dataset = table.rsplit(".", 1)[0]
    cols = ",\n  ".join(f"{name} {kind}" for name, kind in COLUMNS)
    return f"CREATE SCHEMA IF NOT EXISTS `{dataset}`;\nCREATE TABLE IF NOT EXISTS `{table}` (\n  {cols}\n);"


def _sha(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def prediction_row(
    prediction: Prediction,
    *,
    provider: str,
    generation: GenerationConfig | None = None,
    log_text: bool = True,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One log row: what was asked, what came back (empty when blocked), all safety and
    citation data; `context` adds endpoint, prompt_template/version and trace/span ids."""
    gen = generation or GenerationConfig()
    ratings = {r.category: r for r in prediction.safety.ratings}
    response = "" if prediction.blocked else prediction.text
    row: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "request_id": prediction.request_id,
        "created": _now(),
        "provider": provider,
        "model": prediction.model,
        "endpoint": None,
        **dict(zip(("prompt_template", "prompt_version"), current_prompt(), strict=True)),
        "prompt": prediction.prompt if log_text else None,
        "response": response if log_text else None,
        "prompt_sha256": _sha(prediction.prompt),
        "response_sha256": _sha(response),
        "prompt_chars": None if prediction.prompt is None else len(prediction.prompt),
        "response_chars": len(response or ""),
        "blocked": prediction.blocked,
        "prompt_blocked": prediction.prompt_blocked,
        "finish_reason": prediction.finish_reason,
        "error": None,
        "latency_ms": round(prediction.latency_ms, 3),
        "prompt_tokens": prediction.usage.prompt_tokens,
        "output_tokens": prediction.usage.output_tokens,
        "temperature": gen.temperature,
        "max_output_tokens": gen.max_output_tokens,
        "max_safety_score": max((r.probability_score for r in prediction.safety.ratings), default=None),
        "safety_ratings": json.dumps([r.to_vertex_dict() for r in prediction.safety.ratings]),
        "safety_categories": json.dumps(dict(zip(prediction.safety.categories, prediction.safety.scores))),
        "citations_count": len(prediction.citations),
        "citations": json.dumps([asdict(c) for c in prediction.citations]),
        "grounding_score": getattr(prediction, "grounding_score", None),
        "trace_id": None,
        "span_id": None,
    }
    for column, category in SAFETY_COLUMNS:
        r = ratings.get(category)
        row[column] = None if r is None else (r.probability_score if column.endswith("_prob") else r.severity_score)
    row.update({k: v for k, v in (context or {}).items() if k in row})
    return row


def error_row(
    prompt: str,
    error: BaseException,
    *,
    provider: str,
    model: str | None,
    log_text: bool = True,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A log row for a prediction that failed (counted in the error rate)."""
    row = dict.fromkeys((name for name, _ in COLUMNS), None)
    row.update(
        schema_version=SCHEMA_VERSION,
        created=_now(),
        provider=provider,
        model=model,
        prompt=prompt if log_text else None,
        prompt_sha256=_sha(prompt),
        prompt_chars=len(prompt),
        blocked=False,
        prompt_blocked=False,
        finish_reason="ERROR",
        citations_count=0,
        error=f"{type(error).__name__}: {error}"[:500],
    )
    row.update({k: v for k, v in (context or {}).items() if k in row})
    return row


def _decode(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        for col in JSON_COLUMNS:
            if isinstance(row.get(col), str):
                row[col] = json.loads(row[col])
        if isinstance(row.get("created"), datetime):
            row["created"] = row["created"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return rows


def _check_n(n: int) -> None:
    if n < 0:
        raise DataError(f"-n must be 0 (all) or more, got {n}", fix="pass -n 0 for all, or a count")


class PredictionLog:
    """The prediction table of a warehouse (BigQuery and any non-local warehouse)."""

    def __init__(self, warehouse: Warehouse, *, table: str = PREDICTIONS_TABLE, key: str = ""):
        self.warehouse = warehouse
        self.table = table
        self._key = (key or str(id(warehouse)), table)

    def ensure_table(self) -> None:
        """Create the table if needed (once per process and warehouse)."""
        with _ensured_lock:
            if self._key in _ensured:
                return
        self.warehouse.query(create_table_sql(self.table))
        with _ensured_lock:
            _ensured.add(self._key)

    def write(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Append rows with one insert; the table is (re)created if it has gone."""
        if not rows:
            return 0
        self.ensure_table()
        try:
            return self.warehouse.insert_rows(self.table, rows)
        except LlmopsError as exc:
            if isinstance(exc, DataError):
                raise
            with _ensured_lock:
                _ensured.discard(self._key)
            self.ensure_table()
            return self.warehouse.insert_rows(self.table, rows)

    def record(
        self, predictions: Iterable[Prediction], *, provider: str, generation: GenerationConfig | None = None
    ) -> int:
        """Log predictions (one write for all of them)."""
        return self.write([prediction_row(p, provider=provider, generation=generation) for p in predictions])

    def _recent_sql(self, where: str = "", limit: bool = True) -> str:
        names = ", ".join(name for name, _ in COLUMNS)
        tail = " LIMIT @n" if limit else ""
        return f"SELECT {names} FROM `{self.table}` {where} ORDER BY created DESC, request_id{tail}"

    def recent(
        self, n: int = 20, *, request_id: str | None = None, model: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The newest `n` (0: all) logged predictions, newest first, optionally only one
        `request_id`, one `model` or those `since` a time; [] before anything was logged."""
        _check_n(n)
        self.ensure_table()
        clauses: list[str] = []
        params: dict[str, Any] = {"n": n} if n else {}
        for column, value in (("request_id", request_id), ("model", model)):
            if value is not None:
                clauses.append(f"{column} = @{column}")
                params[column] = value
        if since is not None:
            clauses.append("created >= TIMESTAMP(@since)")
            params["since"] = since.isoformat()
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return _decode(self.warehouse.query(self._recent_sql(where, limit=n > 0), params or None).to_pylist())


class SegmentLog(PredictionLog):
    """The local warehouse's log: rows go to the segment store, reads go through the view."""

    def __init__(self, warehouse: Warehouse, workspace: str | os.PathLike[str], *, key: str = ""):
        super().__init__(warehouse, key=key)
        from ..monitoring import store

        self.directory = store.log_dir(workspace)
        self._writer = store.writer(self.directory)
        self._migrated = False

    def ensure_table(self) -> None:
        """Apply pending migrations and (re)create the view (once per process and warehouse)."""
        with _ensured_lock:
            if self._key in _ensured:
                return
        from ..emulator.bigquery.googlesql import duckdb_table
        from ..monitoring import store

        engine = self.warehouse.engine  # type: ignore[attr-defined]
        dataset, name = self.table.split(".")
        engine.create_dataset(engine.default_project, dataset, exists_ok=True)
        with engine.connection() as con:
            store.ensure_view(con, self.directory, duckdb_table(engine.default_project, dataset, name))
        with _ensured_lock:
            _ensured.add(self._key)

    def write(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Append rows to this process's segment with one write; the first write to a new
        workspace also creates the view, so SQL sees the log from the start."""
        if not self._migrated:
            from ..monitoring import store

            if len(store.applied_migrations(self.directory)) < len(store.MIGRATIONS):
                self.ensure_table()
            self._migrated = True
        return self._writer.append(rows)

    def compact(self) -> int:
        """Move finished segments into a Parquet part; return the rows moved."""
        from ..monitoring import store

        self.ensure_table()
        with self.warehouse.engine.connection() as con:  # type: ignore[attr-defined]
            return store.compact(con, self.directory)

    def recent(
        self, n: int = 20, *, request_id: str | None = None, model: str | None = None, since: datetime | None = None
    ) -> list[dict[str, Any]]:
        _check_n(n)
        try:
            return super().recent(n, request_id=request_id, model=model, since=since)
        except LlmopsError:
            # the view was dropped or the workspace moved: recreate it once
            with _ensured_lock:
                _ensured.discard(self._key)
            return super().recent(n, request_id=request_id, model=model, since=since)


@contextlib.contextmanager
def batched_log() -> Iterator[None]:
    """Hold the rows logged inside the block and write them at once per log when it ends,
    also when it ends with an error. Worker threads started inside do not share it."""
    pending: dict[tuple[str, str], tuple[Any, list[dict[str, Any]]]] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        for log, rows in pending.values():
            log.write(rows)


def log_text_enabled(session: Session) -> bool:
    """Whether prompt and response text are logged (the setting `log_text`; else only their
    hashes and lengths)."""
    return session.settings.log_text


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    log = log_for(session)
    pending = _pending.get()
    if pending is None:
        log.write(rows)
    else:
        pending.setdefault(log._key, (log, []))[1].extend(rows)


def _record(
    session: Session,
    predictions: Sequence[Prediction],
    generation: GenerationConfig | None,
    context: Mapping[str, Any] | None = None,
) -> None:
    text = log_text_enabled(session)
    provider = session.settings.model
    _write(
        session,
        [
            prediction_row(p, provider=provider, generation=generation, log_text=text, context=context)
            for p in predictions
        ],
    )


_logs: dict[tuple[str, ...], PredictionLog] = {}


def log_for(session: Session) -> PredictionLog:
    """The prediction log of a session's warehouse."""
    s = session.settings
    project = str(getattr(session.warehouse, "project", ""))
    key = (s.warehouse, str(s.workspace), project, str(id(session.warehouse)))
    log = _logs.get(key)
    if log is None or log.warehouse is not session.warehouse:
        if s.warehouse == "duckdb" and hasattr(session.warehouse, "engine"):
            log = SegmentLog(session.warehouse, Path(s.workspace), key=f"{s.warehouse}:{s.workspace}:{project}")
        else:
            log = PredictionLog(session.warehouse, key=f"{s.warehouse}:{s.workspace}:{project}")
        _logs[key] = log
    return log


def _should_log(session: Session, log: bool | None) -> bool:
    return session.settings.log_predictions if log is None else log


LOG_CONTEXT_KEYS = ("endpoint", "prompt_template", "prompt_version", "trace_id", "span_id")
"""Optional per-call context logged with a prediction."""


def predict(
    session: Session,
    prompt: str,
    *,
    model: str | None = None,
    generation: GenerationConfig | None = None,
    safety: Mapping[str, str] | None = None,
    log: bool | None = None,
    context: Mapping[str, Any] | None = None,
) -> Prediction:
    """`session.model.predict`, logged (unless `log=False` or `log_predictions` is off); a
    failed prediction is logged with its error, then raised. `context` may carry
    LOG_CONTEXT_KEYS."""
    try:
        prediction = session.model.predict(prompt, model=model, generation=generation, safety=safety)
    except LlmopsError as exc:
        if _should_log(session, log):
            row = error_row(
                prompt,
                exc,
                provider=session.settings.model,
                model=model or session.settings.base_model,
                log_text=log_text_enabled(session),
                context=context,
            )
            _write(session, [row])
        raise
    if _should_log(session, log):
        _record(session, [prediction], generation, context)
    return prediction


def predict_batch(
    session: Session,
    prompts: Iterable[str],
    *,
    model: str | None = None,
    generation: GenerationConfig | None = None,
    safety: Mapping[str, str] | None = None,
    concurrency: int | None = None,
    log: bool | None = None,
    context: Mapping[str, Any] | None = None,
) -> list[Prediction]:
    """`session.model.predict_batch`, logged with one write for the whole batch; `concurrency`
    None leaves the provider its own default."""
    extra = {} if concurrency is None else {"concurrency": concurrency}
    predictions = session.model.predict_batch(prompts, model=model, generation=generation, safety=safety, **extra)
    if _should_log(session, log):
        _record(session, predictions, generation, context)
    return predictions
