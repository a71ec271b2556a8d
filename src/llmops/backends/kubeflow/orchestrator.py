"""The `kubeflow` orchestrator: compiled KFP packages run on a Kubeflow Pipelines endpoint
through `kfp.Client(host=...)`, the `kubeflow` section's `host` (the v2beta1 REST API;
the llmops emulator serves it too).

Runs go to the experiment `llmops` (created on first use). A pipeline input named `settings`
that the caller leaves out receives this profile's settings, as on the local orchestrator.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...core.config import Settings
from ...core.errors import ConfigError, LlmopsError, NotFoundError
from ...core.interfaces import Canceller, Orchestrator
from ...core.types import PipelineRun, TaskState
from .plugin import KubeflowSettings

EXPERIMENT = "llmops"
_STATE = {
    "PENDING": "PENDING",
    "RUNNING": "RUNNING",
    "SUCCEEDED": "SUCCEEDED",
    "FAILED": "FAILED",
    "CANCELED": "CANCELLED",
    "CANCELING": "RUNNING",
    "SKIPPED": "SUCCEEDED",
    "PAUSED": "RUNNING",
    "RUNTIME_STATE_UNSPECIFIED": "PENDING",
}
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def run_from_api(run: Any, package: str = "") -> PipelineRun:
    """A kfp_server_api `V2beta1Run` as a PipelineRun."""
    tasks = []
    details = getattr(getattr(run, "run_details", None), "task_details", None) or []
    for t in details:
        error = getattr(t, "error", None)
        tasks.append(
            TaskState(
                name=t.display_name or t.task_id or "?",
                state=_STATE.get(str(t.state or "PENDING"), "PENDING"),
                log_tail=getattr(error, "message", None) if error else None,
            )
        )
    state = _STATE.get(str(run.state or "PENDING"), "PENDING")
    error = getattr(run, "error", None)
    runtime = getattr(run, "runtime_config", None)
    params = dict(getattr(runtime, "parameters", None) or {})
    params.pop("settings", None)
    return PipelineRun(
        run_id=run.run_id,
        state=state,
        package=package,
        pipeline_name=run.display_name,
        parameters=params,
        tasks=tasks,
        error=getattr(error, "message", None) if state == "FAILED" and error else None,
        created=_iso(run.created_at),
        finished=_iso(run.finished_at),
    )


class KubeflowOrchestrator(Orchestrator, Canceller):
    """A self-hosted Kubeflow Pipelines (v2) endpoint through kfp.Client."""

    description = "Kubeflow Pipelines through kfp.Client (v2beta1 REST)"

    def __init__(self, settings: Settings):
        super().__init__(settings)
        host = (settings.section(KubeflowSettings).host or "").strip().rstrip("/")
        if not host:
            raise ConfigError(
                f"profile {settings.profile!r} names no Kubeflow Pipelines host",
                fix=f"set host in llmops.toml [profiles.{settings.profile}.kubeflow] or LLMOPS_KUBEFLOW_HOST",
            )
        if "://" not in host:
            raise ConfigError(f"kubeflow host {host!r} has no scheme", fix=f"write it as http://{host}")
        from ..gcp.clients import check_reachable

        check_reachable(host)  # kfp.Client retries an unreachable host with 5 s sleeps
        import warnings

        import kfp

        self.host = host
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "only works with KFP v2.0.0-beta.2 and later"
            self.client = kfp.Client(host=host)
        self._experiment_id: str | None = None

    def submit(
        self,
        package_path: str | Path,
        params: Mapping[str, Any] | None = None,
        *,
        run_name: str | None = None,
        enable_caching: bool = True,
    ) -> PipelineRun:
        from ...core.pipeline_package import prepare_submission

        run = prepare_submission(package_path, params, self.settings)
        package, name = run.package, run_name or run.pipeline_name
        try:
            # kfp prints the experiment and run links; keep stdout for the command's own output.
            with contextlib.redirect_stdout(sys.stderr):
                result = self.client.create_run_from_pipeline_package(
                    str(package),
                    arguments=run.parameters,
                    run_name=name,
                    experiment_name=EXPERIMENT,
                    enable_caching=enable_caching,
                )
        except Exception as exc:
            raise _llmops_error(exc, f"submitting {package.name}") from None
        return self.get(result.run_id)

    def get(self, run_id: str) -> PipelineRun:
        try:
            return run_from_api(self.client.get_run(run_id))
        except Exception as exc:
            raise _llmops_error(exc, f"pipeline run {run_id}") from None

    def wait(self, run_id: str, timeout: float | None = None) -> PipelineRun:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            run = self.get(run_id)
            if run.state in TERMINAL or (deadline is not None and time.monotonic() >= deadline):
                return run
            time.sleep(0.5)

    def cancel(self, run_id: str, reason: str | None = None) -> PipelineRun:
        try:
            self.client.terminate_run(run_id)
        except Exception as exc:
            raise _llmops_error(exc, f"cancelling {run_id}") from None
        return self.get(run_id)

    def list_runs(self) -> list[PipelineRun]:
        response = self.client.list_runs(page_size=100)
        return [run_from_api(r) for r in (response.runs or [])]


def _llmops_error(exc: Exception, what: str) -> LlmopsError:
    if isinstance(exc, LlmopsError):
        return exc
    status = getattr(exc, "status", None)
    body = getattr(exc, "body", None) or str(exc)
    if status == 404:
        return NotFoundError(f"{what}: not found", fix="check the run id (`llmops pipeline list`)")
    if status is not None:
        return ConfigError(f"{what}: HTTP {status}: {str(body)[:300]}", fix="check the pipeline and its parameters")
    return LlmopsError(
        f"{what}: {type(exc).__name__}: {exc}", fix="check the kubeflow host setting and that the endpoint is up"
    )
