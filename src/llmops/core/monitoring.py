"""The prediction log: every prediction made through llmops, appended to a table in the
workspace's warehouse (in the spirit of simonw/llm's logs.db), whatever the model provider.

`predict` and `predict_batch` here are the logged way to call `session.model`: they log one
row per prediction, blocked ones included, unless `log=False` or the setting
`log_predictions` is off. A batch is written with one insert; so is everything logged inside
a `with batched_log():` block (written when the block ends), for loops of single predictions
where one insert per call would cost more than the prediction. The table is created on first
use, through the `Warehouse` interface in GoogleSQL, so the log works on DuckDB and BigQuery
alike: `llmops.predictions` (dataset `llmops` in the warehouse's default project).

Monitoring reports (latency, blocking, safety scores, drift) read this table; they are not
part of this module yet.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .errors import DataError, LlmopsError
from .prompts import current_prompt
from .types import GenerationConfig, Prediction

if TYPE_CHECKING:
    from .interfaces import Warehouse
    from .session import Session

PREDICTIONS_TABLE = "llmops.predictions"
"""`dataset.table` of the log, in the warehouse's default project."""

COLUMNS: tuple[tuple[str, str], ...] = (
    ("request_id", "STRING"),
    ("created", "TIMESTAMP"),
    ("provider", "STRING"),
    ("model", "STRING"),
    ("prompt", "STRING"),
    ("response", "STRING"),
    ("blocked", "BOOL"),
    ("prompt_blocked", "BOOL"),
    ("finish_reason", "STRING"),
    ("latency_ms", "FLOAT64"),
    ("prompt_tokens", "INT64"),
    ("output_tokens", "INT64"),
    ("temperature", "FLOAT64"),
    ("max_output_tokens", "INT64"),
    ("max_safety_score", "FLOAT64"),
    ("safety_ratings", "STRING"),
    ("safety_categories", "STRING"),
    ("citations_count", "INT64"),
    ("citations", "STRING"),
    ("prompt_name", "STRING"),
    ("prompt_version", "STRING"),
)
"""The log's columns. JSON-valued columns are STRING so that every warehouse takes them."""

_ensured: set[tuple[str, str]] = set()
_ensured_lock = threading.Lock()
_pending: ContextVar[dict[tuple[str, str], tuple[PredictionLog, list[dict[str, Any]]]] | None] = ContextVar(
    "llmops_pending_log_rows", default=None
)


def create_table_sql(table: str = PREDICTIONS_TABLE) -> str:
    """GoogleSQL creating the log's dataset and table if they do not exist."""
    dataset = table.rsplit(".", 1)[0]
    cols = ",\n  ".join(f"{name} {kind}" for name, kind in COLUMNS)
    return f"CREATE SCHEMA IF NOT EXISTS `{dataset}`;\nCREATE TABLE IF NOT EXISTS `{table}` (\n  {cols}\n);"


def prediction_row(
    prediction: Prediction, *, provider: str, generation: GenerationConfig | None = None
) -> dict[str, Any]:
    """One log row: what was asked, what came back (empty when blocked), and all safety and
    citation data, JSON-encoded."""
    gen = generation or GenerationConfig()
    ratings = [r.to_vertex_dict() for r in prediction.safety.ratings]
    return {
        "request_id": prediction.request_id,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "provider": provider,
        "model": prediction.model,
        "prompt": prediction.prompt,
        "response": "" if prediction.blocked else prediction.text,
        "blocked": prediction.blocked,
        "prompt_blocked": prediction.prompt_blocked,
        "finish_reason": prediction.finish_reason,
        "latency_ms": round(prediction.latency_ms, 3),
        "prompt_tokens": prediction.usage.prompt_tokens,
        "output_tokens": prediction.usage.output_tokens,
        "temperature": gen.temperature,
        "max_output_tokens": gen.max_output_tokens,
        "max_safety_score": max((r.probability_score for r in prediction.safety.ratings), default=None),
        "safety_ratings": json.dumps(ratings),
        "safety_categories": json.dumps(dict(zip(prediction.safety.categories, prediction.safety.scores))),
        "citations_count": len(prediction.citations),
        "citations": json.dumps([asdict(c) for c in prediction.citations]),
        **dict(zip(("prompt_name", "prompt_version"), current_prompt(), strict=True)),
    }


class PredictionLog:
    """The prediction table of one warehouse."""

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
        self,
        predictions: Iterable[Prediction],
        *,
        provider: str,
        generation: GenerationConfig | None = None,
    ) -> int:
        """Log predictions (one insert for all of them)."""
        return self.write([prediction_row(p, provider=provider, generation=generation) for p in predictions])

    def recent(self, n: int = 20) -> list[dict[str, Any]]:
        """The newest `n` logged predictions, newest first; [] before anything was logged."""
        if n < 1:
            raise DataError(f"-n must be at least 1, got {n}", fix="pass -n 1 or more")
        self.ensure_table()
        names = ", ".join(name for name, _ in COLUMNS)
        table = self.warehouse.query(
            f"SELECT {names} FROM `{self.table}` ORDER BY created DESC, request_id LIMIT @n", {"n": n}
        )
        rows = table.to_pylist()
        for row in rows:
            for col in ("safety_ratings", "safety_categories", "citations"):
                if isinstance(row.get(col), str):
                    row[col] = json.loads(row[col])
            if isinstance(row.get("created"), datetime):
                row["created"] = row["created"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return rows


@contextlib.contextmanager
def batched_log() -> Iterator[None]:
    """Hold the rows logged inside the block and write them with one insert per warehouse when
    it ends, also when it ends with an error. Worker threads started inside do not share it."""
    pending: dict[tuple[str, str], tuple[PredictionLog, list[dict[str, Any]]]] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        for log, rows in pending.values():
            log.write(rows)


def _record(session: Session, predictions: Sequence[Prediction], generation: GenerationConfig | None) -> None:
    log = log_for(session)
    rows = [prediction_row(p, provider=session.settings.model, generation=generation) for p in predictions]
    pending = _pending.get()
    if pending is None:
        log.write(rows)
    else:
        pending.setdefault(log._key, (log, []))[1].extend(rows)


def log_for(session: Session) -> PredictionLog:
    """The prediction log of a session's warehouse."""
    return PredictionLog(
        session.warehouse, key=f"{session.settings.warehouse}:{session.settings.workspace}:{session.settings.project}"
    )


def _should_log(session: Session, log: bool | None) -> bool:
    return session.settings.log_predictions if log is None else log


def predict(
    session: Session,
    prompt: str,
    *,
    model: str | None = None,
    generation: GenerationConfig | None = None,
    safety: Mapping[str, str] | None = None,
    log: bool | None = None,
) -> Prediction:
    """`session.model.predict`, logged (unless `log=False` or `log_predictions` is off)."""
    prediction = session.model.predict(prompt, model=model, generation=generation, safety=safety)
    if _should_log(session, log):
        _record(session, [prediction], generation)
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
) -> list[Prediction]:
    """`session.model.predict_batch`, logged with one insert for the whole batch; `concurrency`
    None leaves the provider its own default."""
    extra = {} if concurrency is None else {"concurrency": concurrency}
    predictions = session.model.predict_batch(prompts, model=model, generation=generation, safety=safety, **extra)
    if _should_log(session, log):
        _record(session, predictions, generation)
    return predictions
