"""Vertex AI batch prediction (`batchPredictionJobs`: create, get, list, `:cancel`, delete) of
Gemini requests on the emulated model.

Input: Cloud Storage JSONL, one `{"request": <GenerateContentRequest>, ...}` per line, or a
BigQuery table with a `request` column (JSON or STRING). Output, in Vertex's layout for Gemini
models: `{outputUriPrefix}/prediction-model-{create time}/predictions.jsonl`, each line the input
line plus `status` (empty on success, else `Bad Request: {error}`), `processed_time` and
`response`; or a BigQuery table of the input columns plus `response` (JSON), `status` and
`processed_time`. A job runs in a background thread; a GET of a running job waits for it (up
to `WAIT_SECONDS`) so clients see it end on their first poll.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.errors import LlmopsError, NotFoundError
from ...core.workspace import atomic_write_text
from ..server.errors import ApiError, bad_request, from_exception, not_found, required
from ..server.http import read_json
from .endpoints import failed_precondition
from .engine.base_model import canonical_base
from .engine.model_registry import now_rfc3339
from .features import prepare
from .generate import gemini_request, reject_unknown_verb
from .operations import EMPTY, Operations, any_type, version_of
from .resources import TERMINAL_JOB_STATES, model_id

if TYPE_CHECKING:
    from .routes import VertexHandlers

WAIT_SECONDS = 120.0
ENDED = TERMINAL_JOB_STATES | {"JOB_STATE_EXPIRED"}
_BQ = re.compile(r"^bq://([A-Za-z0-9_:-]+)\.([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_$-]+))?$")


def _gs(uri: Any, where: str) -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("gs://") or "/" not in uri[5:].strip("/"):
        if isinstance(uri, str) and uri.startswith("gs://") and uri[5:].strip("/"):
            return uri[5:].strip("/"), ""
        raise bad_request(f"Invalid Cloud Storage URI {uri!r}: expected gs://bucket/path", location=where)
    bucket, _, name = uri[5:].partition("/")
    return bucket, name


def _bq(uri: Any, where: str, *, table: bool) -> tuple[str, str, str | None]:
    found = _BQ.match(uri) if isinstance(uri, str) else None
    if found is None or (table and not found.group(3)):
        shape = "bq://project.dataset.table" if table else "bq://project.dataset[.table]"
        raise bad_request(f"Invalid BigQuery URI {uri!r}: expected {shape}", location=where)
    return found.group(1), found.group(2), found.group(3)


def _get(d: dict[str, Any], camel: str, snake: str) -> Any:
    return d.get(camel, d.get(snake))


def generate_content(handlers: VertexHandlers, model: str, body: dict[str, Any], version: str) -> dict[str, Any]:
    """What `generateContent` answers `body` with, called in process."""
    cached = handlers.caches.for_request(body["cachedContent"]) if body.get("cachedContent") else None
    body, feats = prepare(body, model, cached)
    prompt, gen, safety, count = gemini_request(body)
    preds = handlers._predict_n(prompt, model, gen, safety, count)
    return feats.response(preds, version, gen.max_output_tokens)


def _status_text(err: ApiError) -> str:
    return f"{HTTPStatus(err.code).phrase}: {json.dumps(err.body())}"


class BatchJobs:
    """The batch prediction jobs of one emulator."""

    def __init__(self, handlers: VertexHandlers):
        self.handlers = handlers
        data = handlers.state.data_dir / "vertex"
        self.root: Path = data / "batchPredictionJobs"
        self.operations = Operations(data / "operations")
        self._threads: dict[str, threading.Thread] = {}
        self._cancel: set[str] = set()
        self._lock = threading.Lock()

    # --- the emulator's other APIs ---------------------------------------------------------
    @property
    def storage(self) -> Any:
        return self.handlers.state.storage

    def _bigquery(self) -> tuple[Any, Any]:
        from ..bigquery.api import BigQueryApi

        api = self.handlers.state.emulator.api(BigQueryApi)
        return api.bigquery, getattr(api, "bigquery_lock", threading.RLock())

    # --- records -------------------------------------------------------------------------------
    def _path(self, ident: str) -> Path:
        return self.root / f"{ident}.json"

    def load(self, ident: str, prefix: str) -> dict[str, Any]:
        path = self._path(ident)
        if not ident.isdigit() or not path.is_file():
            raise not_found(f"BatchPredictionJob `{prefix}/batchPredictionJobs/{ident}` not found.")
        return json.loads(path.read_text(encoding="utf-8"))

    def _save(self, job: dict[str, Any]) -> None:
        job["updateTime"] = now_rfc3339()
        atomic_write_text(self._path(job["name"].rsplit("/", 1)[-1]), json.dumps(job))

    # --- create ------------------------------------------------------------------------------
    def _model(self, ref: Any, prefix: str) -> tuple[str, str]:
        """(the model service's name, the `modelVersion` answered) for the job's `model`."""
        if not isinstance(ref, str) or not ref.strip():
            raise required("batch_prediction_job.model")
        short = re.sub(r"^projects/[^/]+/locations/[^/]+/", "", ref.strip())
        if short.startswith("publishers/google/models/") or "/" not in short:
            name = short.removeprefix("publishers/google/models/")
            if canonical_base(name) is None:
                raise not_found(f"Publisher Model `{prefix}/publishers/google/models/{name}` was not found.")
            return f"publishers/google/models/{name}", name
        if short.startswith("models/"):
            try:
                m = self.handlers.service.get_tuned_model(short.split("@", 1)[0])
            except NotFoundError:
                raise not_found(f"Model {prefix}/{short} does not exist.") from None
            return m.name, f"{prefix}/models/{model_id(m.name)}@1"
        raise bad_request(
            f"Invalid model {ref!r}: expected publishers/google/models/MODEL or {prefix}/models/ID",
            location="batch_prediction_job.model",
        )

    def _check_source(self, config: dict[str, Any]) -> dict[str, Any]:
        fmt = _get(config, "instancesFormat", "instances_format")
        gcs = _get(config, "gcsSource", "gcs_source")
        bq = _get(config, "bigquerySource", "bigquery_source")
        if fmt == "jsonl" and isinstance(gcs, dict):
            uris = gcs.get("uris")
            if not isinstance(uris, list) or not uris:
                raise required("input_config.gcs_source.uris")
            for uri in uris:
                bucket, name = _gs(uri, "input_config.gcs_source.uris")
                if not name or not self.storage.exists(bucket, name):
                    raise bad_request(
                        f"Input file {uri} does not exist; upload it first", location="input_config.gcs_source.uris"
                    )
            return {"kind": "gcs", "uris": uris}
        if fmt == "bigquery" and isinstance(bq, dict):
            uri = _get(bq, "inputUri", "input_uri")
            project, dataset, table = _bq(uri, "input_config.bigquery_source.input_uri", table=True)
            engine, lock = self._bigquery()
            try:
                with lock:
                    schema = engine.get_table(project, dataset, table).get("schema", {})
            except LlmopsError:
                raise bad_request(
                    f"Input table {uri} does not exist", location="input_config.bigquery_source.input_uri"
                ) from None
            fields = schema.get("fields", schema) if isinstance(schema, dict) else schema
            if "request" not in {f.get("name") for f in fields or []}:
                raise bad_request(
                    f"Input table {uri} has no `request` column (JSON or STRING)",
                    location="input_config.bigquery_source.input_uri",
                )
            return {"kind": "bigquery", "project": project, "dataset": dataset, "table": table}
        raise bad_request(
            "input_config needs instances_format `jsonl` with gcs_source, or `bigquery` with bigquery_source",
            location="input_config",
        )

    def _check_destination(self, config: dict[str, Any], stamp: str) -> dict[str, Any]:
        fmt = _get(config, "predictionsFormat", "predictions_format")
        gcs = _get(config, "gcsDestination", "gcs_destination")
        bq = _get(config, "bigqueryDestination", "bigquery_destination")
        if fmt == "jsonl" and isinstance(gcs, dict):
            prefix = _get(gcs, "outputUriPrefix", "output_uri_prefix")
            bucket, name = _gs(prefix, "output_config.gcs_destination.output_uri_prefix")
            if not self.storage.bucket_exists(bucket):
                raise bad_request(
                    f"Output bucket gs://{bucket} does not exist; create it first",
                    location="output_config.gcs_destination.output_uri_prefix",
                )
            folder = "/".join(p for p in (name.strip("/"), f"prediction-model-{stamp}") if p)
            return {"kind": "gcs", "bucket": bucket, "folder": folder}
        if fmt == "bigquery" and isinstance(bq, dict):
            uri = _get(bq, "outputUri", "output_uri")
            project, dataset, table = _bq(uri, "output_config.bigquery_destination.output_uri", table=False)
            engine, lock = self._bigquery()
            with lock:
                try:
                    engine.get_dataset(project, dataset)
                except LlmopsError:
                    raise bad_request(
                        f"Output dataset bq://{project}.{dataset} does not exist; create it first",
                        location="output_config.bigquery_destination.output_uri",
                    ) from None
                table = table or f"predictions_{re.sub(r'[^0-9]', '', stamp)[:14]}"
                try:
                    engine.get_table(project, dataset, table)
                except LlmopsError:
                    pass
                else:
                    raise bad_request(
                        f"Output table bq://{project}.{dataset}.{table} already exists; name a new table",
                        location="output_config.bigquery_destination.output_uri",
                    )
            return {"kind": "bigquery", "project": project, "dataset": dataset, "table": table}
        raise bad_request(
            "output_config needs predictions_format `jsonl` with gcs_destination, or `bigquery` with "
            "bigquery_destination",
            location="output_config",
        )

    def create(self, body: dict[str, Any], prefix: str) -> dict[str, Any]:
        model, version = self._model(body.get("model"), prefix)
        display = _get(body, "displayName", "display_name")
        if not isinstance(display, str) or not display.strip():
            raise required("batch_prediction_job.display_name")
        source_cfg = _get(body, "inputConfig", "input_config")
        dest_cfg = _get(body, "outputConfig", "output_config")
        if not isinstance(source_cfg, dict):
            raise required("batch_prediction_job.input_config")
        if not isinstance(dest_cfg, dict):
            raise required("batch_prediction_job.output_config")
        stamp = now_rfc3339()
        source = self._check_source(source_cfg)
        dest = self._check_destination(dest_cfg, stamp)
        ident = str(10**17 + secrets.randbelow(9 * 10**17))
        job: dict[str, Any] = {
            "name": f"{prefix}/batchPredictionJobs/{ident}",
            "displayName": display,
            "model": body["model"],
            "inputConfig": source_cfg,
            "outputConfig": dest_cfg,
            "state": "JOB_STATE_PENDING",
            "createTime": stamp,
            "updateTime": stamp,
            "_run": {"model": model, "version": version, "source": source, "dest": dest},
        }
        if body.get("labels"):
            job["labels"] = body["labels"]
        self._save(job)
        thread = threading.Thread(target=self._run, args=(ident,), name=f"batch-{ident}", daemon=True)
        with self._lock:
            self._threads[ident] = thread
        thread.start()
        return job

    # --- run -------------------------------------------------------------------------------------
    def _read_rows(self, source: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
        """The input rows (each a dict with `request`) and, for BigQuery, the table's schema."""
        if source["kind"] == "gcs":
            rows = []
            for uri in source["uris"]:
                bucket, name = _gs(uri, "input_config")
                for line in self.storage.read_bytes(bucket, name).decode("utf-8", "replace").splitlines():
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                    except ValueError:
                        row = {"_unparsed": line}
                    rows.append(row if isinstance(row, dict) else {"_unparsed": line})
            return rows, None
        engine, lock = self._bigquery()
        with lock:
            result = engine.query(f"SELECT * FROM `{source['project']}.{source['dataset']}.{source['table']}`")
        return result.table.to_pylist(), list(result.schema)

    def _answer(self, run: dict[str, Any], row: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        request = row.get("request")
        if isinstance(request, str):
            try:
                request = json.loads(request)
            except ValueError:
                request = None
        try:
            if not isinstance(request, dict):
                raise bad_request("Each input row needs a `request` holding a GenerateContentRequest object")
            return generate_content(self.handlers, run["model"], request, run["version"]), ""
        except Exception as exc:  # each row's failure is its own `status`, as on Vertex
            err = from_exception(exc)
            if err.code >= 500:
                raise
            return None, _status_text(err)

    def _run(self, ident: str) -> None:
        job = json.loads(self._path(ident).read_text(encoding="utf-8"))
        run = job["_run"]
        job["state"], job["startTime"] = "JOB_STATE_RUNNING", now_rfc3339()
        self._save(job)
        ok = failed = total = 0
        out: list[dict[str, Any]] = []
        try:
            rows, schema = self._read_rows(run["source"])
            total = len(rows)
            for i, row in enumerate(rows):
                if i % 256 == 0 and ident in self._cancel:
                    break
                response, status = self._answer(run, row)
                line = {k: v for k, v in row.items() if k not in ("response", "status", "processed_time")}
                line.update(status=status, processed_time=datetime.now(UTC).isoformat(timespec="milliseconds"))
                if response is not None:
                    line["response"] = response
                    ok += 1
                else:
                    failed += 1
                out.append(line)
            cancelled = ident in self._cancel
            self._write(run["dest"], out, schema)
            job["outputInfo"] = self._output_info(run["dest"])
            job["state"] = "JOB_STATE_CANCELLED" if cancelled else "JOB_STATE_SUCCEEDED"
        except Exception as exc:
            err = from_exception(exc)
            job["state"] = "JOB_STATE_FAILED"
            job["error"] = {"code": 13 if err.code >= 500 else 3, "message": err.message}
        stats = {"successfulCount": str(ok), "failedCount": str(failed)}
        if job["state"] == "JOB_STATE_CANCELLED":
            stats["incompleteCount"] = str(total - len(out))
        job["completionStats"] = stats
        job["endTime"] = now_rfc3339()
        self._save(job)
        with self._lock:
            self._threads.pop(ident, None)
            self._cancel.discard(ident)

    def _write(self, dest: dict[str, Any], lines: list[dict[str, Any]], schema: list[dict[str, Any]] | None) -> None:
        if dest["kind"] == "gcs":
            data = "".join(json.dumps(line, default=str) + "\n" for line in lines).encode()
            self.storage.put_bytes(dest["bucket"], f"{dest['folder']}/predictions.jsonl", data)
            return
        import pyarrow as pa

        fields = [f for f in (schema or []) if f.get("name") not in ("response", "status", "processed_time")]
        fields = [
            {**f, "type": "JSON"} if f.get("name") == "request" and f.get("type") == "STRING" else f for f in fields
        ]
        out_schema = [
            *fields,
            {"name": "status", "type": "STRING", "mode": "NULLABLE"},
            {"name": "processed_time", "type": "TIMESTAMP", "mode": "NULLABLE"},
            {"name": "response", "type": "JSON", "mode": "NULLABLE"},
        ]
        columns: dict[str, list[Any]] = {f["name"]: [] for f in out_schema}
        for line in lines:
            for f in out_schema:
                value = line.get(f["name"])
                if f["type"] == "JSON" and value is not None and not isinstance(value, str):
                    value = json.dumps(value)
                if f["name"] == "processed_time" and value is not None:
                    value = datetime.fromisoformat(value)
                columns[f["name"]].append(value)
        arrays = {}
        for f in out_schema:
            if f["name"] == "processed_time":
                arrays[f["name"]] = pa.array(columns[f["name"]], type=pa.timestamp("us", tz="UTC"))
            elif f["type"] in ("JSON", "STRING"):
                arrays[f["name"]] = pa.array(columns[f["name"]], type=pa.string())
            else:
                arrays[f["name"]] = pa.array(columns[f["name"]])
        engine, lock = self._bigquery()
        with lock:
            engine.load_table(dest["project"], dest["dataset"], dest["table"], pa.table(arrays), schema=out_schema)

    @staticmethod
    def _output_info(dest: dict[str, Any]) -> dict[str, Any]:
        if dest["kind"] == "gcs":
            return {"gcsOutputDirectory": f"gs://{dest['bucket']}/{dest['folder']}"}
        return {
            "bigqueryOutputDataset": f"bq://{dest['project']}.{dest['dataset']}",
            "bigqueryOutputTable": dest["table"],
        }

    # --- routes ----------------------------------------------------------------------------
    @staticmethod
    def public(job: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in job.items() if not k.startswith("_")}

    def _wait(self, ident: str) -> None:
        with self._lock:
            thread = self._threads.get(ident)
        if thread is not None:
            thread.join(WAIT_SECONDS)

    async def jobs(self, request: Request, project: str, location: str) -> Response:
        prefix = f"projects/{project}/locations/{location}"
        if request.method == "POST":
            body = await read_json(request)
            return JSONResponse(self.public(await run_in_threadpool(self.create, body, prefix)))
        if (request.query_params.get("filter") or "").strip():
            raise bad_request("The emulator lists batch prediction jobs without a filter", location="filter")

        def build() -> list[dict[str, Any]]:
            found = [json.loads(p.read_text(encoding="utf-8")) for p in self.root.glob("*.json")]
            found.sort(key=lambda j: j["createTime"], reverse=True)
            return [{**self.public(j), "name": f"{prefix}/batchPredictionJobs/{model_id(j['name'])}"} for j in found]

        from ..server.http import page_of

        return JSONResponse(
            page_of(request, await run_in_threadpool(build) if self.root.is_dir() else [], "batchPredictionJobs")
        )

    async def job(self, request: Request, project: str, location: str, job: str) -> Response:
        prefix = f"projects/{project}/locations/{location}"
        ident, sep, verb = job.partition(":")
        if request.method == "POST" and verb != "cancel":
            raise reject_unknown_verb(verb or "(none)", ("cancel",))
        if request.method == "GET" and sep:
            raise reject_unknown_verb(verb, ())
        found = await run_in_threadpool(self.load, ident, prefix)
        if request.method == "POST":
            if found["state"] in ENDED:
                raise failed_precondition(
                    f"BatchPredictionJob {prefix}/batchPredictionJobs/{ident} is in state {found['state']} "
                    "and cannot be cancelled."
                )
            with self._lock:
                self._cancel.add(ident)
            return JSONResponse({})
        await run_in_threadpool(self._wait, ident)
        found = await run_in_threadpool(self.load, ident, prefix)
        if request.method == "DELETE":
            if found["state"] not in ENDED:
                raise failed_precondition(
                    f"BatchPredictionJob {prefix}/batchPredictionJobs/{ident} is still running; cancel it first."
                )
            self._path(ident).unlink(missing_ok=True)
            op = self.operations.finish(
                prefix,
                response_type=EMPTY,
                metadata_type=any_type(version_of(request.url.path), "DeleteOperationMetadata"),
            )
            return JSONResponse(op)
        return JSONResponse({**self.public(found), "name": f"{prefix}/batchPredictionJobs/{ident}"})
