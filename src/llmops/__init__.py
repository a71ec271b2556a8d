"""llmops: LLMOps on Google Cloud, offline first.

The public API: `Session` (settings plus backends), `load_settings`, the plugin markers, the
backend interfaces and the shared types.
"""

from __future__ import annotations

from .core.config import Settings, load_settings
from .core.errors import LlmopsError
from .core.hookspecs import hookimpl
from .core.interfaces import ArtifactStore, ModelProvider, Orchestrator, Warehouse
from .core.session import Session
from .core.types import (
    Citation,
    DatasetVersion,
    Endpoint,
    GenerationConfig,
    PipelineRun,
    Prediction,
    SafetyAttributes,
    SafetyRating,
    TunedModel,
    TuningJob,
)

__version__ = "0.1.0"

__all__ = [
    "ArtifactStore",
    "Citation",
    "DatasetVersion",
    "Endpoint",
    "GenerationConfig",
    "LlmopsError",
    "ModelProvider",
    "Orchestrator",
    "PipelineRun",
    "Prediction",
    "SafetyAttributes",
    "SafetyRating",
    "Session",
    "Settings",
    "TunedModel",
    "TuningJob",
    "Warehouse",
    "hookimpl",
    "load_settings",
]
