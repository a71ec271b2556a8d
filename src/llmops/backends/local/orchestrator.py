"""`local` orchestrator: runs any compiled KFP pipeline package with kfp's own local runner
(`llmops.kfp_local`), with run records and kfp's task cache in the workspace.

Packages and parameters are checked by `core.pipeline_package`, which every orchestrator
shares; a pipeline input named `settings` that the caller leaves out receives this session's
settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.interfaces import Canceller, Orchestrator
from ...core.types import PipelineRun

if TYPE_CHECKING:
    from ...kfp_local.runs import LocalRuns


class LocalOrchestrator(Orchestrator, Canceller):
    """Runs compiled KFP pipelines with kfp's local runner, caching tasks in the workspace."""

    description = (
        "kfp's local runner (SubprocessRunner, this Python environment); run records and task cache in the workspace."
    )

    def __init__(self, settings: Any):
        super().__init__(settings)
        from ...kfp_local.runs import LocalRuns

        self.runs: LocalRuns = LocalRuns(settings.workspace)

    def submit(
        self,
        package_path: str | Path,
        params: Mapping[str, Any] | None = None,
        *,
        run_name: str | None = None,
        enable_caching: bool = True,
    ) -> PipelineRun:
        return self.runs.submit(
            package_path,
            params,
            run_name=run_name,
            enable_caching=enable_caching,
            settings=self.settings,
        )

    def get(self, run_id: str) -> PipelineRun:
        return self.runs.get(run_id)

    def wait(self, run_id: str, timeout: float | None = None) -> PipelineRun:
        return self.runs.wait(run_id, timeout)

    def cancel(self, run_id: str, reason: str | None = None) -> PipelineRun:
        """Stop a running run; with a `reason` it ends FAILED, without one CANCELLED."""
        return self.runs.cancel(run_id, reason)

    def list_runs(self) -> list[PipelineRun]:
        return self.runs.list_runs()

    def record(self, run_id: str) -> dict[str, Any]:
        """The full run record (the PipelineRun fields plus task logs, timings and notes)."""
        return self.runs.record(run_id)

    def resolve_run_id(self, run_id: str) -> str:
        """A run id, a unique prefix of one, or `latest`."""
        return self.runs.resolve_run_id(run_id)

    def run_dir(self, run_id: str) -> Path:
        return self.runs.run_dir(run_id)
