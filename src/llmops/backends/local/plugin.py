"""Default plugin: the local backends (the embedded `local` profile)."""

from __future__ import annotations

from pathlib import Path

from ...core.config import PluginSettings
from ...core.hookspecs import hookimpl


class EmulatorModelSettings(PluginSettings):
    """`[profiles.NAME.emulator]`: the `emulator` model provider (LLMOPS_EMULATOR_<KEY>)."""

    canned_responses: Path | None = None
    """A YAML or JSON file of canned answers (see docs/vertex.md)."""


class DuckDBSettings(PluginSettings):
    """`[profiles.NAME.duckdb]`: the `duckdb` warehouse (LLMOPS_DUCKDB_<KEY>)."""

    project: str = "llmops-local"
    """The project that `dataset.table` names resolve to, as BigQuery's default project."""


@hookimpl
def register_settings(register):
    register("emulator", EmulatorModelSettings, legacy_keys={"canned_responses": "canned_responses"})
    register("duckdb", DuckDBSettings)


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
