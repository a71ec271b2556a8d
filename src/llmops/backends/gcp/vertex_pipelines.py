"""The `vertex` orchestrator: compiled KFP packages run as Vertex AI Pipelines jobs through
aiplatform's `PipelineJob` (REST transport), with the pipeline root on Cloud Storage
(the `gcp` section's `bucket` + `/pipeline-root`) and kfp's task caching switch.

Components run in `settings.component_image` (an image with llmops installed; see
docs/vertex.md); compile with that setting so the package names it. A pipeline input named
`settings` that the caller leaves out receives this profile's settings, as on the local
orchestrator, so the components use the same backends.

Against an emulator (the `gcp` section's `endpoint`): `PipelineJob.submit()` first checks the pipeline
root's bucket with google-cloud-storage, and for a bucket that exists asks Cloud Resource
Manager (gRPC, no endpoint override) for the project number, which offline costs a minute of
retries. While submitting to an emulator, that one lookup answers the emulator's project number
(`EMULATOR_PROJECT_NUMBER`, what it reports for every bucket) instead. Nothing is changed when
talking to Google.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...core.config import Settings
from ...core.errors import ConfigError, LlmopsError, NotFoundError
from ...core.interfaces import Canceller, Orchestrator
from ...core.types import PipelineRun, TaskState
from .clients import aiplatform_init, gcp_settings, is_emulated

EMULATOR_PROJECT_NUMBER = "0"
"""The project number the llmops emulator reports for every bucket."""

_STATE = {
    "PIPELINE_STATE_QUEUED": "PENDING",
    "PIPELINE_STATE_PENDING": "PENDING",
    "PIPELINE_STATE_RUNNING": "RUNNING",
    "PIPELINE_STATE_SUCCEEDED": "SUCCEEDED",
    "PIPELINE_STATE_FAILED": "FAILED",
    "PIPELINE_STATE_CANCELLING": "RUNNING",
    "PIPELINE_STATE_CANCELLED": "CANCELLED",
    "PIPELINE_STATE_PAUSED": "CANCELLED",
}
_TASK_STATE = {
    "SUCCEEDED": "SUCCEEDED",
    "FAILED": "FAILED",
    "RUNNING": "RUNNING",
    "PENDING": "PENDING",
    "SKIPPED": "SKIPPED",
    "CANCELLED": "CANCELLED",
    "CANCELLING": "RUNNING",
    "CANCEL_PENDING": "RUNNING",
    "NOT_TRIGGERED": "SKIPPED",
}
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
_PATCH_LOCK = threading.RLock()  # re-entrant: a test fixture may hold it around submit()


@contextlib.contextmanager
def emulator_project_number(storage_endpoint: str | None = None) -> Iterator[None]:
    """While inside, aiplatform's Resource Manager project-number lookup answers the
    emulator's number instead of calling Google (see the module docstring), and, given
    `storage_endpoint`, its bucket check goes there (`STORAGE_EMULATOR_HOST`, the only switch
    aiplatform's own storage client reads)."""
    from google.cloud.aiplatform.utils import resource_manager_utils

    with _PATCH_LOCK:
        original = resource_manager_utils.get_project_number
        saved_env = os.environ.get("STORAGE_EMULATOR_HOST")
        resource_manager_utils.get_project_number = lambda *a, **k: EMULATOR_PROJECT_NUMBER
        if storage_endpoint:
            os.environ["STORAGE_EMULATOR_HOST"] = storage_endpoint
        try:
            yield
        finally:
            resource_manager_utils.get_project_number = original
            if storage_endpoint:
                if saved_env is None:
                    os.environ.pop("STORAGE_EMULATOR_HOST", None)
                else:
                    os.environ["STORAGE_EMULATOR_HOST"] = saved_env


def _job_id(name: str) -> str:
    """A valid Vertex pipeline job id ([a-z][-a-z0-9]{0,127})."""
    out = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    if not out or not out[0].isalpha():
        out = f"run-{out}"
    return out[:128]


def _seconds(start: str | None, end: str | None) -> float:
    if not start or not end:
        return 0.0
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return max(0.0, (b - a).total_seconds())


def task_state(detail: Mapping[str, Any]) -> TaskState:
    """One `jobDetail.taskDetails` entry as a TaskState: parameters from the execution's
    `output:<name>` metadata, artifacts as `{"artifact", "name", "uri", "metadata"}`."""
    execution = detail.get("execution") or {}
    outputs: dict[str, Any] = {}
    for key, value in (execution.get("metadata") or {}).items():
        if key.startswith("output:"):
            outputs[key[len("output:") :]] = value
    for name, listing in (detail.get("outputs") or {}).items():
        arts = [
            {
                "artifact": a.get("schemaTitle") or "system.Artifact",
                "name": a.get("displayName") or a.get("name") or "",
                "uri": a.get("uri") or "",
                "metadata": a.get("metadata") or {},
            }
            for a in (listing or {}).get("artifacts") or []
        ]
        if arts:
            outputs[name] = arts[0] if len(arts) == 1 else arts
    error = (detail.get("error") or {}).get("message")
    return TaskState(
        name=detail.get("taskName") or detail.get("taskId") or "?",
        state=_TASK_STATE.get(str(detail.get("state") or "PENDING"), "PENDING"),
        cached=execution.get("state") == "CACHED",
        seconds=round(_seconds(detail.get("startTime"), detail.get("endTime")), 3),
        outputs=outputs,
        log_tail=error,
    )


def run_from_resource(job: Mapping[str, Any], package: str = "") -> PipelineRun:
    """A PipelineJob resource (camelCase JSON) as a PipelineRun, with lineage from its tasks."""
    from ...kfp_local.worker import build_lineage

    name = job.get("name") or ""
    spec = job.get("pipelineSpec") or {}
    tasks = [task_state(d) for d in ((job.get("jobDetail") or {}).get("taskDetails") or [])]
    # Vertex lists the pipeline's own DAG as a task named after it; the tasks are its children.
    pipeline_name = (spec.get("pipelineInfo") or {}).get("name")
    dag = next((t for t in tasks if t.name == pipeline_name), None)
    tasks = [t for t in tasks if t.name != pipeline_name] or tasks
    params = dict((job.get("runtimeConfig") or {}).get("parameterValues") or {})
    package = package or job.get("templateUri") or name
    record = {
        "package": package,
        "package_sha256": None,
        "parameters": params,
        "tasks": [{"name": t.name, "outputs": t.outputs} for t in tasks],
    }
    state = _STATE.get(str(job.get("state") or ""), "PENDING")
    return PipelineRun(
        run_id=name.rsplit("/", 1)[-1],
        state=state,
        package=package,
        pipeline_name=pipeline_name,
        parameters={k: v for k, v in params.items() if k != "settings"},
        tasks=tasks,
        outputs=dict(dag.outputs) if dag is not None else {},
        lineage=build_lineage(record),
        error=(job.get("error") or {}).get("message") if state == "FAILED" else None,
        created=job.get("createTime"),
        finished=job.get("endTime"),
    )


class VertexOrchestrator(Orchestrator, Canceller):
    """Vertex AI Pipelines (or the emulator at the `gcp` section's `endpoint`) through aiplatform."""

    description = "Vertex AI Pipelines through aiplatform's PipelineJob (REST)"

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.emulated = is_emulated(settings)
        self.service_account = os.environ.get("LLMOPS_SERVICE_ACCOUNT") or None
        if self.emulated and not self.service_account:
            # Naming one keeps submit() from looking up the Compute Engine default account.
            project = gcp_settings(settings).project or "llmops-emulated"
            self.service_account = f"llmops-pipelines@{project}.iam.gserviceaccount.com"
        self.project = aiplatform_init(settings, service_account=self.service_account)
        self.location = gcp_settings(settings).location
        self.prefix = f"projects/{self.project}/locations/{self.location}"

    @property
    def pipeline_root(self) -> str:
        self.settings.require("gcp.bucket")
        bucket = str(gcp_settings(self.settings).bucket).rstrip("/")
        if not bucket.startswith("gs://"):
            raise ConfigError(f"bucket {bucket!r} is not a gs:// URI", fix="set bucket to gs://BUCKET[/PREFIX]")
        return f"{bucket}/pipeline-root"

    def submit(
        self,
        package_path: str | Path,
        params: Mapping[str, Any] | None = None,
        *,
        run_name: str | None = None,
        enable_caching: bool = True,
    ) -> PipelineRun:
        from google.cloud import aiplatform

        from ...core.pipeline_package import prepare_submission

        run = prepare_submission(package_path, params, self.settings)
        package, pipeline_name = run.package, run.pipeline_name
        job_id = _job_id(run_name or f"{pipeline_name}-{datetime.now(UTC):%Y%m%d%H%M%S}-{os.urandom(2).hex()}")
        job = aiplatform.PipelineJob(
            display_name=run_name or pipeline_name,
            template_path=str(package),
            job_id=job_id,
            pipeline_root=self.pipeline_root,
            parameter_values=run.parameters,
            enable_caching=enable_caching,
            project=self.project,
            location=self.location,
        )
        endpoint = (gcp_settings(self.settings).endpoint or "").rstrip("/")
        patch = emulator_project_number(endpoint) if self.emulated else contextlib.nullcontext()
        try:
            with patch:
                job.submit(service_account=self.service_account)
        except Exception as exc:
            raise _llmops_error(exc, f"submitting {package.name}") from None
        return run_from_resource(_resource_dict(job.gca_resource), str(package))

    def _full(self, run_id: str) -> str:
        return run_id if run_id.startswith("projects/") else f"{self.prefix}/pipelineJobs/{run_id}"

    def get(self, run_id: str) -> PipelineRun:
        from google.cloud import aiplatform

        try:
            job = aiplatform.PipelineJob.get(resource_name=self._full(run_id))
        except Exception as exc:
            raise _llmops_error(exc, f"pipeline run {run_id}") from None
        return run_from_resource(_resource_dict(job.gca_resource))

    def wait(self, run_id: str, timeout: float | None = None) -> PipelineRun:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            run = self.get(run_id)  # the emulator holds this GET until the run ends (4.5 s at most)
            if run.state in TERMINAL or (deadline is not None and time.monotonic() >= deadline):
                return run
            time.sleep(0.05 if self.emulated else 5.0)

    def cancel(self, run_id: str, reason: str | None = None) -> PipelineRun:
        from google.cloud import aiplatform

        try:
            aiplatform.PipelineJob.get(resource_name=self._full(run_id)).cancel()
        except Exception as exc:
            raise _llmops_error(exc, f"cancelling {run_id}") from None
        return self.get(run_id)

    def list_runs(self) -> list[PipelineRun]:
        from google.cloud import aiplatform

        jobs = aiplatform.PipelineJob.list(project=self.project, location=self.location)
        return [run_from_resource(_resource_dict(j.gca_resource)) for j in jobs]


def _resource_dict(resource: Any) -> dict[str, Any]:
    from google.protobuf import json_format

    return json_format.MessageToDict(type(resource).pb(resource))


def _llmops_error(exc: Exception, what: str) -> LlmopsError:
    if isinstance(exc, LlmopsError):
        return exc
    from google.api_core import exceptions as gexc

    if isinstance(exc, gexc.NotFound):
        return NotFoundError(f"{what}: {exc.message}", fix="check the run id (`llmops pipeline list`)")
    if isinstance(exc, gexc.GoogleAPICallError):
        return ConfigError(
            f"{what}: {exc.message}", fix="check the pipeline's parameters and the profile's project and location"
        )
    return LlmopsError(f"{what}: {type(exc).__name__}: {exc}", fix="check the endpoint and credentials of the profile")
