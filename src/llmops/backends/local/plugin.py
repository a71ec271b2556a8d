"""Default plugin: the local backends (the embedded `local` profile)."""

from __future__ import annotations

from ...core.hookspecs import hookimpl


@hookimpl
def register_artifact_stores(register):
    from .artifacts import LocalArtifactStore

    register("local", LocalArtifactStore)


@hookimpl
def register_orchestrators(register):
    from .orchestrator import LocalOrchestrator

    register("local", LocalOrchestrator)


@hookimpl
def register_warehouses(register):
    from .warehouse import DuckDBWarehouse

    register("duckdb", DuckDBWarehouse)


@hookimpl
def register_model_providers(register):
    from .model import EmulatorModelProvider

    register("emulator", EmulatorModelProvider)
