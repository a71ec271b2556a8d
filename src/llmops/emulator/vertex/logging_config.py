"""Vertex AI request-response logging in the emulator.

- `POST {loc}/publishers/google/models/{m}:setPublisherModelConfig` (v1beta1) stores
  `publisherModelConfig.loggingConfig` and answers a finished Operation whose `response` is the
  PublisherModelConfig; `GET ...:fetchPublisherModelConfig` reads it back.
- `PATCH {loc}/endpoints/{id}?updateMask=predictRequestResponseLoggingConfig` sets an endpoint's
  config and answers the Endpoint; the endpoint's GET shows it.

While a config is enabled, every sampled `generateContent` / `streamGenerateContent` of that
model or endpoint is written to `bigqueryDestination.outputUri` (`bq://project.dataset.table`)
in the emulator's BigQuery, one row per exchange in Vertex's logging table layout (LOG_SCHEMA;
Google documents the column names but not every key inside `metadata`, see below). The table
is created when the config is set; an existing table must have LOG_SCHEMA's columns.

Sampling is deterministic: with rate r, the n-th request is logged when floor(n*r) grows, so
exactly a fraction r of the requests is logged. `metadata` holds `{"latency_ms": ...}` (the
emulated model's time; an emulator choice, Vertex's own keys are not documented).
"""

from __future__ import annotations

import json
import math
import re
import secrets
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..server.errors import ApiError, bad_request, required
from ..server.http import read_json

if TYPE_CHECKING:
    from ...core.types import Prediction
    from ..server.routing import Handler
    from .api import VertexApi

LOG_SCHEMA: list[dict[str, str]] = [
    {"name": "endpoint", "type": "STRING", "mode": "NULLABLE"},
    {"name": "deployed_model_id", "type": "STRING", "mode": "NULLABLE"},
    {"name": "logging_time", "type": "TIMESTAMP", "mode": "NULLABLE"},
    {"name": "request_id", "type": "NUMERIC", "mode": "NULLABLE"},
    {"name": "request_payload", "type": "STRING", "mode": "REPEATED"},
    {"name": "response_payload", "type": "STRING", "mode": "REPEATED"},
    {"name": "model", "type": "STRING", "mode": "NULLABLE"},
    {"name": "model_version", "type": "STRING", "mode": "NULLABLE"},
    {"name": "api_method", "type": "STRING", "mode": "NULLABLE"},
    {"name": "full_request", "type": "JSON", "mode": "NULLABLE"},
    {"name": "full_response", "type": "JSON", "mode": "NULLABLE"},
    {"name": "metadata", "type": "JSON", "mode": "NULLABLE"},
    {"name": "otel_log", "type": "JSON", "mode": "NULLABLE"},
]
"""The request-response logging table (schema v1, Gemini columns included)."""

CONFIG_TYPE = "type.googleapis.com/google.cloud.aiplatform.v1beta1.PublisherModelConfig"
LOGGED_VERBS = ("generateContent", "streamGenerateContent")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_LOC = re.compile(r"/projects/([^/]+)/locations/([^/]+)/")


def _get(d: dict[str, Any], camel: str, snake: str) -> Any:
    return d.get(camel, d.get(snake))


def parse_destination(uri: Any, where: str) -> tuple[str, str, str]:
    """`bq://project.dataset.table` -> (project, dataset, table); `bq://project.dataset` logs
    to table `request_response_logging`. 400 naming `where` otherwise."""
    if not isinstance(uri, str) or not uri.startswith("bq://"):
        raise bad_request(f"Invalid {where}: {uri!r}; expected bq://PROJECT.DATASET.TABLE", location=where)
    parts = uri[len("bq://") :].split(".")
    if len(parts) == 2:
        parts.append("request_response_logging")
    if len(parts) != 3 or not all(_NAME.match(p) for p in parts):
        raise bad_request(f"Invalid {where}: {uri!r}; expected bq://PROJECT.DATASET.TABLE", location=where)
    return parts[0], parts[1], parts[2]


def normalise_config(raw: Any, where: str) -> dict[str, Any]:
    """A PredictRequestResponseLoggingConfig as the API answers it (camelCase, defaults
    dropped); 400 for a bad rate or destination."""
    if not isinstance(raw, dict):
        raise bad_request(f"{where} must be an object", location=where)
    enabled = bool(raw.get("enabled", False))
    rate = raw.get("samplingRate", raw.get("sampling_rate", 0.0))
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise bad_request(
            f"Invalid {where}.samplingRate {rate!r}: expected a fraction in (0, 1]", location=f"{where}.samplingRate"
        )
    if enabled and rate == 0:
        raise bad_request(
            f"{where}.samplingRate must be above 0 when logging is enabled", location=f"{where}.samplingRate"
        )
    dest = _get(raw, "bigqueryDestination", "bigquery_destination") or {}
    uri = _get(dest, "outputUri", "output_uri") if isinstance(dest, dict) else None
    out: dict[str, Any] = {"enabled": enabled} if enabled else {}
    if rate:
        out["samplingRate"] = float(rate)
    if uri or enabled:
        parse_destination(uri, f"{where}.bigqueryDestination.outputUri")
        out["bigqueryDestination"] = {"outputUri": uri}
    if _get(raw, "enableOtelLogging", "enable_otel_logging"):
        out["enableOtelLogging"] = True
    out["requestResponseLoggingSchemaVersion"] = "v1"
    return out


