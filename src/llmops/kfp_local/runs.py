"""Pipeline runs on kfp's own local runner, shared by the `local` orchestrator and the
emulator's pipeline APIs (Vertex AI `pipelineJobs`, Kubeflow `runs`).

`LocalRuns.submit` checks the package and its parameters (one-line errors before anything
runs), writes a run record under `<workspace>/runs/<run_id>/`, and starts a worker process
(`worker.py`, started by `worker_process`) that runs the package with `kfp.local`
(SubprocessRunner in this Python environment, no virtualenv, no network) and updates the record
as tasks start and end. Task outputs live under `<workspace>/pipelines/root/`; kfp's task cache under
`<workspace>/pipelines/cache/`, so a second run with nothing changed is served from the cache
and a re-run after a failure resumes after the last task that succeeded.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, NotFoundError
from ..core.pipeline_package import package_tasks, prepare_submission, sha256_file
from ..core.types import PipelineRun, TaskState
from ..core.workspace import Workspace, atomic_path
from . import cached
from .worker import (
    PACKAGE_COPY,
    RECORD_NAME,
    TERMINAL_STATES,
    WORKER_LOG,
    Worker,
    build_lineage,
    log_tail,
    now_iso,
    read_record,
    write_record,
)
from .worker_process import WorkerProcess, start_worker

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def record_to_run(record: dict[str, Any]) -> PipelineRun:
    """The public PipelineRun view of a run record."""
    tasks = [
        TaskState(
            name=t["name"],
            state=t["state"],
            cached=bool(t.get("cached")),
            seconds=float(t.get("seconds") or 0.0),
            outputs=t.get("outputs") or {},
            log_tail=t.get("log_tail"),
        )
        for t in record.get("tasks", [])
    ]
    return PipelineRun(
        run_id=record["run_id"],
        state=record["state"],
        package=record["package"],
        pipeline_name=record.get("pipeline_name"),
        parameters=record.get("parameters") or {},
        tasks=tasks,
        outputs=record.get("outputs") or {},
        lineage=record.get("lineage") or {},
        error=record.get("error"),
        created=record.get("created"),
        finished=record.get("finished"),
    )


class LocalRuns:
    """Runs compiled KFP pipelines with kfp's local runner, caching tasks in `workspace`."""

    poll_interval = 0.05
    answer_from_cache = True
    """Serve a run every task of which kfp would take from its cache without a worker."""

    def __init__(self, workspace: str | Path):
        self.workspace = Workspace(Path(workspace))
        self._workers: dict[str, WorkerProcess] = {}

    @property
    def pipeline_root(self) -> Path:
        return self.workspace.pipelines / "root"

    @property
    def cache_root(self) -> Path:
        return self.workspace.pipelines / "cache"

    # -- runs

    def run_dir(self, run_id: str) -> Path:
        if not _RUN_ID.match(run_id or ""):
            raise NotFoundError(f"run {run_id!r} does not exist", fix="list runs with `llmops pipeline list`")
        return self.workspace.path("runs", run_id)

    def submit(
        self,
        package_path: str | Path,
        params: Mapping[str, Any] | None = None,
        *,
        run_name: str | None = None,
        enable_caching: bool = True,
        settings: Any = None,
    ) -> PipelineRun:
        """Start a run; `settings` (a `Settings` or its JSON dict) fills a pipeline input named
        `settings` left unset."""
        sub = prepare_submission(package_path, params, settings)
        package, spec, bound, pipeline_name = sub.package, sub.spec, sub.parameters, sub.pipeline_name
        run_id = run_name or f"{pipeline_name}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        if not _RUN_ID.match(run_id):
            raise ConfigError(f"run name {run_id!r} is not usable", fix="use letters, digits, '.', '_' and '-'")
        self.workspace.ensure()
        run_dir = self.workspace.path("runs", run_id)
        try:
            run_dir.mkdir(parents=True)
        except FileExistsError:
            raise ConfigError(f"run {run_id!r} already exists", fix="choose another run name") from None
        with atomic_path(run_dir / PACKAGE_COPY) as tmp:
            shutil.copyfile(package, tmp)
        self.pipeline_root.mkdir(parents=True, exist_ok=True)
        record: dict[str, Any] = {
            "run_id": run_id,
            "state": "PENDING",
            "package": str(package),
            "package_copy": str(run_dir / PACKAGE_COPY),
            "package_sha256": sha256_file(run_dir / PACKAGE_COPY),
            "pipeline_name": pipeline_name,
            "parameters": bound,
            "caching": bool(enable_caching),
            "pipeline_root": str(self.pipeline_root),
            "cache_root": str(self.cache_root),
            "orchestrator": "local",
            "tasks": [
                {"name": t, "state": "PENDING", "cached": False, "seconds": 0.0, "outputs": {}}
                for t in package_tasks(spec)
            ],
            "outputs": {},
            "lineage": {},
            "error": None,
            "created": now_iso(),
            "finished": None,
        }
        write_record(run_dir, record)
        if enable_caching and self.answer_from_cache:
            t0 = time.perf_counter()
            answer = cached.lookup(spec, bound, self.cache_root)
            if answer is not None:
                return record_to_run(self._serve_from_cache(run_dir, answer, time.perf_counter() - t0))
            record["cache_lookup_seconds"] = round(time.perf_counter() - t0, 4)
            write_record(run_dir, record)
        env = {
            **os.environ,
            # kfp's lightweight components `pip install kfp` before running; with the package
            # already installed pip is satisfied offline, and it must never reach an index.
            "PIP_NO_INDEX": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONUNBUFFERED": "1",
        }
        proc = start_worker(run_dir, run_dir / WORKER_LOG, env)
        self._workers[run_id] = proc
        record["worker_pid"] = proc.pid
        return record_to_run(record)

    @staticmethod
    def _serve_from_cache(run_dir: Path, answer: cached.CacheAnswer, lookup_seconds: float) -> dict[str, Any]:
        """End a run every task of which kfp would serve from its cache, in this process: the
        same record, task logs and lineage a worker would write, without starting one."""
        (run_dir / WORKER_LOG).touch()
        worker = Worker(run_dir)
        worker.autosave = False
        worker.record.update(
            state="RUNNING", started=now_iso(), served_from_cache=True, cache_lookup_seconds=round(lookup_seconds, 4)
        )
        for task in answer.tasks:
            entry = worker.task_started(task.component, task.task)
            Path(entry["log"]).touch()
            worker.task_finished(entry, ok=True, cached=True, seconds=task.seconds, outputs=task.outputs)
        worker.succeed(answer.outputs)
        return worker.record

    def _record(self, run_id: str) -> dict[str, Any]:
        run_dir = self.run_dir(run_id)
        if not (run_dir / RECORD_NAME).is_file():
            raise NotFoundError(f"run {run_id!r} does not exist", fix="list runs with `llmops pipeline list`")
        record = read_record(run_dir)
        if record["state"] not in TERMINAL_STATES and not self._worker_alive(run_id, record):
            record = read_record(run_dir)  # it may have finished between the two reads
            if record["state"] not in TERMINAL_STATES:
                record = self._finalize(
                    run_dir, record, "FAILED", "the worker process exited without finishing the run"
                )
        return record

    def record(self, run_id: str) -> dict[str, Any]:
        """The full run record (the PipelineRun fields plus task logs, timings and notes)."""
        return self._record(self.resolve_run_id(run_id))

    def get(self, run_id: str) -> PipelineRun:
        """A run by id (or unique prefix, or `latest`), with task states."""
        return record_to_run(self._record(self.resolve_run_id(run_id)))

    def wait(self, run_id: str, timeout: float | None = None) -> PipelineRun:
        """Block until the run ends or `timeout` seconds pass (then the run is returned as it
        is, still running)."""
        run_id = self.resolve_run_id(run_id)
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = self.poll_interval
        while True:
            record = self._record(run_id)
            if record["state"] in TERMINAL_STATES:
                proc = self._workers.pop(run_id, None)
                if proc is not None:
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass
                return record_to_run(record)
            if deadline is not None and time.monotonic() >= deadline:
                return record_to_run(record)
            time.sleep(interval)
            interval = min(interval * 1.5, 0.25)

    def cancel(self, run_id: str, reason: str | None = None) -> PipelineRun:
        """Stop a running run (its worker and task processes). With a `reason` (a timeout, say)
        the run ends FAILED with that reason; without one it ends CANCELLED."""
        run_id = self.resolve_run_id(run_id)
        run_dir = self.run_dir(run_id)
        record = read_record(run_dir)
        if record["state"] in TERMINAL_STATES:
            return record_to_run(record)
        pid = record.get("worker_pid") or (self._workers[run_id].pid if run_id in self._workers else None)
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        proc = self._workers.pop(run_id, None)
        if proc is not None:
            proc.wait()
        record = read_record(run_dir)
        if record["state"] in TERMINAL_STATES:
            return record_to_run(record)
        state = "FAILED" if reason else "CANCELLED"
        return record_to_run(self._finalize(run_dir, record, state, reason or "cancelled"))

    def list_runs(self) -> list[PipelineRun]:
        """Known runs, newest first."""
        root = self.workspace.runs
        if not root.is_dir():
            return []
        runs = []
        for d in root.iterdir():
            if (d / RECORD_NAME).is_file():
                try:
                    runs.append(record_to_run(self._record(d.name)))
                except (OSError, ValueError, KeyError):
                    continue  # a foreign or damaged folder is not a run
        return sorted(runs, key=lambda r: r.created or "", reverse=True)

    def resolve_run_id(self, run_id: str) -> str:
        """A run id, a unique prefix of one, or `latest`."""
        root = self.workspace.runs
        if run_id and (root / run_id / RECORD_NAME).is_file():
            return run_id
        names = sorted(d.name for d in root.iterdir() if (d / RECORD_NAME).is_file()) if root.is_dir() else []
        if run_id == "latest" and names:
            return max(names, key=lambda n: read_record(root / n).get("created") or "")
        matches = [n for n in names if run_id and n.startswith(run_id)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFoundError(
                f"run {run_id!r} is ambiguous ({len(matches)} runs start with it)", fix="give more of the run id"
            )
        raise NotFoundError(f"run {run_id!r} does not exist", fix="list runs with `llmops pipeline list`")

    # -- helpers

    def _worker_alive(self, run_id: str, record: dict[str, Any]) -> bool:
        proc = self._workers.get(run_id)
        if proc is not None:
            return proc.poll() is None
        pid = record.get("worker_pid")
        if not pid:
            # PENDING and not yet picked up: alive if it was submitted moments ago
            created = record.get("created") or ""
            try:
                age = (datetime.now(UTC) - datetime.fromisoformat(created.replace("Z", "+00:00"))).total_seconds()
            except ValueError:
                return False
            return age < 60
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def _finalize(self, run_dir: Path, record: dict[str, Any], state: str, reason: str) -> dict[str, Any]:
        """End a run whose worker is gone: the running task fails with its log tail."""
        running = None
        for t in record.get("tasks", []):
            if t["state"] == "RUNNING":
                t["state"] = "FAILED" if state == "FAILED" else "CANCELLED"
                t["log_tail"] = log_tail(Path(t["log"])) if t.get("log") else None
                running = running or t["name"]
            elif t["state"] == "PENDING":
                t["state"] = "SKIPPED"
        if running:
            reason = f"{reason} (while running task {running!r})"
            record["failed_task"] = running
        if not record.get("tasks") or not running:
            tail = log_tail(run_dir / WORKER_LOG)
            if tail and state == "FAILED":
                record["worker_log_tail"] = tail
        record.update(state=state, error=reason, finished=now_iso())
        record["lineage"] = build_lineage(record)
        write_record(run_dir, record)
        return record
