"""The `emulator` model provider: the emulated Vertex AI model service, in process.

State (tuning jobs, tuned models, aliases, endpoints) lives in the workspace's `models/`
folder; see `llmops.emulator.vertex.engine.model_service` for what a prediction does.

The provider is an adapter: the interface's and capabilities' methods are the model service's
own (same names and signatures), answered by `ServiceMethod`. The model service (numpy,
pyarrow) is imported when a provider first calls it, not when this module is or a provider is
built, so listing backends and a fully cached `llmops run` stay cheap.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.interfaces import Aliaser, Deployer, ModelProvider, Tuner
from ...core.workspace import Workspace
from .plugin import EmulatorModelSettings

if TYPE_CHECKING:
    from ...core.config import Settings
    from ...emulator.vertex.engine.model_service import ModelService


class ServiceMethod:
    """A provider method answered by the method of the same name (or `target`) of the
    provider's `service`."""

    def __init__(self, target: str | None = None):
        self.target = target

    def __set_name__(self, owner: type, name: str) -> None:
        self.target = self.target or name
        self.__doc__ = f"`ModelService.{self.target}` of the emulated model service."

    def __get__(self, provider: Any, owner: type | None = None) -> Any:
        if provider is None:
            return self
        return getattr(provider.service, self.target or "")


class EmulatorModelProvider(ModelProvider, Tuner, Deployer, Aliaser):
    """Deterministic stand-ins for Vertex AI's foundation and tuned models, offline."""

    description = "Emulated Vertex AI models: deterministic base model, BM25 retrieval tuning, lexicon safety"
    tuning_format = "seed"

    def __init__(self, settings: Settings):
        super().__init__(settings)
        if settings.section(EmulatorModelSettings).canned_responses is not None:
            self.service  # noqa: B018 -- a bad canned-responses file fails when the provider is built

    @functools.cached_property
    def service(self) -> ModelService:
        """The in-process model service, built on first use (a fully cached `llmops run` needs none)."""
        from ...emulator.vertex.engine.model_service import ModelService

        settings = self.settings
        canned = settings.section(EmulatorModelSettings).canned_responses
        if canned is not None:
            canned = Path(canned).expanduser().resolve()
        return ModelService(
            Workspace(settings.workspace).models,
            default_model=settings.base_model,
            safety_threshold=settings.safety_threshold,
            canned_responses=canned,
        )

    # ModelProvider (predict_batch's default concurrency is 1: in process the work is
    # CPU-bound Python, where threads only contend for the interpreter)
    predict = ServiceMethod()
    predict_batch = ServiceMethod()
    list_base_models = ServiceMethod("base_models")
    # Tuner
    tune = ServiceMethod()
    get_tuning_job = ServiceMethod()
    list_tuned_models = ServiceMethod()
    list_tuning_jobs = ServiceMethod()
    get_tuned_model = ServiceMethod()
    # Deployer
    deploy = ServiceMethod()
    list_endpoints = ServiceMethod()
    # Aliaser
    set_alias = ServiceMethod()
