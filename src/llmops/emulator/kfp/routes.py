"""Kubeflow Pipelines v2beta1 REST (`/apis/v2beta1/...`), as `kfp.Client(host=...)` calls it:
healthz, experiments (create, get, list with a display-name filter), runs (create with an
inlined spec or an uploaded pipeline, get, list, `:terminate`) and pipelines (upload, get,
list). Runs go to kfp's local runner through `pipeline_jobs.PipelineJobs`, like Vertex AI
pipeline jobs. JSON is snake_case throughout: the kfp client silently ignores camelCase keys.

Experiments and uploaded pipelines are kept under `<data>/kfp/`.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from ...core.errors import NotFoundError
from ...core.types import PipelineRun
from ...core.workspace import atomic_write_text
from ..server import safe_yaml
from ..server.errors import ApiError, bad_request, not_found
from ..server.http import parse_json, read_body, read_json
from ..server.routing import SegmentRouter
from .jobs import TERMINAL, caching_enabled, failure_message

if TYPE_CHECKING:
    from .api import KfpApi

_RUN_STATE = {
    "PENDING": "PENDING",
    "RUNNING": "RUNNING",
    "SUCCEEDED": "SUCCEEDED",
    "FAILED": "FAILED",
    "CANCELLED": "CANCELED",
    "SKIPPED": "SKIPPED",
}
_MAX_PIPELINE_BYTES = 20 * 1024 * 1024


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _object(body: dict[str, Any], key: str, where: str | None = None) -> dict[str, Any]:
    """`body[key]` when it is a JSON object, {} when absent; 400 for any other type."""
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"{where or key} must be a JSON object", location=where or key)
    return value


def _filter_display_name(raw: str | None) -> str | None:
    """The display name of a kfp `filter` (`{"predicates": [{"key": "display_name", ...}]}`)."""
    if not raw:
        return None
    data = parse_json(raw.encode("utf-8", "surrogatepass"), what="filter")
    predicates = data.get("predicates") if isinstance(data, dict) else None
    for pred in predicates if isinstance(predicates, list) else []:
        if isinstance(pred, dict) and pred.get("key") in ("display_name", "name"):
            value = pred.get("string_value", pred.get("stringValue"))
            return value if isinstance(value, str) else None
    return None


class KfpHandlers:
    """The Kubeflow Pipelines routes of one emulator."""

    def __init__(self, state: KfpApi):
        self.state = state
        self.root = state.data_dir / "kfp"
        self._lock = threading.Lock()

    # --- storage of experiments and pipelines -----------------------------------------------
    def _load(self, name: str) -> dict[str, Any]:
        path = self.root / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def _save(self, name: str, data: dict[str, Any]) -> None:
        atomic_write_text(self.root / f"{name}.json", json.dumps(data, indent=1))

    # --- handlers ----------------------------------------------------------------------------
    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"multi_user": False, "commit_sha": "llmops-emulator", "tag_name": "2.17"})

    async def experiments(self, request: Request) -> Response:
        if request.method == "POST":
            body = await read_json(request)
            name = body.get("display_name")
            if not isinstance(name, str) or not name:
                raise bad_request("display_name is required")
            for key in ("namespace", "description"):
                if not isinstance(body.get(key) or "", str):
                    raise bad_request(f"{key} must be a string", location=key)

            def create() -> dict[str, Any]:
                with self._lock:
                    all_ = self._load("experiments")
                    if any(e["display_name"] == name for e in all_.values()):
                        raise ApiError(409, f"Experiment {name!r} already exists", "duplicate")
                    exp = {
                        "experiment_id": str(uuid.uuid4()),
                        "display_name": name,
                        "namespace": body.get("namespace") or "",
                        "description": body.get("description") or "",
                        "created_at": _now(),
                        "storage_state": "AVAILABLE",
                    }
                    all_[exp["experiment_id"]] = exp
                    self._save("experiments", all_)
                    return exp

            return JSONResponse(await run_in_threadpool(create))
        wanted = _filter_display_name(request.query_params.get("filter"))
        items = [e for e in self._load("experiments").values() if wanted is None or e["display_name"] == wanted]
        return JSONResponse({"experiments": items, "total_size": len(items)} if items else {})

    async def experiment(self, request: Request, experiment_id: str) -> Response:
        exp = self._load("experiments").get(experiment_id)
        if exp is None:
            raise not_found(f"Experiment {experiment_id} not found")
        return JSONResponse(exp)

    def _run_resource(self, run: PipelineRun, meta: dict[str, Any], with_spec: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "run_id": run.run_id,
            "display_name": meta.get("display_name") or run.run_id,
            "experiment_id": meta.get("experiment_id") or "",
            "state": _RUN_STATE.get(run.state, "PENDING"),
            "storage_state": "AVAILABLE",
            "created_at": run.created,
            "scheduled_at": run.created,
            "runtime_config": meta.get("runtime_config") or {},
            "run_details": {
                "task_details": [
                    {
                        "run_id": run.run_id,
                        "task_id": f"{run.run_id}-{i}",
                        "display_name": t.name,
                        "create_time": run.created,
                        "state": _RUN_STATE.get(t.state, "PENDING"),
                        **(
                            {"error": {"code": 9, "message": (t.log_tail or "the task failed")[-2000:]}}
                            if t.state == "FAILED"
                            else {}
                        ),
                    }
                    for i, t in enumerate(run.tasks, start=1)
                ]
            },
        }
        if meta.get("pipeline_version_reference"):
            out["pipeline_version_reference"] = meta["pipeline_version_reference"]
        if run.state in TERMINAL and run.finished:
            out["finished_at"] = run.finished
        if run.state == "FAILED":
            out["error"] = {"code": 9, "message": failure_message(run)}
        return out

    async def runs(self, request: Request) -> Response:
        jobs = self.state.jobs
        if request.method == "GET":
            experiment = request.query_params.get("experiment_id")

            def build() -> list[dict[str, Any]]:
                out = []
                for job_id in jobs.list():
                    meta = jobs.meta(job_id)
                    if meta.get("api") == "kfp" and (not experiment or meta.get("experiment_id") == experiment):
                        out.append(self._run_resource(jobs.get(job_id), meta))
                return out

            items = await run_in_threadpool(build)
            return JSONResponse({"runs": items, "total_size": len(items)} if items else {})
        body = await read_json(request)
        spec = body.get("pipeline_spec")
        ref = _object(body, "pipeline_version_reference")
        runtime = _object(body, "runtime_config")
        parameters = _object(runtime, "parameters", "runtime_config.parameters")
        for key in ("display_name", "experiment_id"):
            if not isinstance(body.get(key) or "", str):
                raise bad_request(f"{key} must be a string", location=key)
        if spec is None and ref.get("pipeline_id"):
            if not isinstance(ref["pipeline_id"], str):
                raise bad_request("pipeline_version_reference.pipeline_id must be a string")
            spec = self._uploaded_spec(ref["pipeline_id"])
        if not isinstance(spec, dict) or not {"pipelineInfo", "root", "schemaVersion"} <= set(spec):
            raise bad_request(
                "pipeline_spec is not a compiled KFP pipeline (it needs pipelineInfo, root and schemaVersion)"
            )
        params = dict(parameters)
        run_id = str(uuid.uuid4())
        meta = {
            "api": "kfp",
            "display_name": body.get("display_name") or run_id,
            "experiment_id": body.get("experiment_id") or "",
            "runtime_config": runtime,
            **({"pipeline_version_reference": ref} if ref else {}),
        }
        run = await run_in_threadpool(
            lambda: jobs.create(run_id, spec, params, enable_caching=caching_enabled(spec), meta=meta)
        )
        return JSONResponse(self._run_resource(run, meta))

    async def run(self, request: Request, run: str) -> Response:
        run_id, _, verb = run.partition(":")
        jobs = self.state.jobs
        try:
            meta = await run_in_threadpool(jobs.meta, run_id)
        except NotFoundError:
            meta = None
        if meta is None or meta.get("api") != "kfp":
            raise not_found(f"Run {run_id} not found")
        if request.method == "POST":
            if verb != "terminate":
                raise not_found(f"Method {verb or '(none)'} is not supported on runs; supported: terminate")
            await run_in_threadpool(jobs.cancel, run_id)
            return JSONResponse({})
        return JSONResponse(self._run_resource(await jobs.wait_terminal(run_id), meta))

    # --- pipelines -----------------------------------------------------------------------------
    def _uploaded_spec(self, pipeline_id: str) -> dict[str, Any]:
        found = self._load("pipelines").get(pipeline_id)
        if found is None:
            raise not_found(f"Pipeline {pipeline_id} not found")
        return found["spec"]

    async def upload(self, request: Request) -> Response:
        raw = await read_body(request, _MAX_PIPELINE_BYTES)
        content_type = request.headers.get("content-type", "")
        payload = None
        if content_type.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
            )
            for part in message.iter_parts():
                if part.get_param("name", header="content-disposition") == "uploadfile":
                    payload = part.get_payload(decode=True)
        if payload is None:
            raise bad_request(
                "Expected a multipart/form-data body with an 'uploadfile' field holding the pipeline YAML"
            )
        if not isinstance(payload, bytes):
            raise bad_request("The 'uploadfile' field must hold the pipeline YAML file")
        docs = await run_in_threadpool(safe_yaml.load_all, payload, limit=_MAX_PIPELINE_BYTES, what="uploaded pipeline")
        spec = docs[0] if docs else None
        if isinstance(spec, dict) and "pipelineSpec" in spec:
            spec = spec["pipelineSpec"]
        if not isinstance(spec, dict) or not {"pipelineInfo", "root", "schemaVersion"} <= set(spec):
            raise bad_request("The uploaded file is not a compiled KFP pipeline (no pipelineInfo/root/schemaVersion)")
        name = request.query_params.get("name") or spec["pipelineInfo"].get("name") or "pipeline"

        def save() -> dict[str, Any]:
            with self._lock:
                all_ = self._load("pipelines")
                if any(p["display_name"] == name for p in all_.values()):
                    raise ApiError(409, f"Pipeline {name!r} already exists", "duplicate")
                pid = str(uuid.uuid4())
                resource = {
                    "pipeline_id": pid,
                    "display_name": name,
                    "created_at": _now(),
                    "description": request.query_params.get("description") or "",
                }
                all_[pid] = {**resource, "spec": spec}
                self._save("pipelines", all_)
                return resource

        return JSONResponse(await run_in_threadpool(save))

    async def pipelines(self, request: Request) -> Response:
        items = [{k: v for k, v in p.items() if k != "spec"} for p in self._load("pipelines").values()]
        return JSONResponse({"pipelines": items, "total_size": len(items)} if items else {})

    async def pipeline(self, request: Request, pipeline_id: str) -> Response:
        found = self._load("pipelines").get(pipeline_id)
        if found is None:
            raise not_found(f"Pipeline {pipeline_id} not found")
        return JSONResponse({k: v for k, v in found.items() if k != "spec"})


def routes(state: KfpApi) -> list[BaseRoute]:
    api = KfpHandlers(state)
    r = SegmentRouter("/apis/v2beta1")
    r.route("healthz", "GET")(api.healthz)
    r.route("experiments", "GET", "POST")(api.experiments)
    r.route("experiments/{experiment_id}", "GET")(api.experiment)
    r.route("runs", "GET", "POST")(api.runs)
    r.route("runs/{run}", "GET", "POST")(api.run)
    r.route("pipelines/upload", "POST")(api.upload)
    r.route("pipelines", "GET")(api.pipelines)
    r.route("pipelines/{pipeline_id}", "GET")(api.pipeline)
    return r.starlette_routes()