def _texts(content: Any) -> list[str]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return [p["text"] for p in parts or [] if isinstance(p, dict) and isinstance(p.get("text"), str)]


def merge_stream(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """`streamGenerateContent` chunks as one GenerateContentResponse (texts joined, the last
    chunk's finish reason, ratings and usage)."""
    if not chunks:
        return {}
    out = json.loads(json.dumps(chunks[-1]))
    text = "".join(t for c in chunks for cand in (c.get("candidates") or [])[:1] for t in _texts(cand.get("content")))
    cands = out.get("candidates") or []
    if cands:
        cands[0]["content"] = {"role": "model", "parts": [{"text": text}]}
    return out


class RequestResponseLogging:
    """The logging configs of one emulator (kept in `<data>/vertex/request-response-logging.json`)
    and the writer of the logging rows."""

    def __init__(self, api: VertexApi):
        self.api = api
        self.path = api.data_dir / "vertex" / "request-response-logging.json"
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        try:
            self._configs: dict[str, dict[str, Any]] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self._configs = {}

    # --- configs ----------------------------------------------------------------------------
    def get(self, resource: str) -> dict[str, Any] | None:
        return self._configs.get(resource)

    def set(self, resource: str, config: dict[str, Any]) -> None:
        """Store `config` for `resource`, creating its table first when logging is enabled."""
        if config.get("enabled"):
            self._ensure_table(*parse_destination(config["bigqueryDestination"]["outputUri"], "outputUri"))
        with self._lock:
            self._configs[resource] = config
            self._seen.pop(resource, None)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self._configs, indent=1), encoding="utf-8")
            tmp.replace(self.path)

    def _bigquery(self) -> Any:
        from ..bigquery.api import BigQueryApi

        return self.api.emulator.api(BigQueryApi)

    def _ensure_table(self, project: str, dataset: str, table: str) -> None:
        from ..bigquery.engine import BigQueryNotFound

        bq = self._bigquery()
        with self._lock:  # two first requests must not both create the table
            engine = bq.bigquery
            engine.create_dataset(project, dataset, exists_ok=True)
            try:
                have = {f["name"].lower() for f in engine.get_table(project, dataset, table)["schema"]}
            except BigQueryNotFound:
                engine.create_table(project, dataset, table, LOG_SCHEMA)
                return
        missing = [f["name"] for f in LOG_SCHEMA if f["name"] not in have]
        if missing:
            raise ApiError(
                400,
                f"Table {project}.{dataset}.{table} exists without the request-response logging column "
                f"{missing[0]!r}; choose a new table or drop this one",
                status="FAILED_PRECONDITION",
            )

    def _sampled(self, resource: str, rate: float) -> bool:
        with self._lock:
            n = self._seen.get(resource, 0)
            self._seen[resource] = n + 1
        return math.floor((n + 1) * rate + 1e-9) > math.floor(n * rate + 1e-9)

    # --- the hook in the generate path ------------------------------------------------------
    async def record(
        self,
        request: Request,
        model: str,
        verb: str,
        body: dict[str, Any],
        response: dict[str, Any] | list[dict[str, Any]],
        preds: list[Prediction],
    ) -> None:
        """Log one exchange if its model or endpoint has logging enabled and it is sampled."""
        if not self._configs or verb not in LOGGED_VERBS:
            return
        m = _LOC.search(request.url.path)
        if m is None:
            return
        resource = f"projects/{m.group(1)}/locations/{m.group(2)}/{model}"
        config = self._configs.get(resource)
        if not config or not config.get("enabled") or not self._sampled(resource, config.get("samplingRate", 0)):
            return
        full = merge_stream(response) if isinstance(response, list) else response
        row = self._row(resource, model, verb, body, full, preds)
        project, dataset, table = parse_destination(config["bigqueryDestination"]["outputUri"], "outputUri")

        def insert() -> None:
            self._bigquery().bigquery.insert_rows(project, dataset, table, [row])

        await run_in_threadpool(insert)

    @staticmethod
    def _row(
        resource: str, model: str, verb: str, body: dict[str, Any], full: dict[str, Any], preds: list[Prediction]
    ) -> dict[str, Any]:
        name = model.rsplit("/", 1)[-1]
        short, _, version = name.partition("@")
        contents = body.get("contents") or []
        cands = full.get("candidates") or []
        endpoint = resource if "/endpoints/" in resource else None
        return {
            "endpoint": endpoint,
            "deployed_model_id": name if endpoint else None,
            "logging_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "request_id": str(secrets.randbits(62)),
            "request_payload": [t for c in contents for t in _texts(c)],
            "response_payload": [t for c in cands[:1] for t in _texts(c.get("content"))],
            "model": name if not endpoint else full.get("modelVersion", name),
            "model_version": version or "default",
            "api_method": verb,
            "full_request": body,
            "full_response": full,
            "metadata": {"latency_ms": round(max((p.latency_ms for p in preds), default=0.0), 3)},
            "otel_log": None,
        }

    # --- routes -----------------------------------------------------------------------------
    def publisher_routes(self, inner: Handler) -> Handler:
        """`inner` (the publisher model handler) with `:setPublisherModelConfig` and
        `:fetchPublisherModelConfig` answered here."""

        async def handle(request: Request, project: str, location: str, publisher: str, model: str) -> Response:
            name, _, verb = model.partition(":")
            if verb == "setPublisherModelConfig" and request.method == "POST":
                return await self._set_publisher(request, project, location, publisher, name)
            if verb == "fetchPublisherModelConfig" and request.method == "GET":
                resource = f"projects/{project}/locations/{location}/publishers/{publisher}/models/{name}"
                config = self.get(resource)
                return JSONResponse({"loggingConfig": config} if config else {})
            return await inner(request, project, location, publisher, model)

        return handle

    async def _set_publisher(
        self, request: Request, project: str, location: str, publisher: str, name: str
    ) -> Response:
        body = await read_json(request)
        pmc = _get(body, "publisherModelConfig", "publisher_model_config")
        if not isinstance(pmc, dict):
            raise bad_request("publisherModelConfig is required", location="publisherModelConfig")
        config = normalise_config(
            _get(pmc, "loggingConfig", "logging_config") or {}, "publisherModelConfig.loggingConfig"
        )
        resource = f"projects/{project}/locations/{location}/publishers/{publisher}/models/{name}"
        await run_in_threadpool(self.set, resource, config)
        op = f"{resource}/operations/{secrets.randbits(60)}"
        return JSONResponse(
            {
                "name": op,
                "metadata": {
                    "@type": "type.googleapis.com/google.cloud.aiplatform.v1beta1.SetPublisherModelConfigOperationMetadata"
                },
                "done": True,
                "response": {"@type": CONFIG_TYPE, "loggingConfig": config},
            }
        )

    def endpoint_routes(self, inner: Handler) -> Handler:
        """`inner` (the endpoint handler) with PATCH of `predictRequestResponseLoggingConfig`
        answered here, and the config added to the endpoint's GET."""

        async def handle(request: Request, project: str, location: str, endpoint: str) -> Response:
            resource = f"projects/{project}/locations/{location}/endpoints/{endpoint}"
            if request.method == "PATCH":
                mask = request.query_params.get("updateMask", request.query_params.get("update_mask", ""))
                paths = {p.strip() for p in mask.split(",") if p.strip()}
                allowed = {"predictRequestResponseLoggingConfig", "predict_request_response_logging_config"}
                if paths - allowed:  # the endpoint's own fields: its handler updates them
                    response = await inner(request, project, location, endpoint)
                    if paths & allowed:
                        raw = _get(
                            await read_json(request),
                            "predictRequestResponseLoggingConfig",
                            "predict_request_response_logging_config",
                        )
                        new = normalise_config(raw or {}, "predictRequestResponseLoggingConfig")
                        await run_in_threadpool(self.set, resource, new)
                    config = self.get(resource)
                    if not config:
                        return response
                    return JSONResponse(
                        {**json.loads(bytes(response.body)), "predictRequestResponseLoggingConfig": config}
                    )
                if not paths:
                    raise required("update_mask")
                body = await read_json(request)
                raw = _get(body, "predictRequestResponseLoggingConfig", "predict_request_response_logging_config")
                new = normalise_config(raw or {}, "predictRequestResponseLoggingConfig")
                current = await inner(_Get(request), project, location, endpoint)  # 404 when there is none
                await run_in_threadpool(self.set, resource, new)
                return JSONResponse({**json.loads(bytes(current.body)), "predictRequestResponseLoggingConfig": new})
            response = await inner(request, project, location, endpoint)
            config = self.get(resource)
            if request.method != "GET" or ":" in endpoint or not config:
                return response
            return JSONResponse({**json.loads(bytes(response.body)), "predictRequestResponseLoggingConfig": config})

        return handle


class _Get:
    """The PATCH request seen as a GET of the same endpoint (to reuse the endpoint handler)."""

    method = "GET"

    def __init__(self, request: Request):
        self.url = request.url
        self.query_params = request.query_params
        self.headers = request.headers
