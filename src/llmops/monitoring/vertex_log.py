"""Vertex AI's own request-response log as a source of the monitoring figures.

`relation(table)` is one GoogleSQL query that normalises the rows of a Vertex AI
request-response logging table (`endpoint, deployed_model_id, logging_time, request_id,
request_payload, response_payload, model, model_version, api_method, full_request,
full_response, metadata`) into the llmops log's columns, read the way the `vertex` provider
reads a GenerateContentResponse: the first candidate's text, finish reason, safety ratings and
citations; `promptFeedback.blockReason` for a blocked prompt; `usageMetadata` for tokens;
`responseId` as the request id. `queries` runs every figure over it unchanged, on BigQuery and
on the emulator. Not in Vertex's log: prompt template and version, errors (failed requests are
not logged) and grounding scores (NULL); latency is `metadata.latency_ms` where present
(the emulator writes it; NULL otherwise).

`enable()` turns the logging on for a base model or an endpoint through aiplatform's
`vertexai.preview.generative_models.GenerativeModel.set_request_response_logging_config`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError, DataError, LlmopsError
from ..core.monitoring import SAFETY_COLUMNS

if TYPE_CHECKING:
    from ..core.interfaces import Warehouse
    from ..core.session import Session

REQUIRED_COLUMNS = ("logging_time", "request_id", "model", "endpoint", "full_request", "full_response", "metadata")
"""The logging table's columns the normalising query reads."""

BLOCKED_FINISH = ("SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII")
_TABLE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_-]+$")


def check_table_name(table: str | None) -> str:
    """`project.dataset.table` (a leading `bq://` is dropped); ConfigError otherwise."""
    name = (table or "").strip().removeprefix("bq://")
    if not _TABLE.match(name):
        raise ConfigError(
            f"{table!r} is not a BigQuery table name",
            fix="pass --table project.dataset.table (the request-response logging table)",
        )
    return name


def _ratings(path: str) -> str:
    return f"JSON_QUERY_ARRAY(full_response, '{path}')"


def _score(category: str, key: str) -> str:
    return (
        f"(SELECT MAX(SAFE_CAST(JSON_VALUE(r, '$.{key}') AS FLOAT64)) FROM UNNEST(ratings) AS r "
        f"WHERE JSON_VALUE(r, '$.category') = '{category}')"
    )


def relation(table: str) -> str:
    """A parenthesised GoogleSQL query over logging table `table` with the llmops log's columns
    that the monitoring figures read."""
    safety = ",\n    ".join(
        f"{_score(cat, 'probabilityScore' if col.endswith('_prob') else 'severityScore')} AS {col}"
        for col, cat in SAFETY_COLUMNS
    )
    blocked_finish = ", ".join(f"'{f}'" for f in BLOCKED_FINISH)
    return f"""(SELECT
    created, request_id, 'vertex' AS provider, model, endpoint,
    CAST(NULL AS STRING) AS prompt_template, CAST(NULL AS STRING) AS prompt_version,
    prompt, IF(blocked, '', IFNULL(text, '')) AS response,
    CHAR_LENGTH(prompt) AS prompt_chars, IF(blocked, 0, IFNULL(CHAR_LENGTH(text), 0)) AS response_chars,
    blocked, prompt_blocked, finish_reason, CAST(NULL AS STRING) AS error, latency_ms,
    prompt_tokens, output_tokens,
    (SELECT MAX(SAFE_CAST(JSON_VALUE(r, '$.probabilityScore') AS FLOAT64)) FROM UNNEST(ratings) AS r)
      AS max_safety_score,
    {safety},
    IF(blocked, 0, IFNULL(ARRAY_LENGTH(citations), 0)) AS citations_count,
    CAST(NULL AS FLOAT64) AS grounding_score
  FROM (SELECT *,
      prompt_blocked OR IFNULL(finish, '') IN ({blocked_finish})
        OR EXISTS(SELECT 1 FROM UNNEST(ratings) AS r WHERE JSON_VALUE(r, '$.blocked') = 'true') AS blocked,
      IF(has_candidate, IFNULL(finish, 'STOP'), IF(prompt_blocked, 'SAFETY', 'OTHER')) AS finish_reason
    FROM (SELECT
        logging_time AS created,
        IFNULL(JSON_VALUE(full_response, '$.responseId'), CAST(request_id AS STRING)) AS request_id,
        model, endpoint,
        JSON_VALUE(full_request, '$.contents[0].parts[0].text') AS prompt,
        JSON_VALUE(full_response, '$.candidates[0].content.parts[0].text') AS text,
        JSON_QUERY(full_response, '$.candidates[0]') IS NOT NULL AS has_candidate,
        JSON_VALUE(full_response, '$.candidates[0].finishReason') AS finish,
        JSON_VALUE(full_response, '$.promptFeedback.blockReason') IS NOT NULL AS prompt_blocked,
        IFNULL({_ratings("$.candidates[0].safetyRatings")}, {_ratings("$.promptFeedback.safetyRatings")}) AS ratings,
        {_ratings("$.candidates[0].citationMetadata.citations")} AS citations,
        SAFE_CAST(JSON_VALUE(full_response, '$.usageMetadata.promptTokenCount') AS INT64) AS prompt_tokens,
        IFNULL(SAFE_CAST(JSON_VALUE(full_response, '$.usageMetadata.candidatesTokenCount') AS INT64), 0)
          AS output_tokens,
        SAFE_CAST(JSON_VALUE(metadata, '$.latency_ms') AS FLOAT64) AS latency_ms
      FROM `{table}`
      WHERE api_method IS NULL OR api_method IN ('generateContent', 'streamGenerateContent'))))"""


