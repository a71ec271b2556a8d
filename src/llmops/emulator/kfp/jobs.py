"""Pipeline jobs of the emulator (Vertex AI `pipelineJobs` and Kubeflow `runs`), run by
`llmops.kfp_local` (as the `local` orchestrator runs them): kfp's local runner in a worker process, with its task cache.

One `PipelineJobs` per emulator, under `<data>/pipelines/`: `jobs/<id>/pipeline.yaml` is the
inlined spec as received, `jobs/<id>/job.json` what the API was asked (display name, runtime
config, labels: echoed back in its resources), and the orchestrator's workspace
`workspace/` holds the run records, task outputs and the cache. Each job has a thread that
waits on its worker (so finished workers are reaped), and `wait_terminal` lets a GET hold
until the job ends, so clients that poll every 5 s see a terminal state on their first poll.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import yaml
from starlette.concurrency import run_in_threadpool

from ...core.config import Settings
from ...core.errors import LlmopsError, NotFoundError
from ...core.pipeline_package import settings_parameter
from ...core.types import PipelineRun
from ...core.workspace import atomic_write_text
from ...kfp_local.runs import LocalRuns

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
HOLD_SECONDS = 4.5
"""How long a GET waits for a running job to end: just under a client's 5 s poll."""

PIPELINE_BUCKET = "llmops-emulator-pipelines"
"""The emulator's own bucket holding the pipeline runner's workspace (runs, outputs, cache)."""

_JOB_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")


class PipelineJobs:
    """Submit, follow and cancel pipeline runs of compiled specs received over HTTP."""

    def __init__(self, root: str | Path, storage: Any = None):
        self.root = Path(root)
        self.jobs_dir = self.root / "jobs"
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self.storage = storage
        workspace = self.root / "workspace"
        if storage is not None:
            # The runner's workspace lives in a bucket of the emulator's Cloud Storage, so the
            # artifacts its tasks write have gs:// URIs clients can read, as on Vertex AI.
            if not storage.bucket_exists(PIPELINE_BUCKET):
                storage.create_bucket(PIPELINE_BUCKET)
            workspace = storage.root / PIPELINE_BUCKET
        self.runs = LocalRuns(workspace)
        # Pipelines that take llmops settings run them with the local defaults in this workspace.
        self.settings = settings_parameter(Settings(workspace=workspace))
        self._lock = threading.Lock()
        self._waiters: dict[str, threading.Thread] = {}

    def job_dir(self, job_id: str) -> Path:
        if not _JOB_ID.match(job_id or ""):
            raise NotFoundError(f"pipeline job {job_id!r} does not exist", fix="list the jobs")
        return self.jobs_dir / job_id

    def exists(self, job_id: str) -> bool:
        try:
            return (self.job_dir(job_id) / "job.json").is_file()
        except NotFoundError:
            return False

    def create(
        self, job_id: str, spec: dict[str, Any], params: dict[str, Any], *, enable_caching: bool, meta: dict[str, Any]
    ) -> PipelineRun:
        """Write the spec and start its run. Parameter errors raise (the API answers 400);
        a spec that kfp cannot run makes a FAILED job."""
        folder = self.job_dir(job_id)
        folder.mkdir(parents=True, exist_ok=False)
        package = folder / "pipeline.yaml"
        atomic_write_text(package, yaml.safe_dump(spec, sort_keys=False))
        try:
            run = self.runs.submit(
                package, params, run_name=job_id, enable_caching=enable_caching, settings=self.settings
            )
        except BaseException:
            for p in folder.iterdir():
                p.unlink()
            folder.rmdir()
            raise
        atomic_write_text(folder / "job.json", json.dumps({**meta, "job_id": job_id, "caching": enable_caching}))
        waiter = threading.Thread(target=self._reap, args=(job_id,), name=f"pipeline-job-{job_id}", daemon=True)
        with self._lock:
            self._waiters[job_id] = waiter
        waiter.start()
        return run

    def _reap(self, job_id: str) -> None:
        try:
            self.runs.wait(job_id)
        except Exception:  # the record says what happened; nothing to report from here
            pass
        finally:
            with self._lock:
                self._waiters.pop(job_id, None)

    def meta(self, job_id: str) -> dict[str, Any]:
        path = self.job_dir(job_id) / "job.json"
        if not path.is_file():
            raise NotFoundError(f"pipeline job {job_id!r} does not exist", fix="list the jobs")
        return json.loads(path.read_text(encoding="utf-8"))

    def spec(self, job_id: str) -> dict[str, Any]:
        return yaml.safe_load((self.job_dir(job_id) / "pipeline.yaml").read_text(encoding="utf-8"))

    def get(self, job_id: str) -> PipelineRun:
        self.meta(job_id)
        return self.runs.get(job_id)

    def record(self, job_id: str) -> dict[str, Any]:
        self.meta(job_id)
        return self.runs.record(job_id)

    async def wait_terminal(self, job_id: str, hold: float = HOLD_SECONDS) -> PipelineRun:
        """The run, once terminal or after `hold` seconds, whichever is first."""
        deadline = time.monotonic() + hold
        interval = 0.02
        while True:
            run = await run_in_threadpool(self.get, job_id)
            if run.state in TERMINAL or time.monotonic() >= deadline:
                return run
            await asyncio.sleep(interval)
            interval = min(interval * 1.5, 0.2)

    def list(self) -> list[str]:
        """Job ids, newest first."""
        found = [(p.stat().st_mtime, p.parent.name) for p in self.jobs_dir.glob("*/job.json")]
        return [name for _, name in sorted(found, reverse=True)]

    def cancel(self, job_id: str) -> PipelineRun:
        self.meta(job_id)
        return self.runs.cancel(job_id)

    def public_uri(self, uri: str) -> str:
        """A task artifact's URI as clients see it: gs:// for files in the emulator's storage."""
        if self.storage is None or not uri:
            return uri
        root = str(self.storage.root) + "/"
        path = uri.removeprefix("file://")
        return f"gs://{path[len(root) :]}" if path.startswith(root) else uri

    def close(self) -> None:
        for job_id in self.list():
            try:
                if self.runs.get(job_id).state not in TERMINAL:
                    self.runs.cancel(job_id)
            except (LlmopsError, OSError, ValueError):
                continue


def failed_task(run: PipelineRun) -> str | None:
    return next((t.name for t in run.tasks if t.state == "FAILED"), None)


def failure_message(run: PipelineRun) -> str:
    """The run's error, naming the task that failed."""
    task = failed_task(run)
    message = run.error or "the pipeline failed"
    if task and task not in message:
        message = f"task {task!r} failed: {message}"
    return message


def caching_enabled(spec: dict[str, Any]) -> bool:
    """aiplatform writes `enable_caching` into every task's `cachingOptions.enableCache`
    (a false is left out of the JSON); caching is on when every task asks for it."""
    tasks = spec_tasks(spec)
    return all(bool((t.get("cachingOptions") or {}).get("enableCache")) for t in tasks) if tasks else True


def spec_tasks(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every task of the root DAG and of sub-pipeline DAGs."""
    dags = [spec.get("root") or {}, *[c for c in (spec.get("components") or {}).values() if isinstance(c, dict)]]
    return [t for d in dags for t in ((d.get("dag") or {}).get("tasks") or {}).values() if isinstance(t, dict)]
