"""Default plugin: the `kubeflow` orchestrator (a self-hosted Kubeflow Pipelines endpoint)."""

from __future__ import annotations

from ...core.hookspecs import hookimpl


@hookimpl
def register_orchestrators(register):
    from .orchestrator import KubeflowOrchestrator

    register("kubeflow", KubeflowOrchestrator)