def check_schema(warehouse: Warehouse, table: str) -> None:
    """DataError in one line when `table` is missing or is not a request-response logging table."""
    try:
        have = {c.lower() for c in warehouse.query(f"SELECT * FROM `{table}` LIMIT 0").column_names}
    except LlmopsError as exc:
        raise DataError(
            f"cannot read the Vertex AI logging table {table}: {str(exc).splitlines()[0]}",
            fix="check --table (project.dataset.table) and that `llmops monitor enable` was run",
        ) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in have]
    if missing:
        raise DataError(
            f"table {table} is not a Vertex AI request-response logging table (no column {missing[0]!r})",
            fix="pass the table named in the model's loggingConfig, or --source llmops for the llmops log",
        )


def enable(session: Session, model: str, table: str, sampling_rate: float = 1.0, *, enabled: bool = True) -> dict:
    """Turn Vertex AI request-response logging on (or off) for base model or endpoint `model`,
    writing to BigQuery `table`; return the config Vertex answered."""
    if session.settings.model != "vertex":
        raise ConfigError(
            f"request-response logging is a Vertex AI feature; profile {session.settings.profile!r} "
            f"uses the {session.settings.model!r} model provider",
            fix="use --profile gcp (or emulated)",
        )
    if not 0 < sampling_rate <= 1:
        raise ConfigError(f"--sampling-rate must be in (0, 1], got {sampling_rate}", fix="pass e.g. 0.1 or 1")
    name = check_table_name(table)
    from google.api_core import exceptions

    from ..backends.gcp.clients import aiplatform_init, gcp_settings

    project = aiplatform_init(session.settings)
    from vertexai.preview.generative_models import GenerativeModel

    target = model.strip().removeprefix("publishers/google/models/")
    if target.startswith("endpoints/"):
        target = f"projects/{project}/locations/{gcp_settings(session.settings).location}/{target}"
    try:
        result = GenerativeModel(target).set_request_response_logging_config(
            enabled=enabled, sampling_rate=sampling_rate, bigquery_destination=f"bq://{name}"
        )
    except exceptions.GoogleAPICallError as exc:
        raise ConfigError(
            f"Vertex AI refused the logging config for {model}: {exc.message}",
            fix="check the model or endpoint name and the table",
        ) from None
    config: Any = getattr(result, "logging_config", None) or getattr(
        result, "predict_request_response_logging_config", None
    )
    return {
        "model": model,
        "enabled": bool(config.enabled) if config is not None else enabled,
        "sampling_rate": float(config.sampling_rate) if config is not None else sampling_rate,
        "table": name,
    }
