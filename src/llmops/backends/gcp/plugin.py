"""Default plugin: the Google Cloud backends. Google client libraries are imported only when a
backend is built, so `pip install llmops` without the `gcp` extra still lists them."""

from __future__ import annotations

from ...core.hookspecs import hookimpl


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
