"""Every monitoring figure as one GoogleSQL query, run through `Warehouse.query`: the same text
runs on DuckDB (the local warehouse translates it) and on BigQuery (or the emulator).

Each function returns `(sql, params)`; `table` is a `dataset.table` name or a parenthesised
query with the log's columns (`vertex_log.relation`: Vertex AI's request-response log). Windows are half-open `[@since, @until)`; a model filter
is added to the WHERE clause only when one is given (BigQuery needs typed NULL parameters, so
optional filters are spelled in SQL, not bound as NULL).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.monitoring import PREDICTIONS_TABLE, SAFETY_COLUMNS

CATEGORIES = tuple(column.removesuffix("_prob") for column, _ in SAFETY_COLUMNS if column.endswith("_prob"))
"""Harm categories as column stems: `<stem>_prob`, `<stem>_sev`."""

BUCKETS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400)
"""Time bucket sizes in seconds; the smallest giving at most MAX_BUCKETS points is used."""
MAX_BUCKETS = 96


def bucket_seconds(since: datetime, until: datetime) -> int:
    """A bucket size that draws the window in at most MAX_BUCKETS points."""
    span = max((until - since).total_seconds(), 1)
    return next((b for b in BUCKETS if span / b <= MAX_BUCKETS), BUCKETS[-1])


def _from(table: str) -> str:
    """A table name, quoted; a parenthesised query (e.g. `vertex_log.relation`) as it is."""
    return f"{table} AS predictions" if table.startswith("(") else f"`{table}`"


def _where(model: str | None, prompt_version: str | None = None) -> str:
    where = "created >= @since AND created < @until"
    if model:
        where += " AND model = @model"
    if prompt_version:
        where += " AND prompt_version = @prompt_version"
    return where


def _params(since: datetime, until: datetime, model: str | None, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"since": since, "until": until, **extra}
    if model:
        params["model"] = model
    return params


def _figures() -> str:
    """The aggregate columns every grouping shares."""
    safety = ",\n  ".join(
        f"AVG({c}_prob) AS {c}_prob, AVG({c}_sev) AS {c}_sev, MAX({c}_prob) AS {c}_prob_max" for c in CATEGORIES
    )
    return f"""COUNT(*) AS requests,
  APPROX_QUANTILES(latency_ms, 100)[OFFSET(50)] AS latency_p50,
  APPROX_QUANTILES(latency_ms, 100)[OFFSET(95)] AS latency_p95,
  APPROX_QUANTILES(latency_ms, 100)[OFFSET(99)] AS latency_p99,
  AVG(prompt_tokens) AS tokens_in_avg,
  AVG(output_tokens) AS tokens_out_avg,
  SUM(prompt_tokens) AS tokens_in,
  SUM(output_tokens) AS tokens_out,
  SAFE_DIVIDE(COUNTIF(blocked), COUNT(*)) AS blocked_rate,
  SAFE_DIVIDE(COUNTIF(error IS NOT NULL), COUNT(*)) AS error_rate,
  SAFE_DIVIDE(COUNTIF(citations_count > 0), COUNT(*)) AS citation_rate,
  SAFE_DIVIDE(COUNTIF(grounding_score IS NOT NULL), COUNT(*)) AS grounded_share,
  AVG(grounding_score) AS grounding_avg,
  {safety}"""


def summary(
    since: datetime, until: datetime, model: str | None = None, table: str = PREDICTIONS_TABLE
) -> tuple[str, dict[str, Any]]:
    """One row: every figure over the whole window, plus its first and last prediction."""
    sql = f"""SELECT {_figures()},
  MIN(created) AS first_created, MAX(created) AS last_created
FROM {_from(table)}
WHERE {_where(model)}"""
    return sql, _params(since, until, model)


def timeseries(
    since: datetime, until: datetime, bucket: int, model: str | None = None, table: str = PREDICTIONS_TABLE
) -> tuple[str, dict[str, Any]]:
    """Every figure per time bucket of `bucket` seconds, oldest first."""
    sql = f"""SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(created), @bucket) * @bucket) AS bucket,
  {_figures()}
FROM {_from(table)}
WHERE {_where(model)}
GROUP BY bucket
ORDER BY bucket"""
    return sql, _params(since, until, model, bucket=bucket)


def by_group(
    since: datetime, until: datetime, model: str | None = None, table: str = PREDICTIONS_TABLE
) -> tuple[str, dict[str, Any]]:
    """Every figure per model and prompt version, busiest first."""
    sql = f"""SELECT model, IFNULL(prompt_version, '') AS prompt_version,
  {_figures()}
FROM {_from(table)}
WHERE {_where(model)}
GROUP BY model, prompt_version
ORDER BY requests DESC, model, prompt_version"""
    return sql, _params(since, until, model)


WORST = {
    "blocked": "blocked ORDER BY max_safety_score DESC, created DESC",
    "slowest": "latency_ms IS NOT NULL ORDER BY latency_ms DESC, created DESC",
    "least_grounded": "grounding_score IS NOT NULL ORDER BY grounding_score, created DESC",
    "errors": "error IS NOT NULL ORDER BY created DESC",
}
"""The worst-examples tables: filter and order."""


def worst(
    kind: str,
    since: datetime,
    until: datetime,
    model: str | None = None,
    limit: int = 10,
    table: str = PREDICTIONS_TABLE,
) -> tuple[str, dict[str, Any]]:
    """The `limit` worst predictions of one kind (see WORST)."""
    cond, order = WORST[kind].split(" ORDER BY ")
    sql = f"""SELECT request_id, created, model, prompt_version, latency_ms, blocked, max_safety_score,
  grounding_score, finish_reason, error, SUBSTR(prompt, 1, 160) AS prompt, SUBSTR(response, 1, 160) AS response
FROM {_from(table)}
WHERE {_where(model)} AND {cond}
ORDER BY {order}
LIMIT @limit"""
    return sql, _params(since, until, model, limit=limit)


def sample(
    since: datetime, until: datetime, model: str | None = None, limit: int = 20000, table: str = PREDICTIONS_TABLE
) -> tuple[str, dict[str, Any]]:
    """A deterministic sample of rows for the drift tests: ordered by the creation time's
    microseconds modulo a prime, which spreads the sample over the window."""
    safety = ", ".join(f"{c}_prob, {c}_sev" for c in CATEGORIES)
    sql = f"""SELECT prompt_chars, response_chars, prompt_tokens, output_tokens, finish_reason, blocked,
  {safety}, prompt
FROM {_from(table)}
WHERE {_where(model)}
ORDER BY MOD(UNIX_MICROS(created), 9973), created, request_id
LIMIT @limit"""
    return sql, _params(since, until, model, limit=limit)


def models(table: str = PREDICTIONS_TABLE) -> tuple[str, dict[str, Any]]:
    """Every model in the log with its first and last prediction."""
    return (
        f"SELECT model, COUNT(*) AS requests, MIN(created) AS first_created, MAX(created) AS last_created "
        f"FROM {_from(table)} GROUP BY model ORDER BY model",
        {},
    )
