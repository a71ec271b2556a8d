"""llmops: LLMOps on Google Cloud, offline first.

The public API: `Session` (settings plus backends), `load_settings`, the plugin marker
`hookimpl`, the backend interfaces and their capabilities, the errors and the shared types.

Everything is imported on first use (module `__getattr__`), so `import llmops` and the pytest
plugin cost almost nothing until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # sessions and settings
    "Session": "llmops.core.session",
    "Settings": "llmops.core.config",
    "load_settings": "llmops.core.config",
    # plugins
    "hookimpl": "llmops.core.hookspecs",
    "PromptTemplate": "llmops.core.prompts",
    # backend interfaces and capabilities
    "Backend": "llmops.core.interfaces",
    "Warehouse": "llmops.core.interfaces",
    "ArtifactStore": "llmops.core.interfaces",
    "ModelProvider": "llmops.core.interfaces",
    "Orchestrator": "llmops.core.interfaces",
    "Capability": "llmops.core.interfaces",
    "Tuner": "llmops.core.interfaces",
    "Deployer": "llmops.core.interfaces",
    "Aliaser": "llmops.core.interfaces",
    "Canceller": "llmops.core.interfaces",
    "StatementRunner": "llmops.core.interfaces",
    "StatementResult": "llmops.core.interfaces",
    "MissingCapability": "llmops.core.interfaces",
    "capabilities": "llmops.core.interfaces",
    "require": "llmops.core.interfaces",
    # errors
    "LlmopsError": "llmops.core.errors",
    "ConfigError": "llmops.core.errors",
    "NotFoundError": "llmops.core.errors",
    "QueryError": "llmops.core.errors",
    "DataError": "llmops.core.errors",
    # shared types
    "Citation": "llmops.core.types",
    "DatasetSplit": "llmops.core.types",
    "DatasetVersion": "llmops.core.types",
    "Endpoint": "llmops.core.types",
    "ExportResult": "llmops.core.types",
    "GenerationConfig": "llmops.core.types",
    "PipelineRun": "llmops.core.types",
    "Prediction": "llmops.core.types",
    "SafetyAttributes": "llmops.core.types",
    "SafetyRating": "llmops.core.types",
    "TaskState": "llmops.core.types",
    "TunedModel": "llmops.core.types",
    "TuningJob": "llmops.core.types",
    "Usage": "llmops.core.types",
}
"""Public name -> the module that defines it."""

__all__ = [
    "Aliaser",
    "ArtifactStore",
    "Backend",
    "Canceller",
    "Capability",
    "Citation",
    "ConfigError",
    "DataError",
    "DatasetSplit",
    "DatasetVersion",
    "Deployer",
    "Endpoint",
    "ExportResult",
    "GenerationConfig",
    "LlmopsError",
    "MissingCapability",
    "ModelProvider",
    "NotFoundError",
    "Orchestrator",
    "PipelineRun",
    "Prediction",
    "PromptTemplate",
    "QueryError",
    "SafetyAttributes",
    "SafetyRating",
    "Session",
    "Settings",
    "StatementResult",
    "StatementRunner",
    "TaskState",
    "TunedModel",
    "Tuner",
    "TuningJob",
    "Usage",
    "Warehouse",
    "capabilities",
    "hookimpl",
    "load_settings",
    "require",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llmops' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:
    from .core.config import Settings, load_settings
    from .core.errors import ConfigError, DataError, LlmopsError, NotFoundError, QueryError
    from .core.hookspecs import hookimpl
    from .core.interfaces import (
        Aliaser,
        ArtifactStore,
        Backend,
        Canceller,
        Capability,
        Deployer,
        MissingCapability,
        ModelProvider,
        Orchestrator,
        StatementResult,
        StatementRunner,
        Tuner,
        Warehouse,
        capabilities,
        require,
    )
    from .core.prompts import PromptTemplate
    from .core.session import Session
    from .core.types import (
        Citation,
        DatasetSplit,
        DatasetVersion,
        Endpoint,
        ExportResult,
        GenerationConfig,
        PipelineRun,
        Prediction,
        SafetyAttributes,
        SafetyRating,
        TaskState,
        TunedModel,
        TuningJob,
        Usage,
    )
