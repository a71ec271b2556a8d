"""Vertex AI `pipelineJobs` (create, get, list, cancel, delete): the inlined pipeline spec runs on
kfp's local runner (`pipeline_jobs.PipelineJobs`) with the runtime config's parameters and the
tasks' caching flag.

States go PIPELINE_STATE_PENDING -> RUNNING -> SUCCEEDED | FAILED | CANCELLED; `jobDetail`
lists each task with its state, execution (outputs' parameters as `output:<name>` metadata)
and output artifacts. A GET holds a running job up to `HOLD_SECONDS`, so `PipelineJob.wait()`,
which sleeps 5 s between polls, sees the end of a short pipeline on its first poll.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.errors import NotFoundError
from ...core.types import PipelineRun
from ..kfp.jobs import TERMINAL, caching_enabled, failure_message
from ..server.errors import ApiError, bad_request, not_found, required
from ..server.http import read_json
from .templates import stage_local_files, with_endpoint

if TYPE_CHECKING:
    from .api import VertexApi

_PIPELINE_STATE = {
    "PENDING": "PIPELINE_STATE_PENDING",
    "RUNNING": "PIPELINE_STATE_RUNNING",
    "SUCCEEDED": "PIPELINE_STATE_SUCCEEDED",
    "FAILED": "PIPELINE_STATE_FAILED",
    "CANCELLED": "PIPELINE_STATE_CANCELLED",
}
_TASK_STATE = {
    "PENDING": "PENDING",
    "RUNNING": "RUNNING",
    "SUCCEEDED": "SUCCEEDED",
    "FAILED": "FAILED",
    "SKIPPED": "SKIPPED",
    "CANCELLED": "CANCELLED",
}
_EXECUTION_STATE = {
    "RUNNING": "RUNNING",
    "SUCCEEDED": "COMPLETE",
    "FAILED": "FAILED",
    "CANCELLED": "CANCELLED",
    "PENDING": "NEW",
    "SKIPPED": "NEW",
}


def runtime_parameters(runtime: dict[str, Any]) -> dict[str, Any]:
    """`parameterValues` (plain JSON) or the older typed `parameters` map."""
    values = dict(runtime.get("parameterValues") or {})
    for key, typed in (runtime.get("parameters") or {}).items():
        if isinstance(typed, dict) and typed:
            values.setdefault(key, next(iter(typed.values())))
    return values


def _artifact(value: dict[str, Any], public_uri: Any) -> dict[str, Any]:
    return {
        "name": value.get("name") or "",
        "displayName": value.get("name") or "",
        "uri": public_uri(value.get("uri") or ""),
        "schemaTitle": value.get("artifact") or "system.Artifact",
        "metadata": value.get("metadata") or {},
    }


def _outputs(outputs: dict[str, Any], public_uri: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parameters as execution `output:<name>` metadata, and artifacts as task `outputs`."""
    metadata: dict[str, Any] = {}
    artifacts: dict[str, Any] = {}
    for name, value in (outputs or {}).items():
        items = value if isinstance(value, list) else [value]
        arts = [v for v in items if isinstance(v, dict) and "artifact" in v]
        if arts:
            artifacts[name] = {"artifacts": [_artifact(a, public_uri) for a in arts]}
        else:
            metadata[f"output:{name}"] = value
    return metadata, artifacts


def task_details(run: PipelineRun, created: str | None, public_uri: Any = str) -> list[dict[str, Any]]:
    """The run's tasks, after the pipeline's own DAG task (named after the pipeline and holding
    its outputs), as Vertex lists them."""
    metadata, artifacts = _outputs(run.outputs, public_uri)
    root: dict[str, Any] = {
        "taskId": "1",
        "taskName": run.pipeline_name or "pipeline",
        "state": _TASK_STATE.get(run.state, "PENDING"),
        "createTime": created,
        "execution": {
            "displayName": run.pipeline_name or "pipeline",
            "schemaTitle": "system.DagExecution",
            "state": _EXECUTION_STATE.get(run.state, "NEW"),
            "metadata": metadata,
        },
    }
    if artifacts:
        root["outputs"] = artifacts
    out = [root]
    for i, task in enumerate(run.tasks, start=2):
        metadata, artifacts = _outputs(task.outputs, public_uri)
        detail: dict[str, Any] = {
            "taskId": str(i),
            "parentTaskId": "1",
            "taskName": task.name,
            "state": _TASK_STATE.get(task.state, "PENDING"),
            "createTime": created,
            "execution": {
                "displayName": task.name,
                "schemaTitle": "system.ContainerExecution",
                "state": "CACHED" if task.cached else _EXECUTION_STATE.get(task.state, "NEW"),
                "metadata": metadata,
            },
        }
        if artifacts:
            detail["outputs"] = artifacts
        if task.state == "FAILED":
            detail["error"] = {"code": 9, "message": (task.log_tail or "the task failed").strip()[-2000:]}
        out.append(detail)
    return out


