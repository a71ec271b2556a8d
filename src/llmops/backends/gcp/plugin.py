"""Default plugin: the Google Cloud backends. Google client libraries are imported only when a
backend is built, so `pip install llmops` without the `gcp` extra still lists them."""

from __future__ import annotations

from ...core.config import PluginSettings
from ...core.hookspecs import hookimpl


class GcpSettings(PluginSettings):
    """`[profiles.NAME.gcp]`: where the Google backends work (LLMOPS_GCP_<KEY>)."""

    project: str | None = None
    """The Google Cloud project (default: the credentials' project; `llmops-emulated` with an endpoint)."""
    location: str = "us-central1"
    bucket: str | None = None
    """`gs://bucket/prefix` for artifacts and pipeline roots."""
    endpoint: str | None = None
    """An emulator's address (`llmops emulator start`); every Google client talks to it."""


@hookimpl
def register_settings(register):
    register(
        "gcp",
        GcpSettings,
        legacy_keys={"project": "project", "location": "location", "bucket": "bucket", "endpoint": "endpoint"},
    )
    register("agent_engine", AgentEngineSettings)


class AgentEngineSettings(PluginSettings):
    """`[profiles.NAME.agent_engine]`: the Agent Engine whose sessions keep `llmops chat`
    history (conversation store `agent-engine`; LLMOPS_AGENT_ENGINE_<KEY>)."""

    id: str | None = None
    """A reasoning engine id or resource name (default on an emulator endpoint: `1`)."""
    user: str | None = None
    """The sessions' user id (default: the login name)."""


@hookimpl
def register_warehouses(register):
    from .bigquery import BigQueryWarehouse

    register("bigquery", BigQueryWarehouse)


@hookimpl
def register_artifact_stores(register):
    from .gcs import GcsArtifactStore

    register("gcs", GcsArtifactStore)


@hookimpl
def register_model_providers(register):
    from .vertex_model import VertexModelProvider

    register("vertex", VertexModelProvider)


@hookimpl
def register_orchestrators(register):
    from .vertex_pipelines import VertexOrchestrator

    register("vertex", VertexOrchestrator)


@hookimpl
def register_conversation_stores(register):
    from .agent_engine import AgentEngineConversationStore

    register("agent-engine", AgentEngineConversationStore)
