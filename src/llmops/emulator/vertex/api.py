"""The emulated Vertex AI API: generateContent and the legacy `:predict` on the emulated
model, publisher and tuned models, endpoints, tuningJobs and pipelineJobs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..kfp.api import KfpApi
from ..server.api import EmulatedApi, Emulator
from ..storage.api import StorageApi
from ..storage.store import ObjectStore

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from ..kfp.jobs import PipelineJobs
    from .engine.model_service import ModelService

CANNED_FILE = "canned.yaml"


class VertexApi(EmulatedApi):
    """Vertex AI v1 and v1beta1, plus the emulator's canned-responses admin route."""

    name = "vertex"
    prefixes = ("/v1", "/v1beta1", "/ui", "/kfp-templates", "/emulator/v1/canned")
    description = "Vertex AI API v1/v1beta1 (emulated model service, tuning, pipelines)"

    def __init__(self, emulator: Emulator):
        super().__init__(emulator)
        self.storage: ObjectStore = emulator.api(StorageApi).store
        self._service: ModelService | None = None
        self._lock = threading.Lock()

    @property
    def canned_path(self) -> Path:
        """Where the canned responses of `/emulator/v1/canned` are kept."""
        return self.data_dir / "vertex" / CANNED_FILE

    @property
    def model_service(self) -> ModelService:
        """The ModelService over `<data>/vertex/models`, built on first use, reading canned
        responses from `<data>/vertex/canned.yaml` (see `/emulator/v1/canned`)."""
        if self._service is None:
            with self._lock:
                if self._service is None:
                    from .engine.model_service import ModelService

                    path = self.canned_path
                    path.parent.mkdir(parents=True, exist_ok=True)
                    if not path.exists():
                        path.write_text("responses: []\n", encoding="utf-8")
                    self._service = ModelService(self.data_dir / "vertex" / "models", canned_responses=path)
        return self._service

    @property
    def pipeline_jobs(self) -> PipelineJobs:
        return self.emulator.api(KfpApi).jobs

    def start(self) -> None:
        from .templates import install

        install(self.storage)  # the course's tuning template, at gs://ml-pipeline/...

    def routes(self) -> list[BaseRoute]:
        from .routes import routes

        return routes(self)