def pipeline_job_resource(
    run: PipelineRun, meta: dict[str, Any], spec: dict[str, Any] | None, public_uri: Any = str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": meta["name"],
        "displayName": meta.get("displayName") or run.run_id,
        "state": _PIPELINE_STATE.get(run.state, "PIPELINE_STATE_PENDING"),
        "createTime": run.created,
        "updateTime": run.finished or run.created,
        "runtimeConfig": meta.get("runtimeConfig") or {},
        "jobDetail": {"taskDetails": task_details(run, run.created, public_uri)},
    }
    if spec is not None:
        out["pipelineSpec"] = spec
    for key in ("labels", "serviceAccount", "templateUri", "network"):
        if meta.get(key):
            out[key] = meta[key]
    if run.state != "PENDING":
        out["startTime"] = run.created
    if run.state in TERMINAL and run.finished:
        out["endTime"] = run.finished
    if run.state == "FAILED":
        out["error"] = {"code": 9, "message": failure_message(run)}
    return out


class PipelineJobsApi:
    """The `pipelineJobs` handlers of one emulator."""

    def __init__(self, state: VertexApi):
        self.state = state

    @property
    def jobs(self) -> Any:
        return self.state.pipeline_jobs

    async def pipeline_jobs(self, request: Request, project: str, location: str) -> Response:
        prefix = f"projects/{project}/locations/{location}"
        if request.method == "GET":

            def build() -> list[dict[str, Any]]:
                out = []
                for job_id in self.jobs.list():
                    meta = self.jobs.meta(job_id)
                    if meta.get("api") == "vertex" and meta["name"].startswith(prefix + "/"):
                        out.append(pipeline_job_resource(self.jobs.get(job_id), meta, None, self.jobs.public_uri))
                return out

            items = await run_in_threadpool(build)
            return JSONResponse({"pipelineJobs": items} if items else {})
        body = await read_json(request)
        spec = body.get("pipelineSpec")
        if spec is None:
            raise required("pipelineSpec")
        if not isinstance(spec, dict) or not {"pipelineInfo", "root", "schemaVersion"} <= set(spec):
            raise bad_request(
                "pipelineSpec is not a compiled KFP pipeline (it needs pipelineInfo, root and schemaVersion)",
                location="pipelineSpec",
            )
        runtime = body.get("runtimeConfig") or {}
        if not isinstance(runtime, dict):
            raise bad_request("runtimeConfig must be an object", location="runtimeConfig")
        pipeline_name = str((spec.get("pipelineInfo") or {}).get("name") or "pipeline")
        job_id = request.query_params.get("pipelineJobId") or f"{pipeline_name}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        name = f"{prefix}/pipelineJobs/{job_id}"
        meta = {
            "api": "vertex",
            "name": name,
            "displayName": body.get("displayName") or job_id,
            "runtimeConfig": runtime,
            **{k: body[k] for k in ("labels", "serviceAccount", "templateUri", "network") if body.get(k)},
        }

        def create() -> PipelineRun:
            if self.jobs.exists(job_id):
                raise ApiError(409, f"PipelineJob {name} already exists.", "duplicate")
            params = with_endpoint(spec, runtime_parameters(runtime), str(request.base_url))
            params = stage_local_files(spec, params, self.state.storage, self.state.config.local_files_root, project)
            return self.jobs.create(job_id, spec, params, enable_caching=caching_enabled(spec), meta=meta)

        run = await run_in_threadpool(create)
        return JSONResponse(pipeline_job_resource(run, meta, spec, self.jobs.public_uri))

    async def pipeline_job(self, request: Request, project: str, location: str, job: str) -> Response:
        job_id, _, verb = job.partition(":")
        prefix = f"projects/{project}/locations/{location}"
        try:
            meta = await run_in_threadpool(self.jobs.meta, job_id)
        except NotFoundError:
            meta = None
        if meta is None or meta.get("api") != "vertex" or meta["name"] != f"{prefix}/pipelineJobs/{job_id}":
            raise not_found(f"PipelineJob {prefix}/pipelineJobs/{job_id} not found.")
        if request.method == "POST":
            if verb != "cancel":
                raise ApiError(404, f"Method '{verb or '(none)'}' is not supported here; supported: cancel", "notFound")
            await run_in_threadpool(self.jobs.cancel, job_id)
            return JSONResponse({})
        if request.method == "DELETE":
            raise ApiError(501, "Deleting pipeline jobs is not implemented by the emulator", "notImplemented")
        if verb:
            raise ApiError(404, f"Method '{verb}' is not supported on GET", "notFound")
        run = await self.jobs.wait_terminal(job_id)
        spec = await run_in_threadpool(self.jobs.spec, job_id)
        return JSONResponse(pipeline_job_resource(run, meta, spec, self.jobs.public_uri))
