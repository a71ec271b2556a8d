"""The `emulator` model provider: the emulated Vertex AI model service, in process.

State (tuning jobs, tuned models, aliases, endpoints) lives in the workspace's `models/`
folder; see `llmops.emulator.vertex.engine.model_service` for what a prediction does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ...core.config import Settings
from ...core.interfaces import ModelProvider
from ...core.types import Endpoint, GenerationConfig, Prediction, TunedModel, TuningJob
from ...core.workspace import Workspace
from .plugin import EmulatorModelSettings


class EmulatorModelProvider(ModelProvider):
    """Deterministic stand-ins for Vertex AI's foundation and tuned models, offline."""

    description = "Emulated Vertex AI models: deterministic base model, BM25 retrieval tuning, lexicon safety"
    tuning_format = "seed"

    def __init__(self, settings: Settings):
        super().__init__(settings)
        from ...emulator.vertex.engine.model_service import ModelService

        canned = settings.section(EmulatorModelSettings).canned_responses
        if canned is not None:
            canned = Path(canned).expanduser().resolve()
        self.service = ModelService(
            Workspace(settings.workspace).models,
            default_model=settings.base_model,
            safety_threshold=settings.safety_threshold,
            canned_responses=canned,
        )

    def predict(
        self,
        prompt: str,
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
    ) -> Prediction:
        return self.service.predict(prompt, model=model, generation=generation, safety=safety)

    def predict_batch(
        self,
        prompts: Iterable[str],
        *,
        model: str | None = None,
        generation: GenerationConfig | None = None,
        safety: Mapping[str, str] | None = None,
        concurrency: int = 1,
    ) -> list[Prediction]:
        """Many predictions in order; the model is resolved once. In process the work is
        CPU-bound Python, where threads only contend for the interpreter (the benchmark shows
        lower throughput and a far worse p99 with 8), so the default is 1; `concurrency` > 1
        spreads the prompts over that many threads."""
        return self.service.predict_batch(
            list(prompts), model=model, generation=generation, safety=safety, concurrency=concurrency
        )

    def tune(
        self,
        base_model: str,
        train_uri: str,
        eval_uri: str | None = None,
        *,
        epochs: int = 1,
        display_name: str | None = None,
    ) -> TuningJob:
        return self.service.tune(base_model, train_uri, eval_uri, epochs=epochs, display_name=display_name)

    def get_tuning_job(self, name: str) -> TuningJob:
        return self.service.get_tuning_job(name)

    def list_tuning_jobs(self) -> list[TuningJob]:
        return self.service.list_tuning_jobs()

    def list_tuned_models(self) -> list[TunedModel]:
        return self.service.list_tuned_models()

    def get_tuned_model(self, name: str) -> TunedModel:
        return self.service.get_tuned_model(name)

    def list_base_models(self) -> list[str]:
        return self.service.base_models()

    def deploy(self, tuned_model: TunedModel | str) -> Endpoint:
        return self.service.deploy(tuned_model)

    def set_alias(self, model: str, alias: str) -> TunedModel:
        return self.service.set_alias(model, alias)

    def list_endpoints(self) -> list[Endpoint]:
        return self.service.list_endpoints()
