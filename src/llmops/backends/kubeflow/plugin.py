"""Default plugin: the `kubeflow` orchestrator (a self-hosted Kubeflow Pipelines endpoint)."""

from __future__ import annotations

from ...core.config import PluginSettings
from ...core.hookspecs import hookimpl


class KubeflowSettings(PluginSettings):
    """`[profiles.NAME.kubeflow]` (LLMOPS_KUBEFLOW_<KEY>)."""

    host: str | None = None
    """The Kubeflow Pipelines API, e.g. `http://127.0.0.1:8080` (the emulator serves it too)."""


@hookimpl
def register_settings(register):
    register("kubeflow", KubeflowSettings, legacy_keys={"kubeflow_host": "host"})


@hookimpl
def register_orchestrators(register):
    from .orchestrator import KubeflowOrchestrator

    register("kubeflow", KubeflowOrchestrator)
